// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Devices

/// A device's saved state, restored into a new device, makes it answer as the old one did.
final class DeviceStateTests: XCTestCase {
    func testUARTStateRoundTripsThroughJSON() throws {
        let old = Serial16550 { _ in }
        _ = old.write(offset: 3, size: 1, value: 0x80)   // DLAB
        _ = old.write(offset: 0, size: 1, value: 0x01)   // divisor 115200 baud
        _ = old.write(offset: 3, size: 1, value: 0x03)
        _ = old.write(offset: 2, size: 1, value: 0x01)   // FIFOs on
        _ = old.write(offset: 1, size: 1, value: 0x01)   // received-data interrupt
        _ = old.write(offset: 7, size: 1, value: 0x5a)
        old.receive(0x41); old.receive(0x42)

        let json = try JSONEncoder().encode(old.state)
        let new = Serial16550 { _ in }
        new.restore(try JSONDecoder().decode(Serial16550.State.self, from: json))
        XCTAssertEqual(new.state, old.state)
        XCTAssertTrue(new.interruptAsserted, "the pending received-data interrupt comes back")
        XCTAssertEqual(new.read(offset: 2, size: 1), 0xc4, "FIFOs on, received data pending")
        XCTAssertEqual(new.read(offset: 7, size: 1), 0x5a)
        XCTAssertEqual(new.read(offset: 0, size: 1), 0x41)
        XCTAssertEqual(new.read(offset: 0, size: 1), 0x42)
        _ = new.write(offset: 3, size: 1, value: 0x83)
        XCTAssertEqual(new.read(offset: 0, size: 1), 0x01, "the divisor came back")
    }

    func testUARTRestoreKeepsItsLimits() {
        let uart = Serial16550 { _ in }
        var state = uart.state
        state.receiveBuffer = Array(repeating: 1, count: 100)
        state.interruptEnable = 0xff
        uart.restore(state)
        XCTAssertEqual(uart.state.receiveBuffer.count, 1, "FIFOs off: one byte")
        XCTAssertEqual(uart.state.interruptEnable, 0x0f)
    }

    func testI8042StateRoundTrips() throws {
        let old = I8042()
        _ = old.write(offset: 4, size: 1, value: 0x60)
        _ = old.write(offset: 0, size: 1, value: 0x47)
        _ = old.write(offset: 4, size: 1, value: 0x20)   // read command byte: output buffer full
        let new = I8042()
        new.restore(try JSONDecoder().decode(I8042.State.self, from: try JSONEncoder().encode(old.state)))
        XCTAssertEqual(new.state, old.state)
        XCTAssertEqual(new.read(offset: 4, size: 1) & 1, 1)
        XCTAssertEqual(new.read(offset: 0, size: 1), 0x47)
    }
}

/// A virtio device's transport state, restored into a new device on the same memory,
/// continues the rings where the old device left them.
final class VirtioStateTests: XCTestCase {
    func testRestoredEntropyDeviceContinuesItsQueue() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        driver.start(queues: 1)
        for request in 0..<3 {
            try driver.setDescriptor(queue: 0, request, address: VirtioFakeDriver.dataBase + UInt64(request) * 64, length: 16,
                                     flags: 2)  // device-writable
            try driver.makeAvailable(queue: 0, head: UInt16(request))
        }
        XCTAssertEqual(try driver.usedIndex(queue: 0), 3)
        let saved = driver.device.state
        XCTAssertEqual(saved.queues[0].positions, Virtqueue.Positions(nextAvailable: 3, nextUsed: 3, usedAtLastSignal: 3))
        XCTAssertNotEqual(saved.interruptStatus, 0, "the used-buffer interrupt is still pending")
        let decoded = try JSONDecoder().decode(VirtioMMIODevice.State.self, from: JSONEncoder().encode(saved))
        XCTAssertEqual(decoded, saved)

        let restored = VirtioMMIODevice(backend: VirtioEntropy(), memory: driver.memory, name: "restored")
        var raised: [Bool] = []
        restored.onInterruptChange = { raised.append($0) }
        restored.restore(decoded)
        XCTAssertEqual(restored.state, saved)
        XCTAssertEqual(raised, [true], "the pending interrupt is raised again")
        XCTAssertTrue(restored.interruptAsserted)

        // The driver's fourth request goes to the restored device: used index 4, not 1.
        try driver.setDescriptor(queue: 0, 3, address: VirtioFakeDriver.dataBase + 3 * 64, length: 16, flags: 2)
        try driver.makeAvailable(queue: 0, head: 3, notify: false)
        restored.write(offset: VirtioMMIODevice.Register.queueNotify.rawValue, size: 4, value: 0)
        XCTAssertEqual(try driver.usedIndex(queue: 0), 4)
        XCTAssertEqual(try driver.usedElement(queue: 0, 3).head, 3)
        XCTAssertEqual(try driver.usedElement(queue: 0, 3).length, 16)
    }

    func testAStateOfAnotherDeviceNeedsReset() throws {
        let driver = try VirtioFakeDriver(VirtioConsole { _ in })
        driver.start(queues: 2)
        let entropy = VirtioMMIODevice(backend: VirtioEntropy(), memory: driver.memory, name: "rng", log: { _ in })
        entropy.restore(driver.device.state)
        XCTAssertNotEqual(entropy.deviceStatus & VirtioMMIODevice.Status.needsReset, 0)
    }
}
