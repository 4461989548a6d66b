// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import KVM

final class XSAVELeafTests: XCTestCase {
    // Leaf 0xD as a host with x87, SSE, AVX (bit 2, 256 bytes at 576) and PKRU (bit 9,
    // 8 bytes at 2688) reports it, with sub-leaf 0's EBX for x87 alone (as KVM gives it
    // while the guest's XCR0 is the reset value), XSAVEC, and CET user state (bit 11, a
    // supervisor component of 16 bytes) in IA32_XSS.
    let host: [CPUIDEntry] = [
        CPUIDEntry(function: 1, ecx: 0x0400_0000),
        CPUIDEntry(function: 0xd, index: 0, flags: 1, eax: 0x207, ebx: 576, ecx: 576),
        CPUIDEntry(function: 0xd, index: 1, flags: 1, eax: 0b1011, ebx: 576, ecx: 0x800),
        CPUIDEntry(function: 0xd, index: 2, flags: 1, eax: 256, ebx: 576),
        CPUIDEntry(function: 0xd, index: 9, flags: 1, eax: 8, ebx: 2688),
        CPUIDEntry(function: 0xd, index: 11, flags: 1, eax: 16, ecx: 1),
    ]

    private func leaf(_ entries: [CPUIDEntry], _ index: UInt32) -> CPUIDEntry? {
        entries.first { $0.function == 0xd && $0.index == index }
    }

    func testSizesFollowTheOfferedComponents() throws {
        let fixed = XSAVELeaf.consistent(host)
        let main = try XCTUnwrap(leaf(fixed, 0))
        XCTAssertEqual(main.eax, 0x207, "x87, SSE, AVX, PKRU stay offered")
        XCTAssertEqual(main.ebx, 2696, "standard format: PKRU ends at 2688 + 8")
        XCTAssertEqual(main.ecx, 2696)
        let extended = try XCTUnwrap(leaf(fixed, 1))
        XCTAssertEqual(extended.ebx, 576 + 256 + 8 + 16, "compacted format: the components one after another")
        XCTAssertEqual(extended.ecx, 0x800, "the supervisor component stays in IA32_XSS")
        XCTAssertEqual(fixed.first, host.first, "other leaves untouched")
    }

    func testCompactedSizeAlignsWhereASubLeafAsksFor() throws {
        var entries = host
        entries[5].ecx = 0b11     // CET user state: supervisor, 64-byte aligned
        let extended = try XCTUnwrap(leaf(XSAVELeaf.consistent(entries), 1))
        // 576 + 256 + 8 = 840, aligned up to 896, + 16.
        XCTAssertEqual(extended.ebx, 912)
    }

    func testAComponentWithoutASubLeafIsNoLongerOffered() throws {
        var entries = host
        entries[1].eax |= 1 << 5                              // opmask, but no sub-leaf 5
        entries.append(CPUIDEntry(function: 0xd, index: 7, flags: 1, eax: 0, ebx: 1664))  // no size
        entries[1].eax |= 1 << 7
        let fixed = XSAVELeaf.consistent(entries)
        let main = try XCTUnwrap(leaf(fixed, 0))
        XCTAssertEqual(main.eax, 0x207)
        XCTAssertEqual(main.ebx, 2696)
        XCTAssertNil(leaf(fixed, 7), "the sub-leaf of a component not offered is removed")
    }

    func testASubLeafOfAComponentNotOfferedIsRemoved() throws {
        var entries = host
        entries[1].eax = 0x7                                 // x87, SSE, AVX: no PKRU
        let fixed = XSAVELeaf.consistent(entries)
        XCTAssertNil(leaf(fixed, 9))
        XCTAssertEqual(try XCTUnwrap(leaf(fixed, 0)).ebx, 832)
        XCTAssertEqual(try XCTUnwrap(leaf(fixed, 1)).ebx, 576 + 256 + 16)
    }

    func testAUserComponentInsideTheLegacyAreaIsNotOffered() throws {
        var entries = host
        entries[4].ebx = 100                                  // PKRU "at" offset 100
        let main = try XCTUnwrap(leaf(XSAVELeaf.consistent(entries), 0))
        XCTAssertEqual(main.eax, 0x7)
        XCTAssertEqual(main.ebx, 832)
    }

    func testWithoutXSAVECTheCompactedSizeIsKept() throws {
        var entries = host
        entries[2].eax = 0b0001                               // XSAVEOPT only
        XCTAssertEqual(try XCTUnwrap(leaf(XSAVELeaf.consistent(entries), 1)).ebx, 576)
    }

    func testWithoutLeafDNothingChanges() {
        let entries = [CPUIDEntry(function: 0, eax: 7), CPUIDEntry(function: 1, edx: 1)]
        XCTAssertEqual(XSAVELeaf.consistent(entries), entries)
        XCTAssertEqual(XSAVELeaf.offeredXCR0(entries), 1, "x87 alone")
    }

    func testOfferedXCR0IsSubLeafZero() {
        XCTAssertEqual(XSAVELeaf.offeredXCR0(XSAVELeaf.consistent(host)), 0x207)
        var high = host
        high[1].edx = 1
        XCTAssertEqual(XSAVELeaf.offeredXCR0(high), 0x1_0000_0207)
    }
}

/// KVM_SET_XCRS on the real /dev/kvm.
final class SetXCR0Tests: XCTestCase {
    func testTheOfferedFeaturesAreAcceptedAndXCR0WithoutX87IsNot() throws {
        let system: KVMSystem
        do { system = try KVMSystem() } catch let error as KVMError { throw XCTSkip("needs /dev/kvm: \(error)") }
        let cpuid = XSAVELeaf.consistent(try system.supportedCPUID())
        guard cpuid.contains(where: { $0.function == XSAVELeaf.function }) else { throw XCTSkip("this host offers no XSAVE (no CPUID leaf 0xD)") }
        let vcpu = try system.makeVirtualMachine().makeVCPU(id: 0)
        try vcpu.setCPUID(cpuid)
        XCTAssertNoThrow(try vcpu.setXCR0(XSAVELeaf.offeredXCR0(cpuid)))
        XCTAssertThrowsError(try vcpu.setXCR0(0b10), "SSE without x87 is not a valid XCR0") { error in
            XCTAssertTrue("\(error)".contains("KVM_SET_XCRS"), "\(error)")
        }
    }
}
