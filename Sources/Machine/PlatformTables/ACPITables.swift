// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// A virtio-mmio device as the guest learns of it from the DSDT.
public struct VirtioMMIODeviceDescription: Equatable, Sendable {
    public var base: GuestAddress
    public var size: UInt64
    public var interrupt: UInt32

    public init(base: GuestAddress, size: UInt64, interrupt: UInt32) {
        self.base = base
        self.size = size
        self.interrupt = interrupt
    }
}

/// The FADT's reset register: writing `value` to I/O port `port` resets the machine.
public struct ResetRegister: Equatable, Sendable {
    public var port: UInt16
    public var value: UInt8

    public init(port: UInt16, value: UInt8) {
        self.port = port
        self.value = value
    }
}

/// A 16550 UART at an I/O port, declared in the DSDT (PNP0501).
public struct SerialPortDescription: Equatable, Sendable {
    public var port: UInt16
    public var interrupt: UInt32

    public init(port: UInt16, interrupt: UInt32) {
        self.port = port
        self.interrupt = interrupt
    }

    public static let com1 = SerialPortDescription(port: 0x3f8, interrupt: 4)
}

public enum PlatformTablesError: Error, Equatable, CustomStringConvertible {
    case vcpuCount(Int)
    case tooManyDevices(Int)
    case tooManySerialPorts(Int)
    /// A virtio-mmio window that Memory32Fixed cannot describe (above 4 GiB or empty).
    case deviceWindow(index: Int, base: GuestAddress, size: UInt64)

    public var description: String {
        switch self {
        case let .vcpuCount(count):
            return "ACPI tables: \(count) vCPUs; the MADT describes 1 to \(ACPITables.maximumVCPUs) (8-bit APIC IDs)"
        case let .tooManyDevices(count):
            return "ACPI tables: \(count) virtio-mmio devices; at most \(ACPITables.maximumDevices) get DSDT names"
        case let .tooManySerialPorts(count):
            return "ACPI tables: \(count) serial ports; at most \(ACPITables.maximumSerialPorts) get DSDT names"
        case let .deviceWindow(index, base, size):
            return "ACPI tables: virtio-mmio device \(index) at \(base) with size 0x\(String(size, radix: 16)) must lie below 4 GiB"
        }
    }
}

/// The ACPI tables of the machine: RSDP (revision 2), XSDT, FADT, MADT and DSDT, laid out
/// one after another in a single blob. A pure function of its inputs.
///
/// The FADT is hardware-reduced (HW_REDUCED_ACPI), as Firecracker's and Cloud
/// Hypervisor's are: the machine has no PM1 event/control blocks, PM timer or GPEs, and
/// Linux then expects none. With `sleepControlPort`, the FADT's sleep control and status
/// registers point at that I/O port and the DSDT has an \_S5_ object, so Linux's
/// `poweroff` writes `(5 << 2) | 0x20` (SLP_TYP 5, SLP_EN) there.
///
/// With `resetRegister`, the FADT names an I/O port and value that reset the machine
/// (RESET_REG_SUP): the reset mechanism ACPI gives a hardware-reduced platform, which Linux
/// uses with `reboot=acpi`.
///
/// Hardware-reduced Linux has no legacy PIC and so no default ISA IRQ mappings: a
/// UART or i8042 gets its interrupt only when the DSDT declares it (as Firecracker's
/// does). Without that, the serial console's transmit interrupt never arrives and user
/// space output is lost (seen under QEMU with these tables).
public struct ACPITables: Sendable {
    public var vcpuCount: Int
    public var devices: [VirtioMMIODeviceDescription]
    public var serialPorts: [SerialPortDescription]
    public var sleepControlPort: UInt16?
    /// IA-PC boot flag: an i8042 keyboard controller is present (Linux probes it; the
    /// machine uses it for reset).
    public var has8042: Bool
    public var resetRegister: ResetRegister?

    /// Where Linux's scan of 0xE0000-0xFFFFF finds the RSDP without boot_params.
    public static let rsdpAddress = GuestAddress(0xe0000)
    public static let localAPICAddress: UInt32 = 0xfee0_0000
    public static let ioAPICAddress: UInt32 = 0xfec0_0000
    public static let maximumVCPUs = 255
    public static let maximumDevices = 0x1000
    public static let maximumSerialPorts = 10

    public init(vcpuCount: Int, devices: [VirtioMMIODeviceDescription] = [], serialPorts: [SerialPortDescription] = [.com1],
                sleepControlPort: UInt16? = nil, has8042: Bool = true, resetRegister: ResetRegister? = nil) throws {
        guard (1...Self.maximumVCPUs).contains(vcpuCount) else { throw PlatformTablesError.vcpuCount(vcpuCount) }
        guard devices.count <= Self.maximumDevices else { throw PlatformTablesError.tooManyDevices(devices.count) }
        guard serialPorts.count <= Self.maximumSerialPorts else { throw PlatformTablesError.tooManySerialPorts(serialPorts.count) }
        for (index, device) in devices.enumerated() {
            let (end, overflow) = device.base.rawValue.addingReportingOverflow(device.size)
            guard device.size > 0, device.size <= UInt64(UInt32.max), !overflow, end <= 1 << 32 else {
                throw PlatformTablesError.deviceWindow(index: index, base: device.base, size: device.size)
            }
        }
        self.vcpuCount = vcpuCount
        self.devices = devices
        self.serialPorts = serialPorts
        self.sleepControlPort = sleepControlPort
        self.has8042 = has8042
        self.resetRegister = resetRegister
    }

    /// The tables for a blob written at `address` (the RSDP comes first, so `address` is
    /// the RSDP address to give the kernel). Tables are 16-byte aligned within it.
    public func bytes(at address: GuestAddress) -> [UInt8] {
        let dsdt = self.dsdt()
        let madt = self.madt()
        let rsdpSize = 36
        let xsdtOffset = Self.aligned(rsdpSize)
        let xsdtSize = 36 + 2 * 8
        let fadtOffset = Self.aligned(xsdtOffset + xsdtSize)
        let madtOffset = Self.aligned(fadtOffset + Self.fadtLength)
        let dsdtOffset = Self.aligned(madtOffset + madt.count)
        let base = address.rawValue

        var blob = [UInt8](repeating: 0, count: dsdtOffset + dsdt.count)
        blob.replaceSubrange(0..<rsdpSize, with: rsdp(xsdtAddress: base + UInt64(xsdtOffset)))
        let xsdt = Self.table("XSDT", revision: 1, body: Self.le(base + UInt64(fadtOffset), 8) + Self.le(base + UInt64(madtOffset), 8))
        blob.replaceSubrange(xsdtOffset..<(xsdtOffset + xsdt.count), with: xsdt)
        let fadt = self.fadt(dsdtAddress: base + UInt64(dsdtOffset))
        blob.replaceSubrange(fadtOffset..<(fadtOffset + fadt.count), with: fadt)
        blob.replaceSubrange(madtOffset..<(madtOffset + madt.count), with: madt)
        blob.replaceSubrange(dsdtOffset..<(dsdtOffset + dsdt.count), with: dsdt)
        return blob
    }

    // MARK: Tables

    static let oemID = Array("CANDOR".utf8)
    static let fadtLength = 276

    /// RSDP revision 2: checksum over the first 20 bytes, extended checksum over all 36.
    func rsdp(xsdtAddress: UInt64) -> [UInt8] {
        var bytes = Array("RSD PTR ".utf8) + [0] + Self.oemID + [2] + Self.le(0, 4) + Self.le(36, 4) + Self.le(xsdtAddress, 8) + [0, 0, 0, 0]
        bytes[8] = Self.checksum(bytes[0..<20])
        bytes[32] = Self.checksum(bytes[0..<36])
        return bytes
    }

    /// FADT revision 6 (ACPI 6.5): hardware-reduced, DSDT by both 32- and 64-bit pointers.
    func fadt(dsdtAddress: UInt64) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: Self.fadtLength - 36)
        func put(_ value: UInt64, _ size: Int, at offset: Int) {
            body.replaceSubrange((offset - 36)..<(offset - 36 + size), with: Self.le(value, size))
        }
        put(dsdtAddress & 0xffff_ffff, 4, at: 40)                // DSDT
        // IAPC_BOOT_ARCH: 8042 (bit 1), VGA not present (2), MSI not supported (3),
        // PCIe ASPM controls (4), CMOS RTC not present (5).
        put((has8042 ? 1 << 1 : 0) | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5, 2, at: 109)
        // Flags: WBINVD (0), PWR_BUTTON (4) and SLP_BUTTON (5) as control methods
        // (none here), RESET_REG_SUP (10) with a reset register, HW_REDUCED_ACPI (20).
        put(1 << 0 | 1 << 4 | 1 << 5 | (resetRegister != nil ? 1 << 10 : 0) | 1 << 20, 4, at: 112)
        if let reset = resetRegister {
            body.replaceSubrange((116 - 36)..<(128 - 36), with: Self.ioPort(reset.port))   // RESET_REG
            put(UInt64(reset.value), 1, at: 128)                                         // RESET_VALUE
        }
        put(5, 1, at: 131)                                       // FADT minor version
        put(dsdtAddress, 8, at: 140)                             // X_DSDT
        if let port = sleepControlPort {
            body.replaceSubrange((244 - 36)..<(256 - 36), with: Self.ioPort(port))   // SLEEP_CONTROL_REG
            body.replaceSubrange((256 - 36)..<(268 - 36), with: Self.ioPort(port))   // SLEEP_STATUS_REG
        }
        body.replaceSubrange((268 - 36)..<(276 - 36), with: Array("CANDORVM".utf8))   // hypervisor vendor identity
        return Self.table("FACP", revision: 6, body: body)
    }

    /// MADT revision 5: one enabled Local APIC per vCPU (APIC ID = index), the I/O APIC
    /// at GSI 0, the ISA override IRQ 0 -> GSI 2 (the PIT is wired to pin 2), and one
    /// override per virtio-mmio line saying it is level-triggered, active-high: Linux
    /// takes an ISA IRQ's trigger mode from the MADT, not from the DSDT, and an
    /// edge-triggered line loses interrupts a level source raises while it is still up.
    func madt() -> [UInt8] {
        var body = Self.le(UInt64(Self.localAPICAddress), 4) + Self.le(1, 4)    // flags: PCAT_COMPAT
        for cpu in 0..<vcpuCount {
            body += [0, 8, UInt8(cpu), UInt8(cpu)] + Self.le(1, 4)              // Processor Local APIC, enabled
        }
        body += [1, 12, 0, 0] + Self.le(UInt64(Self.ioAPICAddress), 4) + Self.le(0, 4)   // I/O APIC 0, GSI base 0
        body += [2, 10, 0, 0] + Self.le(2, 4) + Self.le(0, 2)                  // ISA bus, IRQ 0 -> GSI 2, conforming
        for line in Set(devices.map(\.interrupt)).sorted() where line < 16 {
            // MPS INTI flags: polarity 01 (active high), trigger mode 11 (level).
            body += [2, 10, 0, UInt8(line)] + Self.le(UInt64(line), 4) + Self.le(0b1101, 2)
        }
        return Self.table("APIC", revision: 5, body: body)
    }

    /// DSDT: \_SB with a device per virtio-mmio window ("LNRO0005", what Linux's
    /// virtio_mmio driver matches), the UARTs (PNP0501) and the i8042 (PNP0303), and
    /// \_S5_ when there is a sleep control register.
    func dsdt() -> [UInt8] {
        var devicesAML: [UInt8] = []
        for (index, device) in devices.enumerated() {
            let name = "V" + String(String(index, radix: 16, uppercase: true).suffix(3)).leftPadded(to: 3)
            let resources = AML.resourceTemplate([
                AML.memory32Fixed(base: UInt32(device.base.rawValue), length: UInt32(truncatingIfNeeded: device.size)),
                AML.interrupt(device.interrupt, levelTriggered: true),
            ])
            devicesAML += AML.device(name, AML.name("_HID", AML.string("LNRO0005"))
                + AML.name("_UID", AML.integer(UInt64(index))) + AML.name("_CRS", resources))
        }
        for (index, serial) in serialPorts.enumerated() {
            let resources = AML.resourceTemplate([AML.ioPorts(base: serial.port, count: 8), AML.interrupt(serial.interrupt)])
            devicesAML += AML.device("COM\(index)", AML.name("_HID", AML.eisaID("PNP0501"))
                + AML.name("_UID", AML.integer(UInt64(index))) + AML.name("_CRS", resources))
        }
        if has8042 {
            // The keyboard controller: data 0x60, command/status 0x64, IRQ 1.
            let resources = AML.resourceTemplate([AML.ioPorts(base: 0x60, count: 1), AML.ioPorts(base: 0x64, count: 1),
                                                  AML.interrupt(1)])
            devicesAML += AML.device("PS2K", AML.name("_HID", AML.eisaID("PNP0303")) + AML.name("_CRS", resources))
        }
        var aml = AML.scope("\\_SB_", devicesAML)
        if sleepControlPort != nil {
            // SLP_TYPa, SLP_TYPb, reserved, reserved.
            aml += AML.name("_S5_", AML.package([AML.integer(5), AML.integer(0), AML.integer(0), AML.integer(0)]))
        }
        return Self.table("DSDT", revision: 2, body: aml)
    }

    // MARK: Encoding

    /// An SDT: 36-byte header (signature, length, revision, checksum, OEM fields) + body.
    static func table(_ signature: String, revision: UInt8, body: [UInt8]) -> [UInt8] {
        let length = 36 + body.count
        var bytes = Array(signature.utf8) + le(UInt64(length), 4) + [revision, 0] + oemID
        bytes += Array(("CAND" + signature).utf8) + le(1, 4) + Array("CNDR".utf8) + le(1, 4)
        bytes += body
        bytes[9] = checksum(bytes[...])
        return bytes
    }

    /// A Generic Address Structure for one byte in system I/O space.
    static func ioPort(_ port: UInt16) -> [UInt8] {
        [1, 8, 0, 1] + le(UInt64(port), 8)
    }

    /// The byte that makes the sum of all bytes 0 (mod 256) when stored in a zero slot.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        0 &- bytes.reduce(0, &+)
    }

    static func le(_ value: UInt64, _ size: Int) -> [UInt8] { AML.littleEndian(value, bytes: size) }

    static func aligned(_ offset: Int) -> Int { (offset + 15) & ~15 }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
