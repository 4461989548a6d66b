// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// candor-vm: argument parsing and wiring only; the machine lives in the Machine target.

import ArgumentParser
import Foundation
import Machine
import ManagementAPI
import VhostUser
#if canImport(Glibc)
import Glibc
#endif

@main
struct CandorVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candor-vm",
        abstract: "The Candor hypervisor: boots a guest on KVM.",
        subcommands: [Run.self, Restore.self, Ctl.self])
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot a kernel: an ELF64 image (PVH entry), a Linux bzImage or vmlinux, or a flat binary.",
        discussion: """
            The guest's serial port (16550 at 0x3f8) is connected to stdout (or --serial-output) \
            and reads stdin.

            Exit status:
              v    the guest wrote v to the debug-exit port 0xf4 (low 8 bits); QEMU's \
            isa-debug-exit would exit with (v << 1) | 1 for the same write
              0    the guest requested a reset (i8042) or powered off
              1    anything else, with a one-line reason on stderr: no /dev/kvm, a bad image, \
            an emulation failure (guest RIP and instruction bytes), a triple fault
              128+n  stopped by signal n (SIGINT, SIGTERM): the guest halted, drivers stopped
              0    (also) shut down through the management API (--api-socket, PUT /vm/shutdown)
            """)

    enum FlatMode: String, ExpressibleByArgument, CaseIterable {
        case protected32, long64
    }

    @Option(help: "The kernel image (not with --incoming). Without both, --api-socket waits for a snapshot to load.")
    var kernel: String?

    @Option(help: """
        Instead of booting a kernel, wait for a live migration on unix:PATH (a socket created \
        private to this user) or tcp:HOST:PORT (unauthenticated, unencrypted: a trusted network \
        only), take the machine's configuration and state from the source, and run its guest.
        """)
    var incoming: String?

    @Option(help: "An initial ramdisk for a Linux kernel.")
    var initrd: String?

    @Option(help: "The kernel command line.")
    var cmdline: String = ""

    @Option(help: "Guest memory in MiB (default 256).")
    var memory: UInt64?

    @Option(help: "Number of vCPUs (default 1).")
    var vcpus: Int?

    @Option(help: "Write the guest's serial output to this file instead of stdout.")
    var serialOutput: String?

    @Option(help: "Boot --kernel as a flat binary loaded at 1 MiB, entered there in this mode (\(FlatMode.allCases.map(\.rawValue).joined(separator: ", "))).")
    var flat: FlatMode?

    @Option(name: .customLong("device"), help: """
        A virtio-mmio device (repeatable): vhost-user-blk,socket=PATH (a running vhost-user-blk backend), \
        vhost-user-rng,socket=PATH, vhost-user-rng,driver=PATH (start that driver, e.g. candor-rng), \
        vhost-user-blk,driver=PATH,image=FILE (start that driver, e.g. candor-blk), \
        vhost-user-net,socket=PATH, vhost-user-net,driver=PATH,tap=IFNAME|switch=PATH[,mac=MAC] \
        (start candor-net on a TAP interface or a candor-net --hub switch), virtio-rng, \
        virtio-console[,output=FILE] (guest console output to FILE, else to stdout).
        """)
    var devices: [String] = []

    @Option(help: """
        Serve the management API (HTTP/1.1, JSON; see hypervisor/api/openapi.yaml) on a Unix socket \
        created at this path, mode 0600; only this user may connect. `candor-vm ctl` is its client. \
        Alone (no --kernel, no --incoming), it starts no VM: the VMM waits until a client loads one \
        from a snapshot (PUT /snapshot/load, `candor-vm ctl restore DIR`) and then runs it as `restore` would.
        """)
    var apiSocket: String?

    func validate() throws {
        if let incoming {
            guard kernel == nil, initrd == nil, cmdline.isEmpty, memory == nil, vcpus == nil, flat == nil, devices.isEmpty else {
                throw ValidationError("--incoming: the machine's configuration comes from the migration source; "
                                      + "--kernel, --initrd, --cmdline, --memory, --vcpus, --flat and --device do not go with it")
            }
            do { _ = try MigrationEndpoint(parsing: incoming) } catch { throw ValidationError("--incoming: \(error)") }
            return
        }
        guard kernel != nil else {
            guard apiSocket != nil else {
                throw ValidationError("name the kernel to boot with --kernel, wait for a migration with --incoming, "
                                      + "or wait for a snapshot to load with --api-socket alone")
            }
            guard initrd == nil, cmdline.isEmpty, memory == nil, vcpus == nil, flat == nil, devices.isEmpty else {
                throw ValidationError("--api-socket without --kernel waits for a snapshot, which holds the machine's configuration; "
                                      + "--initrd, --cmdline, --memory, --vcpus, --flat and --device do not go with it")
            }
            return
        }
        let memory = memory ?? 256
        guard memory > 0, memory <= 1 << 30 else { throw ValidationError("--memory: \(memory) MiB is not between 1 and 2^30") }
        guard vcpus ?? 1 > 0 else { throw ValidationError("--vcpus: must be at least 1") }
        for device in devices {
            do { _ = try VirtioDeviceSpecification(parsing: device) } catch { throw ValidationError("\(error)") }
        }
    }

    /// Signals that stop the guest cleanly (drivers stopped, terminal restored).
    static let stopSignals = [SIGINT, SIGTERM]

    func run() throws {
        if let incoming {
            var configuration = IncomingConfiguration(endpoint: try MigrationEndpoint(parsing: incoming))
            if let serialOutput { configuration.serialOutput = .file(serialOutput) }
            try runMachine(apiSocket: apiSocket) {
                let (machine, report) = try MachineBuilder.receiveMigration(configuration)
                if let warning = report.refusalWarning { printError("candor-vm: \(warning)") }
                return machine
            }
        }
        guard let kernel else {
            // The VM comes from the snapshot a client loads, with this serial output.
            let serialOutput = serialOutput
            try runVMM(apiSocket: apiSocket) {
                VMSlot { path throws(VMControlError) in
                    var configuration = RestoreConfiguration(snapshotPath: path)
                    if let serialOutput { configuration.serialOutput = .file(serialOutput) }
                    return try MachineController(loadedBy: { try restoreMachine(configuration) })
                }
            }
            return
        }
        var configuration = MachineConfiguration(kernelPath: kernel)
        configuration.initrdPath = initrd
        configuration.commandLine = cmdline
        configuration.memorySize = (memory ?? 256) << 20
        configuration.vcpuCount = vcpus ?? 1
        if let serialOutput { configuration.serialOutput = .file(serialOutput) }
        configuration.virtioDevices = try devices.map { try VirtioDeviceSpecification(parsing: $0) }
        if let flat { configuration.kernelFormat = .flat(flat == .long64 ? .long64 : .protected32) }

        try runMachine(apiSocket: apiSocket) { try MachineBuilder.build(configuration) }
    }
}

/// Builds a machine with `build`, serves the management API on `apiSocket` while it runs,
/// and exits with the run's status. Shared by `run` and `restore`.
func runMachine(apiSocket: String?, _ build: () throws -> Machine) throws {
    try runVMM(apiSocket: apiSocket) { VMSlot(vm: MachineController(machine: try build())) }
}

/// Serves the management API on `apiSocket` while the machine in the slot `makeSlot` makes
/// runs, and exits with the run's status. A slot made empty (`run --api-socket` alone) is
/// waited on until a client loads a machine into it, or a stop signal comes.
func runVMM(apiSocket: String?, _ makeSlot: () throws -> VMSlot<MachineController>) throws {
    // A driver that went away must give EPIPE on its socket, not kill the VMM.
    signal(SIGPIPE, SIG_IGN)
    // Before any thread exists, so that only the machine's watcher (or the wait for a
    // load) receives them.
    Machine.holdSignals(Run.stopSignals)
    // The machine is released (its drivers stopped) before the process exits.
    // Nil when a stop signal, `stopSignal`, came before a VM was loaded.
    let exit: MachineExit?
    var stopSignal: Int32 = 0
    do {
        // The socket exists before the guest starts, so a client may wait for it.
        let server = try apiSocket.map { path throws(APIServerError) in try APIServer(path: path) }
        defer { server?.stop() }
        let slot = try makeSlot()
        // The API's serve loop runs on its own thread, never a vCPU's. It holds the
        // machine, so it is stopped and joined before the machine is released (a client
        // in the middle of a request delays that by at most the API's 5 s timeout).
        var serveThread: pthread_t?
        if let server {
            let router = APIRouter(controller: slot)
            guard let thread = startThread({ server.serve(router) }) else {
                throw APIServerError.listen(path: server.path, errno: errno)
            }
            serveThread = thread
        }
        exit = waitForMachine(in: slot, stoppedBy: &stopSignal)?.run(stoppingOn: Run.stopSignals)
        server?.stop()
        if let serveThread { pthread_join(serveThread, nil) }
    } catch {
        printError("candor-vm: \(error)")
        throw ExitCode(1)
    }
    guard let exit else {
        printError("candor-vm: stopped by signal \(stopSignal) (\(String(cString: strsignal(stopSignal)))) before a VM was loaded")
        throw ExitCode(128 + stopSignal)
    }
    if !exit.isGuestInitiated { printError("candor-vm: \(exit)") }
    throw ExitCode(exit.processExitStatus)
}

/// The machine in `slot`: at once when it was built, else once a client has loaded one.
/// Nil when a stop signal (held) came first; `signal` is then that signal. Checks every 10 ms.
func waitForMachine(in slot: VMSlot<MachineController>, stoppedBy signal: inout Int32) -> Machine? {
    var signals = sigset_t()
    sigemptyset(&signals)
    for stop in Run.stopSignals { sigaddset(&signals, stop) }
    while true {
        if let controller = slot.vm { return controller.machine }
        var interval = timespec(tv_sec: 0, tv_nsec: 10_000_000)
        let received = sigtimedwait(&signals, nil, &interval)
        if received > 0 {
            signal = received
            return nil
        }
    }
}

/// Restores the machine of `configuration`'s snapshot, with a warning for what KVM would
/// not take back: `restore`'s and a snapshot load's.
func restoreMachine(_ configuration: RestoreConfiguration) throws -> Machine {
    let (machine, report) = try MachineBuilder.restore(configuration)
    if let warning = report.refusalWarning { printError("candor-vm: \(warning)") }
    return machine
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a guest from a snapshot directory (written by PUT /snapshot/create or `candor-vm ctl snapshot`).",
        discussion: """
            The snapshot is checked first: its format version, the SHA-256 of its state and \
            memory files, and that this host's KVM and CPUID are the ones it was taken on; any \
            mismatch is a one-line error naming the file and the value. The guest then runs \
            from where it was paused, with the exit status of `run`.
            """)

    @Option(help: "The snapshot directory.")
    var snapshot: String

    @Option(help: "Write the guest's serial output to this file instead of stdout.")
    var serialOutput: String?

    @Option(help: "Serve the management API on a Unix socket created at this path, as `run --api-socket` does.")
    var apiSocket: String?

    func run() throws {
        var configuration = RestoreConfiguration(snapshotPath: snapshot)
        if let serialOutput { configuration.serialOutput = .file(serialOutput) }
        try runMachine(apiSocket: apiSocket) { try restoreMachine(configuration) }
    }
}

/// The management API's view of a machine: wiring between the two targets.
struct MachineController: VMController {
    let machine: Machine

    init(machine: Machine) { self.machine = machine }

    /// The machine `restore` makes for a snapshot load; a snapshot that is missing, corrupt
    /// or from another host is the client's error (400), anything else the VMM's (500).
    init(loadedBy restore: () throws -> Machine) throws(VMControlError) {
        do {
            machine = try restore()
        } catch let error as MachineError {
            if case .readSnapshot = error { throw .invalid("\(error)") }
            throw .failed("\(error)")
        } catch {
            throw .failed("\(error)")
        }
    }

    func info() -> VMInfo {
        let status = machine.status
        let state: VMState = switch status.runStatus {
        case .running: .running
        case .paused: .paused
        case .stopping: .stopping
        }
        return VMInfo(state: state, vcpus: status.vcpuCount, memoryMiB: status.memorySize >> 20,
                      devices: machine.deviceDescriptions, uptimeMilliseconds: status.uptimeNanoseconds / 1_000_000)
    }

    func pause() throws(VMControlError) {
        do { try machine.pause() } catch { throw Self.translate(error) }
    }

    func resume() throws(VMControlError) {
        do { try machine.resume() } catch { throw Self.translate(error) }
    }

    func shutdown() { machine.stop() }

    func snapshot(to path: String) throws(VMControlError) -> SnapshotInfo {
        do {
            let timings = try machine.snapshot(to: path)
            return SnapshotInfo(snapshotPath: path, memoryBytes: timings.memoryBytes, memoryDataBytes: timings.memoryDataBytes,
                                durationMilliseconds: (timings.stateNanoseconds + timings.filesNanoseconds) / 1_000_000)
        } catch {
            switch error {
            case .refused: throw .conflict("\(error)")
            case .write(.alreadyExists): throw .conflict("\(error)")
            default: throw .failed("\(error)")
            }
        }
    }

    func migrate(to destinationURL: String) throws(VMControlError) -> MigrationInfo {
        do {
            let report = try machine.migrate(to: try MigrationEndpoint(parsing: destinationURL))
            var info = MigrationInfo(destinationURL: destinationURL, totalMilliseconds: report.totalNanoseconds / 1_000_000,
                                     downtimeMilliseconds: report.downtimeNanoseconds / 1_000_000, rounds: report.rounds,
                                     bytes: report.bytes, pages: report.pages)
            info.stopAndCopyPages = report.stopAndCopyPages
            info.captureMilliseconds = report.captureNanoseconds / 1_000_000
            info.lastPagesMilliseconds = report.lastPagesNanoseconds / 1_000_000
            info.stateMilliseconds = report.stateNanoseconds / 1_000_000
            info.destinationMilliseconds = report.destinationNanoseconds / 1_000_000
            return info
        } catch {
            switch error {
            case let .invalid(message): throw .invalid(message)
            case let .refused(message): throw .conflict(message)
            case let .failed(message): throw .failed(message)
            }
        }
    }

    static func translate(_ error: Machine.ControlError) -> VMControlError {
        switch error {
        case .pauseTimedOut: return .failed("\(error)")
        default: return .conflict("\(error)")
        }
    }
}

/// `candor-vm ctl`: the management API's client.
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Control a candor-vm through its --api-socket.",
        discussion: """
            Prints the JSON answer. Exit status 0 on success, 1 with the server's message on \
            stderr when it refused (4xx/5xx) or could not be reached.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case info, pause, resume, shutdown, snapshot, restore, migrate

        var route: APIRoute {
            switch self {
            case .info: return .info
            case .pause: return .pause
            case .resume: return .resume
            case .shutdown: return .shutdown
            case .snapshot: return .snapshotCreate
            case .restore: return .snapshotLoad
            case .migrate: return .migrate
            }
        }
    }

    @Option(help: "The socket candor-vm run --api-socket serves.")
    var apiSocket: String

    @Argument(help: "What to do: \(Action.allCases.map(\.rawValue).joined(separator: ", ")).")
    var action: Action

    @Argument(help: """
        For snapshot: the new directory to write it to (the VM must be paused). For restore: the \
        snapshot directory, loaded into a candor-vm started with --api-socket alone. For migrate: \
        the destination's URL, unix:PATH or tcp:HOST:PORT, where `candor-vm run --incoming` waits.
        """)
    var target: String?

    @Flag(help: "For restore: leave the restored VM paused (continue it with `ctl resume`).")
    var paused = false

    func validate() throws {
        if action == .snapshot && target == nil { throw ValidationError("snapshot: name the new directory, e.g. ctl --api-socket S snapshot DIR") }
        if action == .restore && target == nil { throw ValidationError("restore: name the snapshot directory, e.g. ctl --api-socket S restore DIR") }
        if action == .migrate && target == nil { throw ValidationError("migrate: name the destination, e.g. ctl --api-socket S migrate unix:/run/in.sock") }
        if ![.snapshot, .restore, .migrate].contains(action) && target != nil { throw ValidationError("\(action.rawValue) takes no argument") }
        if action != .restore && paused { throw ValidationError("--paused goes with restore only") }
    }

    func run() throws {
        // A migration answers when it is over: it may take minutes.
        let client = APIClient(socketPath: apiSocket, timeoutMilliseconds: action == .migrate ? 900_000 : 30_000)
        let answer: (status: Int, body: [UInt8])
        var body: [UInt8] = []
        if action == .migrate, let target {
            body = Array(try JSONEncoder().encode(MigrationRequest(destinationURL: target)))
        } else if let directory = target {
            // The server's working directory is not ours: send an absolute path.
            let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
            body = action == .restore
                ? Array(try JSONEncoder().encode(SnapshotLoadRequest(snapshotPath: absolute, resume: !paused)))
                : Array(try JSONEncoder().encode(SnapshotRequest(snapshotPath: absolute)))
        }
        do {
            answer = try client.send(action.route.method, action.route.path, body: body)
        } catch {
            printError("candor-vm ctl: \(error)")
            throw ExitCode(1)
        }
        guard (200..<300).contains(answer.status) else {
            printError("candor-vm ctl: \(answer.status): \(APIClient.errorMessage(in: answer.body))")
            throw ExitCode(1)
        }
        print(String(decoding: answer.body, as: UTF8.self))
    }
}

/// One line to standard error, unbuffered (the C `stderr` global is shared mutable state).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    var done = 0
    while done < bytes.count {
        let written = bytes[done...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        done += written
    }
}
