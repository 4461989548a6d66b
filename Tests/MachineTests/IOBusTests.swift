// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
@testable import Machine

final class IOBusTests: XCTestCase {
    /// Records accesses; asserts its interrupt while `line` is set.
    final class Probe: BusDevice, InterruptSource {
        var accesses: [(String, UInt64, Int, UInt64)] = []
        var line = false
        var interruptAsserted: Bool { line }
        func read(offset: UInt64, size: Int) -> UInt64 {
            accesses.append(("r", offset, size, 0))
            return 0x1122_3344_5566_7788
        }
        func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest? {
            accesses.append(("w", offset, size, value))
            if value == 0xee { line = true }
            return value == 0x99 ? .exit(status: 9) : nil
        }
    }

    func testDispatchUsesOffsetsAndLittleEndianValues() throws {
        let bus = IOBus()
        let probe = Probe()
        try bus.insert(probe, base: 0x3f8, length: 8)
        var bytes = [UInt8](repeating: 0, count: 2)
        try bytes.withUnsafeMutableBytes { try bus.read(address: 0x3fa, size: 2, into: $0) }
        XCTAssertEqual(bytes, [0x88, 0x77])
        let request = try [UInt8]([0x34, 0x12]).withUnsafeBytes { try bus.write(address: 0x3fd, size: 2, data: $0) }
        XCTAssertNil(request)
        XCTAssertEqual(probe.accesses.map(\.0), ["r", "w"])
        XCTAssertEqual(probe.accesses[0].1, 2)
        XCTAssertEqual(probe.accesses[1].1, 5)
        XCTAssertEqual(probe.accesses[1].3, 0x1234)
    }

    func testStringIOIsOneAccessPerElement() throws {
        let bus = IOBus()
        let probe = Probe()
        try bus.insert(probe, base: 0x10, length: 1)
        _ = try [UInt8]([1, 2, 3]).withUnsafeBytes { try bus.write(address: 0x10, size: 1, data: $0) }
        XCTAssertEqual(probe.accesses.map(\.3), [1, 2, 3])
    }

    func testUnclaimedReadsAreAllOnesAndWritesDropped() throws {
        let bus = IOBus()
        var bytes = [UInt8](repeating: 0, count: 4)
        try bytes.withUnsafeMutableBytes { try bus.read(address: 0x80, size: 4, into: $0) }
        XCTAssertEqual(bytes, [0xff, 0xff, 0xff, 0xff])
        XCTAssertNil(try [UInt8]([1]).withUnsafeBytes { try bus.write(address: 0x80, size: 1, data: $0) })
    }

    func testRequestsAndInterruptChangesAreForwarded() throws {
        var lines: [(UInt32, Bool)] = []
        let bus = IOBus { lines.append(($0, $1)) }
        let probe = Probe()
        try bus.insert(probe, base: 0x3f8, length: 8, interrupt: 4)
        XCTAssertEqual(try [UInt8]([0x99]).withUnsafeBytes { try bus.write(address: 0x3f8, size: 1, data: $0) }, .exit(status: 9))
        XCTAssertTrue(lines.isEmpty)
        _ = try [UInt8]([0xee]).withUnsafeBytes { try bus.write(address: 0x3f8, size: 1, data: $0) }
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?.0, 4)
        XCTAssertEqual(lines.first?.1, true)
        try bus.withDevice(probe) { $0.line = false }
        XCTAssertEqual(lines.count, 2, "host-side changes reach the irqchip too")
        XCTAssertEqual(lines.last?.1, false)
    }

    func testOverlappingDevicesAreRejected() throws {
        let bus = IOBus()
        try bus.insert(Probe(), base: 0x60, length: 5)
        XCTAssertThrowsError(try bus.insert(Probe(), base: 0x64, length: 1))
        XCTAssertNoThrow(try bus.insert(Probe(), base: 0x65, length: 1))
    }
}
