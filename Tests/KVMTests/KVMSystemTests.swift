// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import KVM
#if canImport(Glibc)
import Glibc
#endif

/// Wrapper logic with the system calls replaced: runs with or without /dev/kvm.
final class KVMSystemTests: XCTestCase {
    /// A fake kernel: open succeeds with fd 3 unless told otherwise, API version 12.
    private func fake(openErrno: Int32? = nil, apiVersion: Int32 = 12) -> (KVMSyscalls, Box) {
        let box = Box()
        var calls = KVMSyscalls.system
        calls.open = { _ in
            if let openErrno { box.errno = openErrno; return -1 }
            return 3
        }
        calls.close = { box.closed.append($0); return 0 }
        calls.errno = { box.errno }
        calls.getAPIVersion = { _ in apiVersion }
        return (calls, box)
    }

    final class Box { var errno: Int32 = 0; var closed: [Int32] = []; var calls = 0 }

    func testMissingDeviceSaysSo() {
        let (calls, _) = fake(openErrno: ENOENT)
        XCTAssertThrowsError(try KVMSystem(path: "/dev/kvm", syscalls: calls)) { error in
            XCTAssertEqual(error as? KVMError, .deviceMissing(path: "/dev/kvm"))
            XCTAssertTrue("\(error)".hasPrefix("/dev/kvm: no such device"))
        }
    }

    func testPermissionDeniedGivesTheFix() {
        let (calls, _) = fake(openErrno: EACCES)
        XCTAssertThrowsError(try KVMSystem(path: "/dev/kvm", syscalls: calls)) { error in
            XCTAssertEqual("\(error)", "/dev/kvm: permission denied; run as root or add the user to group kvm")
        }
    }

    func testAPIVersionMismatchIsRejectedAndTheDescriptorClosed() {
        let (calls, box) = fake(apiVersion: 11)
        XCTAssertThrowsError(try KVMSystem(path: "/dev/kvm", syscalls: calls)) { error in
            XCTAssertEqual(error as? KVMError, .apiVersionMismatch(found: 11, expected: 12))
        }
        XCTAssertEqual(box.closed, [3])
    }

    func testSyscallHelperRetriesEINTRAndReportsOtherErrors() throws {
        var (calls, box) = fake()
        calls.checkExtension = { _, _ in
            box.calls += 1
            if box.calls < 3 { box.errno = EINTR; return -1 }
            return 7
        }
        calls.createVM = { _ in box.errno = ENOMEM; return -1 }
        let system = try KVMSystem(path: "/dev/kvm", syscalls: calls)
        XCTAssertEqual(try system.check(.maximumVCPUs), 7)
        XCTAssertEqual(box.calls, 3)
        XCTAssertThrowsError(try system.makeVirtualMachine()) { error in
            XCTAssertEqual(error as? KVMError, .syscallFailed(operation: "KVM_CREATE_VM", errno: ENOMEM))
        }
    }

    func testRequireNamesTheMissingCapability() throws {
        var (calls, _) = fake()
        calls.checkExtension = { _, capability in capability == KVMCapability.pit2.rawValue ? 0 : 1 }
        let system = try KVMSystem(path: "/dev/kvm", syscalls: calls)
        XCTAssertThrowsError(try system.require([.irqChip, .pit2])) { error in
            XCTAssertEqual(error as? KVMError, .missingCapability(.pit2))
            XCTAssertEqual("\(error)", "KVM_CHECK_EXTENSION: the kernel lacks KVM_CAP_PIT2")
        }
    }

    func testRunReportsEINTRAsInterrupted() throws {
        var (calls, box) = fake()
        calls.createVM = { _ in 4 }
        calls.getVCPUMmapSize = { _ in 4096 }
        calls.createVCPU = { _, _ in 5 }
        let area = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        area.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        defer { area.deallocate() }
        calls.mapRunArea = { _, _ in area }
        calls.unmapRunArea = { _, _ in }
        calls.run = { _ in box.errno = EINTR; return -1 }
        let vcpu = try KVMSystem(path: "/dev/kvm", syscalls: calls).makeVirtualMachine().makeVCPU(id: 0)
        guard case .interrupted = try vcpu.run() else { return XCTFail("EINTR from KVM_RUN is .interrupted") }
    }
}
