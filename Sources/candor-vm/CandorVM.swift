// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// candor-vm: argument parsing and wiring only; the machine lives in the Machine target.

import ArgumentParser
import Machine
import VhostUser
#if canImport(Glibc)
import Glibc
#endif

@main
struct CandorVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candor-vm",
        abstract: "The Candor hypervisor: boots a guest on KVM.",
        subcommands: [Run.self])
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
            """)

    enum FlatMode: String, ExpressibleByArgument, CaseIterable {
        case protected32, long64
    }

    @Option(help: "The kernel image.")
    var kernel: String

    @Option(help: "An initial ramdisk for a Linux kernel.")
    var initrd: String?

    @Option(help: "The kernel command line.")
    var cmdline: String = ""

    @Option(help: "Guest memory in MiB.")
    var memory: UInt64 = 256

    @Option(help: "Number of vCPUs.")
    var vcpus: Int = 1

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

    func validate() throws {
        guard memory > 0, memory <= 1 << 30 else { throw ValidationError("--memory: \(memory) MiB is not between 1 and 2^30") }
        guard vcpus > 0 else { throw ValidationError("--vcpus: must be at least 1") }
        for device in devices {
            do { _ = try VirtioDeviceSpecification(parsing: device) } catch { throw ValidationError("\(error)") }
        }
    }

    /// Signals that stop the guest cleanly (drivers stopped, terminal restored).
    static let stopSignals = [SIGINT, SIGTERM]

    func run() throws {
        // A driver that went away must give EPIPE on its socket, not kill the VMM.
        signal(SIGPIPE, SIG_IGN)
        // Before any thread exists, so that only the machine's watcher receives them.
        Machine.holdSignals(Self.stopSignals)
        var configuration = MachineConfiguration(kernelPath: kernel)
        configuration.initrdPath = initrd
        configuration.commandLine = cmdline
        configuration.memorySize = memory << 20
        configuration.vcpuCount = vcpus
        if let serialOutput { configuration.serialOutput = .file(serialOutput) }
        configuration.virtioDevices = try devices.map { try VirtioDeviceSpecification(parsing: $0) }
        if let flat { configuration.kernelFormat = .flat(flat == .long64 ? .long64 : .protected32) }

        // The machine is released (its drivers stopped) before the process exits.
        let exit: MachineExit
        do {
            exit = try MachineBuilder.build(configuration).run(stoppingOn: Self.stopSignals)
        } catch {
            printError("candor-vm: \(error)")
            throw ExitCode(1)
        }
        if !exit.isGuestInitiated { printError("candor-vm: \(exit)") }
        throw ExitCode(exit.processExitStatus)
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
