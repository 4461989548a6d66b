// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
import GuestMemory
import KVM
import Loader
@testable import Machine

/// Boots the Debian kernel (from scripts/fetch-kernel.sh's cache) with the busybox
/// initramfs on two vCPUs and checks its early log against the machine Candor built.
/// On these hosts the boot ends at the kernel's int3 self-test, which KVM cannot
/// emulate; that must come back as a clear emulation failure. About 95 s per boot.
final class LinuxBootTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cache = repository.appendingPathComponent(".cache/kernel")
    static let commandLine = "console=ttyS0 earlyprintk=serial noxsave candor.boot-test=7f3a"
    static let memorySize: UInt64 = 512 << 20

    /// The kernel cache, fetched once when it is missing.
    private func kernelCache() throws -> (vmlinuz: String, vmlinux: String, initramfs: String) {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        let files = ["vmlinuz", "vmlinux", "initramfs.cpio.gz"].map { Self.cache.appendingPathComponent($0).path }
        if !files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
            let fetch = Process()
            fetch.executableURL = URL(fileURLWithPath: "/bin/sh")
            fetch.arguments = [Self.repository.appendingPathComponent("scripts/fetch-kernel.sh").path]
            fetch.standardOutput = FileHandle.nullDevice
            fetch.standardError = FileHandle.nullDevice
            try? fetch.run()
            fetch.waitUntilExit()
            guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
                throw XCTSkip("no kernel in \(Self.cache.path) and scripts/fetch-kernel.sh could not fetch one")
            }
        }
        return (files[0], files[1], files[2])
    }

    private func boot(kernel: String, initramfs: String) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("candor-linux-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var configuration = MachineConfiguration(kernelPath: kernel)
        configuration.initrdPath = initramfs
        configuration.commandLine = Self.commandLine
        configuration.memorySize = Self.memorySize
        configuration.vcpuCount = 2
        configuration.serialOutput = .file(log.path)
        configuration.serialInput = false
        let machine = try MachineBuilder.build(configuration)

        // Where the loader put the initrd: boot_params ramdisk_image and ramdisk_size.
        let ramdiskImage = UInt64(try machine.memory.load(UInt32.self, at: GuestAddress(Layout.zeroPageAddress.rawValue + 0x218)))
        let ramdiskSize = UInt64(try machine.memory.load(UInt32.self, at: GuestAddress(Layout.zeroPageAddress.rawValue + 0x21c)))
        XCTAssertEqual(ramdiskSize, UInt64(try FileManager.default.attributesOfItem(atPath: initramfs)[.size] as! Int))

        let exit = machine.run()
        let output = try String(contentsOf: log, encoding: .utf8)
        func expect(_ text: String, _ line: UInt = #line) {
            XCTAssertTrue(output.contains(text), "missing \"\(text)\" in the boot log:\n\(output.suffix(3000))", line: line)
        }
        func expectPattern(_ pattern: String, _ line: UInt = #line) {
            XCTAssertNotNil(output.range(of: pattern, options: .regularExpression), "no match for \(pattern)", line: line)
        }

        expect("Linux version 6.")
        // Exactly our command line: the whole rest of its log line (the console adds "\r\n").
        let lines = output.split(whereSeparator: \.isNewline)
        XCTAssertTrue(lines.contains { $0.hasSuffix("] Command line: \(Self.commandLine)") },
                      "no \"Command line: \(Self.commandLine)\" line in the boot log")
        for entry in Layout.memoryMap(memorySize: Self.memorySize) {
            let last = entry.address.rawValue + entry.size - 1
            let kind = entry.type == .ram ? "usable" : "reserved"
            expect(String(format: "BIOS-e820: [mem 0x%016llx-0x%016llx] %@", entry.address.rawValue, last, kind))
        }
        let ramdiskEnd = (ramdiskImage + ramdiskSize + 0xfff) & ~UInt64(0xfff)
        expect(String(format: "RAMDISK: [mem 0x%08llx-0x%08llx]", ramdiskImage, ramdiskEnd - 1))
        expect(String(format: "ACPI: RSDP 0x%016llX", Layout.acpiTablesAddress.rawValue))
        XCTAssertFalse(output.contains("RSDP was not found"))
        expect("smpboot: Allowing 2 CPUs")
        expectPattern(#"Memory: [0-9]+K/[0-9]+K available"#)
        expect("printk: console [ttyS0] enabled")

        guard case let .emulationFailure(_, error, rip, instruction) = exit else {
            return XCTFail("expected the int3 emulation failure, got: \(exit)")
        }
        XCTAssertEqual(error.suberror, 1)
        XCTAssertNotNil(rip)
        XCTAssertEqual(instruction.first, 0xcc, "\(exit)")
        XCTAssertTrue("\(exit)".contains("instruction bytes: cc"), "\(exit)")
        XCTAssertEqual(exit.processExitStatus, 1)
    }

    func testVmlinuxBootsToTheInt3SelfTest() throws {
        let cache = try kernelCache()
        try boot(kernel: cache.vmlinux, initramfs: cache.initramfs)
    }

    func testBzImageBootsToTheInt3SelfTest() throws {
        let cache = try kernelCache()
        try boot(kernel: cache.vmlinuz, initramfs: cache.initramfs)
    }
}
