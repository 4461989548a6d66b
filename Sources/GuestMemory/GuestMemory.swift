// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum GuestMemoryError: Error, Equatable, CustomStringConvertible {
    case mapFailed(size: UInt64, errno: Int32)
    case overlappingRegions(GuestAddress, GuestAddress)
    case emptyRegion(GuestAddress)
    /// An access of `length` bytes at `address` is not wholly inside one region.
    case outOfBounds(address: GuestAddress, length: UInt64)

    public var description: String {
        switch self {
        case let .mapFailed(size, err):
            return "guest memory: mmap of \(size) bytes failed: \(String(cString: strerror(err)))"
        case let .overlappingRegions(a, b):
            return "guest memory: regions at \(a) and \(b) overlap"
        case let .emptyRegion(a):
            return "guest memory: region at \(a) has size 0"
        case let .outOfBounds(address, length):
            return "guest memory: \(length) bytes at \(address) are outside guest memory"
        }
    }
}

/// One contiguous range of guest-physical memory backed by an anonymous host mapping.
// @unchecked: immutable after init; it owns a raw mapping that the guest (and vhost-user
// backends) write concurrently by design, which no Swift type can describe.
public final class GuestMemoryRegion: @unchecked Sendable {
    public let start: GuestAddress
    public let size: UInt64
    /// Host address of the first byte; valid for the life of the region.
    public let hostAddress: UnsafeMutableRawPointer
    /// The file descriptor backing the mapping when the region is shareable with another
    /// process (vhost-user passes it to the backend); nil for private anonymous memory.
    public let fileDescriptor: Int32?

    /// Maps `size` bytes. `MAP_NORESERVE`: the host commits pages only when the guest
    /// touches them, so a large guest costs nothing until it is used.
    public init(start: GuestAddress, size: UInt64, shareable: Bool = false) throws {
        guard size > 0 else { throw GuestMemoryError.emptyRegion(start) }
        var fd: Int32 = -1
        var flags = MAP_NORESERVE
        if shareable {
            fd = try sharedMemoryFile(size: size, name: "guest-ram")
            flags |= MAP_SHARED
        } else {
            flags |= MAP_PRIVATE | MAP_ANONYMOUS
        }
        let pointer = mmap(nil, Int(size), PROT_READ | PROT_WRITE, flags, fd, 0)
        guard let pointer, pointer != MAP_FAILED else {
            let err = errno
            if fd >= 0 { close(fd) }
            throw GuestMemoryError.mapFailed(size: size, errno: err)
        }
        self.start = start
        self.size = size
        self.hostAddress = pointer
        self.fileDescriptor = shareable ? fd : nil
    }

    deinit {
        munmap(hostAddress, Int(size))
        if let fileDescriptor { close(fileDescriptor) }
    }

    /// One past the last byte (may be 2^64, so kept as a wider comparison in `contains`).
    public var endExclusive: UInt64 { start.rawValue + size }

    /// Whether `[address, address+length)` lies wholly inside this region.
    public func contains(_ address: GuestAddress, length: UInt64) -> Bool {
        guard address.rawValue >= start.rawValue else { return false }
        let offset = address.rawValue - start.rawValue
        return offset <= size && length <= size - offset
    }
}

/// All guest RAM: a sorted set of non-overlapping regions with bounds-checked access.
/// Every access is checked, so a guest-supplied address can never reach host memory
/// outside the mappings.
// @unchecked: `regions` is immutable; accesses go to guest RAM, which vCPUs and device
// threads share as real hardware does (ordering is the virtio rings' business).
public final class GuestMemory: @unchecked Sendable {
    public let regions: [GuestMemoryRegion]
    /// What this process and vhost-user backends write while a migration logs it; the
    /// writes through `write`, `store` and `fill` are marked here.
    public let writeLog: GuestWriteLog

    public init(regions: [GuestMemoryRegion]) throws {
        let sorted = regions.sorted { $0.start < $1.start }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.endExclusive > b.start.rawValue {
            throw GuestMemoryError.overlappingRegions(a.start, b.start)
        }
        self.regions = sorted
        self.writeLog = try GuestWriteLog(addressLimit: sorted.last?.endExclusive ?? 0)
    }

    /// Convenience: maps each `(start, size)` range.
    public convenience init(ranges: [(start: GuestAddress, size: UInt64)], shareable: Bool = false) throws {
        try self.init(regions: ranges.map { try GuestMemoryRegion(start: $0.start, size: $0.size, shareable: shareable) })
    }

    /// Total bytes of RAM over all regions.
    public var totalSize: UInt64 { regions.reduce(0) { $0 + $1.size } }

    /// The region holding all of `[address, address+length)`, if any.
    public func region(containing address: GuestAddress, length: UInt64 = 1) -> GuestMemoryRegion? {
        regions.first { $0.contains(address, length: length) }
    }

    /// Host pointer for `length` bytes at `address`, checked to be inside one region.
    public func hostPointer(at address: GuestAddress, length: UInt64) throws -> UnsafeMutableRawPointer {
        guard let region = region(containing: address, length: length) else {
            throw GuestMemoryError.outOfBounds(address: address, length: length)
        }
        return region.hostAddress + Int(address.rawValue - region.start.rawValue)
    }

    public func write<Bytes: Collection>(_ bytes: Bytes, at address: GuestAddress) throws where Bytes.Element == UInt8 {
        let destination = try hostPointer(at: address, length: UInt64(bytes.count))
        let copied = bytes.withContiguousStorageIfAvailable { source -> Bool in
            if let base = source.baseAddress { destination.copyMemory(from: base, byteCount: source.count) }
            return true
        }
        if copied == nil {
            for (index, byte) in bytes.enumerated() { destination.storeBytes(of: byte, toByteOffset: index, as: UInt8.self) }
        }
        writeLog.mark(address, length: UInt64(bytes.count))
    }

    public func read(at address: GuestAddress, count: Int) throws -> [UInt8] {
        let source = try hostPointer(at: address, length: UInt64(count))
        return Array(UnsafeRawBufferPointer(start: source, count: count))
    }

    /// Little-endian integer store (x86 guests are little-endian, as is the host).
    public func store<T: FixedWidthInteger>(_ value: T, at address: GuestAddress) throws {
        let destination = try hostPointer(at: address, length: UInt64(MemoryLayout<T>.size))
        destination.storeBytes(of: value.littleEndian, as: T.self)
        writeLog.mark(address, length: UInt64(MemoryLayout<T>.size))
    }

    public func load<T: FixedWidthInteger>(_: T.Type = T.self, at address: GuestAddress) throws -> T {
        let source = try hostPointer(at: address, length: UInt64(MemoryLayout<T>.size))
        return T(littleEndian: source.loadUnaligned(as: T.self))
    }

    /// Zero-fills `length` bytes at `address`.
    public func fill(zeroesAt address: GuestAddress, length: UInt64) throws {
        let destination = try hostPointer(at: address, length: length)
        memset(destination, 0, Int(length))
        writeLog.mark(address, length: length)
    }
}
