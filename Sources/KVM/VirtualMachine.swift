// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM
import GuestMemory

/// One virtual machine (the fd from KVM_CREATE_VM): memory slots, in-kernel interrupt
/// controllers and timer, vCPU creation. Owns the VM descriptor.
public final class VirtualMachine {
    let descriptor: OwnedDescriptor
    let system: KVMSystem
    var syscalls: KVMSyscalls { system.syscalls }

    init(descriptor: OwnedDescriptor, system: KVMSystem) {
        self.descriptor = descriptor
        self.system = system
    }

    /// Makes `region` guest RAM in memory slot `slot` (KVM_SET_USER_MEMORY_REGION). With
    /// `logDirtyPages` KVM records the pages the guest writes (`takeDirtyLog`); mapping
    /// the same region in the same slot again turns that on or off while the guest runs.
    public func map(_ region: GuestMemoryRegion, slot: UInt32, logDirtyPages: Bool = false) throws {
        var description = kvm_userspace_memory_region(
            slot: slot, flags: logDirtyPages ? CKVM_MEM_LOG_DIRTY_PAGES : 0, guest_phys_addr: region.start.rawValue,
            memory_size: region.size, userspace_addr: UInt64(UInt(bitPattern: region.hostAddress)))
        try syscalls.checked("KVM_SET_USER_MEMORY_REGION(slot \(slot) at \(region.start)\(logDirtyPages ? ", logging dirty pages" : ""))") {
            syscalls.setUserMemoryRegion(descriptor.rawValue, &description)
        }
    }

    /// The pages of slot `slot` (`size` bytes, mapped with `logDirtyPages`) the guest
    /// wrote since the logging began or since the last call (KVM_GET_DIRTY_LOG, which
    /// clears the log). Writes the VMM or another process makes are not in it.
    public func takeDirtyLog(slot: UInt32, size: UInt64) throws -> DirtyPageLog {
        let pages = (size + DirtyPageLog.pageSize - 1) / DirtyPageLog.pageSize
        var words = [UInt64](repeating: 0, count: Int((pages + 63) / 64))
        if words.isEmpty { return DirtyPageLog(words: [], pageCount: 0) }
        try syscalls.checked("KVM_GET_DIRTY_LOG(slot \(slot))") {
            words.withUnsafeMutableBufferPointer { syscalls.getDirtyLog(descriptor.rawValue, slot, $0.baseAddress!) }
        }
        return DirtyPageLog(words: words, pageCount: pages)
    }

    /// Three pages of guest-physical space KVM may use for the real-mode TSS (KVM_SET_TSS_ADDR).
    public func setTSSAddress(_ address: GuestAddress) throws {
        try syscalls.checked("KVM_SET_TSS_ADDR(\(address))") { syscalls.setTSSAddress(descriptor.rawValue, address.rawValue) }
    }

    /// One page for KVM's identity-map page table (KVM_SET_IDENTITY_MAP_ADDR).
    public func setIdentityMapAddress(_ address: GuestAddress) throws {
        try syscalls.checked("KVM_SET_IDENTITY_MAP_ADDR(\(address))") {
            syscalls.setIdentityMapAddress(descriptor.rawValue, address.rawValue)
        }
    }

    /// In-kernel PIC, IOAPIC and local APICs (KVM_CREATE_IRQCHIP); before any vCPU.
    public func createInterruptController() throws {
        try syscalls.checked("KVM_CREATE_IRQCHIP") { syscalls.createIRQChip(descriptor.rawValue) }
    }

    /// In-kernel i8254 timer (KVM_CREATE_PIT2).
    public func createProgrammableIntervalTimer() throws {
        try syscalls.checked("KVM_CREATE_PIT2") { syscalls.createPIT2(descriptor.rawValue) }
    }

    /// Drives interrupt line `irq` of the in-kernel irqchip to `asserted` (KVM_IRQ_LINE).
    public func setInterruptLine(_ irq: UInt32, asserted: Bool) throws {
        try syscalls.checked("KVM_IRQ_LINE(\(irq))") { syscalls.irqLine(descriptor.rawValue, irq, asserted ? 1 : 0) }
    }

    /// Binds `eventDescriptor` to interrupt line `gsi` (KVM_IRQFD): writing 1 to it raises
    /// the line without a system call on this side. With `resampleDescriptor` the line is
    /// level-triggered: KVM lowers it when the guest ends the interrupt (EOI) and signals
    /// `resampleDescriptor`, so the device can raise it again if it is still pending.
    public func bindInterrupt(_ eventDescriptor: Int32, line gsi: UInt32, resampleDescriptor: Int32? = nil) throws {
        try syscalls.checked("KVM_IRQFD(fd \(eventDescriptor) -> GSI \(gsi))") {
            syscalls.irqFD(descriptor.rawValue, eventDescriptor, gsi, resampleDescriptor ?? -1, false)
        }
    }

    public func unbindInterrupt(_ eventDescriptor: Int32, line gsi: UInt32) throws {
        try syscalls.checked("KVM_IRQFD deassign(fd \(eventDescriptor), GSI \(gsi))") {
            syscalls.irqFD(descriptor.rawValue, eventDescriptor, gsi, -1, true)
        }
    }

    /// Makes a guest write of `length` bytes at MMIO `address` (only of the value
    /// `datamatch`, when given) signal `eventDescriptor` inside the kernel (KVM_IOEVENTFD):
    /// a queue notification then reaches a backend without an exit to the VMM.
    public func bindWrite(at address: GuestAddress, length: UInt32, datamatch: UInt64?, to eventDescriptor: Int32) throws {
        try syscalls.checked("KVM_IOEVENTFD(\(address), \(length) bytes -> fd \(eventDescriptor))") {
            syscalls.ioEventFD(descriptor.rawValue, address.rawValue, length, eventDescriptor, datamatch, false)
        }
    }

    public func unbindWrite(at address: GuestAddress, length: UInt32, datamatch: UInt64?, from eventDescriptor: Int32) throws {
        try syscalls.checked("KVM_IOEVENTFD deassign(\(address), fd \(eventDescriptor))") {
            syscalls.ioEventFD(descriptor.rawValue, address.rawValue, length, eventDescriptor, datamatch, true)
        }
    }

    /// Reads the in-kernel irqchip (both PICs, the IOAPIC), the PIT and kvmclock. Only
    /// while no vCPU runs.
    public func saveState() throws -> VirtualMachineState {
        var parts: [VirtualMachineStateKind: KernelStateBytes] = [:]
        for kind in VirtualMachineStateKind.allCases {
            var bytes = [UInt8](repeating: 0, count: kind.size)
            try syscalls.checked(kind.operation("GET")) {
                bytes.withUnsafeMutableBytes { syscalls.getVMState(descriptor.rawValue, kind.raw, $0.baseAddress!) }
            }
            parts[kind] = KernelStateBytes(bytes)
        }
        return VirtualMachineState(parts: parts)
    }

    /// Writes `state` into a new VM whose irqchip and PIT exist: the PIT, the clock, then
    /// the interrupt controllers (Firecracker's order).
    public func restoreState(_ state: VirtualMachineState) throws {
        for kind in [VirtualMachineStateKind.pit2, .clock, .picMaster, .picSlave, .ioapic] {
            guard let part = state.parts[kind] else { throw KVMError.stateSizeMismatch(part: kind.rawValue, found: 0, expected: kind.size) }
            guard part.bytes.count == kind.size else {
                throw KVMError.stateSizeMismatch(part: kind.rawValue, found: part.bytes.count, expected: kind.size)
            }
            try syscalls.checked(kind.operation("SET")) {
                part.bytes.withUnsafeBytes { syscalls.setVMState(descriptor.rawValue, kind.raw, $0.baseAddress!) }
            }
        }
    }

    public func makeVCPU(id: UInt32) throws -> VCPU {
        let size = try system.vcpuRunAreaSize()
        let fd = try syscalls.checked("KVM_CREATE_VCPU(\(id))") { syscalls.createVCPU(self.descriptor.rawValue, Int32(bitPattern: id)) }
        let vcpuDescriptor = OwnedDescriptor(fd, syscalls: syscalls)
        guard let area = syscalls.mapRunArea(fd, size) else {
            throw KVMError.syscallFailed(operation: "mmap of the kvm_run area of vCPU \(id)", errno: syscalls.errno())
        }
        return VCPU(id: id, descriptor: vcpuDescriptor, runArea: area, runAreaSize: size, machine: self)
    }
}
