// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory
import KVM

/// The CPU state a kernel is entered with, and the tables in guest memory it relies on.
enum BootCPU {
    /// How the boot vCPU starts.
    enum Mode: Equatable {
        /// PVH: 32-bit protected mode, paging off, flat 4 GiB segments.
        case protected32
        /// Linux 64-bit boot protocol: long mode, identity-mapped paging, flat segments.
        case long64
    }

    // GDT selectors. Linux's 64-bit boot protocol wants __BOOT_CS = 0x10 and __BOOT_DS = 0x18.
    static let code32Selector: UInt16 = 0x08
    static let code64Selector: UInt16 = 0x10
    static let dataSelector: UInt16 = 0x18
    static let taskSelector: UInt16 = 0x20

    /// Flat descriptors: null, 32-bit code, 64-bit code, data, and a 64-bit TSS (whose
    /// upper half is zero, the next slot).
    static let gdtEntries: [UInt64] = [
        0,
        0x00cf_9b00_0000_ffff,  // code: base 0, limit 4 GiB, execute/read, 32-bit
        0x00af_9b00_0000_ffff,  // code: 64-bit (L set, D clear)
        0x00cf_9300_0000_ffff,  // data: read/write
        0x0000_8b00_0000_0067,  // TSS: base 0, limit 0x67, busy
        0,
    ]

    static let cr0ProtectionEnable: UInt64 = 1 << 0
    static let cr0ExtensionType: UInt64 = 1 << 4
    static let cr0Paging: UInt64 = 1 << 31
    static let cr4PhysicalAddressExtension: UInt64 = 1 << 5
    static let eferLongModeEnable: UInt64 = 1 << 8
    static let eferLongModeActive: UInt64 = 1 << 10

    static func writeGlobalDescriptorTable(into memory: GuestMemory) throws {
        for (index, entry) in gdtEntries.enumerated() {
            try memory.store(entry, at: GuestAddress(Layout.gdtAddress.rawValue + UInt64(index * 8)))
        }
    }

    /// Identity-maps the first `Layout.identityMappedSize` bytes with 2 MiB pages.
    static func writeIdentityPageTables(into memory: GuestMemory) throws {
        let present: UInt64 = 1, writable: UInt64 = 2, largePage: UInt64 = 0x80
        let directories = Layout.identityMappedSize >> 30
        try memory.fill(zeroesAt: Layout.pageTableRoot, length: 0x2000)
        try memory.store(Layout.pageDirectoryPointerTable.rawValue | present | writable, at: Layout.pageTableRoot)
        for directory in 0..<directories {
            let directoryAddress = Layout.firstPageDirectory.rawValue + directory * 0x1000
            try memory.store(directoryAddress | present | writable,
                             at: GuestAddress(Layout.pageDirectoryPointerTable.rawValue + directory * 8))
            for entry in 0..<UInt64(512) {
                let physical = (directory << 30) | (entry << 21)
                try memory.store(physical | present | writable | largePage, at: GuestAddress(directoryAddress + entry * 8))
            }
        }
    }

    static func segment(selector: UInt16, code: Bool, longMode: Bool = false) -> Segment {
        Segment(base: 0, limit: 0xffff_ffff, selector: selector, type: code ? 0xb : 0x3, present: true,
                privilegeLevel: 0, defaultSize32: !longMode, codeOrData: true, longMode: longMode, granularity4K: true)
    }

    /// Segment and control registers for `mode`, starting from what KVM reported (so
    /// fields Candor does not set, like the APIC base, keep their values).
    static func specialRegisters(for mode: Mode, from initial: SpecialRegisters) -> SpecialRegisters {
        var sregs = initial
        let data = segment(selector: dataSelector, code: false)
        sregs.ds = data; sregs.es = data; sregs.fs = data; sregs.gs = data; sregs.ss = data
        sregs.tr = Segment(base: 0, limit: 0x67, selector: taskSelector, type: 0xb, present: true)
        sregs.ldt = Segment(selector: 0, type: 0x2, present: true)
        sregs.gdt = DescriptorTable(base: Layout.gdtAddress.rawValue, limit: UInt16(gdtEntries.count * 8 - 1))
        sregs.idt = DescriptorTable(base: 0, limit: 0)
        switch mode {
        case .protected32:
            sregs.cs = segment(selector: code32Selector, code: true)
            sregs.cr0 = cr0ProtectionEnable | cr0ExtensionType
            sregs.cr3 = 0
            sregs.cr4 = 0
            sregs.efer = 0
        case .long64:
            sregs.cs = segment(selector: code64Selector, code: true, longMode: true)
            sregs.cr0 = cr0ProtectionEnable | cr0ExtensionType | cr0Paging
            sregs.cr3 = Layout.pageTableRoot.rawValue
            sregs.cr4 = cr4PhysicalAddressExtension
            sregs.efer = eferLongModeEnable | eferLongModeActive
        }
        return sregs
    }

    /// General registers at entry: the entry point, the protocol's pointer (RSI for
    /// Linux's boot_params, RBX for PVH's start info), interrupts off.
    static func registers(entry: GuestAddress, rsi: UInt64, rbx: UInt64) -> Registers {
        var regs = Registers()
        regs.rip = entry.rawValue
        regs.rsi = rsi
        regs.rbx = rbx
        regs.rsp = Layout.bootStackTop.rawValue
        regs.rflags = 0x2
        return regs
    }

    /// The CPUID a vCPU gets: what KVM supports, minus what this host cannot run (see
    /// MACHINE.md: CMPXCHG16B is not emulated), with the vCPU's own APIC ID and the
    /// hypervisor bit set.
    /// Leaf 0xD is made consistent with the XCR0 features it offers (see XSAVELeaf).
    static func cpuid(supported: [CPUIDEntry], vcpuID: UInt32) -> [CPUIDEntry] {
        XSAVELeaf.consistent(supported).map { entry in
            var entry = entry
            switch entry.function {
            case 1:
                entry.ecx &= ~(UInt32(1) << 13)           // CX16
                entry.ecx |= UInt32(1) << 31              // running under a hypervisor
                entry.ebx = (entry.ebx & 0x00ff_ffff) | (vcpuID << 24)
            case 0xb, 0x1f:
                entry.edx = vcpuID                        // x2APIC ID
            default:
                break
            }
            return entry
        }
    }
}
