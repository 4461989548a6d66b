// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// What a vCPU needs to start the loaded kernel.
public struct BootEntry: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        /// 32-bit protected mode, paging off (PVH; flat 32-bit images). EBX = `rbx`.
        case protected32
        /// 64-bit long mode with identity-mapped paging (Linux 64-bit protocol; ELF64).
        case long64
    }
    public var mode: Mode
    public var entry: GuestAddress
    /// Linux 64-bit boot protocol: the boot_params ("zero page") address; else 0.
    public var rsi: UInt64
    /// PVH: the hvm_start_info address; else 0.
    public var rbx: UInt64
    /// The highest guest-physical address the loader wrote (exclusive), so the caller can
    /// keep its own structures (page tables, ACPI) clear of the kernel.
    public var highestAddress: GuestAddress

    public init(mode: Mode, entry: GuestAddress, rsi: UInt64 = 0, rbx: UInt64 = 0, highestAddress: GuestAddress) {
        self.mode = mode
        self.entry = entry
        self.rsi = rsi
        self.rbx = rbx
        self.highestAddress = highestAddress
    }
}

/// E820 memory types as Linux and PVH use them.
public enum E820Type: UInt32, Sendable {
    case ram = 1
    case reserved = 2
    case acpi = 3
    case nvs = 4
    case unusable = 5
}

/// One entry of the guest's physical memory map.
public struct E820Entry: Equatable, Sendable {
    public var address: GuestAddress
    public var size: UInt64
    public var type: E820Type

    public init(address: GuestAddress, size: UInt64, type: E820Type) {
        self.address = address
        self.size = size
        self.type = type
    }
}

/// What the caller (the machine layout) decides: where the boot structures go, the
/// memory map, the command line and the initrd.
public struct BootConfiguration: Sendable {
    /// The guest's memory map (RAM, reserved holes, ACPI tables), given to the kernel.
    public var memoryMap: [E820Entry]
    public var commandLine: String
    /// Where the NUL-terminated command line is written.
    public var commandLineAddress: GuestAddress
    public var initrd: [UInt8]?
    /// Linux boot protocol: the 4 KiB boot_params page.
    public var bootParamsAddress: GuestAddress
    /// PVH: hvm_start_info, followed by its module list and memory map (see `PVHStartInfo`).
    public var startInfoAddress: GuestAddress
    /// The ACPI RSDP, passed to Linux (acpi_rsdp_addr) and PVH (rsdp_paddr); nil for none.
    public var rsdpAddress: GuestAddress?
    /// bzImage only: let the kernel's own decompressor run instead of unpacking the
    /// payload in the VMM (see `LinuxKernelLoader.BzImageMode`).
    public var bzImageMode: LinuxKernelLoader.BzImageMode
    /// Kernel segments must not start below this address: the caller keeps its boot
    /// structures (GDT, page tables, ACPI tables) there. 0 allows anywhere in RAM.
    public var kernelFloor = GuestAddress(0)

    public init(memoryMap: [E820Entry], commandLine: String = "", commandLineAddress: GuestAddress,
                initrd: [UInt8]? = nil, bootParamsAddress: GuestAddress, startInfoAddress: GuestAddress,
                rsdpAddress: GuestAddress? = nil, bzImageMode: LinuxKernelLoader.BzImageMode = .unpackPayload) {
        self.memoryMap = memoryMap
        self.commandLine = commandLine
        self.commandLineAddress = commandLineAddress
        self.initrd = initrd
        self.bootParamsAddress = bootParamsAddress
        self.startInfoAddress = startInfoAddress
        self.rsdpAddress = rsdpAddress
        self.bzImageMode = bzImageMode
    }
}
