// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM
#if canImport(Glibc)
import Glibc
#endif

/// Every system call the KVM layer makes, as replaceable functions: production uses
/// `.system`; tests swap single entries to exercise the wrapper logic without /dev/kvm.
/// Each returns what the call returns (-1 with `errno()` set on failure).
struct KVMSyscalls: Sendable {
    var open: @Sendable (_ path: String) -> Int32
    var close: @Sendable (_ fd: Int32) -> Int32
    var errno: @Sendable () -> Int32
    var getAPIVersion: @Sendable (_ kvm: Int32) -> Int32
    var checkExtension: @Sendable (_ fd: Int32, _ capability: Int32) -> Int32
    var getVCPUMmapSize: @Sendable (_ kvm: Int32) -> Int32
    var getSupportedCPUID: @Sendable (_ kvm: Int32, _ entries: UnsafeMutablePointer<kvm_cpuid_entry2>, _ count: UnsafeMutablePointer<UInt32>) -> Int32
    var createVM: @Sendable (_ kvm: Int32) -> Int32
    var setUserMemoryRegion: @Sendable (_ vm: Int32, _ region: UnsafePointer<kvm_userspace_memory_region>) -> Int32
    var getDirtyLog: @Sendable (_ vm: Int32, _ slot: UInt32, _ bitmap: UnsafeMutablePointer<UInt64>) -> Int32
    var setTSSAddress: @Sendable (_ vm: Int32, _ address: UInt64) -> Int32
    var setIdentityMapAddress: @Sendable (_ vm: Int32, _ address: UInt64) -> Int32
    var createIRQChip: @Sendable (_ vm: Int32) -> Int32
    var createPIT2: @Sendable (_ vm: Int32) -> Int32
    var irqLine: @Sendable (_ vm: Int32, _ irq: UInt32, _ level: UInt32) -> Int32
    var irqFD: @Sendable (_ vm: Int32, _ eventFD: Int32, _ gsi: UInt32, _ resampleFD: Int32, _ deassign: Bool) -> Int32
    var ioEventFD: @Sendable (_ vm: Int32, _ address: UInt64, _ length: UInt32, _ eventFD: Int32, _ datamatch: UInt64?, _ deassign: Bool) -> Int32
    var createVCPU: @Sendable (_ vm: Int32, _ id: Int32) -> Int32
    var mapRunArea: @Sendable (_ vcpu: Int32, _ size: Int) -> UnsafeMutableRawPointer?
    var unmapRunArea: @Sendable (_ area: UnsafeMutableRawPointer, _ size: Int) -> Void
    var setCPUID: @Sendable (_ vcpu: Int32, _ entries: UnsafePointer<kvm_cpuid_entry2>, _ count: UInt32) -> Int32
    var getRegisters: @Sendable (_ vcpu: Int32, _ regs: UnsafeMutablePointer<kvm_regs>) -> Int32
    var setRegisters: @Sendable (_ vcpu: Int32, _ regs: UnsafePointer<kvm_regs>) -> Int32
    var getSpecialRegisters: @Sendable (_ vcpu: Int32, _ sregs: UnsafeMutablePointer<kvm_sregs>) -> Int32
    var setSpecialRegisters: @Sendable (_ vcpu: Int32, _ sregs: UnsafePointer<kvm_sregs>) -> Int32
    var setFPU: @Sendable (_ vcpu: Int32, _ fpu: UnsafePointer<kvm_fpu>) -> Int32
    var setXCR0: @Sendable (_ vcpu: Int32, _ value: UInt64) -> Int32
    var run: @Sendable (_ vcpu: Int32) -> Int32
    var getVCPUState: @Sendable (_ vcpu: Int32, _ kind: Int32, _ buffer: UnsafeMutableRawPointer) -> Int32
    var setVCPUState: @Sendable (_ vcpu: Int32, _ kind: Int32, _ buffer: UnsafeRawPointer) -> Int32
    var getVMState: @Sendable (_ vm: Int32, _ kind: Int32, _ buffer: UnsafeMutableRawPointer) -> Int32
    var setVMState: @Sendable (_ vm: Int32, _ kind: Int32, _ buffer: UnsafeRawPointer) -> Int32
    var getMSRIndexList: @Sendable (_ kvm: Int32, _ indices: UnsafeMutablePointer<UInt32>, _ count: UnsafeMutablePointer<UInt32>) -> Int32
    var getMSRs: @Sendable (_ vcpu: Int32, _ indices: UnsafePointer<UInt32>, _ values: UnsafeMutablePointer<UInt64>, _ count: UInt32) -> Int32
    var setMSRs: @Sendable (_ vcpu: Int32, _ indices: UnsafePointer<UInt32>, _ values: UnsafePointer<UInt64>, _ count: UInt32) -> Int32

    static let system = KVMSyscalls(
        open: { Glibc.open($0, O_RDWR | O_CLOEXEC) },
        close: { Glibc.close($0) },
        errno: { Glibc.errno },
        getAPIVersion: { ckvm_get_api_version($0) },
        checkExtension: { ckvm_check_extension($0, $1) },
        getVCPUMmapSize: { ckvm_get_vcpu_mmap_size($0) },
        getSupportedCPUID: { ckvm_get_supported_cpuid($0, $1, $2) },
        createVM: { ckvm_create_vm($0) },
        setUserMemoryRegion: { ckvm_set_user_memory_region($0, $1) },
        getDirtyLog: { ckvm_get_dirty_log($0, $1, $2) },
        setTSSAddress: { ckvm_set_tss_addr($0, $1) },
        setIdentityMapAddress: { ckvm_set_identity_map_addr($0, $1) },
        createIRQChip: { ckvm_create_irqchip($0) },
        createPIT2: { ckvm_create_pit2($0) },
        irqLine: { ckvm_irq_line($0, $1, $2) },
        irqFD: { ckvm_irqfd($0, $1, $2, $3, $4 ? 1 : 0) },
        ioEventFD: { ckvm_ioeventfd($0, $1, $2, $3, $4 == nil ? 0 : 1, $4 ?? 0, $5 ? 1 : 0) },
        createVCPU: { ckvm_create_vcpu($0, $1) },
        mapRunArea: { fd, size in
            let area = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
            return area == MAP_FAILED ? nil : area
        },
        unmapRunArea: { munmap($0, $1) },
        setCPUID: { ckvm_set_cpuid2($0, $1, $2) },
        getRegisters: { ckvm_get_regs($0, $1) },
        setRegisters: { ckvm_set_regs($0, $1) },
        getSpecialRegisters: { ckvm_get_sregs($0, $1) },
        setSpecialRegisters: { ckvm_set_sregs($0, $1) },
        setFPU: { ckvm_set_fpu($0, $1) },
        setXCR0: { ckvm_set_xcr0($0, $1) },
        run: { ckvm_run($0) },
        getVCPUState: { ckvm_get_vcpu_state($0, $1, $2) },
        setVCPUState: { ckvm_set_vcpu_state($0, $1, $2) },
        getVMState: { ckvm_get_vm_state($0, $1, $2) },
        setVMState: { ckvm_set_vm_state($0, $1, $2) },
        getMSRIndexList: { ckvm_get_msr_index_list($0, $1, $2) },
        getMSRs: { ckvm_get_msrs($0, $1, $2, $3) },
        setMSRs: { ckvm_set_msrs($0, $1, $2, $3) }
    )

    /// The one syscall helper: runs `call`, retries while it fails with EINTR, and turns
    /// any other failure into `KVMError.syscallFailed` naming `operation`.
    @discardableResult
    func checked(_ operation: String, _ call: () -> Int32) throws -> Int32 {
        while true {
            let result = call()
            if result >= 0 { return result }
            let err = errno()
            if err != EINTR { throw KVMError.syscallFailed(operation: operation, errno: err) }
        }
    }
}

/// A file descriptor owned by exactly one object and closed when that object goes away.
final class OwnedDescriptor {
    let rawValue: Int32
    private let syscalls: KVMSyscalls

    init(_ rawValue: Int32, syscalls: KVMSyscalls) {
        self.rawValue = rawValue
        self.syscalls = syscalls
    }

    deinit { _ = syscalls.close(rawValue) }
}
