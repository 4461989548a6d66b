// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM
import GuestMemory
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One virtual CPU (the fd from KVM_CREATE_VCPU) and its shared kvm_run area. Owns both.
/// `run()` is called from one thread at a time; `requestStop()` from any thread.
// @unchecked: the kvm_run area is written by KVM and read by the one thread inside `run()`;
// other threads only set its immediate_exit byte (what KVM expects) and read
// `runningThread` under its Mutex. Every other property is immutable.
public final class VCPU: @unchecked Sendable {
    public let id: UInt32
    let descriptor: OwnedDescriptor
    let runArea: UnsafeMutableRawPointer
    let runAreaSize: Int
    let machine: VirtualMachine
    var syscalls: KVMSyscalls { machine.syscalls }

    /// The thread inside `run()`, so `requestStop()` can signal it; nil outside `run()`,
    /// so a thread that has ended (and been joined) is never signalled.
    private let runningThread = Mutex<pthread_t?>(nil)
    /// The CPUID table last given to `setCPUID`, which a snapshot records.
    private let cpuidTable = Mutex<[CPUIDEntry]>([])

    /// Signal that kicks a vCPU thread out of KVM_RUN; installed once per process.
    static let kickSignal = SIGUSR1
    private static let kickHandlerInstalled: Bool = ckvm_install_kick_handler(kickSignal) == 0

    init(id: UInt32, descriptor: OwnedDescriptor, runArea: UnsafeMutableRawPointer, runAreaSize: Int, machine: VirtualMachine) {
        self.id = id
        self.descriptor = descriptor
        self.runArea = runArea
        self.runAreaSize = runAreaSize
        self.machine = machine
        _ = VCPU.kickHandlerInstalled
    }

    deinit {
        syscalls.unmapRunArea(runArea, runAreaSize)
    }

    private var runState: UnsafeMutablePointer<kvm_run> { runArea.assumingMemoryBound(to: kvm_run.self) }

    public func setCPUID(_ entries: [CPUIDEntry]) throws {
        let table = entries.map(\.kvm)
        _ = try table.withUnsafeBufferPointer { buffer in
            try syscalls.checked("KVM_SET_CPUID2 (vCPU \(id))") {
                syscalls.setCPUID(descriptor.rawValue, buffer.baseAddress!, UInt32(buffer.count))
            }
        }
        cpuidTable.withLock { $0 = entries }
    }

    public func registers() throws -> Registers {
        var regs = kvm_regs()
        try syscalls.checked("KVM_GET_REGS (vCPU \(id))") { syscalls.getRegisters(descriptor.rawValue, &regs) }
        return Registers(regs)
    }

    public func setRegisters(_ registers: Registers) throws {
        var regs = registers.kvm
        try syscalls.checked("KVM_SET_REGS (vCPU \(id))") { syscalls.setRegisters(descriptor.rawValue, &regs) }
    }

    public func specialRegisters() throws -> SpecialRegisters {
        var sregs = kvm_sregs()
        try syscalls.checked("KVM_GET_SREGS (vCPU \(id))") { syscalls.getSpecialRegisters(descriptor.rawValue, &sregs) }
        return SpecialRegisters(sregs)
    }

    public func setSpecialRegisters(_ registers: SpecialRegisters) throws {
        var sregs = registers.kvm
        try syscalls.checked("KVM_SET_SREGS (vCPU \(id))") { syscalls.setSpecialRegisters(descriptor.rawValue, &sregs) }
    }

    public func setFloatingPointState(_ state: FloatingPointState) throws {
        var fpu = kvm_fpu()
        fpu.fcw = state.controlWord
        fpu.mxcsr = state.mxcsr
        try syscalls.checked("KVM_SET_FPU (vCPU \(id))") { syscalls.setFPU(descriptor.rawValue, &fpu) }
    }

    /// The CPUID table the vCPU was given.
    public var cpuid: [CPUIDEntry] { cpuidTable.withLock { $0 } }

    /// Reads everything KVM keeps for this vCPU: `kinds` in order (see
    /// `KVMSystem.vcpuStateKinds`), and the MSRs of `msrIndices` that KVM lets it read
    /// (it refuses some of its own list, e.g. for features this vCPU's CPUID lacks; those
    /// are left out). Only while no thread is inside `run()`.
    public func saveState(kinds: [VCPUStateKind], msrIndices: [UInt32]) throws -> VCPUState {
        var parts: [VCPUStateKind: KernelStateBytes] = [:]
        for kind in kinds {
            var bytes = [UInt8](repeating: 0, count: kind.size)
            try syscalls.checked("\(kind.operation("GET")) (vCPU \(id))") {
                bytes.withUnsafeMutableBytes { syscalls.getVCPUState(descriptor.rawValue, kind.raw, $0.baseAddress!) }
            }
            parts[kind] = KernelStateBytes(bytes)
        }
        var msrs: [MSRValue] = []
        var start = 0
        while start < msrIndices.count {
            let batch = Array(msrIndices[start...])
            var values = [UInt64](repeating: 0, count: batch.count)
            let read = try syscalls.checked("KVM_GET_MSRS (vCPU \(id))") {
                values.withUnsafeMutableBufferPointer { syscalls.getMSRs(descriptor.rawValue, batch, $0.baseAddress!, UInt32(batch.count)) }
            }
            for i in 0..<Int(read) { msrs.append(MSRValue(index: batch[i], value: values[i])) }
            // KVM stops at the first MSR it refuses: leave that one out and go on after it.
            start += Int(read) + 1
        }
        // The pending events last, as Firecracker does: reading the others does not change them.
        if let events = parts.removeValue(forKey: .events) {
            var bytes = events.bytes
            try syscalls.checked("KVM_GET_VCPU_EVENTS (vCPU \(id))") {
                bytes.withUnsafeMutableBytes { syscalls.getVCPUState(descriptor.rawValue, VCPUStateKind.events.raw, $0.baseAddress!) }
            }
            parts[.events] = KernelStateBytes(bytes)
        }
        return VCPUState(id: id, cpuid: cpuid, parts: parts, msrs: msrs)
    }

    /// Writes `state` back into a new vCPU, before its first `run()`: the CPUID first,
    /// then each part in `kinds` order, the MSRs before the pending events. Throws when a
    /// part's size differs from this kernel's structure. Returns the MSRs KVM refused.
    @discardableResult
    public func restoreState(_ state: VCPUState, kinds: [VCPUStateKind]) throws -> [UInt32] {
        try setCPUID(state.cpuid)
        var refused: [UInt32] = []
        for kind in kinds {
            if kind == .events { refused = try restoreMSRs(state.msrs) }
            guard let part = state.parts[kind] else { continue }
            guard part.bytes.count == kind.size else {
                throw KVMError.stateSizeMismatch(part: kind.rawValue, found: part.bytes.count, expected: kind.size)
            }
            try syscalls.checked("\(kind.operation("SET")) (vCPU \(id))") {
                part.bytes.withUnsafeBytes { syscalls.setVCPUState(descriptor.rawValue, kind.raw, $0.baseAddress!) }
            }
        }
        if !kinds.contains(.events) { refused = try restoreMSRs(state.msrs) }
        return refused
    }

    private func restoreMSRs(_ msrs: [MSRValue]) throws -> [UInt32] {
        var refused: [UInt32] = []
        var start = 0
        while start < msrs.count {
            let batch = Array(msrs[start...])
            let indices = batch.map(\.index), values = batch.map(\.value)
            let written = try syscalls.checked("KVM_SET_MSRS (vCPU \(id))") {
                syscalls.setMSRs(descriptor.rawValue, indices, values, UInt32(batch.count))
            }
            if Int(written) < batch.count { refused.append(indices[Int(written)]) }
            start += Int(written) + 1
        }
        return refused
    }

    /// Whether a thread is inside `run()` now.
    public var isRunning: Bool { runningThread.withLock { $0 != nil } }

    /// Runs the vCPU until the next exit (KVM_RUN). EINTR is not retried here: it is how
    /// `requestStop()` reaches a vCPU blocked in the kernel, and comes back as `.interrupted`.
    public func run() throws -> VCPUExit {
        runningThread.withLock { $0 = pthread_self() }
        defer { runningThread.withLock { $0 = nil } }
        if syscalls.run(descriptor.rawValue) < 0 {
            let err = syscalls.errno()
            if err == EINTR || err == EAGAIN { return .interrupted }
            throw KVMError.syscallFailed(operation: "KVM_RUN (vCPU \(id))", errno: err)
        }
        var exit = ckvm_exit()
        ckvm_read_exit(runState, &exit)
        return decode(exit)
    }

    func decode(_ exit: ckvm_exit) -> VCPUExit {
        switch exit.reason {
        case CKVM_EXIT_IO:
            let size = Int(exit.io_size)
            let length = size * Int(exit.io_count)
            let offset = Int(exit.io_data_offset)
            guard offset >= 0, length >= 0, offset <= runAreaSize - length else { return .unknown(reason: exit.reason) }
            let data = UnsafeMutableRawBufferPointer(start: runArea + offset, count: length)
            if exit.io_direction == CKVM_EXIT_IO_IN {
                return .ioIn(port: exit.io_port, size: size, data: data)
            }
            return .ioOut(port: exit.io_port, size: size, data: UnsafeRawBufferPointer(data))
        case CKVM_EXIT_MMIO:
            let data = UnsafeMutableRawBufferPointer(start: ckvm_mmio_data(runState), count: min(Int(exit.mmio_length), 8))
            let address = GuestAddress(exit.mmio_address)
            return exit.mmio_is_write != 0 ? .mmioWrite(address: address, data: UnsafeRawBufferPointer(data))
                : .mmioRead(address: address, data: data)
        case CKVM_EXIT_HLT:
            return .halt
        case CKVM_EXIT_SHUTDOWN:
            return .shutdown
        case CKVM_EXIT_FAIL_ENTRY:
            return .failEntry(reason: exit.fail_entry_reason, cpu: exit.fail_entry_cpu)
        case CKVM_EXIT_INTERNAL_ERROR:
            let data = withUnsafeBytes(of: exit.internal_data) { Array($0.bindMemory(to: UInt64.self).prefix(Int(exit.internal_ndata))) }
            return .internalError(InternalError(suberror: exit.internal_suberror, data: data))
        case CKVM_EXIT_SYSTEM_EVENT:
            switch exit.system_event_type {
            case CKVM_SYSTEM_EVENT_SHUTDOWN: return .systemEvent(.shutdown)
            case CKVM_SYSTEM_EVENT_RESET: return .systemEvent(.reset)
            default: return .systemEvent(.other(type: exit.system_event_type))
            }
        case CKVM_EXIT_INTR:
            return .interrupted
        default:
            return .unknown(reason: exit.reason)
        }
    }

    /// Lets `run()` enter the guest again after `requestStop()` (clears immediate_exit).
    /// Call from the thread that calls `run()`, between runs.
    public func clearStopRequest() {
        ckvm_set_immediate_exit(runState, 0)
    }

    /// Makes this vCPU's current and every later `run()` return `.interrupted` soon:
    /// sets kvm_run.immediate_exit (seen on entry) and signals the thread inside KVM_RUN.
    public func requestStop() {
        ckvm_set_immediate_exit(runState, 1)
        runningThread.withLock { thread in
            if let thread { pthread_kill(thread, VCPU.kickSignal) }
        }
    }
}
