// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import KVM
#if canImport(Glibc)
import Glibc
#endif

/// How a VM run ended.
public enum MachineExit: Equatable, Sendable, CustomStringConvertible {
    /// The guest wrote `status` to the debug-exit port.
    case guestStatus(UInt32)
    /// The guest asked for a reset (i8042 reset line or a KVM reset event): a clean end.
    case resetRequested
    /// The guest powered off (KVM shutdown event).
    case powerOff
    /// The vCPU shut down, which on x86 means a triple fault.
    case tripleFault(vcpu: UInt32, rip: UInt64?)
    case entryFailed(vcpu: UInt32, reason: UInt64)
    /// KVM could not go on, typically an instruction its emulator lacks. `instruction`
    /// holds the bytes at `rip` (empty when they could not be read).
    case emulationFailure(vcpu: UInt32, error: InternalError, rip: UInt64?, instruction: [UInt8])
    case unexpectedExit(vcpu: UInt32, reason: UInt32)
    /// A host-side failure while running (an ioctl that failed, output that could not be written).
    case hostFailure(String)
    /// The VMM was asked to stop (SIGINT, SIGTERM) and stopped cleanly.
    case stoppedBySignal(Int32)
    /// The VMM was asked to stop through its management API and stopped cleanly.
    case stoppedByRequest
    /// The guest moved to a migration destination, which acknowledged it.
    case migrated(to: String)

    /// The process exit status candor-vm uses: the guest's own status (low 8 bits) where
    /// it reported one, 0 for a clean reset or power-off, 128 + the signal number when a
    /// signal stopped it (as a shell reports a process the signal killed), 0 for a
    /// shutdown through the management API, 1 otherwise.
    public var processExitStatus: Int32 {
        switch self {
        case let .guestStatus(status): return Int32(status & 0xff)
        case .resetRequested, .powerOff, .stoppedByRequest, .migrated: return 0
        case let .stoppedBySignal(signal): return 128 + signal
        default: return 1
        }
    }

    /// True when the guest itself ended the run (with any status).
    public var isGuestInitiated: Bool {
        switch self {
        case .guestStatus, .resetRequested, .powerOff: return true
        default: return false
        }
    }

    public var description: String {
        func hex(_ value: UInt64?) -> String { value.map { "0x" + String($0, radix: 16) } ?? "unknown" }
        switch self {
        case let .guestStatus(status):
            return "guest exited with status \(status)"
        case .resetRequested:
            return "guest requested a reset"
        case .powerOff:
            return "guest powered off"
        case let .tripleFault(vcpu, rip):
            return "vCPU \(vcpu): triple fault (the CPU shut down) at RIP \(hex(rip))"
        case let .entryFailed(vcpu, reason):
            return "vCPU \(vcpu): VM entry failed, hardware reason 0x\(String(reason, radix: 16))"
        case let .emulationFailure(vcpu, error, rip, instruction):
            let bytes = instruction.isEmpty ? "unreadable"
                : instruction.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
            return "vCPU \(vcpu): emulation failure: \(error) at RIP \(hex(rip)), instruction bytes: \(bytes)"
        case let .unexpectedExit(vcpu, reason):
            return "vCPU \(vcpu): unexpected KVM exit reason \(reason)"
        case let .hostFailure(message):
            return message
        case let .stoppedBySignal(signal):
            let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
            return "stopped by \(name); the guest was halted and its drivers stopped"
        case let .migrated(destination):
            return "the guest migrated to \(destination) and runs there now"
        case .stoppedByRequest:
            return "shut down through the management API; the guest was halted and its drivers stopped"
        }
    }
}
