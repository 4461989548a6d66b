// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import ManagementAPI
import TestSupport
import XCTest

/// candor-vm run --api-socket with a guest that never ends, driven by candor-vm ctl and
/// by raw requests: pause stops the guest's progress, resume continues it, garbage is
/// refused without harm, shutdown ends the VMM with status 0.
final class ManagementAPIBootTests: XCTestCase {
    /// A ring-0 flat image (32-bit protected mode) that prints 'x' on the serial port,
    /// spins 20,000 `loop` iterations, and starts over: its output grows steadily.
    /// mov dx, 0x3f8; again: mov al, 'x'; out dx, al; mov ecx, 20000; spin: loop spin; jmp again
    static let tickingGuest: [UInt8] = [0x66, 0xba, 0xf8, 0x03, 0xb0, 0x78, 0xee, 0xb9, 0x20, 0x4e, 0x00, 0x00, 0xe2, 0xfe, 0xeb, 0xf4]

    private var scratch: URL!

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        scratch = URL(fileURLWithPath: "/tmp/candor-apiboot-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func ctl(_ socket: String, _ action: String) throws -> CandorVMCommandTests.Result {
        try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", socket, action])
    }

    private func outputSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    func testPauseResumeGarbageAndShutdown() throws {
        guard let executable = CandorVMCommandTests.executable else { throw XCTSkip("candor-vm is not built next to the tests") }
        let image = scratch.appendingPathComponent("tick.bin")
        try Data(Self.tickingGuest).write(to: image)
        let socket = scratch.appendingPathComponent("api.sock").path
        let serial = scratch.appendingPathComponent("serial.txt").path
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--kernel", image.path, "--flat", "protected32", "--memory", "16", "--vcpus", "2",
                             "--serial-output", serial, "--api-socket", socket]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        XCTAssertTrue(waitUntil(10) { outputSize(serial) > 0 }, "the guest prints")
        let info = try ctl(socket, "info")
        XCTAssertEqual(info.status, 0, info.stderr)
        let described = try JSONDecoder().decode(VMInfo.self, from: Data(info.stdout.utf8))
        XCTAssertEqual(described.state, .running)
        XCTAssertEqual(described.vcpus, 2)
        XCTAssertEqual(described.memoryMiB, 16)
        XCTAssertTrue(described.devices.contains { $0.hasPrefix("serial: 16550") }, "\(described.devices)")

        // Paused: the output stops growing.
        let paused = try ctl(socket, "pause")
        XCTAssertEqual(paused.status, 0, paused.stderr)
        XCTAssertTrue(paused.stdout.contains("\"state\":\"paused\""), paused.stdout)
        let atPause = outputSize(serial)
        usleep(700_000)
        XCTAssertEqual(outputSize(serial), atPause, "no guest progress while paused")
        let again = try ctl(socket, "pause")
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "candor-vm ctl: 409: the VM is already paused\n")

        // Garbage gets a 400 and changes nothing.
        let garbage = try APIClient(socketPath: socket).exchange(Array("\u{16}\u{3}\u{1}garbage\r\n\r\n".utf8))
        XCTAssertEqual(garbage.status, 400)
        XCTAssertEqual(try APIClient(socketPath: socket).send("PUT", "/snapshot/create").status, 400, "no snapshot_path")
        XCTAssertEqual(try APIClient(socketPath: socket).send("PUT", "/snapshot/load").status, 400, "no snapshot_path")
        let load = try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", socket, "restore", scratch.path])
        XCTAssertEqual(load.stderr, "candor-vm ctl: 409: this VMM has a VM already; a snapshot is loaded into a candor-vm started "
                       + "with --api-socket alone\n", "a VMM that booted a kernel takes no snapshot")
        XCTAssertTrue(process.isRunning)

        // Resumed: it grows again.
        let resumed = try ctl(socket, "resume")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(waitUntil(10) { outputSize(serial) > atPause }, "the guest continues after resume")

        let shutdown = try ctl(socket, "shutdown")
        XCTAssertEqual(shutdown.status, 0, shutdown.stderr)
        XCTAssertTrue(shutdown.stdout.contains("\"state\":\"stopping\""), shutdown.stdout)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0, stderr)
        XCTAssertEqual(stderr, "candor-vm: shut down through the management API; the guest was halted and its drivers stopped\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket is removed on exit")
    }

    func testCtlWithoutAServerIsAOneLineError() throws {
        let result = try ctl(scratch.appendingPathComponent("none.sock").path, "info")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("candor-vm ctl: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("is candor-vm running with --api-socket"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testAnExistingFileIsNeverReplaced() throws {
        let socket = scratch.appendingPathComponent("taken").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: socket))
        let image = scratch.appendingPathComponent("tick.bin")
        try Data(Self.tickingGuest).write(to: image)
        let result = try CandorVMCommandTests.runCandorVM(["run", "--kernel", image.path, "--flat", "protected32", "--memory", "16",
                                                           "--api-socket", socket])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "candor-vm: --api-socket \(socket): a file is already there; remove it if no other candor-vm uses it\n")
        XCTAssertEqual(try String(contentsOfFile: socket, encoding: .utf8), "keep")
    }
}
