// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM

/// One CPUID leaf (or sub-leaf) as KVM reports and accepts it (kvm_cpuid_entry2).
public struct CPUIDEntry: Equatable, Sendable, Codable {
    public var function: UInt32
    public var index: UInt32
    /// KVM_CPUID_FLAG_* bits (e.g. 1: the index is significant).
    public var flags: UInt32
    public var eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32

    public init(function: UInt32, index: UInt32 = 0, flags: UInt32 = 0, eax: UInt32 = 0, ebx: UInt32 = 0, ecx: UInt32 = 0, edx: UInt32 = 0) {
        self.function = function; self.index = index; self.flags = flags
        self.eax = eax; self.ebx = ebx; self.ecx = ecx; self.edx = edx
    }

    init(_ e: kvm_cpuid_entry2) {
        self.init(function: e.function, index: e.index, flags: e.flags, eax: e.eax, ebx: e.ebx, ecx: e.ecx, edx: e.edx)
    }

    var kvm: kvm_cpuid_entry2 {
        var e = kvm_cpuid_entry2()
        e.function = function; e.index = index; e.flags = flags
        e.eax = eax; e.ebx = ebx; e.ecx = ecx; e.edx = edx
        return e
    }
}

/// CPUID leaf 0xD (XSAVE state components) made self-consistent. A guest kernel sums the
/// sizes and offsets of the sub-leaves of every feature sub-leaf 0 offers in XCR0 and
/// compares the total with the sizes sub-leaves 0 and 1 report; Linux warns "XSAVE
/// consistency problem" and turns XSAVE off when they differ.
public enum XSAVELeaf {
    public static let function: UInt32 = 0xd
    /// The legacy x87/SSE area (512 bytes) and the XSAVE header (64 bytes).
    public static let legacyAndHeaderSize: UInt32 = 576

    /// `entries` with leaf 0xD restricted to the state components it fully describes, its
    /// sizes recomputed from those components, and the sub-leaves of the others removed:
    /// - XCR0 (sub-leaf 0 EAX/EDX) keeps x87 and SSE, and each user component (bit 2...62)
    ///   whose sub-leaf is present with a size and a standard-format offset past the header;
    /// - IA32_XSS (sub-leaf 1 ECX/EDX) keeps each supervisor component whose sub-leaf is
    ///   present with a size;
    /// - sub-leaf 0 EBX and ECX: the standard-format size for all of XCR0's components
    ///   (what EBX reports once the guest enables them all, as Linux does);
    /// - sub-leaf 1 EBX, when XSAVEC or XSAVES is offered: the compacted size of XCR0's
    ///   and IA32_XSS's components.
    /// Entries without leaf 0xD come back unchanged.
    public static func consistent(_ entries: [CPUIDEntry]) -> [CPUIDEntry] {
        guard let main = entries.first(where: { $0.function == function && $0.index == 0 }) else { return entries }
        let subLeaves = Dictionary(entries.filter { $0.function == function && $0.index >= 2 && $0.index < 64 }
            .map { (Int($0.index), $0) }, uniquingKeysWith: { first, _ in first })
        let extended = entries.first(where: { $0.function == function && $0.index == 1 })

        var xcr0 = UInt64(main.eax) | UInt64(main.edx) << 32
        var xss = extended.map { UInt64($0.ecx) | UInt64($0.edx) << 32 } ?? 0
        for bit in 2..<64 {
            let mask = UInt64(1) << bit
            guard xcr0 & mask != 0 || xss & mask != 0 else { continue }
            let sub = subLeaves[bit]
            let supervisor = (sub?.ecx ?? 0) & 1 != 0
            let describedUser = sub.map { $0.eax > 0 && $0.ebx >= legacyAndHeaderSize && !supervisor } ?? false
            let describedSupervisor = sub.map { $0.eax > 0 && supervisor } ?? false
            if !describedUser { xcr0 &= ~mask }
            if !describedSupervisor { xss &= ~mask }
        }

        // Standard format: each user component at its fixed offset.
        var standardSize = legacyAndHeaderSize
        for bit in 2..<64 where xcr0 & (UInt64(1) << bit) != 0 {
            let sub = subLeaves[bit]!
            standardSize = max(standardSize, sub.ebx + sub.eax)
        }
        // Compacted format: components in bit order, each 64-byte aligned when its sub-leaf
        // says so (ECX bit 1).
        var compactedSize = legacyAndHeaderSize
        for bit in 2..<64 where (xcr0 | xss) & (UInt64(1) << bit) != 0 {
            let sub = subLeaves[bit]!
            if sub.ecx & 2 != 0 { compactedSize = (compactedSize + 63) & ~63 }
            compactedSize += sub.eax
        }

        return entries.compactMap { entry in
            guard entry.function == function else { return entry }
            var entry = entry
            switch entry.index {
            case 0:
                entry.eax = UInt32(truncatingIfNeeded: xcr0)
                entry.edx = UInt32(truncatingIfNeeded: xcr0 >> 32)
                entry.ebx = standardSize
                entry.ecx = standardSize
            case 1:
                entry.ecx = UInt32(truncatingIfNeeded: xss)
                entry.edx = UInt32(truncatingIfNeeded: xss >> 32)
                let compacting = entry.eax & (1 << 1 | 1 << 3) != 0   // XSAVEC, XSAVES
                if compacting { entry.ebx = compactedSize }
            case 2..<64:
                guard (xcr0 | xss) & (UInt64(1) << entry.index) != 0 else { return nil }
            default:
                break
            }
            return entry
        }
    }

    /// The XCR0 value that enables every feature leaf 0xD of `entries` offers (x87 alone
    /// when there is no leaf 0xD).
    public static func offeredXCR0(_ entries: [CPUIDEntry]) -> UInt64 {
        guard let main = entries.first(where: { $0.function == function && $0.index == 0 }) else { return 1 }
        return (UInt64(main.eax) | UInt64(main.edx) << 32) | 1
    }
}

extension VCPU {
    /// Sets XCR0 (KVM_SET_XCRS). KVM reports CPUID leaf 0xD's sizes for the XCR0 it
    /// believes the guest has; where a guest's XSETBV does not reach KVM (nested under an
    /// emulator that does not intercept it, as QEMU's TCG), KVM keeps the reset value
    /// (x87 only) and the guest sees sizes that contradict the features it enabled.
    public func setXCR0(_ value: UInt64) throws {
        try syscalls.checked("KVM_SET_XCRS (vCPU \(id), XCR0 \(String(value, radix: 16)))") {
            syscalls.setXCR0(descriptor.rawValue, value)
        }
    }
}
