// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory
import Loader

/// The x86-64 guest memory map: every fixed guest address Candor uses, in one place.
///
///     0x0000_0500  GDT (boot code, boot data, TSS descriptors)
///     0x0000_6000  PVH hvm_start_info, then its memory map
///     0x0000_7000  Linux boot_params ("zero page")
///     0x0000_8ff0  initial stack top
///     0x0000_9000  PML4, PDPT, then four page directories: 4 GiB identity-mapped in 2 MiB pages
///     0x0002_0000  kernel command line
///     0x0009_fc00  reserved to 1 MiB (EBDA, VGA hole, BIOS area)
///     0x000e_0000  ACPI tables, RSDP first (where Linux scans for it)
///     0x000f_fff0  the reset vector: a stub that asks the i8042 for a reset
///     0x0010_0000  kernel images and free RAM, up to the PCI hole or the end of RAM
///     0xc000_0000  PCI/MMIO hole: virtio-mmio windows from 0xd000_0000, KVM's TSS and
///                  identity-map pages at its top
///     0x1_0000_0000  RAM above the hole when the guest has more than 3 GiB
public enum Layout {
    public static let gdtAddress = GuestAddress(0x500)
    public static let pvhStartInfoAddress = GuestAddress(0x6000)
    public static let zeroPageAddress = GuestAddress(0x7000)
    public static let bootStackTop = GuestAddress(0x8ff0)
    public static let pageTableRoot = GuestAddress(0x9000)
    static let pageDirectoryPointerTable = GuestAddress(0xa000)
    static let firstPageDirectory = GuestAddress(0xb000)
    /// How much the boot page tables identity-map (4 page directories of 512 x 2 MiB).
    public static let identityMappedSize: UInt64 = 4 << 30
    public static let commandLineAddress = GuestAddress(0x20000)
    /// Longest command line including the terminating NUL.
    public static let commandLineCapacity: UInt64 = 0x10000
    /// End of usable conventional memory; from here to 1 MiB is reserved.
    public static let conventionalMemoryEnd = GuestAddress(0x9fc00)
    public static let acpiTablesAddress = GuestAddress(0xe0000)
    public static let acpiTablesCapacity: UInt64 = 0x1fff0
    /// Where real mode starts after a reset (F000:FFF0), and where Linux jumps to reboot
    /// through the BIOS: the last reboot method it tries (see `ResetVector`).
    public static let resetVectorAddress = GuestAddress(0xffff0)
    public static let highMemoryStart = GuestAddress(0x10_0000)
    public static let pciHoleStart = GuestAddress(0xc000_0000)
    public static let pciHoleEnd = GuestAddress(0x1_0000_0000)
    /// Virtio-mmio device windows, one page each, in the PCI hole; one legacy interrupt
    /// line each, from those the platform leaves free (4 is the UART, 8 the RTC, 12 the
    /// PS/2 mouse, 14 and 15 the IDE controllers).
    public static let virtioWindowsStart = GuestAddress(0xd000_0000)
    public static let virtioWindowSize: UInt64 = 0x1000
    public static let virtioInterruptLines: [UInt32] = [5, 6, 7, 9, 10, 11]
    /// Three pages KVM needs for its real-mode TSS, and one for its identity-map table,
    /// in the hole just below the 4 GiB boundary (where BIOSes leave them too).
    public static let tssAddress = GuestAddress(0xfffb_d000)
    public static let identityMapAddress = GuestAddress(0xfffb_c000)

    /// Smallest guest RAM: the low-memory structures above plus room for a kernel.
    public static let minimumMemorySize: UInt64 = 4 << 20

    // Port I/O devices.
    public static let serialPort: UInt16 = 0x3f8
    public static let serialPortCount: UInt64 = 8
    public static let serialInterrupt: UInt32 = 4
    public static let i8042Port: UInt16 = 0x60
    public static let i8042PortCount: UInt64 = 5
    public static let debugExitPort: UInt16 = 0xf4
    public static let debugExitPortCount: UInt64 = 4
    /// ACPI sleep control/status register (named in the FADT); guests power off through it.
    public static let sleepControlPort: UInt16 = 0x600
    public static let sleepControlPortCount: UInt64 = 1

    /// The RAM ranges for `memorySize` bytes: below the PCI hole, and the rest above 4 GiB.
    public static func memoryRanges(memorySize: UInt64) -> [(start: GuestAddress, size: UInt64)] {
        let low = min(memorySize, pciHoleStart.rawValue)
        var ranges = [(start: GuestAddress(0), size: low)]
        if memorySize > low { ranges.append((start: pciHoleEnd, size: memorySize - low)) }
        return ranges
    }

    /// The guest's physical memory map as firmware would report it (e820): the ACPI
    /// tables and BIOS area below 1 MiB are reserved.
    public static func memoryMap(memorySize: UInt64) -> [E820Entry] {
        var map: [E820Entry] = [
            E820Entry(address: GuestAddress(0), size: conventionalMemoryEnd.rawValue, type: .ram),
            E820Entry(address: conventionalMemoryEnd, size: highMemoryStart.rawValue - conventionalMemoryEnd.rawValue, type: .reserved),
        ]
        for range in memoryRanges(memorySize: memorySize) {
            let start = max(range.start.rawValue, highMemoryStart.rawValue)
            let end = range.start.rawValue + range.size
            if end > start { map.append(E820Entry(address: GuestAddress(start), size: end - start, type: .ram)) }
        }
        return map
    }
}
