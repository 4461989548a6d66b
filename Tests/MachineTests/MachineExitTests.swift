// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import KVM
@testable import Machine

final class MachineExitTests: XCTestCase {
    func testProcessExitStatus() {
        XCTAssertEqual(MachineExit.guestStatus(0).processExitStatus, 0)
        XCTAssertEqual(MachineExit.guestStatus(4).processExitStatus, 4)
        XCTAssertEqual(MachineExit.guestStatus(0x1_02).processExitStatus, 2, "exit statuses have 8 bits")
        XCTAssertEqual(MachineExit.resetRequested.processExitStatus, 0)
        XCTAssertEqual(MachineExit.powerOff.processExitStatus, 0)
        XCTAssertEqual(MachineExit.tripleFault(vcpu: 0, rip: 0x1000).processExitStatus, 1)
        XCTAssertEqual(MachineExit.hostFailure("x").processExitStatus, 1)
        XCTAssertEqual(MachineExit.stoppedBySignal(SIGTERM).processExitStatus, 143)
        XCTAssertEqual("\(MachineExit.stoppedBySignal(SIGINT))", "stopped by SIGINT; the guest was halted and its drivers stopped")
    }

    func testEmulationFailureNamesRIPAndBytes() {
        let exit = MachineExit.emulationFailure(vcpu: 0, error: InternalError(suberror: 1, data: []),
                                                rip: 0xffff_ffff_8100_0010, instruction: [0xcc, 0x0f, 0x0b])
        XCTAssertEqual("\(exit)", "vCPU 0: emulation failure: KVM internal error 1 (instruction emulation failed) "
                       + "at RIP 0xffffffff81000010, instruction bytes: cc 0f 0b")
        XCTAssertEqual("\(MachineExit.tripleFault(vcpu: 1, rip: nil))", "vCPU 1: triple fault (the CPU shut down) at RIP unknown")
    }
}
