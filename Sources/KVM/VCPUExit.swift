// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// Why KVM_RUN returned. The buffers point into the vCPU's kvm_run area and are valid
/// only until the next `run()`: fill `data` of an `in`/read exit before running again.
public enum VCPUExit {
    /// IN/INS: `data` holds `data.count / size` accesses of `size` bytes each.
    case ioIn(port: UInt16, size: Int, data: UnsafeMutableRawBufferPointer)
    /// OUT/OUTS: as `ioIn`.
    case ioOut(port: UInt16, size: Int, data: UnsafeRawBufferPointer)
    /// A read from guest-physical space that is not RAM.
    case mmioRead(address: GuestAddress, data: UnsafeMutableRawBufferPointer)
    case mmioWrite(address: GuestAddress, data: UnsafeRawBufferPointer)
    case halt
    /// Triple fault (or another reason the CPU shut down).
    case shutdown
    /// VM entry failed; `reason` is the hardware's code.
    case failEntry(reason: UInt64, cpu: UInt32)
    case internalError(InternalError)
    case systemEvent(SystemEvent)
    /// KVM_RUN returned EINTR or KVM_EXIT_INTR: a signal or `requestStop()`.
    case interrupted
    case unknown(reason: UInt32)
}

/// KVM_EXIT_INTERNAL_ERROR: the kernel could not go on (often: an instruction its
/// emulator does not handle).
public struct InternalError: Equatable, Sendable, CustomStringConvertible {
    public var suberror: UInt32
    public var data: [UInt64]

    public init(suberror: UInt32, data: [UInt64]) { self.suberror = suberror; self.data = data }

    public var description: String {
        let name: String
        switch suberror {
        case 1: name = "instruction emulation failed"
        case 2: name = "exception while delivering an exception"
        case 3: name = "event delivery failed"
        case 4: name = "unexpected exit reason"
        default: name = "unknown suberror"
        }
        return "KVM internal error \(suberror) (\(name))"
    }
}

public enum SystemEvent: Equatable, Sendable {
    case shutdown, reset
    case other(type: UInt32)
}
