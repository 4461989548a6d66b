// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory
import Synchronization

/// Something wrong with what the driver put into a virtqueue. Every case names the guest
/// value at fault; the transport turns any of them into DEVICE_NEEDS_RESET.
public enum VirtqueueError: Error, Equatable, CustomStringConvertible {
    case invalidSize(UInt16, maximum: UInt16)
    case misalignedRing(part: String, address: GuestAddress, alignment: UInt64)
    case ringOutsideMemory(part: String, address: GuestAddress, length: UInt64)
    case availableIndexJump(from: UInt16, to: UInt16, queueSize: UInt16)
    case descriptorIndexOutOfRange(head: UInt16, index: UInt16, tableSize: Int)
    case descriptorLoop(head: UInt16)
    case chainTooLong(head: UInt16, limit: Int)
    case bufferOutsideMemory(head: UInt16, address: GuestAddress, length: UInt32)
    case indirectNotNegotiated(head: UInt16)
    case indirectInsideIndirect(head: UInt16)
    case indirectWithNext(head: UInt16)
    case badIndirectTableLength(head: UInt16, length: UInt32)
    case readableAfterWritable(head: UInt16)
    case usedHeadOutOfRange(head: UInt16, queueSize: UInt16)
    case usedRingOverlaps(address: GuestAddress, part: String)

    public var description: String {
        switch self {
        case let .invalidSize(size, maximum):
            return "queue size \(size) is not a power of two between 1 and \(maximum)"
        case let .misalignedRing(part, address, alignment):
            return "\(part) at \(address) is not aligned to \(alignment) bytes"
        case let .ringOutsideMemory(part, address, length):
            return "\(part) (\(length) bytes at \(address)) is outside guest memory"
        case let .availableIndexJump(from, to, size):
            return "available index moved from \(from) to \(to), more than the queue size \(size)"
        case let .descriptorIndexOutOfRange(head, index, tableSize):
            return "chain \(head): descriptor index \(index) is outside the table of \(tableSize)"
        case let .descriptorLoop(head):
            return "chain \(head): descriptors form a loop"
        case let .chainTooLong(head, limit):
            return "chain \(head): longer than \(limit) descriptors"
        case let .bufferOutsideMemory(head, address, length):
            return "chain \(head): buffer of \(length) bytes at \(address) is outside guest memory"
        case let .indirectNotNegotiated(head):
            return "chain \(head): indirect descriptor without VIRTIO_F_INDIRECT_DESC"
        case let .indirectInsideIndirect(head):
            return "chain \(head): indirect descriptor inside an indirect table"
        case let .indirectWithNext(head):
            return "chain \(head): indirect descriptor has the NEXT flag too"
        case let .badIndirectTableLength(head, length):
            return "chain \(head): indirect table length \(length) is not a non-zero multiple of 16"
        case let .readableAfterWritable(head):
            return "chain \(head): device-readable buffer after a device-writable one"
        case let .usedHeadOutOfRange(head, size):
            return "used entry head \(head) is outside the queue of \(size)"
        case let .usedRingOverlaps(address, part):
            return "used ring at \(address) overlaps the \(part)"
        }
    }
}

/// One guest buffer of a descriptor chain, checked to lie inside guest memory.
public struct GuestBuffer: Equatable, Sendable {
    public var address: GuestAddress
    public var length: UInt32
}

/// A descriptor chain popped from the available ring: the device reads the `readable`
/// buffers and writes the `writable` ones, then returns `head` through the used ring.
public struct DescriptorChain: Equatable, Sendable {
    public var head: UInt16
    public var readable: [GuestBuffer] = []
    public var writable: [GuestBuffer] = []

    public var writableLength: UInt64 { writable.reduce(0) { $0 + UInt64($1.length) } }

    /// Calls `body` with the readable bytes in order, in pieces of at most `chunk` bytes, so
    /// a guest offering gigabytes cannot make the device allocate them at once.
    public func forEachReadable(in memory: GuestMemory, chunk: Int = 65536,
                                _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        for buffer in readable {
            var done = 0
            while done < Int(buffer.length) {
                let count = min(chunk, Int(buffer.length) - done)
                let pointer = try memory.hostPointer(at: GuestAddress(buffer.address.rawValue + UInt64(done)), length: UInt64(count))
                try body(UnsafeRawBufferPointer(start: pointer, count: count))
                done += count
            }
        }
    }

    /// Fills the writable buffers in order: `produce` gets each destination piece and
    /// returns how many bytes it wrote there; stops at the first short piece. Returns the total.
    public func fillWritable(in memory: GuestMemory, limit: UInt64 = .max,
                             _ produce: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> UInt32 {
        var total: UInt64 = 0
        for buffer in writable where total < limit {
            let count = Int(min(UInt64(buffer.length), limit - total))
            guard count > 0 else { continue }
            let pointer = try memory.hostPointer(at: buffer.address, length: UInt64(count))
            let written = try produce(UnsafeMutableRawBufferPointer(start: pointer, count: count))
            memory.writeLog.mark(buffer.address, length: UInt64(count))
            total += UInt64(min(max(written, 0), count))
            if written < count { break }
        }
        return UInt32(truncatingIfNeeded: total)
    }
}

/// Where the driver put the three parts of a split virtqueue (virtio 1.2 §2.7).
public struct VirtqueueLayout: Equatable, Sendable {
    public var size: UInt16
    public var descriptorTable: GuestAddress
    /// The available ring ("driver area").
    public var driverArea: GuestAddress
    /// The used ring ("device area").
    public var deviceArea: GuestAddress

    public init(size: UInt16, descriptorTable: GuestAddress, driverArea: GuestAddress, deviceArea: GuestAddress) {
        self.size = size
        self.descriptorTable = descriptorTable
        self.driverArea = driverArea
        self.deviceArea = deviceArea
    }

    var descriptorTableLength: UInt64 { 16 * UInt64(size) }
    /// flags, idx, ring[size], used_event.
    var driverAreaLength: UInt64 { 6 + 2 * UInt64(size) }
    /// flags, idx, ring[size] of (id, len), avail_event.
    var deviceAreaLength: UInt64 { 6 + 8 * UInt64(size) }
}

/// The device side of one split virtqueue in guest memory. Every index, length and address
/// the guest supplies is checked; a bad one throws `VirtqueueError`, nothing traps.
public final class Virtqueue {
    public let layout: VirtqueueLayout
    public let memory: GuestMemory
    let indirectAllowed: Bool
    let eventIndex: Bool
    // Host pointers to the rings, checked once here: the regions live as long as `memory`.
    private let descriptors: UnsafeMutableRawPointer
    private let available: UnsafeMutableRawPointer
    private let used: UnsafeMutableRawPointer
    /// The next available-ring position the device will consume (last_avail_idx).
    public private(set) var nextAvailable: UInt16 = 0
    /// The next used-ring position the device will fill.
    public private(set) var nextUsed: UInt16 = 0
    /// Used index at the last interrupt decision (for event-index suppression).
    private var usedAtLastSignal: UInt16 = 0

    static let flagNext: UInt16 = 1
    static let flagWrite: UInt16 = 2
    static let flagIndirect: UInt16 = 4
    static let availableFlagNoInterrupt: UInt16 = 1

    public init(memory: GuestMemory, layout: VirtqueueLayout, maximumSize: UInt16,
                features: UInt64) throws(VirtqueueError) {
        let size = layout.size
        guard size > 0, size <= maximumSize, size & (size - 1) == 0 else {
            throw .invalidSize(size, maximum: maximumSize)
        }
        func check(_ part: String, _ address: GuestAddress, _ length: UInt64, _ alignment: UInt64) throws(VirtqueueError) -> UnsafeMutableRawPointer {
            guard address.rawValue % alignment == 0 else {
                throw .misalignedRing(part: part, address: address, alignment: alignment)
            }
            guard let pointer = try? memory.hostPointer(at: address, length: length) else {
                throw .ringOutsideMemory(part: part, address: address, length: length)
            }
            return pointer
        }
        descriptors = try check("descriptor table", layout.descriptorTable, layout.descriptorTableLength, 16)
        available = try check("available ring", layout.driverArea, layout.driverAreaLength, 2)
        used = try check("used ring", layout.deviceArea, layout.deviceAreaLength, 4)
        // The device writes the used ring; it must not rewrite what it reads (the C shim
        // refuses the same). Compared as host ranges: guest regions may be adjacent.
        func overlaps(_ a: UnsafeMutableRawPointer, _ aLength: UInt64, _ b: UnsafeMutableRawPointer, _ bLength: UInt64) -> Bool {
            let x = UInt64(UInt(bitPattern: a)), y = UInt64(UInt(bitPattern: b))
            return x < y + bLength && y < x + aLength
        }
        if overlaps(used, layout.deviceAreaLength, descriptors, layout.descriptorTableLength) {
            throw .usedRingOverlaps(address: layout.deviceArea, part: "descriptor table")
        }
        if overlaps(used, layout.deviceAreaLength, available, layout.driverAreaLength) {
            throw .usedRingOverlaps(address: layout.deviceArea, part: "available ring")
        }
        self.layout = layout
        self.memory = memory
        self.indirectAllowed = features & VirtioFeatures.indirectDescriptors != 0
        self.eventIndex = features & VirtioFeatures.eventIndex != 0
    }

    /// Takes over a ring someone else (a vhost-user backend) was serving: continues after
    /// the entries already made available and the ones already used, leaving those alone.
    public func adoptRingPositions() {
        nextAvailable = load16(available, 2)
        nextUsed = load16(used, 2)
        usedAtLastSignal = nextUsed
    }

    /// The device's positions in the rings, for a snapshot: the rings themselves are in
    /// guest memory, which the snapshot holds.
    public struct Positions: Equatable, Sendable, Codable {
        public var nextAvailable: UInt16
        public var nextUsed: UInt16
        public var usedAtLastSignal: UInt16

        public init(nextAvailable: UInt16, nextUsed: UInt16, usedAtLastSignal: UInt16) {
            self.nextAvailable = nextAvailable; self.nextUsed = nextUsed; self.usedAtLastSignal = usedAtLastSignal
        }
    }

    public var positions: Positions {
        Positions(nextAvailable: nextAvailable, nextUsed: nextUsed, usedAtLastSignal: usedAtLastSignal)
    }

    /// Continues from saved positions (a restored snapshot). Any 16-bit values are safe:
    /// the guest-supplied indices are checked against them as they always are.
    public func restore(_ positions: Positions) {
        nextAvailable = positions.nextAvailable
        nextUsed = positions.nextUsed
        usedAtLastSignal = positions.usedAtLastSignal
    }

    private func load16(_ base: UnsafeMutableRawPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    private func store16(_ value: UInt16, _ base: UnsafeMutableRawPointer, _ offset: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// The next chain the driver made available, or nil when the ring is empty.
    public func popChain() throws(VirtqueueError) -> DescriptorChain? {
        let size = layout.size
        var availableIndex = load16(available, 2)
        if availableIndex == nextAvailable {
            guard eventIndex else { return nil }
            // Ask for a kick at the next entry, then look again: the driver may have added
            // one between our read and its check of avail_event.
            store16(nextAvailable, used, 4 + 8 * Int(size))
            memory.writeLog.mark(layout.deviceArea, length: layout.deviceAreaLength)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            availableIndex = load16(available, 2)
            if availableIndex == nextAvailable { return nil }
        }
        guard availableIndex &- nextAvailable <= size else {
            throw .availableIndexJump(from: nextAvailable, to: availableIndex, queueSize: size)
        }
        // The ring entry must be read after the index that published it.
        atomicMemoryFence(ordering: .acquiring)
        let head = load16(available, 4 + 2 * Int(nextAvailable % size))
        let chain = try walkChain(head: head)
        nextAvailable &+= 1
        return chain
    }

    /// Follows the chain starting at `head`, through at most one indirect table.
    func walkChain(head: UInt16) throws(VirtqueueError) -> DescriptorChain {
        var chain = DescriptorChain(head: head)
        var table = descriptors
        var tableSize = Int(layout.size)
        var index = head
        var visitedInTable = 0
        var total = 0
        var insideIndirect = false
        while true {
            guard Int(index) < tableSize else {
                throw .descriptorIndexOutOfRange(head: head, index: index, tableSize: tableSize)
            }
            // Pigeonhole: more steps than entries in this table means we went round a loop.
            visitedInTable += 1
            guard visitedInTable <= tableSize else { throw .descriptorLoop(head: head) }
            let entry = table + 16 * Int(index)
            let address = UInt64(littleEndian: entry.loadUnaligned(as: UInt64.self))
            let length = UInt32(littleEndian: entry.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let flags = load16(entry, 12)
            let next = load16(entry, 14)

            if flags & Self.flagIndirect != 0 {
                guard indirectAllowed else { throw .indirectNotNegotiated(head: head) }
                guard !insideIndirect else { throw .indirectInsideIndirect(head: head) }
                guard flags & Self.flagNext == 0 else { throw .indirectWithNext(head: head) }
                guard length > 0, length % 16 == 0 else { throw .badIndirectTableLength(head: head, length: length) }
                let count = Int(length / 16)
                guard total + count <= Int(layout.size) else { throw .chainTooLong(head: head, limit: Int(layout.size)) }
                guard address % 16 == 0, let pointer = try? memory.hostPointer(at: GuestAddress(address), length: UInt64(length)) else {
                    throw .bufferOutsideMemory(head: head, address: GuestAddress(address), length: length)
                }
                table = pointer
                tableSize = count
                index = 0
                visitedInTable = 0
                insideIndirect = true
                continue
            }

            total += 1
            guard total <= Int(layout.size) else { throw .chainTooLong(head: head, limit: Int(layout.size)) }
            if length > 0 {
                guard memory.region(containing: GuestAddress(address), length: UInt64(length)) != nil else {
                    throw .bufferOutsideMemory(head: head, address: GuestAddress(address), length: length)
                }
            }
            let buffer = GuestBuffer(address: GuestAddress(address), length: length)
            if flags & Self.flagWrite != 0 {
                chain.writable.append(buffer)
            } else {
                guard chain.writable.isEmpty else { throw .readableAfterWritable(head: head) }
                chain.readable.append(buffer)
            }
            guard flags & Self.flagNext != 0 else { return chain }
            index = next
        }
    }

    /// Returns a chain to the driver with the number of bytes the device wrote into it.
    public func pushUsed(head: UInt16, written: UInt32) throws(VirtqueueError) {
        let size = layout.size
        guard head < size else { throw .usedHeadOutOfRange(head: head, queueSize: size) }
        let element = used + 4 + 8 * Int(nextUsed % size)
        element.storeBytes(of: UInt32(head).littleEndian, as: UInt32.self)
        element.storeBytes(of: written.littleEndian, toByteOffset: 4, as: UInt32.self)
        // The element must be visible before the index that publishes it.
        atomicMemoryFence(ordering: .releasing)
        nextUsed &+= 1
        store16(nextUsed, used, 2)
        memory.writeLog.mark(layout.deviceArea, length: layout.deviceAreaLength)
    }

    /// Whether the driver wants an interrupt for the entries used since the last call:
    /// with VIRTIO_F_EVENT_IDX when the used index passed its used_event, otherwise unless
    /// it set VIRTQ_AVAIL_F_NO_INTERRUPT.
    public func needsInterrupt() -> Bool {
        let previous = usedAtLastSignal
        guard nextUsed != previous else { return false }
        usedAtLastSignal = nextUsed
        // Our used-index store must be visible before we read the driver's wishes.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if eventIndex {
            let usedEvent = load16(available, 4 + 2 * Int(layout.size))
            return nextUsed &- usedEvent &- 1 < nextUsed &- previous
        }
        return load16(available, 0) & Self.availableFlagNoInterrupt == 0
    }
}
