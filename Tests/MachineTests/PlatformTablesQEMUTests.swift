// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory
import Machine
import XCTest

/// Boots the Debian kernel (scripts/fetch-kernel.sh) under QEMU's microvm machine with
/// QEMU's own ACPI off and only our tables loaded at 0xE0000, as an independent check
/// that a real Linux finds and accepts them. TCG, so it takes about a minute.
final class PlatformTablesQEMUTests: XCTestCase {
    func testLinuxFindsTheTablesAndBothCPUs() throws {
        let qemu = "/usr/bin/qemu-system-x86_64"
        let cache = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".cache/kernel")
        let kernel = cache.appendingPathComponent("vmlinuz").path
        let initrd = cache.appendingPathComponent("initramfs.cpio.gz").path
        guard FileManager.default.isExecutableFile(atPath: qemu) else { throw XCTSkip("\(qemu) is not installed") }
        guard FileManager.default.fileExists(atPath: kernel), FileManager.default.fileExists(atPath: initrd) else {
            throw XCTSkip("\(cache.path) has no kernel; run scripts/fetch-kernel.sh")
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("candor-acpi-qemu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tables = try ACPITables(vcpuCount: 2, devices: [
            VirtioMMIODeviceDescription(base: GuestAddress(0xd000_0000), size: 0x1000, interrupt: 5),
        ], sleepControlPort: 0x3c0)
        let blob = directory.appendingPathComponent("acpi.bin")
        try Data(tables.bytes(at: ACPITables.rsdpAddress)).write(to: blob)
        let log = directory.appendingPathComponent("console.log")

        // TCG occasionally ends a run early under load (seen once in CI: the log stops where
        // /init would start, with no panic); one more run tells that apart from a real fault.
        var console = try bootUnderQEMU(qemu: qemu, kernel: kernel, initrd: initrd, tables: blob, log: log)
        if !console.contains("reboot: Power down") {
            print("PlatformTablesQEMUTests: QEMU ended before the guest powered off; booting once more. Last lines:\n"
                  + console.split(separator: "\n").suffix(5).joined(separator: "\n"))
            console = try bootUnderQEMU(qemu: qemu, kernel: kernel, initrd: initrd, tables: blob, log: log)
        }
        XCTAssertTrue(console.contains("ACPI: RSDP 0x00000000000E0000 000024 (v02 CANDOR)"), console)
        XCTAssertFalse(console.contains("RSDP was not found"), console)
        XCTAssertTrue(console.contains("smpboot: Allowing 2 CPUs"), console)
        XCTAssertTrue(console.contains("smp: Brought up 1 node, 2 CPUs"), console)
        XCTAssertTrue(console.contains("pnp: PnP ACPI: found 2 devices"), console)
        XCTAssertTrue(console.contains("ACPI: PM: (supports S0 S5)"), console)
        XCTAssertTrue(console.contains("CANDOR-INITRAMFS-OK"), "the UART interrupt from the DSDT carries user-space output\n\(console)")
        XCTAssertTrue(console.contains("ACPI: PM: Preparing to enter system sleep state S5"), console)
    }

    /// One boot with only our tables at 0xE0000; the console log once the guest powered off,
    /// QEMU exited, or five minutes passed.
    private func bootUnderQEMU(qemu: String, kernel: String, initrd: String, tables: URL, log: URL) throws -> String {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qemu)
        process.arguments = [
            "-machine", "microvm,acpi=off,pic=on,pit=on,rtc=on,isa-serial=on", "-smp", "2", "-m", "512",
            "-accel", "tcg,thread=single",
            "-display", "none", "-serial", "file:\(log.path)", "-monitor", "none", "-no-reboot",
            "-kernel", kernel, "-initrd", initrd,
            // TCG has no kvmclock: give the TSC rate and the delay loop instead of calibrating.
            "-append", "console=ttyS0 earlyprintk=ttyS0 panic=-1 rdinit=/init tsc_early_khz=2000000 lpj=4000000",
            "-device", "loader,file=\(tables.path),addr=0xe0000,force-raw=on",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }

        // QEMU has nothing at the sleep control port, so the guest stays up after its
        // power-off attempt; stop at that line or after the deadline.
        let deadline = Date().addingTimeInterval(300)
        var console = ""
        while Date() < deadline, process.isRunning {
            console = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if console.contains("reboot: Power down") { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return (try? String(contentsOf: log, encoding: .utf8)) ?? console
    }
}
