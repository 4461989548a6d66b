// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM

/// General-purpose registers, instruction pointer and flags (kvm_regs).
public struct Registers: Equatable, Sendable {
    public var rax: UInt64 = 0, rbx: UInt64 = 0, rcx: UInt64 = 0, rdx: UInt64 = 0
    public var rsi: UInt64 = 0, rdi: UInt64 = 0, rsp: UInt64 = 0, rbp: UInt64 = 0
    public var r8: UInt64 = 0, r9: UInt64 = 0, r10: UInt64 = 0, r11: UInt64 = 0
    public var r12: UInt64 = 0, r13: UInt64 = 0, r14: UInt64 = 0, r15: UInt64 = 0
    public var rip: UInt64 = 0
    /// Bit 1 is reserved and must be set.
    public var rflags: UInt64 = 0x2

    public init() {}

    init(_ r: kvm_regs) {
        rax = r.rax; rbx = r.rbx; rcx = r.rcx; rdx = r.rdx
        rsi = r.rsi; rdi = r.rdi; rsp = r.rsp; rbp = r.rbp
        r8 = r.r8; r9 = r.r9; r10 = r.r10; r11 = r.r11
        r12 = r.r12; r13 = r.r13; r14 = r.r14; r15 = r.r15
        rip = r.rip; rflags = r.rflags
    }

    var kvm: kvm_regs {
        kvm_regs(rax: rax, rbx: rbx, rcx: rcx, rdx: rdx, rsi: rsi, rdi: rdi, rsp: rsp, rbp: rbp,
                 r8: r8, r9: r9, r10: r10, r11: r11, r12: r12, r13: r13, r14: r14, r15: r15,
                 rip: rip, rflags: rflags)
    }
}

/// A segment register in its cached (descriptor) form (kvm_segment).
public struct Segment: Equatable, Sendable {
    public var base: UInt64 = 0
    public var limit: UInt32 = 0
    public var selector: UInt16 = 0
    /// Descriptor type field (e.g. 0xb: execute/read accessed code, 0x3: read/write accessed data).
    public var type: UInt8 = 0
    public var present = false
    public var privilegeLevel: UInt8 = 0
    /// D/B: 32-bit default operand size.
    public var defaultSize32 = false
    /// S: code or data (as opposed to a system descriptor such as a TSS).
    public var codeOrData = false
    /// L: 64-bit code segment.
    public var longMode = false
    /// G: limit counted in 4 KiB pages.
    public var granularity4K = false
    public var unusable = false

    public init(base: UInt64 = 0, limit: UInt32 = 0, selector: UInt16 = 0, type: UInt8 = 0, present: Bool = false,
                privilegeLevel: UInt8 = 0, defaultSize32: Bool = false, codeOrData: Bool = false,
                longMode: Bool = false, granularity4K: Bool = false, unusable: Bool = false) {
        self.base = base; self.limit = limit; self.selector = selector; self.type = type
        self.present = present; self.privilegeLevel = privilegeLevel; self.defaultSize32 = defaultSize32
        self.codeOrData = codeOrData; self.longMode = longMode; self.granularity4K = granularity4K
        self.unusable = unusable
    }

    init(_ s: kvm_segment) {
        self.init(base: s.base, limit: s.limit, selector: s.selector, type: s.type, present: s.present != 0,
                  privilegeLevel: s.dpl, defaultSize32: s.db != 0, codeOrData: s.s != 0, longMode: s.l != 0,
                  granularity4K: s.g != 0, unusable: s.unusable != 0)
    }

    var kvm: kvm_segment {
        kvm_segment(base: base, limit: limit, selector: selector, type: type, present: present ? 1 : 0,
                    dpl: privilegeLevel, db: defaultSize32 ? 1 : 0, s: codeOrData ? 1 : 0, l: longMode ? 1 : 0,
                    g: granularity4K ? 1 : 0, avl: 0, unusable: unusable ? 1 : 0, padding: 0)
    }
}

/// GDTR or IDTR (kvm_dtable).
public struct DescriptorTable: Equatable, Sendable {
    public var base: UInt64
    public var limit: UInt16
    public init(base: UInt64 = 0, limit: UInt16 = 0) { self.base = base; self.limit = limit }
}

/// Segment, control and descriptor-table registers (kvm_sregs).
public struct SpecialRegisters: Equatable, Sendable {
    public var cs = Segment(), ds = Segment(), es = Segment(), fs = Segment(), gs = Segment(), ss = Segment()
    public var tr = Segment(), ldt = Segment()
    public var gdt = DescriptorTable(), idt = DescriptorTable()
    public var cr0: UInt64 = 0, cr2: UInt64 = 0, cr3: UInt64 = 0, cr4: UInt64 = 0, cr8: UInt64 = 0
    public var efer: UInt64 = 0
    public var apicBase: UInt64 = 0
    /// Pending-interrupt bitmap; kept as read so that a get/modify/set round trip keeps it.
    var interruptBitmap: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    init(_ s: kvm_sregs) {
        cs = Segment(s.cs); ds = Segment(s.ds); es = Segment(s.es); fs = Segment(s.fs)
        gs = Segment(s.gs); ss = Segment(s.ss); tr = Segment(s.tr); ldt = Segment(s.ldt)
        gdt = DescriptorTable(base: s.gdt.base, limit: s.gdt.limit)
        idt = DescriptorTable(base: s.idt.base, limit: s.idt.limit)
        cr0 = s.cr0; cr2 = s.cr2; cr3 = s.cr3; cr4 = s.cr4; cr8 = s.cr8
        efer = s.efer; apicBase = s.apic_base
        interruptBitmap = s.interrupt_bitmap
    }

    var kvm: kvm_sregs {
        var s = kvm_sregs()
        s.cs = cs.kvm; s.ds = ds.kvm; s.es = es.kvm; s.fs = fs.kvm; s.gs = gs.kvm; s.ss = ss.kvm
        s.tr = tr.kvm; s.ldt = ldt.kvm
        s.gdt = kvm_dtable(base: gdt.base, limit: gdt.limit, padding: (0, 0, 0))
        s.idt = kvm_dtable(base: idt.base, limit: idt.limit, padding: (0, 0, 0))
        s.cr0 = cr0; s.cr2 = cr2; s.cr3 = cr3; s.cr4 = cr4; s.cr8 = cr8
        s.efer = efer; s.apic_base = apicBase
        s.interrupt_bitmap = interruptBitmap
        return s
    }

    public static func == (a: SpecialRegisters, b: SpecialRegisters) -> Bool {
        a.cs == b.cs && a.ds == b.ds && a.es == b.es && a.fs == b.fs && a.gs == b.gs && a.ss == b.ss
            && a.tr == b.tr && a.ldt == b.ldt && a.gdt == b.gdt && a.idt == b.idt
            && a.cr0 == b.cr0 && a.cr2 == b.cr2 && a.cr3 == b.cr3 && a.cr4 == b.cr4 && a.cr8 == b.cr8
            && a.efer == b.efer && a.apicBase == b.apicBase
    }
}

/// The floating-point state a vCPU starts with (the x87 control word and MXCSR).
public struct FloatingPointState: Equatable, Sendable {
    public var controlWord: UInt16
    public var mxcsr: UInt32
    /// The values after FNINIT and at reset: all exceptions masked, round to nearest.
    public static let initial = FloatingPointState(controlWord: 0x37f, mxcsr: 0x1f80)
    public init(controlWord: UInt16, mxcsr: UInt32) { self.controlWord = controlWord; self.mxcsr = mxcsr }
}
