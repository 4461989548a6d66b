// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM
#if canImport(Glibc)
import Glibc
#endif

/// The KVM subsystem (/dev/kvm): checks the API, answers capability questions and
/// creates virtual machines. Owns the /dev/kvm descriptor.
public final class KVMSystem {
    public let path: String
    let descriptor: OwnedDescriptor
    let syscalls: KVMSyscalls

    /// The KVM API version Candor is built for (KVM_GET_API_VERSION must return it).
    public static var apiVersion: Int { Int(CKVM_API_VERSION) }

    public convenience init(path: String = "/dev/kvm") throws {
        try self.init(path: path, syscalls: .system)
    }

    init(path: String, syscalls: KVMSyscalls) throws {
        self.path = path
        self.syscalls = syscalls
        var fd: Int32
        repeat { fd = syscalls.open(path) } while fd < 0 && syscalls.errno() == EINTR
        guard fd >= 0 else {
            let err = syscalls.errno()
            switch err {
            case ENOENT, ENODEV, ENXIO: throw KVMError.deviceMissing(path: path)
            case EACCES, EPERM: throw KVMError.permissionDenied(path: path)
            default: throw KVMError.openFailed(path: path, errno: err)
            }
        }
        descriptor = OwnedDescriptor(fd, syscalls: syscalls)
        let version = try syscalls.checked("KVM_GET_API_VERSION") { syscalls.getAPIVersion(fd) }
        guard version == CKVM_API_VERSION else {
            throw KVMError.apiVersionMismatch(found: version, expected: CKVM_API_VERSION)
        }
    }

    /// KVM_CHECK_EXTENSION: 0 when absent, else a capability-specific positive value.
    public func check(_ capability: KVMCapability) throws -> Int32 {
        try syscalls.checked("KVM_CHECK_EXTENSION(\(capability))") {
            syscalls.checkExtension(descriptor.rawValue, capability.rawValue)
        }
    }

    /// Throws `.missingCapability` unless every one of `capabilities` is present.
    public func require(_ capabilities: [KVMCapability]) throws {
        for capability in capabilities where try check(capability) == 0 {
            throw KVMError.missingCapability(capability)
        }
    }

    /// The CPUID leaves KVM can give a guest on this host (KVM_GET_SUPPORTED_CPUID).
    public func supportedCPUID() throws -> [CPUIDEntry] {
        var count = UInt32(CKVM_MAX_CPUID_ENTRIES)
        var entries = [kvm_cpuid_entry2](repeating: kvm_cpuid_entry2(), count: Int(count))
        _ = try entries.withUnsafeMutableBufferPointer { buffer in
            try syscalls.checked("KVM_GET_SUPPORTED_CPUID") {
                syscalls.getSupportedCPUID(descriptor.rawValue, buffer.baseAddress!, &count)
            }
        }
        return entries.prefix(Int(min(count, UInt32(CKVM_MAX_CPUID_ENTRIES)))).map(CPUIDEntry.init)
    }

    /// The MSRs KVM can save and restore for a guest (KVM_GET_MSR_INDEX_LIST), sorted.
    public func msrIndexList() throws -> [UInt32] {
        var count: UInt32 = 1024
        while true {
            var indices = [UInt32](repeating: 0, count: Int(count))
            var asked = count
            let result = indices.withUnsafeMutableBufferPointer { syscalls.getMSRIndexList(descriptor.rawValue, $0.baseAddress!, &asked) }
            if result < 0 && syscalls.errno() == E2BIG && asked > count { count = asked; continue }
            if result < 0 && syscalls.errno() == EINTR { continue }
            if result < 0 { throw KVMError.syscallFailed(operation: "KVM_GET_MSR_INDEX_LIST", errno: syscalls.errno()) }
            return indices.prefix(Int(min(asked, count))).sorted()
        }
    }

    /// The vCPU state parts this KVM can save, in the order a snapshot reads them and a
    /// restore writes them (Firecracker's order): the multiprocessing state and registers
    /// first, the local APIC after them, the pending events last (MSRs go before them).
    public func vcpuStateKinds() throws -> [VCPUStateKind] {
        var kinds: [VCPUStateKind] = [.multiprocessingState, .registers, .specialRegisters]
        kinds.append(try check(.xsave) > 0 ? .xsave : .fpu)
        if try check(.xcrs) > 0 { kinds.append(.xcrs) }
        if try check(.debugRegisters) > 0 { kinds.append(.debugRegisters) }
        kinds.append(.lapic)
        if try check(.vcpuEvents) > 0 { kinds.append(.events) }
        return kinds
    }

    /// Size of each vCPU's shared kvm_run area.
    func vcpuRunAreaSize() throws -> Int {
        Int(try syscalls.checked("KVM_GET_VCPU_MMAP_SIZE") { syscalls.getVCPUMmapSize(descriptor.rawValue) })
    }

    public func makeVirtualMachine() throws -> VirtualMachine {
        let fd = try syscalls.checked("KVM_CREATE_VM") { syscalls.createVM(descriptor.rawValue) }
        return VirtualMachine(descriptor: OwnedDescriptor(fd, syscalls: syscalls), system: self)
    }
}
