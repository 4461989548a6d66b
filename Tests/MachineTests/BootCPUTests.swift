// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
import KVM
@testable import Machine

final class BootCPUTests: XCTestCase {
    private func memory() throws -> GuestMemory { try GuestMemory(ranges: [(start: GuestAddress(0), size: 4 << 20)]) }

    func testLongModeRegisters() {
        let sregs = BootCPU.specialRegisters(for: .long64, from: SpecialRegisters())
        XCTAssertEqual(sregs.cs.selector, 0x10, "Linux's __BOOT_CS")
        XCTAssertTrue(sregs.cs.longMode)
        XCTAssertFalse(sregs.cs.defaultSize32)
        XCTAssertEqual(sregs.ds.selector, 0x18, "Linux's __BOOT_DS")
        XCTAssertEqual(sregs.cr3, Layout.pageTableRoot.rawValue)
        XCTAssertEqual(sregs.cr0 & 0x8000_0001, 0x8000_0001, "paging and protection on")
        XCTAssertEqual(sregs.cr4 & 0x20, 0x20, "PAE")
        XCTAssertEqual(sregs.efer & 0x500, 0x500, "LME and LMA")
        XCTAssertEqual(sregs.gdt.base, Layout.gdtAddress.rawValue)
    }

    func testProtectedModeRegistersForPVH() {
        var initial = SpecialRegisters()
        initial.apicBase = 0xfee0_0900
        let sregs = BootCPU.specialRegisters(for: .protected32, from: initial)
        XCTAssertEqual(sregs.cs.selector, 0x08)
        XCTAssertTrue(sregs.cs.defaultSize32)
        XCTAssertFalse(sregs.cs.longMode)
        XCTAssertEqual(sregs.cs.limit, 0xffff_ffff)
        XCTAssertEqual(sregs.cr0, 0x11, "protection on, paging off")
        XCTAssertEqual(sregs.efer, 0)
        XCTAssertEqual(sregs.apicBase, 0xfee0_0900, "fields Candor does not set are kept")
        let regs = BootCPU.registers(entry: GuestAddress(0x100000), rsi: 0, rbx: 0x6000)
        XCTAssertEqual(regs.rip, 0x100000)
        XCTAssertEqual(regs.rbx, 0x6000)
        XCTAssertEqual(regs.rflags, 0x2, "interrupts off")
    }

    func testGDTDescriptorsMatchTheSegments() throws {
        let memory = try memory()
        try BootCPU.writeGlobalDescriptorTable(into: memory)
        // Descriptor bits: access byte at 40..47, flags (G, D/B, L) at 52..55.
        func descriptor(_ selector: UInt16) throws -> UInt64 {
            try memory.load(UInt64.self, at: GuestAddress(Layout.gdtAddress.rawValue + UInt64(selector)))
        }
        XCTAssertEqual(try descriptor(BootCPU.code32Selector) >> 40 & 0xff, 0x9b)
        XCTAssertEqual(try descriptor(BootCPU.code32Selector) >> 52 & 0xf, 0xc, "G and D")
        XCTAssertEqual(try descriptor(BootCPU.code64Selector) >> 52 & 0xf, 0xa, "G and L")
        XCTAssertEqual(try descriptor(BootCPU.dataSelector) >> 40 & 0xff, 0x93)
        XCTAssertEqual(try descriptor(BootCPU.taskSelector) >> 40 & 0xff, 0x8b)
    }

    func testIdentityPageTablesMapFourGiB() throws {
        let memory = try memory()
        try BootCPU.writeIdentityPageTables(into: memory)
        var sregs = BootCPU.specialRegisters(for: .long64, from: SpecialRegisters())
        sregs.cs.base = 0
        for address: UInt64 in [0, 0x1234, 0x10_0000, 0x7fff_ffff, 0xc000_0000 + 0x20_0123, 0xffff_ffff] {
            XCTAssertEqual(GuestPageWalk.translate(linear: address, registers: sregs, memory: memory), GuestAddress(address))
        }
        XCTAssertNil(GuestPageWalk.translate(linear: 1 << 32, registers: sregs, memory: memory), "nothing above 4 GiB")
    }

    func testCPUIDClearsCX16AndSetsTheAPICID() {
        let supported = [
            CPUIDEntry(function: 0, eax: 0xd),
            CPUIDEntry(function: 1, ebx: 0x0a00_0800, ecx: 0x7ffa_3203, edx: 0x1789_fbff),
            CPUIDEntry(function: 0xb, index: 0, flags: 1, edx: 0),
        ]
        let cpuid = BootCPU.cpuid(supported: supported, vcpuID: 3)
        XCTAssertEqual(cpuid[0], supported[0])
        XCTAssertEqual(cpuid[1].ecx & (1 << 13), 0, "CMPXCHG16B is not emulated here")
        XCTAssertEqual(cpuid[1].ecx & (1 << 31), 1 << 31, "hypervisor present")
        XCTAssertEqual(cpuid[1].ecx & 0x7fff_dfff, supported[1].ecx & 0x7fff_dfff, "other features kept")
        XCTAssertEqual(cpuid[1].ebx, 0x0300_0800, "initial APIC ID in bits 31..24")
        XCTAssertEqual(cpuid[2].edx, 3, "x2APIC ID")
    }
}
