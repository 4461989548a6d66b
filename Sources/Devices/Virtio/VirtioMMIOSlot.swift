// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// Where one virtio-mmio device sits: its MMIO window and interrupt line. The guest learns
/// it from the kernel command line or from the ACPI tables, both made from this.
public struct VirtioMMIOSlot: Equatable, Sendable {
    public var base: GuestAddress
    public var size: UInt64
    public var irq: UInt32

    public init(base: GuestAddress, size: UInt64 = VirtioMMIODevice.windowSize, irq: UInt32) {
        self.base = base
        self.size = size
        self.irq = irq
    }

    /// `virtio_mmio.device=<size>@<base>:<irq>` for Linux's virtio_mmio command-line probe.
    public var kernelCommandLineArgument: String {
        "virtio_mmio.device=\(size)@0x\(String(base.rawValue, radix: 16)):\(irq)"
    }

    /// The (base, size, irq) triple the platform tables describe.
    public var platformResource: (base: GuestAddress, size: UInt64, irq: UInt32) { (base, size, irq) }

    /// All slots' arguments, space-separated, in slot order.
    public static func kernelCommandLine(for slots: [VirtioMMIOSlot]) -> String {
        slots.map(\.kernelCommandLineArgument).joined(separator: " ")
    }
}
