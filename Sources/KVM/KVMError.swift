// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#if canImport(Glibc)
import Glibc
#endif

/// What went wrong talking to KVM, named after the step, with the fix where there is one.
public enum KVMError: Error, Equatable, CustomStringConvertible {
    /// The device node does not exist: no KVM on this host.
    case deviceMissing(path: String)
    /// The device node exists but this user may not open it.
    case permissionDenied(path: String)
    case openFailed(path: String, errno: Int32)
    case apiVersionMismatch(found: Int32, expected: Int32)
    case missingCapability(KVMCapability)
    /// An ioctl or mmap failed: `operation` names it.
    case syscallFailed(operation: String, errno: Int32)
    /// A saved state part is missing or does not have the size of this kernel's structure.
    case stateSizeMismatch(part: String, found: Int, expected: Int)

    public var description: String {
        switch self {
        case let .deviceMissing(path):
            return "\(path): no such device; this host has no KVM (load kvm_intel or kvm_amd, or enable nested virtualization)"
        case let .permissionDenied(path):
            return "\(path): permission denied; run as root or add the user to group kvm"
        case let .openFailed(path, err):
            return "\(path): open failed: \(errorText(err))"
        case let .apiVersionMismatch(found, expected):
            return "KVM_GET_API_VERSION: the kernel reports \(found), Candor needs \(expected)"
        case let .missingCapability(capability):
            return "KVM_CHECK_EXTENSION: the kernel lacks \(capability)"
        case let .syscallFailed(operation, err):
            return "\(operation) failed: \(errorText(err))"
        case let .stateSizeMismatch(part, found, expected):
            return found == 0 ? "saved state: part \(part) is missing"
                : "saved state: part \(part) has \(found) bytes, this kernel's structure has \(expected)"
        }
    }
}

func errorText(_ err: Int32) -> String {
    "\(String(cString: strerror(err))) (errno \(err))"
}
