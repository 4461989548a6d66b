// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
@testable import Devices

final class LogRateLimitTests: XCTestCase {
    func testBurstThenOnePerIntervalWithADroppedCount() {
        var limit = LogRateLimit(burst: 3, interval: 1)
        let admitted = (0..<10).map { limit.admit("line \($0)", at: 100) }
        XCTAssertEqual(admitted.compactMap { $0 }, ["line 0", "line 1", "line 2"])
        XCTAssertNil(limit.admit("later", at: 100.5), "half a token is not enough")
        XCTAssertEqual(limit.admit("after a second", at: 101.01), "after a second (8 similar lines dropped)")
        XCTAssertNil(limit.admit("again", at: 101.02))
    }

    /// A guest that breaks a device and resets it in a loop gets a bounded number of lines.
    func testAGuestLoopingOnAFailingDeviceCannotFloodTheLog() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        final class Lines: @unchecked Sendable { var all: [String] = [] }  // one thread only
        let lines = Lines()
        let device = VirtioMMIODevice(backend: VirtioEntropy(), memory: memory, name: "virtio-rng") { lines.all.append($0) }
        for _ in 0..<200 {
            for status: UInt64 in [1, 3] { device.write(offset: 0x70, size: 4, value: status) }
            device.write(offset: 0x24, size: 4, value: 1)
            device.write(offset: 0x20, size: 4, value: 1)  // VIRTIO_F_VERSION_1
            device.write(offset: 0x70, size: 4, value: 11)
            device.write(offset: 0x38, size: 4, value: 3)  // not a power of two
            device.write(offset: 0x44, size: 4, value: 1)  // queue ready: needs reset, logged
            device.write(offset: 0x70, size: 4, value: 0)  // reset
        }
        XCTAssertGreaterThanOrEqual(lines.all.count, 10)
        XCTAssertLessThanOrEqual(lines.all.count, 12, "the burst and what a second of refill allows: \(lines.all.count) lines")
        XCTAssertTrue(lines.all[0].contains("device needs reset: queue 0"), lines.all[0])
    }
}
