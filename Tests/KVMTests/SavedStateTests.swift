// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM
import Foundation
import XCTest
@testable import KVM
#if canImport(Glibc)
import Glibc
#endif

/// Saving and restoring KVM state with the system calls replaced: runs with or without /dev/kvm.
final class SavedStateTests: XCTestCase {
    /// What the fake kernel saw.
    // @unchecked: the fake system calls run on the test's own thread only.
    final class Record: @unchecked Sendable {
        var errno: Int32 = 0
        var set: [String] = []
        var msrsWritten: [UInt32: UInt64] = [:]
    }

    /// A fake kernel with one VM (fd 4) and one vCPU (fd 5). MSRs 0x10 and 0x174 exist;
    /// KVM refuses 0x999 (as it refuses MSRs of features the vCPU lacks).
    private func fakeVCPU() throws -> (VCPU, Record, UnsafeMutableRawPointer) {
        let record = Record()
        var calls = KVMSyscalls.system
        calls.open = { _ in 3 }
        calls.close = { _ in 0 }
        calls.errno = { record.errno }
        calls.getAPIVersion = { _ in 12 }
        calls.createVM = { _ in 4 }
        calls.getVCPUMmapSize = { _ in 4096 }
        calls.createVCPU = { _, _ in 5 }
        let area = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        calls.mapRunArea = { _, _ in area }
        calls.unmapRunArea = { _, _ in }
        calls.setCPUID = { _, _, _ in 0 }
        calls.getVCPUState = { _, kind, buffer in
            // Each part filled with its kind number, so the test sees which went where.
            let size = Int(ckvm_vcpu_state_size(kind))
            buffer.initializeMemory(as: UInt8.self, repeating: UInt8(kind + 1), count: size)
            return 0
        }
        calls.setVCPUState = { _, kind, _ in
            record.set.append(VCPUStateKind.allCases.first { $0.raw == kind }!.rawValue)
            return 0
        }
        let known: [UInt32: UInt64] = [0x10: 1234, 0x174: 0x10]
        calls.getMSRs = { _, indices, values, count in
            for i in 0..<Int(count) {
                guard let value = known[indices[i]] else { return Int32(i) }
                values[i] = value
            }
            return Int32(count)
        }
        calls.setMSRs = { _, indices, values, count in
            record.set.append("msrs")
            for i in 0..<Int(count) {
                guard known[indices[i]] != nil else { return Int32(i) }
                record.msrsWritten[indices[i]] = values[i]
            }
            return Int32(count)
        }
        let vcpu = try KVMSystem(path: "/dev/kvm", syscalls: calls).makeVirtualMachine().makeVCPU(id: 0)
        return (vcpu, record, area)
    }

    let kinds: [VCPUStateKind] = [.multiprocessingState, .registers, .specialRegisters, .xsave, .xcrs, .debugRegisters, .lapic, .events]

    func testSaveSkipsTheMSRsKVMRefusesAndRestoreKeepsTheOrder() throws {
        let (vcpu, record, area) = try fakeVCPU()
        defer { area.deallocate() }
        try vcpu.setCPUID([CPUIDEntry(function: 1, eax: 7)])
        let state = try vcpu.saveState(kinds: kinds, msrIndices: [0x10, 0x999, 0x174])
        XCTAssertEqual(state.msrs, [MSRValue(index: 0x10, value: 1234), MSRValue(index: 0x174, value: 0x10)])
        XCTAssertEqual(state.cpuid, [CPUIDEntry(function: 1, eax: 7)])
        XCTAssertEqual(state.parts[.xsave]?.bytes.count, 4096)
        XCTAssertEqual(state.parts[.lapic]?.bytes.first, UInt8(CKVM_VCPU_LAPIC.rawValue + 1))

        // JSON round trip, then back into the vCPU: the pending events go last, after the MSRs.
        let decoded = try JSONDecoder().decode(VCPUState.self, from: JSONEncoder().encode(state))
        XCTAssertEqual(decoded, state)
        var withRefused = decoded
        withRefused.msrs.insert(MSRValue(index: 0x999, value: 1), at: 1)
        let refused = try vcpu.restoreState(withRefused, kinds: kinds)
        XCTAssertEqual(refused, [0x999])
        XCTAssertEqual(record.set, ["mp_state", "regs", "sregs", "xsave", "xcrs", "debugregs", "lapic", "msrs", "msrs", "vcpu_events"])
        XCTAssertEqual(record.msrsWritten, [0x10: 1234, 0x174: 0x10])
    }

    func testRestoreRefusesAPartOfAnotherSize() throws {
        let (vcpu, _, area) = try fakeVCPU()
        defer { area.deallocate() }
        var state = try vcpu.saveState(kinds: kinds, msrIndices: [])
        state.parts[.lapic] = KernelStateBytes([1, 2, 3])
        XCTAssertThrowsError(try vcpu.restoreState(state, kinds: kinds)) { error in
            XCTAssertEqual("\(error)", "saved state: part lapic has 3 bytes, this kernel's structure has 1024")
        }
    }

    func testStateBytesAreHexAndBadHexIsRefused() throws {
        let encoded = try JSONEncoder().encode([KernelStateBytes([0x00, 0xab, 0x7f])])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"["00ab7f"]"#)
        XCTAssertEqual(try JSONDecoder().decode([KernelStateBytes].self, from: encoded), [KernelStateBytes([0x00, 0xab, 0x7f])])
        for bad in [#"["abc"]"#, #"["zz"]"#, #"["AB"]"#, #"[12]"#] {
            XCTAssertThrowsError(try JSONDecoder().decode([KernelStateBytes].self, from: Data(bad.utf8)), bad)
        }
        XCTAssertThrowsError(try JSONDecoder().decode(VirtualMachineState.self, from: Data(#"{"pit3":"00"}"#.utf8)))
    }
}
