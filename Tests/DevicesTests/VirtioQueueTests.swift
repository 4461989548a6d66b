// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
@testable import Devices

/// Descriptor chains through the built-in devices, well-formed and hostile.
final class VirtioQueueTests: XCTestCase {
    static let next: UInt16 = 1, write: UInt16 = 2, indirect: UInt16 = 4
    let data = VirtioFakeDriver.dataBase

    private func consoleDriver(features: UInt64? = nil) throws -> (VirtioFakeDriver, OutputBox) {
        let box = OutputBox()
        let driver = try VirtioFakeDriver(VirtioConsole { box.bytes += $0 })
        driver.start(features: features, queues: 2)
        return (driver, box)
    }
    final class OutputBox { var bytes: [UInt8] = [] }
    let tx = VirtioConsole.transmitQueue, rx = VirtioConsole.receiveQueue

    func testConsoleTransmitsAChain() throws {
        let (driver, output) = try consoleDriver()
        try driver.memory.write(Array("hello, ".utf8), at: GuestAddress(data))
        try driver.memory.write(Array("world".utf8), at: GuestAddress(data + 0x100))
        try driver.setDescriptor(queue: tx, 3, address: data, length: 7, flags: Self.next, next: 5)
        try driver.setDescriptor(queue: tx, 5, address: data + 0x100, length: 5)
        try driver.makeAvailable(queue: tx, head: 3)
        XCTAssertEqual(String(decoding: output.bytes, as: UTF8.self), "hello, world")
        XCTAssertEqual(try driver.usedIndex(queue: tx), 1)
        XCTAssertEqual(try driver.usedElement(queue: tx, 0).head, 3)
        XCTAssertEqual(driver.read(.interruptStatus), 1)
        XCTAssertEqual(driver.interruptChanges, [true])
        driver.acknowledgeInterrupts()
        XCTAssertEqual(driver.interruptChanges, [true, false])
        XCTAssertFalse(driver.device.interruptAsserted)
    }

    func testConsoleTransmitsAnIndirectChain() throws {
        let (driver, output) = try consoleDriver()
        let table = data + 0x1000
        for (index, word) in ["in", "di", "rect"].enumerated() {
            try driver.memory.write(Array(word.utf8), at: GuestAddress(data + UInt64(index) * 0x10))
            let last = index == 2
            try driver.setDescriptor(queue: tx, index, address: data + UInt64(index) * 0x10, length: UInt32(word.utf8.count),
                                     flags: last ? 0 : Self.next, next: UInt16(index + 1), table: table)
        }
        try driver.setDescriptor(queue: tx, 0, address: table, length: 48, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        XCTAssertFalse(driver.needsReset, "\(driver.logLines)")
        XCTAssertEqual(String(decoding: output.bytes, as: UTF8.self), "indirect")
        XCTAssertEqual(try driver.usedIndex(queue: tx), 1)
    }

    func testConsoleReceivesInputIntoWritableBuffers() throws {
        let (driver, _) = try consoleDriver()
        let console = driver.device.backend as! VirtioConsole
        console.receive(Array("early".utf8))  // before any buffer: held
        XCTAssertEqual(try driver.usedIndex(queue: rx), 0)
        try driver.setDescriptor(queue: rx, 0, address: data, length: 3, flags: Self.write | Self.next, next: 1)
        try driver.setDescriptor(queue: rx, 1, address: data + 0x10, length: 64, flags: Self.write)
        try driver.makeAvailable(queue: rx, head: 0)
        XCTAssertEqual(try driver.usedElement(queue: rx, 0).length, 5)
        XCTAssertEqual(try driver.memory.read(at: GuestAddress(data), count: 3), Array("ear".utf8))
        XCTAssertEqual(try driver.memory.read(at: GuestAddress(data + 0x10), count: 2), Array("ly".utf8))

        try driver.setDescriptor(queue: rx, 2, address: data + 0x100, length: 16, flags: Self.write)
        try driver.makeAvailable(queue: rx, head: 2)
        XCTAssertEqual(try driver.usedIndex(queue: rx), 1, "no input, buffer kept")
        console.receive(Array("late".utf8))
        XCTAssertEqual(try driver.usedIndex(queue: rx), 2)
        XCTAssertEqual(try driver.usedElement(queue: rx, 1).length, 4)
        XCTAssertEqual(try driver.memory.read(at: GuestAddress(data + 0x100), count: 4), Array("late".utf8))
    }

    func testEntropyFillsWritableBuffers() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        driver.start(queues: 1)
        try driver.setDescriptor(queue: 0, 0, address: data, length: 4096, flags: Self.write)
        try driver.makeAvailable(queue: 0, head: 0)
        XCTAssertEqual(try driver.usedElement(queue: 0, 0).length, 4096)
        let bytes = try driver.memory.read(at: GuestAddress(data), count: 4096)
        XCTAssertGreaterThan(Set(bytes).count, 200, "random bytes cover most byte values")
        XCTAssertEqual(try driver.memory.read(at: GuestAddress(data + 4096), count: 16), [UInt8](repeating: 0, count: 16))
    }

    func testEventIndexSuppressesInterruptsUntilUsedEventPassed() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        driver.start(queues: 1)
        // The driver asks for an interrupt only when entry 2 (the third) is used.
        try driver.setUsedEvent(queue: 0, 2)
        for head in 0..<3 {
            try driver.setDescriptor(queue: 0, head, address: data + UInt64(head) * 0x100, length: 16, flags: Self.write)
        }
        try driver.makeAvailable(queue: 0, head: 0)
        try driver.makeAvailable(queue: 0, head: 1)
        XCTAssertEqual(try driver.usedIndex(queue: 0), 2)
        XCTAssertEqual(driver.read(.interruptStatus), 0, "used_event 2 not yet passed")
        XCTAssertEqual(try driver.availableEvent(queue: 0), 2, "device asks for a kick at the next entry")
        try driver.makeAvailable(queue: 0, head: 2)
        XCTAssertEqual(driver.read(.interruptStatus), 1)
    }

    func testWithoutEventIndexNoInterruptFlagSuppresses() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        driver.start(features: VirtioFeatures.version1, queues: 1)
        try driver.memory.store(UInt16(1), at: driver.layouts[0]!.driverArea)  // VIRTQ_AVAIL_F_NO_INTERRUPT
        try driver.setDescriptor(queue: 0, 0, address: data, length: 16, flags: Self.write)
        try driver.makeAvailable(queue: 0, head: 0)
        XCTAssertEqual(try driver.usedIndex(queue: 0), 1)
        XCTAssertEqual(driver.read(.interruptStatus), 0)
    }

    // MARK: Hostile drivers: each case must end in DEVICE_NEEDS_RESET, logged once.

    private func assertNeedsReset(_ driver: VirtioFakeDriver, mentioning text: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(driver.needsReset, "status \(driver.status)", file: file, line: line)
        XCTAssertEqual(driver.read(.interruptStatus) & 2, 2, "configuration-change interrupt", file: file, line: line)
        XCTAssertEqual(driver.read(.configGeneration), 1, "new configuration generation", file: file, line: line)
        XCTAssertEqual(driver.logLines.count, 1, "\(driver.logLines)", file: file, line: line)
        XCTAssertTrue(driver.logLines.first?.contains(text) ?? false, "\(driver.logLines)", file: file, line: line)
        // Further notifications are ignored, not logged again.
        driver.write(.queueNotify, 0)
        driver.write(.queueNotify, 1)
        XCTAssertEqual(driver.logLines.count, 1, file: file, line: line)
    }

    func testDescriptorLoopNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setDescriptor(queue: tx, 0, address: data, length: 1, flags: Self.next, next: 1)
        try driver.setDescriptor(queue: tx, 1, address: data, length: 1, flags: Self.next, next: 0)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "loop")
    }

    func testLoopInsideIndirectTableNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        let table = data + 0x1000
        try driver.setDescriptor(queue: tx, 0, address: data, length: 1, flags: Self.next, next: 1, table: table)
        try driver.setDescriptor(queue: tx, 1, address: data, length: 1, flags: Self.next, next: 1, table: table)
        try driver.setDescriptor(queue: tx, 0, address: table, length: 32, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "loop")
    }

    func testIndirectTableLongerThanQueueNeedsReset() throws {
        let (driver, _) = try consoleDriver()  // queue size 8
        try driver.setDescriptor(queue: tx, 0, address: data + 0x1000, length: 16 * 9, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "longer than 8")
    }

    func testDirectThenIndirectChainLongerThanQueueNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        for index in 0..<4 {
            try driver.setDescriptor(queue: tx, index, address: data, length: 1, flags: Self.next, next: UInt16(index + 1))
        }
        try driver.setDescriptor(queue: tx, 4, address: data + 0x1000, length: 16 * 5, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "longer than 8")
    }

    func testBufferOutsideMemoryNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setDescriptor(queue: tx, 0, address: VirtioFakeDriver.memorySize - 4, length: 8)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "outside guest memory")
    }

    func testBufferAddressWrappingAroundNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setDescriptor(queue: tx, 0, address: .max - 2, length: 16)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "outside guest memory")
    }

    func testIndirectTableOutsideMemoryNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setDescriptor(queue: tx, 0, address: VirtioFakeDriver.memorySize, length: 32, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "outside guest memory")
    }

    func testIndirectInsideIndirectNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        let table = data + 0x1000
        try driver.setDescriptor(queue: tx, 0, address: data + 0x2000, length: 16, flags: Self.indirect, table: table)
        try driver.setDescriptor(queue: tx, 0, address: table, length: 16, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "inside an indirect table")
    }

    func testZeroLengthIndirectTableNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setDescriptor(queue: tx, 0, address: data + 0x1000, length: 0, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "indirect table length 0")
    }

    func testIndirectWithoutFeatureNeedsReset() throws {
        let (driver, _) = try consoleDriver(features: VirtioFeatures.version1)
        try driver.setDescriptor(queue: tx, 0, address: data + 0x1000, length: 16, flags: Self.indirect)
        try driver.makeAvailable(queue: tx, head: 0)
        assertNeedsReset(driver, mentioning: "VIRTIO_F_INDIRECT_DESC")
    }

    func testHeadOutOfRangeNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.makeAvailable(queue: tx, head: 8)
        assertNeedsReset(driver, mentioning: "descriptor index 8")
    }

    func testAvailableIndexJumpNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setAvailableIndex(queue: tx, 9)
        driver.write(.queueNotify, UInt32(tx))
        assertNeedsReset(driver, mentioning: "more than the queue size")
    }

    func testReadableAfterWritableNeedsReset() throws {
        let (driver, _) = try consoleDriver()
        try driver.setDescriptor(queue: rx, 0, address: data, length: 4, flags: Self.write | Self.next, next: 1)
        try driver.setDescriptor(queue: rx, 1, address: data, length: 4)
        (driver.device.backend as! VirtioConsole).receive([1])
        try driver.makeAvailable(queue: rx, head: 0)
        assertNeedsReset(driver, mentioning: "readable buffer after")
    }

    /// A used ring on top of the available ring or the descriptor table is refused when
    /// the queue is set up (the device would overwrite what it reads).
    func testUsedRingOverlappingTheOtherPartsIsRefused() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        let table = GuestAddress(0x1000), available = GuestAddress(0x2000)
        for (used, part) in [(GuestAddress(0x2000), "available ring"), (GuestAddress(0x1040), "descriptor table"),
                             (GuestAddress(0x2004), "available ring")] {
            let layout = VirtqueueLayout(size: 8, descriptorTable: table, driverArea: available, deviceArea: used)
            XCTAssertThrowsError(try Virtqueue(memory: memory, layout: layout, maximumSize: 8, features: 0)) {
                XCTAssertEqual($0 as? VirtqueueError, .usedRingOverlaps(address: used, part: part))
                XCTAssertEqual("\($0)", "used ring at \(used) overlaps the \(part)")
            }
        }
        // Right after the available ring (6 + 2 * 8 bytes, rounded up to 4) is fine.
        let layout = VirtqueueLayout(size: 8, descriptorTable: table, driverArea: available, deviceArea: GuestAddress(0x2018))
        XCTAssertNoThrow(try Virtqueue(memory: memory, layout: layout, maximumSize: 8, features: 0))
    }
}
