// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CKVM

/// The KVM capabilities Candor asks about (KVM_CHECK_EXTENSION).
public enum KVMCapability: Sendable, CaseIterable, CustomStringConvertible {
    case irqChip, pit2, userMemory, setTSSAddress, setIdentityMapAddress, extendedCPUID, immediateExit
    case recommendedVCPUs, maximumVCPUs
    case irqFD, irqFDResample, ioEventFD
    case xsave, xcrs, debugRegisters, vcpuEvents, adjustClock

    var rawValue: Int32 {
        switch self {
        case .irqChip: return CKVM_CAP_IRQCHIP
        case .pit2: return CKVM_CAP_PIT2
        case .userMemory: return CKVM_CAP_USER_MEMORY
        case .setTSSAddress: return CKVM_CAP_SET_TSS_ADDR
        case .setIdentityMapAddress: return CKVM_CAP_SET_IDENTITY_MAP_ADDR
        case .extendedCPUID: return CKVM_CAP_EXT_CPUID
        case .immediateExit: return CKVM_CAP_IMMEDIATE_EXIT
        case .recommendedVCPUs: return CKVM_CAP_NR_VCPUS
        case .maximumVCPUs: return CKVM_CAP_MAX_VCPUS
        case .irqFD: return CKVM_CAP_IRQFD
        case .irqFDResample: return CKVM_CAP_IRQFD_RESAMPLE
        case .ioEventFD: return CKVM_CAP_IOEVENTFD
        case .xsave: return CKVM_CAP_XSAVE
        case .xcrs: return CKVM_CAP_XCRS
        case .debugRegisters: return CKVM_CAP_DEBUGREGS
        case .vcpuEvents: return CKVM_CAP_VCPU_EVENTS
        case .adjustClock: return CKVM_CAP_ADJUST_CLOCK
        }
    }

    public var description: String {
        switch self {
        case .irqChip: return "KVM_CAP_IRQCHIP"
        case .pit2: return "KVM_CAP_PIT2"
        case .userMemory: return "KVM_CAP_USER_MEMORY"
        case .setTSSAddress: return "KVM_CAP_SET_TSS_ADDR"
        case .setIdentityMapAddress: return "KVM_CAP_SET_IDENTITY_MAP_ADDR"
        case .extendedCPUID: return "KVM_CAP_EXT_CPUID"
        case .immediateExit: return "KVM_CAP_IMMEDIATE_EXIT"
        case .recommendedVCPUs: return "KVM_CAP_NR_VCPUS"
        case .maximumVCPUs: return "KVM_CAP_MAX_VCPUS"
        case .irqFD: return "KVM_CAP_IRQFD"
        case .irqFDResample: return "KVM_CAP_IRQFD_RESAMPLE"
        case .ioEventFD: return "KVM_CAP_IOEVENTFD"
        case .xsave: return "KVM_CAP_XSAVE"
        case .xcrs: return "KVM_CAP_XCRS"
        case .debugRegisters: return "KVM_CAP_DEBUGREGS"
        case .vcpuEvents: return "KVM_CAP_VCPU_EVENTS"
        case .adjustClock: return "KVM_CAP_ADJUST_CLOCK"
        }
    }
}
