// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Foundation
import GuestMemory
import KVM
import Snapshot
import VhostUser
#if canImport(Glibc)
import Glibc
#endif

/// The machine's part of a snapshot, `state.json`: what KVM keeps for every vCPU and for
/// the VM, and the registers of the devices. Guest memory is the snapshot's memory file.
struct MachineState: Codable, Equatable {
    /// The vCPU parts in the order they were read and must be written back.
    var vcpuStateKinds: [VCPUStateKind]
    var vcpus: [VCPUState]
    var virtualMachine: VirtualMachineState
    var serial: Serial16550.State
    var i8042: I8042.State
    /// The built-in virtio devices, in their slots' order.
    var virtio: [VirtioDeviceState]

    /// One virtio-mmio device: how to make it (a `--device` value) and its transport's state.
    struct VirtioDeviceState: Codable, Equatable {
        var device: String
        var transport: VirtioMMIODevice.State
    }

    enum CodingKeys: String, CodingKey {
        case vcpuStateKinds = "vcpu_state_order", vcpus, virtualMachine = "vm", serial, i8042, virtio
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    /// The SHA-256 of a CPUID table as the manifest records it (of its packed records).
    static func cpuidHash(_ entries: [CPUIDEntry]) -> String {
        SnapshotFormat.sha256(CPUIDEntry.packed(entries))
    }

    /// The sizes of the kernel structures this build moves, by part name.
    static func kernelStructureSizes() -> [String: Int] {
        var sizes: [String: Int] = [:]
        for kind in VCPUStateKind.allCases { sizes[kind.rawValue] = kind.size }
        for kind in VirtualMachineStateKind.allCases { sizes[kind.rawValue] = kind.size }
        return sizes
    }
}

/// How a snapshot or restore went: how long each step took, how big the memory is, and
/// what KVM would not take back.
public struct SnapshotReport: Equatable, Sendable {
    /// Reading the state out of KVM and the devices.
    public var stateNanoseconds: UInt64 = 0
    /// Writing (or reading and checking) the files.
    public var filesNanoseconds: UInt64 = 0
    /// Bytes of the memory file that hold data (the rest are holes).
    public var memoryBytes: UInt64 = 0
    public var memoryDataBytes: UInt64 = 0
    /// Restore: the saved MSRs KVM refused to set, by vCPU (none expected on the host
    /// that wrote the snapshot).
    public var refusedMSRs: [UInt32: [UInt32]] = [:]

    /// One line for a log, nil when nothing was refused.
    public var refusalWarning: String? {
        guard !refusedMSRs.isEmpty else { return nil }
        let list = refusedMSRs.sorted { $0.key < $1.key }.map { vcpu, msrs in
            "vCPU \(vcpu): " + msrs.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
        }
        return "restore: KVM refused to set these saved MSRs, which keep their reset values: " + list.joined(separator: "; ")
    }
}

public enum SnapshotCreationError: Error, CustomStringConvertible {
    /// The machine is not paused, or has devices whose state is not saved (answered 409).
    case refused(String)
    case readState(KVMError)
    case write(SnapshotError)

    public var description: String {
        switch self {
        case let .refused(reason): return reason
        case let .readState(error): return "reading the VM's state: \(error)"
        case let .write(error): return "\(error)"
        }
    }
}

extension Machine {
    /// Writes a snapshot of the paused machine to the new directory `path` (see
    /// SnapshotManifest). The vCPUs stay parked meanwhile: a `resume` waits until it is
    /// written. Throws `.refused` unless the machine is paused and every vhost-user
    /// backend has answered every request it took (see `stoppedRingPositions`).
    @discardableResult
    public func snapshot(to path: String) throws(SnapshotCreationError) -> SnapshotReport {
        do {
            return try whilePaused { try writeSnapshot(to: path) }
        } catch let error as ControlError {
            throw .refused(error == .notPaused ? "the VM must be paused for a snapshot; pause it first" : "\(error)")
        } catch let error as SnapshotCreationError {
            throw error
        } catch {
            throw .refused("\(error)")
        }
    }

    private func writeSnapshot(to path: String) throws(SnapshotCreationError) -> SnapshotReport {
        // The memory file is written while the backends' rings are stopped.
        defer { restartStoppedRings() }
        var timings = SnapshotReport()
        let started = Self.monotonicNanoseconds()
        let machineState = try captureState()
        let stateBytes: [UInt8]
        do { stateBytes = try machineState.encoded() } catch { throw .refused("encoding the state: \(error)") }
        let facts = snapshotFacts(cpuid: machineState.vcpus.first?.cpuid ?? [])
        let written = Self.monotonicNanoseconds()
        timings.stateNanoseconds = written - started
        let regions = memory.regions.map { UnsafeRawBufferPointer(start: $0.hostAddress, count: Int($0.size)) }
        do { _ = try SnapshotWriter.write(to: path, facts: facts, state: stateBytes, memory: regions) } catch { throw .write(error) }
        timings.filesNanoseconds = Self.monotonicNanoseconds() - written
        timings.memoryBytes = memory.totalSize
        var info = stat()
        if stat(path + "/" + SnapshotFormat.memoryName, &info) == 0 { timings.memoryDataBytes = UInt64(info.st_blocks) * 512 }
        return timings
    }

    /// The state of the paused machine (KVM's, the devices', the vhost-user rings'): the
    /// one capture that a snapshot and a migration both send. It leaves the vhost-user
    /// rings stopped; `restartStoppedRings` starts them when the VM goes on here.
    func captureState() throws(SnapshotCreationError) -> MachineState {
        do {
            let kinds = try system.vcpuStateKinds()
            let msrIndices = try system.msrIndexList()
            let vcpuStates = try vcpus.map { try $0.saveState(kinds: kinds, msrIndices: msrIndices) }
            return MachineState(
                vcpuStateKinds: kinds, vcpus: vcpuStates, virtualMachine: try virtualMachine.saveState(),
                serial: try portBus.withDevice(uart) { $0.state }, i8042: try portBus.withDevice(keyboardController) { $0.state },
                virtio: try virtioDevices.map { specification, device in
                    var transport = try mmioBus.withDevice(device) { $0.state }
                    if let frontend = device.backend as? VhostUserFrontend {
                        transport = try stoppedRingPositions(transport, frontend: frontend, device: "\(specification)")
                    }
                    return MachineState.VirtioDeviceState(device: "\(specification)", transport: transport)
                })
        } catch let error as KVMError {
            throw .readState(error)
        } catch let error as SnapshotCreationError {
            throw error
        } catch {
            throw .refused("reading the devices' state: \(error)")
        }
    }

    /// What a restore or a migration destination checks before it takes the state.
    func snapshotFacts(cpuid: [CPUIDEntry]) -> SnapshotFacts {
        SnapshotFacts(
            vcpuCount: vcpus.count,
            memoryRegions: memory.regions.map { SnapshotMemoryRegion(start: $0.start.rawValue, size: $0.size) },
            kvmAPIVersion: KVMSystem.apiVersion, cpuidSHA256: MachineState.cpuidHash(cpuid),
            kernelStructureSizes: MachineState.kernelStructureSizes(), devices: deviceDescriptions)
    }
}

extension Machine {
    /// How long a snapshot waits for a vhost-user backend to answer the requests it took.
    static let backendDrainNanoseconds: UInt64 = 2_000_000_000

    /// A vhost-user device's ring positions are in its backend process. Its rings are
    /// stopped (GET_VRING_BASE answers each ring's next available index; a network
    /// device's receive queue then takes no more packets), and this waits until the
    /// backend has answered every request it took before, i.e. the used index in guest
    /// memory reaches that index, up to `backendDrainNanoseconds`. Requests the guest made
    /// available and the backend did not take stay in the ring: a ring that starts again
    /// is kicked once, so the backend takes them then (here or after a restore). The rings
    /// stay stopped until `restartStoppedRings`.
    ///
    /// The saved state also has the used-buffer interrupt pending (`withPendingUsedBufferInterrupt`):
    /// a request answered during this wait, or just before it, reaches the guest as an
    /// interrupt only through the call relay, which sets InterruptStatus and raises the line
    /// on its own thread, after `state` and the irqchip were read. Without it a restored
    /// guest could wait for that completion forever; with it, it at worst takes one
    /// interrupt with no new used buffer, which virtio drivers ignore.
    func stoppedRingPositions(_ state: VirtioMMIODevice.State, frontend: VhostUserFrontend,
                              device: String) throws -> VirtioMMIODevice.State {
        var state = Self.withPendingUsedBufferInterrupt(state)
        let bases = try frontend.suspend()
        let deadline = Self.monotonicNanoseconds() + Self.backendDrainNanoseconds
        // A ring the backend does not run (the device not started) keeps the transport's positions.
        for (index, queue) in state.queues.enumerated() where queue.ready {
            guard let base = bases[index] else { continue }
            while true {
                let used = try memory.load(UInt16.self, at: GuestAddress(queue.deviceArea + 2))
                if used == base {
                    state.queues[index].positions = Virtqueue.Positions(nextAvailable: base, nextUsed: used, usedAtLastSignal: used)
                    break
                }
                guard Self.monotonicNanoseconds() < deadline else {
                    throw SnapshotCreationError.refused(
                        "\(device): queue \(index): the backend took \(base &- used) request(s) and has not answered them within "
                        + "\(Self.backendDrainNanoseconds / 1_000_000_000) s of its rings being stopped")
                }
                usleep(1000)
            }
        }
        return state
    }

    /// Starts the vhost-user rings that `captureState` stopped again: the VM goes on.
    func restartStoppedRings() {
        for (_, device) in virtioDevices {
            (device.backend as? VhostUserFrontend)?.resumeAfterSuspend()
        }
    }

    /// `state` with the used-buffer bit of InterruptStatus set when the driver has started
    /// the device (DRIVER_OK) and a queue is ready; unchanged otherwise.
    static func withPendingUsedBufferInterrupt(_ state: VirtioMMIODevice.State) -> VirtioMMIODevice.State {
        var state = state
        if state.status & VirtioMMIODevice.Status.driverOK != 0, state.queues.contains(where: \.ready) {
            state.interruptStatus |= VirtioMMIODevice.interruptUsedBuffer
        }
        return state
    }
}

/// What to restore: the snapshot and the host side of the machine (where its serial
/// output goes), which a snapshot does not fix.
public struct RestoreConfiguration: Sendable {
    public var snapshotPath: String
    public var serialOutput: MachineConfiguration.SerialOutput = .standardOutput
    public var serialInput = true
    public var kvmPath = "/dev/kvm"

    public init(snapshotPath: String) { self.snapshotPath = snapshotPath }
}

extension MachineBuilder {
    /// Builds a machine from a snapshot instead of a kernel, as a linear recipe like
    /// `build`: the snapshot checked, the VM made as `build` makes it, memory loaded, the
    /// devices' and then KVM's state written back. `run()` continues the guest.
    public static func restore(_ configuration: RestoreConfiguration) throws -> (Machine, SnapshotReport) {
        var timings = SnapshotReport()
        let started = Machine.monotonicNanoseconds()
        // 1. The snapshot: manifest, version, checksums of the state, the memory file's size.
        let snapshot: SnapshotReader
        do { snapshot = try SnapshotReader(directory: configuration.snapshotPath) } catch { throw MachineError.readSnapshot(error) }
        let facts = snapshot.manifest.facts
        let state = try decodeState(snapshot.state, facts: facts, path: snapshot.statePath)

        // 2. KVM, and whether this host can take the state: same structures, same CPUID.
        let system = try openForRestore(kvmPath: configuration.kvmPath)
        try checkCompatibility(facts: facts, state: state, system: system, manifestPath: snapshot.manifestPath,
                               statePath: snapshot.statePath)

        // 3. Guest RAM with the snapshot's layout, loaded from the memory file (its SHA-256 checked).
        let specifications = try virtioSpecifications(state, path: snapshot.statePath)
        let memory = try allocateMemory(facts, specifications: specifications)
        do {
            try snapshot.loadMemory(into: memory.regions.map { UnsafeMutableRawBufferPointer(start: $0.hostAddress, count: Int($0.size)) })
        } catch { throw MachineError.readSnapshot(error) }
        let loaded = Machine.monotonicNanoseconds()
        timings.filesNanoseconds = loaded - started

        // 4. The VM, its devices and vCPUs, and the state written back.
        let machine = try assemble(system: system, facts: facts, state: state, specifications: specifications, memory: memory,
                                   serialOutput: configuration.serialOutput, serialInput: configuration.serialInput,
                                   timings: &timings)
        timings.stateNanoseconds = Machine.monotonicNanoseconds() - loaded
        timings.memoryBytes = memory.totalSize
        return (machine, timings)
    }

    /// The VM with its in-kernel interrupt controllers and timer, the memory in it, its
    /// vCPUs (ids 0 to vcpuCount - 1) and its virtio devices on their bus (backends started
    /// or connected), before any state is written: a migration destination makes them
    /// while the memory rounds come, outside the downtime.
    struct PreparedVM {
        var virtualMachine: VirtualMachine
        var vcpus: [VCPU]
        var mmioBus: IOBus
        var virtio: VirtioDeviceAttachment
    }

    static func prepareVM(_ system: KVMSystem, memory: GuestMemory, vcpuCount: Int,
                          specifications: [VirtioDeviceSpecification]) throws -> PreparedVM {
        let virtualMachine = try makeVirtualMachine(system)
        do {
            for (slot, region) in memory.regions.enumerated() { try virtualMachine.map(region, slot: UInt32(slot)) }
        } catch let error as KVMError { throw MachineError.registerMemory(error) }
        var vcpus: [VCPU] = []
        for id in 0..<UInt32(vcpuCount) {
            do { vcpus.append(try virtualMachine.makeVCPU(id: id)) } catch let error as KVMError { throw MachineError.createVCPU(id: id, error) }
        }
        let mmioBus = IOBus()
        let virtio = try attachVirtioDevices(specifications, memory: memory, bus: mmioBus, system: system,
                                             virtualMachine: virtualMachine)
        return PreparedVM(virtualMachine: virtualMachine, vcpus: vcpus, mmioBus: mmioBus, virtio: virtio)
    }

    /// `state.json` (or a migration's state record) decoded, its vCPUs those the facts count.
    static func decodeState(_ bytes: [UInt8], facts: SnapshotFacts, path: String) throws -> MachineState {
        let state: MachineState
        do { state = try JSONDecoder().decode(MachineState.self, from: Data(bytes)) } catch {
            throw MachineError.readSnapshot(.malformed(path: path, reason: SnapshotManifest.reason(error)))
        }
        guard state.vcpus.count == facts.vcpuCount, state.vcpus.map(\.id) == Array(0..<UInt32(facts.vcpuCount)) else {
            throw MachineError.readSnapshot(.malformed(path: path,
                                                       reason: "\(state.vcpus.count) vCPU states, the manifest says vcpu_count \(facts.vcpuCount)"))
        }
        return state
    }

    /// KVM with what a restored machine needs of it.
    static func openForRestore(kvmPath: String) throws -> KVMSystem {
        let system: KVMSystem
        do { system = try KVMSystem(path: kvmPath) } catch let error as KVMError { throw MachineError.openKVM(error) }
        do {
            try system.require([.irqChip, .pit2, .userMemory, .setTSSAddress, .setIdentityMapAddress, .extendedCPUID, .immediateExit])
        } catch let error as KVMError { throw MachineError.checkCapabilities(error) }
        return system
    }

    static func virtioSpecifications(_ state: MachineState, path: String) throws -> [VirtioDeviceSpecification] {
        do {
            return try state.virtio.map { try VirtioDeviceSpecification(parsing: $0.device) }
        } catch {
            throw MachineError.readSnapshot(.malformed(path: path, reason: "virtio device: \(error)"))
        }
    }

    /// Guest RAM in the facts' layout; shareable (file-backed) when a vhost-user backend
    /// process must map it.
    static func allocateMemory(_ facts: SnapshotFacts, specifications: [VirtioDeviceSpecification]) throws -> GuestMemory {
        do {
            return try GuestMemory(ranges: facts.memoryRegions.map { (GuestAddress($0.start), $0.size) },
                                   shareable: specifications.contains { $0.usesVhostUser })
        } catch let error as GuestMemoryError { throw MachineError.allocateMemory(error) }
    }

    /// The machine around memory that already holds the guest's RAM, as `build` makes it,
    /// with `state` written back: the one apply step of a restore and of a migration.
    static func assemble(system: KVMSystem, facts: SnapshotFacts, state: MachineState, specifications: [VirtioDeviceSpecification],
                         memory: GuestMemory, serialOutput: MachineConfiguration.SerialOutput, serialInput: Bool,
                         prepared: PreparedVM? = nil, timings: inout SnapshotReport) throws -> Machine {
        let prepared = try prepared ?? prepareVM(system, memory: memory, vcpuCount: facts.vcpuCount, specifications: specifications)
        let (virtualMachine, vcpus, mmioBus, virtio) = (prepared.virtualMachine, prepared.vcpus, prepared.mmioBus, prepared.virtio)

        // Devices on the port bus, their registers as they were.
        let console = try SerialConsole(output: serialOutput)
        let uart = Serial16550 { console.write($0) }
        let keyboardController = I8042()
        let portBus = try makePortBus(virtualMachine: virtualMachine, uart: uart, keyboardController: keyboardController)
        do {
            try portBus.withDevice(uart) { $0.restore(state.serial) }
            try portBus.withDevice(keyboardController) { $0.restore(state.i8042) }
        } catch { throw MachineError.attachDevices(error) }

        // The VM's state (PIT, clock, irqchip), then each vCPU's state.
        do { try virtualMachine.restoreState(state.virtualMachine) } catch let error as KVMError { throw MachineError.restoreState(error) }
        for (vcpu, vcpuState) in zip(vcpus, state.vcpus) {
            do {
                let refused = try vcpu.restoreState(vcpuState, kinds: state.vcpuStateKinds)
                if !refused.isEmpty { timings.refusedMSRs[vcpu.id] = refused }
            } catch let error as KVMError {
                throw MachineError.configureVCPU(id: vcpu.id, error)
            }
        }
        // The virtio devices' transports at their queue positions (after the irqchip's
        // state, so a pending interrupt raised again is not overwritten). A vhost-user
        // device's backend gets the rings at the saved positions when the restored
        // transport activates it.
        do {
            for (device, saved) in zip(virtio.devices, state.virtio) {
                try mmioBus.withDevice(device) { $0.restore(saved.transport) }
            }
        } catch { throw MachineError.attachVirtioDevices(error) }

        return Machine(system: system, virtualMachine: virtualMachine, memory: memory, vcpus: vcpus,
                       portBus: portBus, mmioBus: mmioBus, console: console, uart: uart, keyboardController: keyboardController,
                       virtioDevices: Array(zip(specifications, virtio.devices)),
                       serialInput: serialInput, deviceDescriptions: facts.devices)
    }

    /// Refuses a snapshot whose kernel structures or CPUID differ from this host's: its
    /// state would be misread, or the guest would find features gone.
    static func checkCompatibility(facts: SnapshotFacts, state: MachineState, system: KVMSystem, manifestPath: String,
                                   statePath: String) throws {
        try checkHost(facts: facts, system: system, manifestPath: manifestPath)
        func refuse(_ reason: String) -> MachineError { .readSnapshot(.incompatible(path: manifestPath, reason: reason)) }
        let savedHash = MachineState.cpuidHash(state.vcpus.first?.cpuid ?? [])
        guard savedHash == facts.cpuidSHA256 else {
            throw MachineError.readSnapshot(.malformed(path: statePath,
                                                       reason: "vCPU 0's CPUID has SHA-256 \(savedHash), the manifest's cpuid_sha256 is \(facts.cpuidSHA256)"))
        }
        do {
            let kinds = try system.vcpuStateKinds()
            for kind in state.vcpuStateKinds where !kinds.contains(kind) {
                throw refuse("the state has \(kind.rawValue), which this host's KVM cannot restore")
            }
        } catch let error as KVMError { throw MachineError.checkCapabilities(error) }
    }

    /// The facts alone against this host: KVM's API version, the kernel structures' sizes
    /// and the CPUID the vCPUs ran with (what a migration destination checks before any
    /// memory arrives).
    static func checkHost(facts: SnapshotFacts, system: KVMSystem, manifestPath: String) throws {
        func refuse(_ reason: String) -> MachineError { .readSnapshot(.incompatible(path: manifestPath, reason: reason)) }
        guard facts.kvmAPIVersion == KVMSystem.apiVersion else {
            throw refuse("kvm_api_version \(facts.kvmAPIVersion), this host's KVM has \(KVMSystem.apiVersion)")
        }
        let sizes = MachineState.kernelStructureSizes()
        for (part, size) in facts.kernelStructureSizes.sorted(by: { $0.key < $1.key }) where sizes[part] != size {
            throw refuse("kernel_structure_sizes.\(part) is \(size), this build's is \(sizes[part].map(String.init) ?? "unknown")")
        }
        let supportedCPUID: [CPUIDEntry]
        do { supportedCPUID = try system.supportedCPUID() } catch let error as KVMError { throw MachineError.checkCapabilities(error) }
        let hostHash = MachineState.cpuidHash(BootCPU.cpuid(supported: supportedCPUID, vcpuID: 0))
        guard hostHash == facts.cpuidSHA256 else {
            throw refuse("cpuid_sha256 \(facts.cpuidSHA256), this host's CPUID for vCPU 0 has \(hostHash) (another CPU or KVM)")
        }
    }
}
