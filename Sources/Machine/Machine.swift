// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import GuestMemory
import KVM
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A built virtual machine: KVM handles, guest memory, buses with devices, vCPUs ready
/// to run. `run()` runs every vCPU on its own thread until the first vCPU ends the run,
/// stops the others and returns how it ended.
// @unchecked: every stored property is immutable; the one mutable value (the outcome)
// is in a Mutex, and the buses and devices lock themselves.
public final class Machine: @unchecked Sendable {
    let system: KVMSystem
    let virtualMachine: VirtualMachine
    public let memory: GuestMemory
    let vcpus: [VCPU]
    let portBus: IOBus
    let mmioBus: IOBus
    let console: SerialConsole
    let uart: Serial16550
    let serialInput: Bool

    /// The first outcome wins.
    private let outcome = Mutex<MachineExit?>(nil)

    init(system: KVMSystem, virtualMachine: VirtualMachine, memory: GuestMemory, vcpus: [VCPU], portBus: IOBus, mmioBus: IOBus,
         console: SerialConsole, uart: Serial16550, serialInput: Bool) {
        self.system = system
        self.virtualMachine = virtualMachine
        self.memory = memory
        self.vcpus = vcpus
        self.portBus = portBus
        self.mmioBus = mmioBus
        self.console = console
        self.uart = uart
        self.serialInput = serialInput
    }

    /// Blocks `signals` in the calling thread and every thread it starts later, so that
    /// only `run(stoppingOn:)` receives them. Call first thing, before any thread exists.
    public static func holdSignals(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Runs the VM to its end. Call once. Any of `signals` (held with `holdSignals`
    /// beforehand) ends the run cleanly: the vCPUs stop, and the caller releases the
    /// machine, which stops its drivers.
    public func run(stoppingOn signals: [Int32] = []) -> MachineExit {
        if !signals.isEmpty { watch(signals) }
        if serialInput { console.startInput(to: uart, on: portBus) }
        defer { console.restoreTerminal() }
        var threads: [pthread_t] = []
        for vcpu in vcpus {
            guard let thread = startThread({ [self] in finish(with: runLoop(vcpu)) }) else {
                finish(with: .hostFailure("vCPU \(vcpu.id): could not start its thread: \(String(cString: strerror(errno)))"))
                break
            }
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        if let err = console.writeError {
            return .hostFailure("serial output: write failed: \(String(cString: strerror(err))); the guest's output is incomplete")
        }
        return outcome.withLock { $0 } ?? .hostFailure("every vCPU stopped without a reason")
    }

    /// Records the run's outcome (if it is the first) and stops every vCPU.
    private func finish(with exit: MachineExit?) {
        outcome.withLock { outcome in
            if outcome == nil, let exit { outcome = exit }
        }
        for vcpu in vcpus { vcpu.requestStop() }
    }

    private var stopping: Bool { outcome.withLock { $0 != nil } }

    /// A thread that waits for one of `signals` and ends the run with it. It outlives the
    /// run when none comes (the process is about to exit then); it holds the machine weakly.
    private func watch(_ signals: [Int32]) {
        _ = startThread { [weak self] in
            var set = sigset_t()
            sigemptyset(&set)
            for signal in signals { sigaddset(&set, signal) }
            var received: Int32 = 0
            while sigwait(&set, &received) != 0 {}
            self?.finish(with: .stoppedBySignal(received))
        }.map { pthread_detach($0) }
    }

    /// One vCPU's loop: every exit is matched here. Returns the outcome when this vCPU
    /// ends the run, nil when it was stopped because another one did.
    func runLoop(_ vcpu: VCPU) -> MachineExit? {
        do {
            while true {
                switch try vcpu.run() {
                case let .ioIn(port, size, data):
                    try portBus.read(address: UInt64(port), size: size, into: data)
                case let .ioOut(port, size, data):
                    if let request = try portBus.write(address: UInt64(port), size: size, data: data) {
                        return outcome(of: request)
                    }
                case let .mmioRead(address, data):
                    try mmioBus.read(address: address.rawValue, size: data.count, into: data)
                case let .mmioWrite(address, data):
                    if let request = try mmioBus.write(address: address.rawValue, size: data.count, data: data) {
                        return outcome(of: request)
                    }
                case .halt:
                    // The in-kernel irqchip handles HLT; an exit here just means "run again".
                    continue
                case .shutdown:
                    return .tripleFault(vcpu: vcpu.id, rip: try? vcpu.registers().rip)
                case let .failEntry(reason, _):
                    return .entryFailed(vcpu: vcpu.id, reason: reason)
                case let .internalError(error):
                    return emulationFailure(vcpu, error)
                case .systemEvent(.shutdown):
                    return .powerOff
                case .systemEvent(.reset):
                    return .resetRequested
                case let .systemEvent(.other(type)):
                    return .hostFailure("vCPU \(vcpu.id): unhandled KVM system event \(type)")
                case .interrupted:
                    if stopping { return nil }
                case let .unknown(reason):
                    return .unexpectedExit(vcpu: vcpu.id, reason: reason)
                }
            }
        } catch {
            return .hostFailure("vCPU \(vcpu.id): \(error)")
        }
    }

    private func outcome(of request: DeviceRequest) -> MachineExit {
        switch request {
        case let .exit(status): return .guestStatus(status)
        case .reset: return .resetRequested
        case .powerOff: return .powerOff
        }
    }

    private func emulationFailure(_ vcpu: VCPU, _ error: InternalError) -> MachineExit {
        guard let regs = try? vcpu.registers(), let sregs = try? vcpu.specialRegisters() else {
            return .emulationFailure(vcpu: vcpu.id, error: error, rip: nil, instruction: [])
        }
        let bytes = GuestPageWalk.instructionBytes(at: regs.rip, registers: sregs, memory: memory)
        return .emulationFailure(vcpu: vcpu.id, error: error, rip: regs.rip, instruction: bytes)
    }
}

/// Starts a joinable POSIX thread running `body`, or returns nil (errno set) when it
/// cannot. (Not Foundation's Thread: Foundation would cost the VMM megabytes of memory.)
func startThread(_ body: @escaping () -> Void) -> pthread_t? {
    final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    guard result == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        errno = result
        return nil
    }
    return thread
}
