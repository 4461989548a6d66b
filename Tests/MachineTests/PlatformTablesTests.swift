// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory
@testable import Machine
import XCTest

final class PlatformTablesTests: XCTestCase {
    let base: UInt64 = 0xe0000
    let devices = [
        VirtioMMIODeviceDescription(base: GuestAddress(0xd000_0000), size: 0x1000, interrupt: 5),
        VirtioMMIODeviceDescription(base: GuestAddress(0xd000_1000), size: 0x1000, interrupt: 6),
    ]

    /// A reader for the blob the way a guest's ACPI code walks it: RSDP -> XSDT -> tables.
    struct Decoded {
        var tables: [String: ArraySlice<UInt8>] = [:]
        var addresses: [String: UInt64] = [:]
    }

    func decode(_ blob: [UInt8]) throws -> Decoded {
        func value(_ bytes: ArraySlice<UInt8>, _ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reversed().reduce(0) { $0 << 8 | UInt64(bytes[bytes.startIndex + offset + $1]) }
        }
        let rsdp = blob[0..<36]
        XCTAssertEqual(Array(rsdp.prefix(8)), Array("RSD PTR ".utf8))
        XCTAssertEqual(rsdp[15], 2, "revision 2")
        XCTAssertEqual(rsdp.prefix(20).reduce(0, &+), 0, "RSDP checksum over 20 bytes")
        XCTAssertEqual(rsdp.reduce(0, &+), 0, "RSDP extended checksum")
        XCTAssertEqual(value(rsdp, 20, 4), 36)
        var decoded = Decoded()
        func table(at address: UInt64) throws -> ArraySlice<UInt8> {
            let offset = Int(address - base)
            let length = Int(value(blob[...], offset + 4, 4))
            let bytes = blob[offset..<(offset + length)]
            let signature = String(decoding: bytes.prefix(4), as: UTF8.self)
            XCTAssertEqual(bytes.reduce(0, &+), 0, "\(signature) checksum")
            XCTAssertEqual(Array(bytes[(offset + 10)..<(offset + 16)]), Array("CANDOR".utf8))
            decoded.tables[signature] = bytes
            decoded.addresses[signature] = address
            return bytes
        }
        let xsdt = try table(at: value(rsdp, 24, 8))
        XCTAssertEqual(Array(xsdt.prefix(4)), Array("XSDT".utf8))
        for index in 0..<((xsdt.count - 36) / 8) { _ = try table(at: value(xsdt, 36 + 8 * index, 8)) }
        let fadt = try XCTUnwrap(decoded.tables["FACP"])
        XCTAssertEqual(value(fadt, 140, 8), value(fadt, 40, 4), "X_DSDT and DSDT agree")
        _ = try table(at: value(fadt, 140, 8))
        return decoded
    }

    func testChecksumsLengthsAndSignatures() throws {
        let blob = try ACPITables(vcpuCount: 2, devices: devices).bytes(at: GuestAddress(base))
        let decoded = try decode(blob)
        XCTAssertEqual(Set(decoded.tables.keys), ["XSDT", "FACP", "APIC", "DSDT"])
        let fadt = try XCTUnwrap(decoded.tables["FACP"])
        XCTAssertEqual(fadt.count, 276)
        XCTAssertEqual(fadt[fadt.startIndex + 8], 6, "FADT revision 6")
        let flags = fadt[(fadt.startIndex + 112)..<(fadt.startIndex + 116)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        XCTAssertNotEqual(flags & (1 << 20), 0, "HW_REDUCED_ACPI")
        for address in decoded.addresses.values { XCTAssertEqual(address % 16, 0) }
        XCTAssertLessThan(blob.count, 0x20000, "fits in the BIOS area 0xE0000-0xFFFFF")
    }

    func testMADTHasOneLocalAPICPerVCPUAndTheIOAPIC() throws {
        for count in [1, 2, 8, 255] {
            let decoded = try decode(try ACPITables(vcpuCount: count).bytes(at: GuestAddress(base)))
            let madt = try XCTUnwrap(decoded.tables["APIC"])
            var offset = madt.startIndex + 44
            var localAPICs: [(uid: UInt8, id: UInt8, flags: UInt8)] = []
            var ioAPICAddresses: [UInt32] = []
            var overrides: [(source: UInt8, gsi: UInt8)] = []
            while offset < madt.endIndex {
                let type = madt[offset], length = Int(madt[offset + 1])
                XCTAssertGreaterThan(length, 0)
                switch type {
                case 0: localAPICs.append((madt[offset + 2], madt[offset + 3], madt[offset + 4]))
                case 1: ioAPICAddresses.append(madt[(offset + 4)..<(offset + 8)].reversed().reduce(0) { $0 << 8 | UInt32($1) })
                case 2: overrides.append((madt[offset + 3], madt[offset + 4]))
                default: XCTFail("unexpected MADT entry type \(type)")
                }
                offset += length
            }
            XCTAssertEqual(offset, madt.endIndex, "entries fill the table exactly")
            XCTAssertEqual(localAPICs.count, count)
            XCTAssertEqual(localAPICs.map(\.id), (0..<count).map { UInt8($0) })
            XCTAssertTrue(localAPICs.allSatisfy { $0.flags & 1 == 1 }, "all enabled")
            XCTAssertEqual(ioAPICAddresses, [0xfec0_0000])
            XCTAssertEqual(overrides.map(\.source), [0])
            XCTAssertEqual(overrides.map(\.gsi), [2])
        }
    }

    /// Each virtio-mmio line gets an interrupt source override: level-triggered, active-high.
    func testMADTDeclaresVirtioLinesLevelTriggered() throws {
        let decoded = try decode(try ACPITables(vcpuCount: 1, devices: devices).bytes(at: GuestAddress(base)))
        let madt = try XCTUnwrap(decoded.tables["APIC"])
        var overrides: [(source: UInt8, gsi: UInt32, flags: UInt16)] = []
        var offset = madt.startIndex + 44
        while offset < madt.endIndex {
            if madt[offset] == 2 {
                let gsi = madt[(offset + 4)..<(offset + 8)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                overrides.append((madt[offset + 3], gsi, UInt16(madt[offset + 8]) | UInt16(madt[offset + 9]) << 8))
            }
            offset += Int(madt[offset + 1])
        }
        let lines = devices.map(\.interrupt).sorted()
        XCTAssertEqual(overrides.map(\.source), [0] + lines.map { UInt8($0) })
        XCTAssertEqual(overrides.map(\.gsi), [2] + lines)
        XCTAssertEqual(overrides.map(\.flags), [0] + lines.map { _ in 0b1101 })
    }

    func testDSDTDescribesEachDevice() throws {
        let decoded = try decode(try ACPITables(vcpuCount: 1, devices: devices).bytes(at: GuestAddress(base)))
        let dsdt = Array(try XCTUnwrap(decoded.tables["DSDT"]))
        XCTAssertEqual(dsdt.count(of: Array("LNRO0005".utf8)), 2)
        // Memory32Fixed(ReadWrite, 0xd0001000, 0x1000) and Interrupt(..., {6}).
        XCTAssertEqual(dsdt.count(of: [0x86, 0x09, 0x00, 0x01, 0x00, 0x10, 0x00, 0xd0, 0x00, 0x10, 0x00, 0x00]), 1)
        XCTAssertEqual(dsdt.count(of: [0x89, 0x06, 0x00, 0x01, 0x01, 0x06, 0x00, 0x00, 0x00]), 1, "level-triggered, active-high")
        XCTAssertEqual(dsdt.count(of: Array("_S5_".utf8)), 0, "no \\_S5_ without a sleep control register")
        // The default legacy devices: COM1 (EISA ID PNP0501, ports 0x3f8-0x3ff, IRQ 4) and the i8042.
        XCTAssertEqual(dsdt.count(of: Array("COM0".utf8)), 1)
        XCTAssertEqual(dsdt.count(of: [0x0c, 0x41, 0xd0, 0x05, 0x01]), 1, "EisaId (\"PNP0501\") = 0x0105d041")
        XCTAssertEqual(dsdt.count(of: [0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x89, 0x06, 0x00, 0x03, 0x01, 0x04]), 1)
        XCTAssertEqual(dsdt.count(of: Array("PS2K".utf8)), 1)
        let empty = try decode(try ACPITables(vcpuCount: 1, serialPorts: [], has8042: false).bytes(at: GuestAddress(base)))
        XCTAssertEqual(Array(try XCTUnwrap(empty.tables["DSDT"]).suffix(7)), [0x10, 0x06, 0x5c] + Array("_SB_".utf8), "an empty \\_SB scope")
    }

    func testSleepControlRegisterAndS5() throws {
        let decoded = try decode(try ACPITables(vcpuCount: 1, sleepControlPort: 0x3c0).bytes(at: GuestAddress(base)))
        let fadt = try XCTUnwrap(decoded.tables["FACP"])
        XCTAssertEqual(Array(fadt[(fadt.startIndex + 244)..<(fadt.startIndex + 256)]), [1, 8, 0, 1, 0xc0, 0x03, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(fadt[(fadt.startIndex + 256)..<(fadt.startIndex + 268)]), [1, 8, 0, 1, 0xc0, 0x03, 0, 0, 0, 0, 0, 0])
        let dsdt = Array(try XCTUnwrap(decoded.tables["DSDT"]))
        XCTAssertEqual(dsdt.count(of: [0x08] + Array("_S5_".utf8) + [0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00]), 1)
    }

    func testResetRegister() throws {
        func fadt(_ tables: ACPITables) throws -> (flags: UInt32, register: [UInt8], value: UInt8) {
            let fadt = try XCTUnwrap(try decode(tables.bytes(at: GuestAddress(base))).tables["FACP"])
            let flags = fadt[(fadt.startIndex + 112)..<(fadt.startIndex + 116)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return (flags, Array(fadt[(fadt.startIndex + 116)..<(fadt.startIndex + 128)]), fadt[fadt.startIndex + 128])
        }
        let with = try fadt(try ACPITables(vcpuCount: 1, resetRegister: ResetRegister(port: 0x64, value: 0xfe)))
        XCTAssertNotEqual(with.flags & (1 << 10), 0, "RESET_REG_SUP")
        XCTAssertEqual(with.register, [1, 8, 0, 1, 0x64, 0, 0, 0, 0, 0, 0, 0], "one byte at I/O port 0x64")
        XCTAssertEqual(with.value, 0xfe)
        let without = try fadt(try ACPITables(vcpuCount: 1))
        XCTAssertEqual(without.flags & (1 << 10), 0)
        XCTAssertEqual(without.register, [UInt8](repeating: 0, count: 12))
        XCTAssertEqual(without.value, 0)
    }

    func testRejectsWhatTheTablesCannotDescribe() {
        XCTAssertThrowsError(try ACPITables(vcpuCount: 0)) { XCTAssertEqual($0 as? PlatformTablesError, .vcpuCount(0)) }
        XCTAssertThrowsError(try ACPITables(vcpuCount: 256)) { XCTAssertEqual($0 as? PlatformTablesError, .vcpuCount(256)) }
        XCTAssertThrowsError(try ACPITables(vcpuCount: 1, serialPorts: Array(repeating: .com1, count: 11))) {
            XCTAssertEqual($0 as? PlatformTablesError, .tooManySerialPorts(11))
        }
        let high = VirtioMMIODeviceDescription(base: GuestAddress(0xffff_f000), size: 0x2000, interrupt: 5)
        XCTAssertThrowsError(try ACPITables(vcpuCount: 1, devices: [high])) {
            XCTAssertEqual($0 as? PlatformTablesError, .deviceWindow(index: 0, base: GuestAddress(0xffff_f000), size: 0x2000))
        }
    }

    func testAMLPackageLengthEncodings() {
        XCTAssertEqual(AML.packageLength([UInt8](repeating: 0, count: 62)).prefix(1), [63])
        XCTAssertEqual(AML.packageLength([UInt8](repeating: 0, count: 63)).prefix(2), [0x41, 0x04], "65 = 0x41 in two bytes")
        XCTAssertEqual(AML.packageLength([UInt8](repeating: 0, count: 0xffd)).prefix(2), [0x4f, 0xff], "0xfff in two bytes")
        XCTAssertEqual(AML.packageLength([UInt8](repeating: 0, count: 0xffe)).prefix(3), [0x81, 0x00, 0x01], "0x1001 in three bytes")
        XCTAssertEqual(AML.integer(0), [0x00])
        XCTAssertEqual(AML.integer(0x1234), [0x0b, 0x34, 0x12])
    }

    /// The ACPICA disassembler (acpica-tools) reads every table without complaint.
    func testIASLDisassemblesTheTables() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/iasl") else {
            throw XCTSkip("iasl (acpica-tools) is not installed")
        }
        let many = (0..<40).map { VirtioMMIODeviceDescription(base: GuestAddress(0xd000_0000 + UInt64($0) * 0x1000), size: 0x1000, interrupt: 5 + UInt32($0)) }
        let decoded = try decode(try ACPITables(vcpuCount: 2, devices: many, sleepControlPort: 0x3c0).bytes(at: GuestAddress(base)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("candor-acpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (signature, bytes) in decoded.tables {
            let file = directory.appendingPathComponent("\(signature).aml")
            try Data(bytes).write(to: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/iasl")
            process.arguments = ["-d", file.path]
            process.currentDirectoryURL = directory
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, output)
            XCTAssertFalse(output.lowercased().contains("error"), output)
            let dsl = try String(contentsOf: directory.appendingPathComponent("\(signature).dsl"), encoding: .utf8)
            XCTAssertFalse(dsl.contains("Invalid"), dsl)
            switch signature {
            case "DSDT":
                try checkWithACPIExec(directory.appendingPathComponent("DSDT.aml"))
                XCTAssertTrue(dsl.contains("Device (V027)"), dsl)
                XCTAssertTrue(dsl.contains("Name (_HID, \"LNRO0005\")"), dsl)
                XCTAssertTrue(dsl.contains("0xD0027000"), dsl)
                XCTAssertTrue(dsl.contains("Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )"), dsl)
                XCTAssertTrue(dsl.contains("Name (_S5, Package (0x04)"), dsl)
                XCTAssertTrue(dsl.contains("EisaId (\"PNP0501\")"), dsl)
                XCTAssertTrue(dsl.contains("EisaId (\"PNP0303\")"), dsl)
            case "APIC":
                XCTAssertEqual(dsl.components(separatedBy: "Subtable Type : 00 [Processor Local APIC]").count - 1, 2, dsl)
            case "FACP":
                XCTAssertTrue(dsl.contains("Hardware Reduced (V5) : 1"), dsl)
            default: break
            }
        }
    }

    /// The ACPICA interpreter loads the DSDT and evaluates what Linux will: a device's
    /// _HID and _CRS, and \_S5_.
    func checkWithACPIExec(_ dsdt: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/acpiexec") else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/acpiexec")
        process.arguments = ["-b", "evaluate \\_SB.V001._HID; evaluate \\_SB.V001._CRS; evaluate \\_S5_; evaluate \\_SB.COM0._HID",
                             dsdt.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("[String] Length 08 = \"LNRO0005\""), output)
        XCTAssertTrue(output.contains("0000: 86 09 00 01 00 10 00 D0 00 10 00 00 89 06 00 01"), output)
        XCTAssertTrue(output.contains("[Package] Contains 4 Elements:\n    [Integer] = 0000000000000005"), output)
        XCTAssertTrue(output.contains("ACPI: 1 ACPI AML tables successfully acquired and loaded"), output)
        XCTAssertTrue(output.contains("[Integer] = 000000000105D041"), output)
    }
}

private extension Array where Element == UInt8 {
    func count(of needle: [UInt8]) -> Int {
        guard needle.count <= count else { return 0 }
        return (0...(count - needle.count)).filter { self[$0..<($0 + needle.count)].elementsEqual(needle) }.count
    }
}
