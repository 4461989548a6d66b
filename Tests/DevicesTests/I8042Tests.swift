// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Devices

final class I8042Tests: XCTestCase {
    func testResetCommandRequestsReset() {
        let controller = I8042()
        XCTAssertEqual(controller.write(offset: 4, size: 1, value: 0xfe), .reset)
    }

    func testSelfTestAndCommandByte() {
        let controller = I8042()
        XCTAssertEqual(controller.read(offset: 4, size: 1) & 0x01, 0, "output buffer empty")
        XCTAssertNil(controller.write(offset: 4, size: 1, value: 0xaa))
        XCTAssertEqual(controller.read(offset: 4, size: 1) & 0x01, 1)
        XCTAssertEqual(controller.read(offset: 0, size: 1), 0x55)
        XCTAssertNil(controller.write(offset: 4, size: 1, value: 0x60))
        XCTAssertNil(controller.write(offset: 0, size: 1, value: 0x47))
        XCTAssertNil(controller.write(offset: 4, size: 1, value: 0x20))
        XCTAssertEqual(controller.read(offset: 0, size: 1), 0x47)
        XCTAssertEqual(controller.read(offset: 4, size: 1) & 0x01, 0)
    }
}

final class DebugExitTests: XCTestCase {
    func testWriteReportsTheGuestValue() {
        let port = DebugExit()
        XCTAssertEqual(port.write(offset: 0, size: 1, value: 0), .exit(status: 0))
        XCTAssertEqual(port.write(offset: 0, size: 4, value: 0x1_0000_0003), .exit(status: 3))
    }
}
