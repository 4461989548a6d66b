// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import TestSupport
import XCTest

/// Runs the candor-vm executable as users and scripts do and checks its contract:
/// the guest's status as exit status, one-line errors with status 1.
final class CandorVMCommandTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let helloGuest = repository.appendingPathComponent("hypervisor/guest/build/hello.elf").path

    /// The candor-vm built next to this test bundle.
    static var executable: URL? {
        let candidates = [Bundle.main.bundleURL, Bundle(for: CandorVMCommandTests.self).bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("candor-vm") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func runCandorVM(_ arguments: [String]) throws -> Result {
        guard let executable else { throw XCTSkip("candor-vm is not built next to the tests (swift build)") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    private func requireKVMAndGuest() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        guard FileManager.default.fileExists(atPath: Self.helloGuest) else {
            throw XCTSkip("hello guest not built: run `make guest`")
        }
    }

    func testHelloGuestBannerAndSuccessStatus() throws {
        try requireKVMAndGuest()
        let result = try Self.runCandorVM(["run", "--kernel", Self.helloGuest, "--cmdline", "candor.demo=1"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("Candor hello guest"), result.stdout)
        XCTAssertTrue(result.stdout.contains("memory: 255 MiB"), "default memory is 256 MiB: \(result.stdout)")
        XCTAssertEqual(result.stderr, "")
    }

    func testGuestFailureBecomesTheExitStatus() throws {
        try requireKVMAndGuest()
        let wrongLine = try Self.runCandorVM(["run", "--kernel", Self.helloGuest, "--cmdline", "quiet"])
        XCTAssertEqual(wrongLine.status, 4, wrongLine.stdout)
        XCTAssertTrue(wrongLine.stdout.contains("command line: \"quiet\""))
        let small = try Self.runCandorVM(["run", "--kernel", Self.helloGuest, "--cmdline", "candor.demo=1", "--memory", "8", "--vcpus", "2"])
        XCTAssertEqual(small.status, 3, small.stdout)
    }

    func testSerialOutputToAFile() throws {
        try requireKVMAndGuest()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("candor-serial-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.runCandorVM(["run", "--kernel", Self.helloGuest, "--cmdline", "candor.demo=1", "--serial-output", file.path])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(try String(contentsOf: file, encoding: .utf8).contains("all checks passed"))
    }

    func testMalformedImageIsAOneLineError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("candor-bad-\(UUID().uuidString).elf")
        defer { try? FileManager.default.removeItem(at: file) }
        // An ELF header cut short.
        try Data([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).write(to: file)
        let result = try Self.runCandorVM(["run", "--kernel", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("candor-vm: \(file.path): "), result.stderr)
        XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
    }

    func testEmulationFailureIsReportedWithRIPAndBytes() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("candor-int3-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([0xcc]).write(to: file)
        let result = try Self.runCandorVM(["run", "--kernel", file.path, "--flat", "long64", "--memory", "16"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("candor-vm: vCPU 0: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("emulation failure") || result.stderr.contains("triple fault"), result.stderr)
        XCTAssertTrue(result.stderr.contains("RIP 0x100000"), result.stderr)
    }

    /// SIGTERM (and SIGINT) stop a guest that would run forever: a clean shutdown with
    /// status 128 + 15 and one line saying so, not death by the signal.
    func testSIGTERMStopsTheGuestCleanly() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        guard let executable = Self.executable else { throw XCTSkip("candor-vm is not built next to the tests (swift build)") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("candor-loop-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([0xf4, 0xeb, 0xfd]).write(to: file)  // hlt; jmp back: sleeps in the in-kernel irqchip
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--kernel", file.path, "--flat", "protected32", "--memory", "16", "--vcpus", "2"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        usleep(1_000_000)
        XCTAssertTrue(process.isRunning, "the guest loops until stopped")
        process.terminate()  // SIGTERM
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "exited by itself, not killed by the signal")
        XCTAssertEqual(process.terminationStatus, 143, stderr)
        XCTAssertEqual(stderr, "candor-vm: stopped by SIGTERM; the guest was halted and its drivers stopped\n")
    }

    /// `run --api-socket` alone waits for a snapshot load (no /dev/kvm needed until then);
    /// SIGTERM ends the wait with status 128 + 15 and one line, and the socket is removed.
    func testAVMMWaitingForASnapshotStopsOnSIGTERM() throws {
        guard let executable = Self.executable else { throw XCTSkip("candor-vm is not built next to the tests (swift build)") }
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("candor-wait-\(UUID().uuidString.prefix(8)).sock").path
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--api-socket", socket]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        XCTAssertTrue(waitUntil(10) { FileManager.default.fileExists(atPath: socket) }, "the VMM serves the API")
        XCTAssertTrue(process.isRunning, "it waits for a snapshot")
        process.terminate()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "exited by itself, not killed by the signal")
        XCTAssertEqual(process.terminationStatus, 143, stderr)
        XCTAssertEqual(stderr, "candor-vm: stopped by signal 15 (Terminated) before a VM was loaded\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket is removed on exit")

        let sized = try Self.runCandorVM(["run", "--api-socket", socket, "--memory", "16"])
        XCTAssertEqual(sized.status, 64)
        XCTAssertTrue(sized.stderr.contains("--api-socket without --kernel waits for a snapshot"), sized.stderr)
        let nothing = try Self.runCandorVM(["run"])
        XCTAssertTrue(nothing.stderr.contains("or wait for a snapshot to load with --api-socket alone"), nothing.stderr)
    }

    func testHelpDocumentsTheExitStatus() throws {
        let result = try Self.runCandorVM(["run", "--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("(v << 1) | 1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("--serial-output"))
    }
}
