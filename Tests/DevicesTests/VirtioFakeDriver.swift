// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
@testable import Devices

/// Plays a guest virtio driver against a `VirtioMMIODevice`: registers through the
/// transport, rings written straight into guest memory, as Linux's virtio_mmio would.
final class VirtioFakeDriver {
    static let memorySize: UInt64 = 1 << 20
    /// Queue `n` has its rings at 0x1000 + n * 0x4000: table, then available, then used.
    static func layout(queue: Int, size: UInt16) -> VirtqueueLayout {
        let base = 0x1000 + UInt64(queue) * 0x4000
        return VirtqueueLayout(size: size, descriptorTable: GuestAddress(base),
                               driverArea: GuestAddress(base + 0x1000), deviceArea: GuestAddress(base + 0x2000))
    }
    static let dataBase: UInt64 = 0x20000

    let memory: GuestMemory
    let device: VirtioMMIODevice
    private(set) var interruptChanges: [Bool] = []
    private var availableIndex: [Int: UInt16] = [:]
    var layouts: [Int: VirtqueueLayout] = [:]

    init(_ backend: VirtioDeviceBackend) throws {
        memory = try GuestMemory(ranges: [(GuestAddress(0), Self.memorySize)])
        let box = LogBox()
        logBox = box
        device = VirtioMMIODevice(backend: backend, memory: memory, name: "test-device") { box.lines.append($0) }
        device.onInterruptChange = { [weak self] in self?.interruptChanges.append($0) }
    }
    private let logBox: LogBox
    final class LogBox { var lines: [String] = [] }
    var logLines: [String] { logBox.lines }

    func read(_ register: VirtioMMIODevice.Register) -> UInt32 {
        UInt32(device.read(offset: register.rawValue, size: 4))
    }

    func write(_ register: VirtioMMIODevice.Register, _ value: UInt32) {
        device.write(offset: register.rawValue, size: 4, value: UInt64(value))
    }

    var status: UInt32 { read(.status) }
    var needsReset: Bool { status & VirtioMMIODevice.Status.needsReset != 0 }

    var deviceFeatures: UInt64 {
        write(.deviceFeaturesSelect, 0)
        let low = read(.deviceFeatures)
        write(.deviceFeaturesSelect, 1)
        return UInt64(read(.deviceFeatures)) << 32 | UInt64(low)
    }

    /// ACKNOWLEDGE, DRIVER, the features, FEATURES_OK; returns whether the device kept FEATURES_OK.
    @discardableResult
    func negotiate(_ features: UInt64) -> Bool {
        write(.status, 0)
        // A driver starting over sets up fresh rings.
        availableIndex = [:]
        try? memory.fill(zeroesAt: GuestAddress(0x1000), length: Self.dataBase - 0x1000)
        write(.status, VirtioMMIODevice.Status.acknowledge)
        write(.status, VirtioMMIODevice.Status.acknowledge | VirtioMMIODevice.Status.driver)
        write(.driverFeaturesSelect, 0)
        write(.driverFeatures, UInt32(truncatingIfNeeded: features))
        write(.driverFeaturesSelect, 1)
        write(.driverFeatures, UInt32(truncatingIfNeeded: features >> 32))
        write(.status, status | VirtioMMIODevice.Status.featuresOK)
        return status & VirtioMMIODevice.Status.featuresOK != 0
    }

    func setUpQueue(_ index: Int, size: UInt16, layout: VirtqueueLayout? = nil) {
        let layout = layout ?? Self.layout(queue: index, size: size)
        layouts[index] = layout
        write(.queueSelect, UInt32(index))
        write(.queueSize, UInt32(layout.size))
        write(.queueDescriptorLow, UInt32(truncatingIfNeeded: layout.descriptorTable.rawValue))
        write(.queueDescriptorHigh, UInt32(truncatingIfNeeded: layout.descriptorTable.rawValue >> 32))
        write(.queueDriverLow, UInt32(truncatingIfNeeded: layout.driverArea.rawValue))
        write(.queueDriverHigh, UInt32(truncatingIfNeeded: layout.driverArea.rawValue >> 32))
        write(.queueDeviceLow, UInt32(truncatingIfNeeded: layout.deviceArea.rawValue))
        write(.queueDeviceHigh, UInt32(truncatingIfNeeded: layout.deviceArea.rawValue >> 32))
        write(.queueReady, 1)
    }

    func driverOK() {
        write(.status, status | VirtioMMIODevice.Status.driverOK)
    }

    /// Negotiates the device's own features, sets up every queue at `size`, DRIVER_OK.
    func start(features: UInt64? = nil, queueSize: UInt16 = 8, queues: Int) {
        XCTAssertTrue(negotiate(features ?? deviceFeatures))
        for index in 0..<queues { setUpQueue(index, size: queueSize) }
        driverOK()
    }

    /// Writes one descriptor into a table (the queue's own table unless `table` is given).
    func setDescriptor(queue: Int, _ index: Int, address: UInt64, length: UInt32, flags: UInt16 = 0,
                       next: UInt16 = 0, table: UInt64? = nil) throws {
        let base = (table ?? layouts[queue]!.descriptorTable.rawValue) + 16 * UInt64(index)
        try memory.store(address, at: GuestAddress(base))
        try memory.store(length, at: GuestAddress(base + 8))
        try memory.store(flags, at: GuestAddress(base + 12))
        try memory.store(next, at: GuestAddress(base + 14))
    }

    /// Puts `head` on the available ring and notifies the queue unless `notify` is false.
    func makeAvailable(queue: Int, head: UInt16, notify: Bool = true) throws {
        let layout = layouts[queue]!
        let index = availableIndex[queue, default: 0]
        try memory.store(head, at: GuestAddress(layout.driverArea.rawValue + 4 + 2 * UInt64(index % layout.size)))
        availableIndex[queue] = index &+ 1
        try memory.store(index &+ 1, at: GuestAddress(layout.driverArea.rawValue + 2))
        if notify { write(.queueNotify, UInt32(queue)) }
    }

    func setAvailableIndex(queue: Int, _ value: UInt16) throws {
        availableIndex[queue] = value
        try memory.store(value, at: GuestAddress(layouts[queue]!.driverArea.rawValue + 2))
    }

    func usedIndex(queue: Int) throws -> UInt16 {
        try memory.load(at: GuestAddress(layouts[queue]!.deviceArea.rawValue + 2))
    }

    func usedElement(queue: Int, _ position: UInt16) throws -> (head: UInt32, length: UInt32) {
        let layout = layouts[queue]!
        let base = layout.deviceArea.rawValue + 4 + 8 * UInt64(position % layout.size)
        return (try memory.load(at: GuestAddress(base)), try memory.load(at: GuestAddress(base + 4)))
    }

    /// used_event: the driver wants an interrupt once the used index passes it.
    func setUsedEvent(queue: Int, _ value: UInt16) throws {
        let layout = layouts[queue]!
        try memory.store(value, at: GuestAddress(layout.driverArea.rawValue + 4 + 2 * UInt64(layout.size)))
    }

    func availableEvent(queue: Int) throws -> UInt16 {
        let layout = layouts[queue]!
        return try memory.load(at: GuestAddress(layout.deviceArea.rawValue + 4 + 8 * UInt64(layout.size)))
    }

    func acknowledgeInterrupts() {
        write(.interruptAcknowledge, read(.interruptStatus))
    }
}
