// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Machine

/// The irqfd line without KVM: the test plays KVM, reading the event eventfd and writing
/// the resample eventfd as an EOI would.
final class InterruptEventLineTests: XCTestCase {
    final class Level: @unchecked Sendable {  // guarded by `lock`
        let lock = NSLock()
        var asserted = false
    }

    private func readCount(_ fd: Int32, within seconds: Double) -> UInt64? {
        var watched = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&watched, 1, Int32(seconds * 1000)) == 1 else { return nil }
        var count: UInt64 = 0
        return read(fd, &count, 8) == 8 ? count : nil
    }

    func testRaisesAndRaisesAgainAfterEOIWhileTheLevelHolds() throws {
        let level = Level()
        var bound: (event: Int32, resample: Int32)?
        let line = try InterruptEventLine(line: 5, bind: { bound = ($0, $1) },
                                          isAsserted: { level.lock.withLock { level.asserted } })
        let (event, resample) = try XCTUnwrap(bound)
        // KVM's view: poll the eventfds (their copies would be KVM's own references).
        let kvmEvent = dup(event), kvmResample = dup(resample)
        defer { close(kvmEvent); close(kvmResample) }

        line.raise()
        XCTAssertEqual(readCount(kvmEvent, within: 1), 1, "raised")

        // EOI while the device still has status bits set: raised again.
        level.lock.withLock { level.asserted = true }
        var one: UInt64 = 1
        XCTAssertEqual(write(kvmResample, &one, 8), 8)
        XCTAssertEqual(readCount(kvmEvent, within: 2), 1, "the level still holds: raised again")

        // EOI after the driver acknowledged everything: stays low.
        level.lock.withLock { level.asserted = false }
        XCTAssertEqual(write(kvmResample, &one, 8), 8)
        XCTAssertNil(readCount(kvmEvent, within: 0.3), "acknowledged: not raised")
        withExtendedLifetime(line) {}
    }

    func testBindFailureIsReportedAndLeavesNothingOpen() {
        struct Refused: Error {}
        XCTAssertThrowsError(try InterruptEventLine(line: 6, bind: { _, _ in throw Refused() }, isAsserted: { false })) {
            XCTAssertTrue($0 is Refused)
        }
    }
}
