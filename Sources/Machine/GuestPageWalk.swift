// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory
import KVM

/// Translates a guest virtual address (segment base plus offset) to guest-physical the way
/// the vCPU would, from its control registers and the page tables in guest memory.
/// Used to show the instruction bytes at a failing RIP. Nil when unmapped or unreadable.
enum GuestPageWalk {
    static func physicalAddress(ofInstructionAt rip: UInt64, registers sregs: SpecialRegisters, memory: GuestMemory) -> GuestAddress? {
        let longMode = sregs.efer & BootCPU.eferLongModeActive != 0
        // In 64-bit mode the CS base is ignored; elsewhere addresses wrap at 4 GiB.
        let linear = longMode ? rip : (sregs.cs.base &+ rip) & 0xffff_ffff
        return translate(linear: linear, registers: sregs, memory: memory)
    }

    static func translate(linear: UInt64, registers sregs: SpecialRegisters, memory: GuestMemory) -> GuestAddress? {
        guard sregs.cr0 & BootCPU.cr0Paging != 0 else { return GuestAddress(linear) }
        let present: UInt64 = 1, largePage: UInt64 = 0x80
        let addressMask: UInt64 = 0x000f_ffff_ffff_f000
        func entry(_ table: UInt64, _ index: UInt64) -> UInt64? {
            try? memory.load(UInt64.self, at: GuestAddress(table + index * 8))
        }
        if sregs.efer & BootCPU.eferLongModeActive != 0 {
            // Four-level paging (five-level, CR4.LA57, is not walked).
            guard sregs.cr4 & (1 << 12) == 0 else { return nil }
            var table = sregs.cr3 & addressMask
            for level in stride(from: 3, through: 0, by: -1) {
                let shift = UInt64(12 + 9 * level)
                guard let e = entry(table, (linear >> shift) & 0x1ff), e & present != 0 else { return nil }
                if level == 0 || (level <= 2 && e & largePage != 0) {
                    let pageMask: UInt64 = (1 << shift) - 1
                    return GuestAddress((e & addressMask & ~pageMask) | (linear & pageMask))
                }
                table = e & addressMask
            }
            return nil
        }
        if sregs.cr4 & BootCPU.cr4PhysicalAddressExtension != 0 {
            // PAE: 4-entry PDPT, then 512-entry directories and tables of 8-byte entries.
            guard let pdpte = entry(sregs.cr3 & 0xffff_ffe0, (linear >> 30) & 3), pdpte & present != 0,
                  let pde = entry(pdpte & addressMask, (linear >> 21) & 0x1ff), pde & present != 0 else { return nil }
            if pde & largePage != 0 { return GuestAddress((pde & addressMask & ~0x1f_ffff) | (linear & 0x1f_ffff)) }
            guard let pte = entry(pde & addressMask, (linear >> 12) & 0x1ff), pte & present != 0 else { return nil }
            return GuestAddress((pte & addressMask) | (linear & 0xfff))
        }
        // Classic 32-bit paging with 4-byte entries (4 MiB pages when CR4.PSE).
        func entry32(_ table: UInt64, _ index: UInt64) -> UInt64? {
            (try? memory.load(UInt32.self, at: GuestAddress(table + index * 4))).map(UInt64.init)
        }
        guard let pde = entry32(sregs.cr3 & 0xffff_f000, (linear >> 22) & 0x3ff), pde & present != 0 else { return nil }
        if pde & largePage != 0 && sregs.cr4 & (1 << 4) != 0 {
            return GuestAddress((pde & 0xffc0_0000) | (linear & 0x3f_ffff))
        }
        guard let pte = entry32(pde & 0xffff_f000, (linear >> 12) & 0x3ff), pte & present != 0 else { return nil }
        return GuestAddress((pte & 0xffff_f000) | (linear & 0xfff))
    }

    /// Up to 15 bytes (the longest x86 instruction) at `rip`, stopping at a page that is
    /// not mapped or not RAM. Empty when nothing can be read.
    static func instructionBytes(at rip: UInt64, registers sregs: SpecialRegisters, memory: GuestMemory) -> [UInt8] {
        var bytes: [UInt8] = []
        for offset in 0..<UInt64(15) {
            guard let physical = physicalAddress(ofInstructionAt: rip &+ offset, registers: sregs, memory: memory),
                  let byte = try? memory.load(UInt8.self, at: physical) else { break }
            bytes.append(byte)
        }
        return bytes
    }
}
