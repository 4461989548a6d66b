// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory

/// The virtio-mmio transport, version 2 (virtio 1.2 §4.2.2): the register file a guest
/// driver sees, with feature negotiation, the status handshake, queue setup and the
/// configuration space. A bus in Machine maps it at a base address and forwards accesses
/// as offsets. Its interrupt line changes also when no register is accessed (a backend
/// thread completes work), so wire `onInterruptChange` to the line rather than polling
/// `interruptAsserted` after accesses.
public final class VirtioMMIODevice: BusDevice, InterruptSource {
    /// Bytes of MMIO space one device occupies.
    public static let windowSize: UInt64 = 0x200

    public enum Register: UInt64 {
        case magicValue = 0x000, version = 0x004, deviceID = 0x008, vendorID = 0x00c
        case deviceFeatures = 0x010, deviceFeaturesSelect = 0x014
        case driverFeatures = 0x020, driverFeaturesSelect = 0x024
        case queueSelect = 0x030, queueSizeMaximum = 0x034, queueSize = 0x038
        case queueReady = 0x044, queueNotify = 0x050
        case interruptStatus = 0x060, interruptAcknowledge = 0x064, status = 0x070
        case queueDescriptorLow = 0x080, queueDescriptorHigh = 0x084
        case queueDriverLow = 0x090, queueDriverHigh = 0x094
        case queueDeviceLow = 0x0a0, queueDeviceHigh = 0x0a4
        case sharedMemorySelect = 0x0ac, sharedMemoryLengthLow = 0x0b0, sharedMemoryLengthHigh = 0x0b4
        case sharedMemoryBaseLow = 0x0b8, sharedMemoryBaseHigh = 0x0bc
        case configGeneration = 0x0fc
    }
    public static let configOffset: UInt64 = 0x100
    public static let magic: UInt32 = 0x7472_6976  // "virt"
    /// "CNDR" in little-endian bytes; drivers do not interpret it.
    public static let vendor: UInt32 = 0x5244_4e43

    /// Device status bits (virtio 1.2 §2.1).
    public enum Status {
        public static let acknowledge: UInt32 = 1
        public static let driver: UInt32 = 2
        public static let driverOK: UInt32 = 4
        public static let featuresOK: UInt32 = 8
        public static let needsReset: UInt32 = 0x40
        public static let failed: UInt32 = 0x80
    }
    public static let interruptUsedBuffer: UInt32 = 1
    static let interruptConfigChange: UInt32 = 2

    private struct QueueRegisters {
        var size: UInt16
        var ready = false
        var descriptorTable: UInt64 = 0
        var driverArea: UInt64 = 0
        var deviceArea: UInt64 = 0
        var queue: Virtqueue?
    }

    public let backend: VirtioDeviceBackend
    public let memory: GuestMemory
    /// Names the device in log lines, e.g. "virtio-blk@0xd0000000".
    public let name: String
    private let log: (String) -> Void
    /// The guest decides how often this device logs; it must not flood the host's log.
    private var logLimit = LogRateLimit()
    private let lock = NSRecursiveLock()

    private var deviceFeaturesSelect: UInt32 = 0
    private var driverFeaturesSelect: UInt32 = 0
    private var driverFeatures: UInt64 = 0
    private var queueSelect: UInt32 = 0
    private var queues: [QueueRegisters]
    private var status: UInt32 = 0
    private var interruptStatus: UInt32 = 0
    private var configGeneration: UInt32 = 0
    private var failureLogged = false
    fileprivate(set) var context: VirtioDeviceContext?

    /// Called with true when the interrupt line goes up and false when the driver has
    /// acknowledged everything. Called with the device lock held: do not call back in.
    public var onInterruptChange: ((Bool) -> Void)?

    public init(backend: VirtioDeviceBackend, memory: GuestMemory, name: String,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(("candor-vm: " + $0 + "\n").utf8)) }) {
        self.backend = backend
        self.memory = memory
        self.name = name
        self.log = log
        self.queues = backend.queueMaximumSizes.map { QueueRegisters(size: $0) }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Whether the interrupt line is asserted (level: some InterruptStatus bit is set).
    public var interruptAsserted: Bool { locked { interruptStatus != 0 } }

    /// The device status register as the driver sees it.
    public var deviceStatus: UInt32 { locked { status } }

    // MARK: Register access

    /// A read of `size` bytes at `offset` from the device's base.
    public func read(offset: UInt64, size: Int) -> UInt64 {
        locked {
            if offset >= Self.configOffset {
                guard let relative = Int(exactly: offset - Self.configOffset) else { return 0 }
                return readConfig(offset: relative, size: size)
            }
            guard size == 4, let register = Register(rawValue: offset) else { return 0 }
            return UInt64(readRegister(register))
        }
    }

    /// A write of the low `size` bytes of `value` at `offset` from the device's base.
    /// Never asks anything of the machine (always nil).
    @discardableResult
    public func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest? {
        locked {
            if offset >= Self.configOffset {
                if let relative = Int(exactly: offset - Self.configOffset) { writeConfig(offset: relative, size: size, value: value) }
                return nil
            }
            guard size == 4, let register = Register(rawValue: offset) else { return nil }
            writeRegister(register, UInt32(truncatingIfNeeded: value))
            return nil
        }
    }

    private var selectedQueue: Int? { Int(queueSelect) < queues.count ? Int(queueSelect) : nil }

    private func readRegister(_ register: Register) -> UInt32 {
        switch register {
        case .magicValue: return Self.magic
        case .version: return 2
        case .deviceID: return backend.deviceID.rawValue
        case .vendorID: return Self.vendor
        case .deviceFeatures:
            let features = backend.features
            switch deviceFeaturesSelect {
            case 0: return UInt32(truncatingIfNeeded: features)
            case 1: return UInt32(truncatingIfNeeded: features >> 32)
            default: return 0
            }
        case .queueSizeMaximum:
            return selectedQueue.map { UInt32(backend.queueMaximumSizes[$0]) } ?? 0
        case .queueReady:
            return selectedQueue.map { queues[$0].ready ? 1 : 0 } ?? 0
        case .interruptStatus: return interruptStatus
        case .status: return status
        case .configGeneration: return configGeneration
        // No shared memory regions: a length of all ones says "no such region".
        case .sharedMemoryLengthLow, .sharedMemoryLengthHigh: return 0xffff_ffff
        default: return 0  // write-only registers read as zero
        }
    }

    private func writeRegister(_ register: Register, _ value: UInt32) {
        switch register {
        case .deviceFeaturesSelect: deviceFeaturesSelect = value
        case .driverFeaturesSelect: driverFeaturesSelect = value
        case .driverFeatures:
            guard status & (Status.featuresOK | Status.driverOK) == 0 else { return }
            switch driverFeaturesSelect {
            case 0: driverFeatures = driverFeatures & ~0xffff_ffff | UInt64(value)
            case 1: driverFeatures = driverFeatures & 0xffff_ffff | UInt64(value) << 32
            default: break
            }
        case .queueSelect: queueSelect = value
        case .queueSize: updateSelectedQueue { $0.size = UInt16(truncatingIfNeeded: value) }
        case .queueDescriptorLow: updateSelectedQueue { $0.descriptorTable = $0.descriptorTable & ~0xffff_ffff | UInt64(value) }
        case .queueDescriptorHigh: updateSelectedQueue { $0.descriptorTable = $0.descriptorTable & 0xffff_ffff | UInt64(value) << 32 }
        case .queueDriverLow: updateSelectedQueue { $0.driverArea = $0.driverArea & ~0xffff_ffff | UInt64(value) }
        case .queueDriverHigh: updateSelectedQueue { $0.driverArea = $0.driverArea & 0xffff_ffff | UInt64(value) << 32 }
        case .queueDeviceLow: updateSelectedQueue { $0.deviceArea = $0.deviceArea & ~0xffff_ffff | UInt64(value) }
        case .queueDeviceHigh: updateSelectedQueue { $0.deviceArea = $0.deviceArea & 0xffff_ffff | UInt64(value) << 32 }
        case .queueReady: setQueueReady(value & 1 == 1)
        case .queueNotify: notify(queue: Int(value & 0xffff))
        case .interruptAcknowledge:
            let before = interruptStatus
            interruptStatus &= ~value
            if before != 0, interruptStatus == 0 { onInterruptChange?(false) }
        case .status: writeStatus(value)
        default: break  // read-only registers ignore writes
        }
    }

    /// Queue registers may change only while the queue is not ready (virtio 1.2 §4.2.2.3).
    private func updateSelectedQueue(_ change: (inout QueueRegisters) -> Void) {
        guard let index = selectedQueue, !queues[index].ready else { return }
        change(&queues[index])
    }

    private func setQueueReady(_ ready: Bool) {
        guard let index = selectedQueue else { return }
        guard ready else {
            queues[index].ready = false
            queues[index].queue = nil
            return
        }
        guard !queues[index].ready, status & Status.featuresOK != 0 else { return }
        let registers = queues[index]
        let layout = VirtqueueLayout(size: registers.size, descriptorTable: GuestAddress(registers.descriptorTable),
                                     driverArea: GuestAddress(registers.driverArea), deviceArea: GuestAddress(registers.deviceArea))
        do {
            queues[index].queue = try Virtqueue(memory: memory, layout: layout,
                                                maximumSize: backend.queueMaximumSizes[index], features: driverFeatures)
            queues[index].ready = true
        } catch {
            markNeedsReset("queue \(index): \(error)")
        }
    }

    private func writeStatus(_ value: UInt32) {
        if value == 0 {
            reset()
            return
        }
        var accepted = value
        let newBits = value & ~status
        if newBits & Status.featuresOK != 0 {
            let offered = backend.features
            if driverFeatures & VirtioFeatures.version1 == 0 || driverFeatures & ~offered != 0 {
                // Leaving FEATURES_OK clear tells the driver the subset is refused.
                accepted &= ~Status.featuresOK
                limitedLog("\(name): refused driver features 0x\(String(driverFeatures, radix: 16)) (offered 0x\(String(offered, radix: 16)); VIRTIO_F_VERSION_1 is required)")
            }
        }
        status = accepted | status & Status.needsReset
        if newBits & Status.driverOK != 0, status & Status.featuresOK != 0, status & Status.needsReset == 0 {
            let context = VirtioDeviceContext(memory: memory, features: driverFeatures,
                                              queues: queues.map(\.queue), transport: self)
            self.context = context
            do {
                try backend.activate(context)
            } catch {
                markNeedsReset("activation failed: \(error)")
            }
        }
    }

    private func notify(queue index: Int) {
        guard index < queues.count, queues[index].ready, context != nil, status & Status.driverOK != 0,
              status & Status.needsReset == 0 || backend.servesAfterFailure else { return }
        do {
            try backend.queueNotified(index)
        } catch {
            markNeedsReset("queue \(index): \(error)")
        }
    }

    private func reset() {
        context = nil
        backend.reset()
        let hadInterrupt = interruptStatus != 0
        status = 0
        interruptStatus = 0
        driverFeatures = 0
        deviceFeaturesSelect = 0
        driverFeaturesSelect = 0
        queueSelect = 0
        failureLogged = false
        queues = backend.queueMaximumSizes.map { QueueRegisters(size: $0) }
        if hadInterrupt { onInterruptChange?(false) }
    }

    // MARK: Snapshot

    /// The transport's registers and each queue's ring positions, for a snapshot. The
    /// backend's own state is not in it: only backends without any (virtio-rng, and
    /// virtio-console, whose pending host input is dropped) can be restored this way.
    public struct State: Equatable, Sendable, Codable {
        public struct Queue: Equatable, Sendable, Codable {
            public var size: UInt16
            public var ready: Bool
            public var descriptorTable: UInt64
            public var driverArea: UInt64
            public var deviceArea: UInt64
            public var positions: Virtqueue.Positions?
        }
        public var deviceFeaturesSelect: UInt32
        public var driverFeaturesSelect: UInt32
        public var driverFeatures: UInt64
        public var queueSelect: UInt32
        public var queues: [Queue]
        public var status: UInt32
        public var interruptStatus: UInt32
        public var configGeneration: UInt32
    }

    public var state: State {
        locked {
            State(deviceFeaturesSelect: deviceFeaturesSelect, driverFeaturesSelect: driverFeaturesSelect, driverFeatures: driverFeatures,
                  queueSelect: queueSelect,
                  queues: queues.map { State.Queue(size: $0.size, ready: $0.ready, descriptorTable: $0.descriptorTable,
                                                    driverArea: $0.driverArea, deviceArea: $0.deviceArea, positions: $0.queue?.positions) },
                  status: status, interruptStatus: interruptStatus, configGeneration: configGeneration)
        }
    }

    /// Puts a fresh device (same backend kind, same guest memory) where `state` was: the
    /// registers, the ready queues at their positions, and, when the driver had set
    /// DRIVER_OK, the backend activated again. Raises the interrupt line if an interrupt
    /// was pending. A state that does not fit the device (another queue count, a ring
    /// outside memory) marks it as needing reset, as a bad driver write would.
    public func restore(_ state: State) {
        locked {
            guard state.queues.count == queues.count else {
                markNeedsReset("restore: \(state.queues.count) queues saved, the device has \(queues.count)")
                return
            }
            deviceFeaturesSelect = state.deviceFeaturesSelect
            driverFeaturesSelect = state.driverFeaturesSelect
            driverFeatures = state.driverFeatures
            queueSelect = state.queueSelect
            status = state.status
            configGeneration = state.configGeneration
            for (index, saved) in state.queues.enumerated() {
                queues[index] = QueueRegisters(size: saved.size, ready: false, descriptorTable: saved.descriptorTable,
                                               driverArea: saved.driverArea, deviceArea: saved.deviceArea)
                guard saved.ready else { continue }
                let layout = VirtqueueLayout(size: saved.size, descriptorTable: GuestAddress(saved.descriptorTable),
                                             driverArea: GuestAddress(saved.driverArea), deviceArea: GuestAddress(saved.deviceArea))
                do {
                    let queue = try Virtqueue(memory: memory, layout: layout, maximumSize: backend.queueMaximumSizes[index],
                                              features: driverFeatures)
                    if let positions = saved.positions { queue.restore(positions) }
                    queues[index].queue = queue
                    queues[index].ready = true
                } catch {
                    markNeedsReset("restore: queue \(index): \(error)")
                }
            }
            if status & Status.driverOK != 0, status & Status.featuresOK != 0, status & Status.needsReset == 0 {
                let context = VirtioDeviceContext(memory: memory, features: driverFeatures, queues: queues.map(\.queue), transport: self)
                self.context = context
                do { try backend.activate(context) } catch { markNeedsReset("restore: activation failed: \(error)") }
            }
            if state.interruptStatus != 0 { raiseInterrupt(state.interruptStatus) }
        }
    }

    // MARK: Configuration space

    private func readConfig(offset: Int, size: Int) -> UInt64 {
        let config = backend.configSpace
        guard [1, 2, 4, 8].contains(size), offset <= config.count - size else { return 0 }
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(config[offset + index]) << (8 * index) }
        return value
    }

    private func writeConfig(offset: Int, size: Int, value: UInt64) {
        guard [1, 2, 4, 8].contains(size), offset <= backend.configSpace.count - size else { return }
        backend.writeConfig(offset: offset, bytes: (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
    }

    // MARK: Interrupts and failure (lock held)

    private func limitedLog(_ line: String) {
        if let admitted = logLimit.admit(line, at: ProcessInfo.processInfo.systemUptime) { log(admitted) }
    }

    func raiseInterrupt(_ bits: UInt32) {
        let before = interruptStatus
        interruptStatus |= bits
        if before == 0 { onInterruptChange?(true) }
    }

    /// The backend changed its configuration space: new generation, configuration interrupt.
    func configChanged() {
        configGeneration &+= 1
        raiseInterrupt(Self.interruptConfigChange)
    }

    func markNeedsReset(_ message: String) {
        if !failureLogged {
            failureLogged = true
            limitedLog("\(name): device needs reset: \(message)")
        }
        guard status & Status.needsReset == 0 else { return }
        status |= Status.needsReset
        if status & Status.driverOK != 0 { configChanged() }
    }
}
