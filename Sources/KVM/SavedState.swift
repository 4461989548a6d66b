// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM

/// Bytes of one of the kernel's state structures, kept opaque: KVM defines them, and they
/// go back to the same ioctl unchanged. Encoded as lowercase hex so a saved state is text.
public struct KernelStateBytes: Equatable, Sendable, Codable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = Self.bytes(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an even-length hex string"))
        }
        self.bytes = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.hex(bytes))
    }

    static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(hex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }
}

/// The parts of a vCPU's state KVM keeps, each moved by its own get/set ioctl pair.
public enum VCPUStateKind: String, CaseIterable, Sendable, Codable {
    case registers = "regs", specialRegisters = "sregs", fpu, xsave, xcrs, lapic, events = "vcpu_events"
    case multiprocessingState = "mp_state", debugRegisters = "debugregs"

    var raw: Int32 {
        switch self {
        case .registers: return Int32(CKVM_VCPU_REGS.rawValue)
        case .specialRegisters: return Int32(CKVM_VCPU_SREGS.rawValue)
        case .fpu: return Int32(CKVM_VCPU_FPU.rawValue)
        case .xsave: return Int32(CKVM_VCPU_XSAVE.rawValue)
        case .xcrs: return Int32(CKVM_VCPU_XCRS.rawValue)
        case .lapic: return Int32(CKVM_VCPU_LAPIC.rawValue)
        case .events: return Int32(CKVM_VCPU_EVENTS.rawValue)
        case .multiprocessingState: return Int32(CKVM_VCPU_MP_STATE.rawValue)
        case .debugRegisters: return Int32(CKVM_VCPU_DEBUGREGS.rawValue)
        }
    }

    /// The size of the kernel's structure for this part, as compiled here.
    public var size: Int { Int(ckvm_vcpu_state_size(raw)) }

    /// The ioctl's name without its GET_/SET_ prefix.
    var ioctlSuffix: String {
        switch self {
        case .registers: return "REGS"
        case .specialRegisters: return "SREGS"
        case .fpu: return "FPU"
        case .xsave: return "XSAVE"
        case .xcrs: return "XCRS"
        case .lapic: return "LAPIC"
        case .events: return "VCPU_EVENTS"
        case .multiprocessingState: return "MP_STATE"
        case .debugRegisters: return "DEBUGREGS"
        }
    }

    func operation(_ verb: String) -> String { "KVM_\(verb)_\(ioctlSuffix)" }
}

/// The parts of a VM's state KVM keeps: the in-kernel irqchip, the PIT and kvmclock.
public enum VirtualMachineStateKind: String, CaseIterable, Sendable, Codable {
    case picMaster = "pic_master", picSlave = "pic_slave", ioapic, pit2, clock

    var raw: Int32 {
        switch self {
        case .picMaster: return Int32(CKVM_VM_PIC_MASTER.rawValue)
        case .picSlave: return Int32(CKVM_VM_PIC_SLAVE.rawValue)
        case .ioapic: return Int32(CKVM_VM_IOAPIC.rawValue)
        case .pit2: return Int32(CKVM_VM_PIT2.rawValue)
        case .clock: return Int32(CKVM_VM_CLOCK.rawValue)
        }
    }

    public var size: Int { Int(ckvm_vm_state_size(raw)) }

    func operation(_ verb: String) -> String {
        switch self {
        case .picMaster, .picSlave, .ioapic: return "KVM_\(verb)_IRQCHIP(\(rawValue))"
        case .pit2: return "KVM_\(verb)_PIT2"
        case .clock: return "KVM_\(verb)_CLOCK"
        }
    }
}

/// One model-specific register and its value.
public struct MSRValue: Equatable, Sendable, Codable {
    public var index: UInt32
    public var value: UInt64
    public init(index: UInt32, value: UInt64) { self.index = index; self.value = value }
}

/// Everything KVM keeps for one vCPU, as `VCPU.saveState` read it.
public struct VCPUState: Equatable, Sendable, Codable {
    public var id: UInt32
    /// The CPUID table the vCPU ran with; set again first on restore.
    public var cpuid: [CPUIDEntry]
    /// Each part KVM gave, by kind (absent where the host lacks the capability).
    public var parts: [VCPUStateKind: KernelStateBytes]
    public var msrs: [MSRValue]

    public init(id: UInt32, cpuid: [CPUIDEntry], parts: [VCPUStateKind: KernelStateBytes], msrs: [MSRValue]) {
        self.id = id; self.cpuid = cpuid; self.parts = parts; self.msrs = msrs
    }

    enum CodingKeys: String, CodingKey { case id, cpuid, parts, msrs }

    // The CPUID table and the MSRs are encoded as packed little-endian records in hex, like
    // the kernel structures: a hundred-odd JSON objects per vCPU made encoding and decoding
    // the state (a migration's downtime) several times slower.
    static let cpuidRecordSize = CPUIDEntry.packedSize
    static let msrRecordSize = 12  // index, value

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UInt32.self, forKey: .id)
        func records(_ key: CodingKeys, size: Int) throws -> [[UInt8]] {
            let bytes = try container.decode(KernelStateBytes.self, forKey: key).bytes
            guard bytes.count % size == 0 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                       debugDescription: "\(bytes.count) bytes, not a whole number of \(size)-byte records")
            }
            return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<$0 + size]) }
        }
        func u32(_ record: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(record[at + $1]) << (8 * $1) } }
        cpuid = try records(.cpuid, size: Self.cpuidRecordSize).map {
            CPUIDEntry(function: u32($0, 0), index: u32($0, 4), flags: u32($0, 8), eax: u32($0, 12), ebx: u32($0, 16), ecx: u32($0, 20),
                       edx: u32($0, 24))
        }
        msrs = try records(.msrs, size: Self.msrRecordSize).map { MSRValue(index: u32($0, 0), value: UInt64(u32($0, 4)) | UInt64(u32($0, 8)) << 32) }
        let named = try container.decode([String: KernelStateBytes].self, forKey: .parts)
        parts = [:]
        for (name, bytes) in named {
            guard let kind = VCPUStateKind(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .parts, in: container, debugDescription: "unknown vCPU state part \(name.prefix(40))")
            }
            parts[kind] = bytes
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(KernelStateBytes(CPUIDEntry.packed(cpuid)), forKey: .cpuid)
        try container.encode(KernelStateBytes(msrs.flatMap { littleEndianBytes($0.index) + littleEndianBytes($0.value) }), forKey: .msrs)
        try container.encode(Dictionary(uniqueKeysWithValues: parts.map { ($0.key.rawValue, $0.value) }), forKey: .parts)
    }
}

/// Everything KVM keeps for the VM itself, as `VirtualMachine.saveState` read it.
public struct VirtualMachineState: Equatable, Sendable, Codable {
    public var parts: [VirtualMachineStateKind: KernelStateBytes]

    public init(parts: [VirtualMachineStateKind: KernelStateBytes]) { self.parts = parts }

    public init(from decoder: any Decoder) throws {
        let named = try decoder.singleValueContainer().decode([String: KernelStateBytes].self)
        parts = [:]
        for (name, bytes) in named {
            guard let kind = VirtualMachineStateKind(rawValue: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown VM state part \(name.prefix(40))"))
            }
            parts[kind] = bytes
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: parts.map { ($0.key.rawValue, $0.value) }))
    }
}



extension CPUIDEntry {
    /// Bytes of one entry in `packed`.
    public static let packedSize = 28

    /// The entries as packed little-endian records (function, index, flags, eax, ebx, ecx,
    /// edx): how a saved state holds the table and what its checksum covers.
    public static func packed(_ entries: [CPUIDEntry]) -> [UInt8] {
        entries.flatMap { entry in
            [entry.function, entry.index, entry.flags, entry.eax, entry.ebx, entry.ecx, entry.edx].flatMap(littleEndianBytes)
        }
    }
}

func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}
