// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import GuestMemory
import KVM
import Synchronization
import VhostUser
#if canImport(Glibc)
import Glibc
#endif

/// A built virtual machine: KVM handles, guest memory, buses with devices, vCPUs ready
/// to run. `run()` runs every vCPU on its own thread until the first vCPU ends the run,
/// stops the others and returns how it ended. While it runs, any other thread may
/// `pause()`, `resume()` or `stop()` it.
// @unchecked: every stored property is immutable; the mutable state (outcome, pause) is
// in a Mutex, and the buses and devices lock themselves.
public final class Machine: @unchecked Sendable {
    let system: KVMSystem
    let virtualMachine: VirtualMachine
    public let memory: GuestMemory
    let vcpus: [VCPU]
    let portBus: IOBus
    let mmioBus: IOBus
    let console: SerialConsole
    let uart: Serial16550
    let keyboardController: I8042
    /// The virtio-mmio devices, with what made each (a snapshot records it to make it again).
    let virtioDevices: [(specification: VirtioDeviceSpecification, device: VirtioMMIODevice)]
    let serialInput: Bool
    /// One line per device, for `status`.
    public let deviceDescriptions: [String]

    /// What the vCPU threads and the controlling threads share.
    private struct RunState {
        /// How the run ended; the first outcome wins.
        var outcome: MachineExit?
        var pauseRequested = false
        /// vCPU threads inside `runLoop`, and how many of them wait in `parkWhilePaused`.
        var active = 0
        var parked = 0
        /// CLOCK_MONOTONIC nanoseconds when `run` started the vCPUs.
        var startedAt: UInt64?
    }
    private let state = Mutex(RunState())

    /// Runs `body` while the machine is paused, with every vCPU parked outside KVM_RUN,
    /// holding the lock that `resume` and `stop` need, so neither can start a vCPU until
    /// it returns. Throws `.notPaused` when it is not paused.
    func whilePaused<R>(_ body: () throws -> R) throws -> R {
        return try state.withLock { state in
            guard state.outcome == nil else { throw ControlError.stopping }
            guard state.pauseRequested, state.active == state.parked else { throw ControlError.notPaused }
            return try body()
        }
    }

    init(system: KVMSystem, virtualMachine: VirtualMachine, memory: GuestMemory, vcpus: [VCPU], portBus: IOBus, mmioBus: IOBus,
         console: SerialConsole, uart: Serial16550, keyboardController: I8042,
         virtioDevices: [(specification: VirtioDeviceSpecification, device: VirtioMMIODevice)] = [], serialInput: Bool,
         deviceDescriptions: [String] = []) {
        self.system = system
        self.virtualMachine = virtualMachine
        self.memory = memory
        self.vcpus = vcpus
        self.portBus = portBus
        self.mmioBus = mmioBus
        self.console = console
        self.uart = uart
        self.keyboardController = keyboardController
        self.virtioDevices = virtioDevices
        self.serialInput = serialInput
        self.deviceDescriptions = deviceDescriptions
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
        state.withLock { $0.startedAt = Self.monotonicNanoseconds() }
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
        return state.withLock { $0.outcome } ?? .hostFailure("every vCPU stopped without a reason")
    }

    /// Records the run's outcome (if it is the first) and stops every vCPU. Under the
    /// lock, so that no vCPU thread clears the stop request after it was made (see
    /// `parkWhilePaused`).
    func finish(with exit: MachineExit?) {
        state.withLock { state in
            if state.outcome == nil, let exit { state.outcome = exit }
            for vcpu in vcpus { vcpu.requestStop() }
        }
    }

    /// Ends the run cleanly from outside (the management API's shutdown): `run` returns
    /// `.stoppedByRequest`, and the caller releases the machine, which stops its drivers.
    public func stop() {
        finish(with: .stoppedByRequest)
    }

    /// Where the machine is, for the management API.
    public enum RunStatus: Equatable, Sendable {
        case running, paused, stopping
    }

    public struct Status: Equatable, Sendable {
        public var runStatus: RunStatus
        public var vcpuCount: Int
        public var memorySize: UInt64
        /// Nanoseconds since `run` started the vCPUs (0 before).
        public var uptimeNanoseconds: UInt64
    }

    public var status: Status {
        let now = Self.monotonicNanoseconds()
        return state.withLock { state in
            let runStatus: RunStatus = state.outcome != nil ? .stopping : state.pauseRequested ? .paused : .running
            return Status(runStatus: runStatus, vcpuCount: vcpus.count, memorySize: memory.regions.reduce(0) { $0 + $1.size },
                          uptimeNanoseconds: state.startedAt.map { now &- $0 } ?? 0)
        }
    }

    public enum ControlError: Error, Equatable, CustomStringConvertible {
        case alreadyPaused, notPaused, stopping
        /// Some vCPU did not leave guest mode in time (e.g. blocked in a device); the pause
        /// stays requested and takes effect when it comes back.
        case pauseTimedOut(stillRunning: Int)

        public var description: String {
            switch self {
            case .alreadyPaused: return "the VM is already paused"
            case .notPaused: return "the VM is not paused"
            case .stopping: return "the VM is stopping"
            case let .pauseTimedOut(count): return "\(count) vCPU(s) did not stop within the time limit; the pause takes effect when they do"
            }
        }
    }

    /// Stops every vCPU: each is kicked out of KVM_RUN (immediate_exit plus a signal)
    /// and waits in `parkWhilePaused` until `resume()`. Returns once no vCPU thread is
    /// in guest mode, or throws `pauseTimedOut` after `timeoutNanoseconds`.
    public func pause(timeoutNanoseconds: UInt64 = 5_000_000_000) throws(ControlError) {
        try state.withLock { (state) throws(ControlError) in
            guard state.outcome == nil else { throw .stopping }
            guard !state.pauseRequested else { throw .alreadyPaused }
            state.pauseRequested = true
            for vcpu in vcpus { vcpu.requestStop() }
        }
        let deadline = Self.monotonicNanoseconds() + timeoutNanoseconds
        while true {
            let (running, stopping) = state.withLock { ($0.active - $0.parked, $0.outcome != nil) }
            if stopping { throw .stopping }
            if running == 0 { return }
            if Self.monotonicNanoseconds() > deadline { throw .pauseTimedOut(stillRunning: running) }
            usleep(500)
        }
    }

    /// Lets the paused vCPUs enter the guest again.
    public func resume() throws(ControlError) {
        try state.withLock { (state) throws(ControlError) in
            guard state.outcome == nil else { throw .stopping }
            guard state.pauseRequested else { throw .notPaused }
            state.pauseRequested = false
        }
    }

    /// Called by a vCPU thread before it enters the guest after an interruption: waits
    /// while the machine is paused, then clears the vCPU's stop request so KVM_RUN runs
    /// again. Returns false when the run is ending (the stop request then stays). The
    /// check and the clearing happen under the lock that `finish` and `pause` set the
    /// request under, so neither request is ever lost. Parked threads poll every
    /// millisecond: a paused VM costs a thousand wake-ups a second, and no condition
    /// variable is needed.
    private func parkWhilePaused(_ vcpu: VCPU) -> Bool {
        var parked = false
        while true {
            let decision: Bool? = state.withLock { state in
                if state.outcome != nil {
                    if parked { state.parked -= 1 }
                    return false
                }
                if !state.pauseRequested {
                    if parked { state.parked -= 1 }
                    vcpu.clearStopRequest()
                    return true
                }
                if !parked { state.parked += 1 }
                return nil
            }
            if let decision { return decision }
            parked = true
            usleep(1000)
        }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

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
        state.withLock { $0.active += 1 }
        defer { state.withLock { $0.active -= 1 } }
        // A pause (or stop) may have come before this thread started.
        guard parkWhilePaused(vcpu) else { return nil }
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
                    // A stop, a pause, or a stray signal: park while paused, end when stopping.
                    guard parkWhilePaused(vcpu) else { return nil }
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
/// Public so that candor-vm runs the management API's serve loop on a thread of its own.
public func startThread(_ body: @escaping () -> Void) -> pthread_t? {
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
