// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import GuestMemory
import KVM
import Loader
import Snapshot
import VhostUser
#if canImport(Glibc)
import Glibc
#endif

/// What to build: the kernel, its inputs, and the machine's size.
public struct MachineConfiguration: Sendable {
    public enum KernelFormat: Sendable, Equatable {
        /// ELF (PVH or Linux vmlinux) or Linux bzImage, recognised from the bytes.
        case detect
        /// A flat binary loaded at 1 MiB and entered there in the given mode.
        case flat(BootEntry.Mode)
    }

    public enum SerialOutput: Sendable, Equatable {
        case standardOutput
        case file(String)
    }

    public var kernelPath: String
    public var kernelFormat: KernelFormat = .detect
    public var initrdPath: String?
    public var commandLine: String = ""
    public var memorySize: UInt64 = 256 << 20
    public var vcpuCount: Int = 1
    public var serialOutput: SerialOutput = .standardOutput
    /// Feed stdin to the serial port.
    public var serialInput = true
    public var kvmPath = "/dev/kvm"
    /// Virtio-mmio devices, announced to the guest on the kernel command line.
    public var virtioDevices: [VirtioDeviceSpecification] = []

    public init(kernelPath: String) { self.kernelPath = kernelPath }
}

/// Why a machine could not be built: one case per step of `MachineBuilder.build`.
public enum MachineError: Error, CustomStringConvertible {
    case memorySizeTooSmall(UInt64, minimum: UInt64)
    case vcpuCountOutOfRange(Int, maximum: Int)
    case openKVM(KVMError)
    case checkCapabilities(KVMError)
    case createVM(KVMError)
    case configureVM(KVMError)
    case allocateMemory(GuestMemoryError)
    case registerMemory(KVMError)
    case readFile(what: String, path: String, errno: Int32)
    case loadKernel(path: String, Error)
    case kernelOutsideLayout(path: String, what: String, limit: String)
    case writePlatformTables(Error)
    case writeBootTables(GuestMemoryError)
    case openSerialOutput(path: String, errno: Int32)
    case attachDevices(Error)
    case attachVirtioDevices(Error)
    case createVCPU(id: UInt32, KVMError)
    case configureVCPU(id: UInt32, KVMError)
    /// The snapshot to restore is unreadable, corrupt, of another version or another host.
    case readSnapshot(SnapshotError)
    case restoreState(KVMError)
    /// The incoming migration could not be received (the transport, or a refused stream).
    case migration(MigrationError)

    public var description: String {
        switch self {
        case let .memorySizeTooSmall(size, minimum):
            return "--memory: \(size >> 20) MiB is too small; the machine needs at least \(minimum >> 20) MiB"
        case let .vcpuCountOutOfRange(count, maximum):
            return "--vcpus: \(count) is out of range; KVM here allows 1 to \(maximum)"
        case let .openKVM(error): return "\(error)"
        case let .checkCapabilities(error): return "checking KVM capabilities: \(error)"
        case let .createVM(error): return "creating the VM: \(error)"
        case let .configureVM(error): return "configuring the VM: \(error)"
        case let .allocateMemory(error): return "allocating guest memory: \(error)"
        case let .registerMemory(error): return "registering guest memory with KVM: \(error)"
        case let .readFile(what, path, err): return "\(path): cannot read the \(what): \(String(cString: strerror(err)))"
        case let .loadKernel(path, error): return "\(path): \(error)"
        case let .kernelOutsideLayout(path, what, limit): return "\(path): \(what); \(limit)"
        case let .writePlatformTables(error): return "writing the ACPI tables: \(error)"
        case let .writeBootTables(error): return "writing the boot GDT, page tables and reset vector: \(error)"
        case let .openSerialOutput(path, err): return "\(path): cannot open for serial output: \(String(cString: strerror(err)))"
        case let .attachDevices(error): return "attaching devices: \(error)"
        case let .attachVirtioDevices(error): return "attaching virtio devices: \(error)"
        case let .createVCPU(id, error): return "creating vCPU \(id): \(error)"
        case let .configureVCPU(id, error): return "configuring vCPU \(id): \(error)"
        case let .readSnapshot(error): return "\(error)"
        case let .restoreState(error): return "restoring the VM's state: \(error)"
        case let .migration(error): return "\(error)"
        }
    }
}

/// Builds a machine as a linear recipe; each step fails with its own `MachineError` case.
public enum MachineBuilder {
    public static func build(_ configuration: MachineConfiguration) throws -> Machine {
        // 1. Sizes.
        guard configuration.memorySize >= Layout.minimumMemorySize else {
            throw MachineError.memorySizeTooSmall(configuration.memorySize, minimum: Layout.minimumMemorySize)
        }

        // 2. KVM and what Candor needs of it.
        let system: KVMSystem
        do { system = try KVMSystem(path: configuration.kvmPath) } catch let error as KVMError { throw MachineError.openKVM(error) }
        let maximumVCPUs: Int
        do {
            try system.require([.irqChip, .pit2, .userMemory, .setTSSAddress, .setIdentityMapAddress, .extendedCPUID, .immediateExit,
                                .ioEventFD])
            // The MADT has 8-bit APIC IDs.
            maximumVCPUs = min(Int(try system.check(.maximumVCPUs)), ACPITables.maximumVCPUs)
        } catch let error as KVMError { throw MachineError.checkCapabilities(error) }
        guard (1...maximumVCPUs).contains(configuration.vcpuCount) else {
            throw MachineError.vcpuCountOutOfRange(configuration.vcpuCount, maximum: maximumVCPUs)
        }

        // 3. The VM with its in-kernel interrupt controllers and timer.
        let virtualMachine = try makeVirtualMachine(system)

        // 4. Guest RAM, around the PCI hole.
        let memory: GuestMemory
        do {
            // Shareable (file-backed) when a vhost-user backend process must map it.
            memory = try GuestMemory(ranges: Layout.memoryRanges(memorySize: configuration.memorySize),
                                     shareable: configuration.virtioDevices.contains { $0.usesVhostUser })
        } catch let error as GuestMemoryError { throw MachineError.allocateMemory(error) }
        do {
            for (slot, region) in memory.regions.enumerated() { try virtualMachine.map(region, slot: UInt32(slot)) }
        } catch let error as KVMError { throw MachineError.registerMemory(error) }

        // 4b. Virtio-mmio devices (their backends connected), announced on the command line.
        let mmioBus = IOBus()
        let virtio = try attachVirtioDevices(configuration.virtioDevices, memory: memory, bus: mmioBus, system: system,
                                             virtualMachine: virtualMachine)
        let commandLine = [configuration.commandLine, virtio.kernelCommandLine].filter { !$0.isEmpty }.joined(separator: " ")

        // 5. Platform tables: ACPI describes the CPUs, interrupt controllers and virtio devices.
        let memoryMap = Layout.memoryMap(memorySize: configuration.memorySize)
        let rsdpAddress = try writePlatformTables(vcpuCount: configuration.vcpuCount, devices: virtio.acpiDevices,
                                                  into: memory)

        // 6. The kernel (and initrd) with its boot protocol's structures.
        let kernelBytes = try readFile(configuration.kernelPath, what: "kernel")
        let initrd = try configuration.initrdPath.map { try readFile($0, what: "initrd") }
        var bootConfiguration = BootConfiguration(
            memoryMap: memoryMap, commandLine: commandLine, commandLineAddress: Layout.commandLineAddress,
            initrd: initrd, bootParamsAddress: Layout.zeroPageAddress, startInfoAddress: Layout.pvhStartInfoAddress,
            rsdpAddress: rsdpAddress)
        bootConfiguration.kernelFloor = Layout.highMemoryStart
        let entry: BootEntry
        do {
            var flat: (address: GuestAddress, mode: BootEntry.Mode)?
            if case let .flat(mode) = configuration.kernelFormat { flat = (Layout.highMemoryStart, mode) }
            entry = try KernelImage.detect(kernelBytes, flat: flat).load(into: memory, configuration: bootConfiguration)
        } catch { throw MachineError.loadKernel(path: configuration.kernelPath, error) }
        // The boot page tables identity-map only so much of what was loaded.
        guard entry.highestAddress.rawValue <= Layout.identityMappedSize else {
            throw MachineError.kernelOutsideLayout(path: configuration.kernelPath, what: "it ends at \(entry.highestAddress)",
                                                   limit: "the boot page tables map up to \(GuestAddress(Layout.identityMappedSize))")
        }

        // 7. The GDT and identity page tables the boot vCPU starts with, and the reset vector.
        do {
            try BootCPU.writeGlobalDescriptorTable(into: memory)
            try BootCPU.writeIdentityPageTables(into: memory)
            try memory.write(ResetVector.code, at: Layout.resetVectorAddress)
        } catch let error as GuestMemoryError { throw MachineError.writeBootTables(error) }

        // 8. Devices on the port bus; the UART's interrupt goes to the in-kernel irqchip.
        let console = try SerialConsole(output: configuration.serialOutput)
        let uart = Serial16550 { console.write($0) }
        let keyboardController = I8042()
        let portBus = try makePortBus(virtualMachine: virtualMachine, uart: uart, keyboardController: keyboardController)

        // 9. vCPUs: all get CPUID; the boot vCPU gets the entry state. The others wait
        // in the in-kernel local APIC for the guest to start them (INIT/SIPI).
        let supportedCPUID: [CPUIDEntry]
        do { supportedCPUID = try system.supportedCPUID() } catch let error as KVMError { throw MachineError.checkCapabilities(error) }
        var vcpus: [VCPU] = []
        for index in 0..<configuration.vcpuCount {
            let id = UInt32(index)
            let vcpu: VCPU
            do { vcpu = try virtualMachine.makeVCPU(id: id) } catch let error as KVMError { throw MachineError.createVCPU(id: id, error) }
            do {
                let cpuid = BootCPU.cpuid(supported: supportedCPUID, vcpuID: id)
                try vcpu.setCPUID(cpuid)
                // KVM's XCR0 matches the features offered, so leaf 0xD's sizes do too.
                try vcpu.setXCR0(XSAVELeaf.offeredXCR0(cpuid))
                if id == 0 {
                    let mode: BootCPU.Mode = entry.mode == .long64 ? .long64 : .protected32
                    try vcpu.setSpecialRegisters(BootCPU.specialRegisters(for: mode, from: try vcpu.specialRegisters()))
                    try vcpu.setRegisters(BootCPU.registers(entry: entry.entry, rsi: entry.rsi, rbx: entry.rbx))
                    try vcpu.setFloatingPointState(.initial)
                }
            } catch let error as KVMError { throw MachineError.configureVCPU(id: id, error) }
            vcpus.append(vcpu)
        }

        func hex(_ value: some BinaryInteger) -> String { "0x" + String(value, radix: 16) }
        let deviceDescriptions = [
            "serial: 16550 UART at port \(hex(Layout.serialPort)), irq \(Layout.serialInterrupt)",
            "i8042: reset line at port \(hex(Layout.i8042Port))",
            "debug-exit: port \(hex(Layout.debugExitPort))",
            "acpi-sleep: port \(hex(Layout.sleepControlPort))",
        ] + zip(virtio.slots, configuration.virtioDevices).map { slot, specification in
            "virtio-mmio at \(slot.base), irq \(slot.irq): \(specification)"
        }
        return Machine(system: system, virtualMachine: virtualMachine, memory: memory, vcpus: vcpus,
                       portBus: portBus, mmioBus: mmioBus, console: console, uart: uart, keyboardController: keyboardController,
                       virtioDevices: Array(zip(configuration.virtioDevices, virtio.devices)),
                       serialInput: configuration.serialInput, deviceDescriptions: deviceDescriptions)
    }

    /// The devices on the port bus; the UART's interrupt goes to the in-kernel irqchip.
    /// The VM with its in-kernel interrupt controllers and timer, at our layout's TSS and
    /// identity-map addresses: what a booted and a restored machine both start from.
    static func makeVirtualMachine(_ system: KVMSystem) throws -> VirtualMachine {
        let virtualMachine: VirtualMachine
        do { virtualMachine = try system.makeVirtualMachine() } catch let error as KVMError { throw MachineError.createVM(error) }
        do {
            try virtualMachine.setTSSAddress(Layout.tssAddress)
            try virtualMachine.setIdentityMapAddress(Layout.identityMapAddress)
            try virtualMachine.createInterruptController()
            try virtualMachine.createProgrammableIntervalTimer()
        } catch let error as KVMError { throw MachineError.configureVM(error) }
        return virtualMachine
    }

    static func makePortBus(virtualMachine: VirtualMachine, uart: Serial16550, keyboardController: I8042) throws -> IOBus {
        let portBus = IOBus { line, asserted in try virtualMachine.setInterruptLine(line, asserted: asserted) }
        do {
            try portBus.insert(uart, base: UInt64(Layout.serialPort), length: Layout.serialPortCount, interrupt: Layout.serialInterrupt)
            try portBus.insert(keyboardController, base: UInt64(Layout.i8042Port), length: Layout.i8042PortCount)
            try portBus.insert(DebugExit(), base: UInt64(Layout.debugExitPort), length: Layout.debugExitPortCount)
            try portBus.insert(SleepControl(), base: UInt64(Layout.sleepControlPort), length: Layout.sleepControlPortCount)
        } catch { throw MachineError.attachDevices(error) }
        return portBus
    }

    /// The virtio-mmio devices (their backends connected or started) on `bus`: vhost-user
    /// queue notifications bound with KVM_IOEVENTFD, their interrupts with level-triggered
    /// irqfds where KVM can resample them, else every line through KVM_IRQ_LINE.
    static func attachVirtioDevices(_ specifications: [VirtioDeviceSpecification], memory: GuestMemory, bus: IOBus,
                                    system: KVMSystem, virtualMachine: VirtualMachine) throws -> VirtioDeviceAttachment {
        do {
            let resampling = (try? system.check(.irqFD)) ?? 0 > 0 && (try? system.check(.irqFDResample)) ?? 0 > 0
            return try VirtioDeviceAttachment.attach(specifications, memory: memory, bus: bus,
                                                     bindNotification: { address, queue, fd in
                try virtualMachine.bindWrite(at: address, length: 4, datamatch: queue, to: fd)
            }, bindInterrupt: resampling ? { line, event, resample in
                try virtualMachine.bindInterrupt(event, line: line, resampleDescriptor: resample)
            } : nil) { line, asserted in
                try virtualMachine.setInterruptLine(line, asserted: asserted)
            }
        } catch { throw MachineError.attachVirtioDevices(error) }
    }

    /// ACPI tables (RSDP first) at `Layout.acpiTablesAddress`; returns the RSDP address.
    static func writePlatformTables(vcpuCount: Int, devices: [VirtioMMIODeviceDescription],
                                    into memory: GuestMemory) throws -> GuestAddress {
        do {
            let tables = try ACPITables(vcpuCount: vcpuCount, devices: devices, sleepControlPort: Layout.sleepControlPort,
                                        resetRegister: ResetVector.register)
            let bytes = tables.bytes(at: Layout.acpiTablesAddress)
            guard UInt64(bytes.count) <= Layout.acpiTablesCapacity else {
                throw GuestMemoryError.outOfBounds(address: Layout.acpiTablesAddress, length: UInt64(bytes.count))
            }
            try memory.write(bytes, at: Layout.acpiTablesAddress)
        } catch {
            throw MachineError.writePlatformTables(error)
        }
        return Layout.acpiTablesAddress
    }

    /// The whole file at `path`, read without Foundation.
    static func readFile(_ path: String, what: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MachineError.readFile(what: what, path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MachineError.readFile(what: what, path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw MachineError.readFile(what: what, path: path, errno: info.st_mode & S_IFMT == S_IFDIR ? EISDIR : EINVAL)
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw MachineError.readFile(what: what, path: path, errno: count == 0 ? EIO : errno) }
            done += count
        }
        return bytes
    }
}
