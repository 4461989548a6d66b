// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import ManagementAPI
import TestSupport
import XCTest

/// Snapshot and restore through the real binary: candor-vm run → ctl pause → ctl snapshot
/// → ctl shutdown → candor-vm restore, and the guest goes on counting where it stopped.
final class SnapshotBootTests: XCTestCase {
    /// Counts in memory at 0x300000 and prints each count's last digit ("123456789012…");
    /// see Tests/MachineTests/MachineSnapshotTests.swift for the instructions.
    static let countingGuest: [UInt8] = [
        0xff, 0x05, 0x00, 0x00, 0x30, 0x00, 0xa1, 0x00, 0x00, 0x30, 0x00, 0x31, 0xd2, 0xb9, 0x0a, 0x00, 0x00, 0x00,
        0xf7, 0xf1, 0x88, 0xd0, 0x04, 0x30, 0x66, 0xba, 0xf8, 0x03, 0xee, 0xb9, 0x20, 0x4e, 0x00, 0x00, 0xe2, 0xfe,
        0xeb, 0xda,
    ]

    private var scratch: URL!

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        scratch = URL(fileURLWithPath: "/tmp/candor-snapboot-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func ctl(_ socket: String, _ arguments: String...) throws -> CandorVMCommandTests.Result {
        try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", socket] + arguments)
    }

    private func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Starts candor-vm with `arguments`; returns the process and its stderr pipe.
    private func start(_ arguments: [String]) throws -> (Process, Pipe) {
        guard let executable = CandorVMCommandTests.executable else { throw XCTSkip("candor-vm is not built next to the tests") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    private func finish(_ process: Process, _ err: Pipe) -> String {
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return stderr
    }

    /// Starts the counting guest (16 MiB, 2 vCPUs) with its serial output in first.txt and
    /// the API on api.sock, and waits until it has printed 5 counts.
    private func startCountingGuest() throws -> (process: Process, err: Pipe, socket: String, serial: String) {
        let image = scratch.appendingPathComponent("count.bin")
        try Data(Self.countingGuest).write(to: image)
        let socket = scratch.appendingPathComponent("api.sock").path
        let serial = scratch.appendingPathComponent("first.txt").path
        let (process, err) = try start(["run", "--kernel", image.path, "--flat", "protected32", "--memory", "16", "--vcpus", "2",
                                        "--serial-output", serial, "--api-socket", socket])
        XCTAssertTrue(waitUntil(20) { text(serial).count >= 5 }, "the guest counts")
        return (process, err, socket, serial)
    }

    /// The restored guest's output `after` starts with the 5 counts after the `before` output.
    private func assertCountsOn(before: String, after: String) {
        let expected = (1...5).map { String((before.count + $0) % 10) }.joined()
        XCTAssertTrue(after.hasPrefix(expected), "before: …\(before.suffix(5)), after: \(after.prefix(10))")
    }

    func testRunPauseSnapshotShutdownRestoreContinues() throws {
        let (first, firstErr, socket, firstSerial) = try startCountingGuest()
        defer { if first.isRunning { first.terminate() } }
        let snapshot = scratch.appendingPathComponent("snap").path

        let running = try ctl(socket, "snapshot", snapshot)
        XCTAssertEqual(running.status, 1)
        XCTAssertEqual(running.stderr, "candor-vm ctl: 409: the VM must be paused for a snapshot; pause it first\n")
        XCTAssertEqual(try ctl(socket, "pause").status, 0)
        let printed = text(firstSerial)
        let started = Date()
        let snapped = try ctl(socket, "snapshot", snapshot)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(snapped.status, 0, snapped.stderr)
        let info = try JSONDecoder().decode(SnapshotInfo.self, from: Data(snapped.stdout.utf8))
        print("ctl snapshot of the 16 MiB guest: \(Int(elapsed * 1000)) ms round trip, \(info.durationMilliseconds) ms in candor-vm, "
              + "\(info.memoryBytes) bytes of memory, \(info.memoryDataBytes) on disk")
        XCTAssertEqual(info.snapshotPath, snapshot)
        XCTAssertEqual(info.memoryBytes, 16 << 20)
        let again = try ctl(socket, "snapshot", snapshot)
        XCTAssertEqual(again.stderr, "candor-vm ctl: 409: \(snapshot): already exists; a snapshot is written to a new directory\n")
        XCTAssertEqual(try ctl(socket, "shutdown").status, 0)
        let firstStderr = finish(first, firstErr)
        XCTAssertEqual(first.terminationStatus, 0, firstStderr)
        XCTAssertEqual(text(firstSerial), printed, "nothing ran after the pause")

        let secondSocket = scratch.appendingPathComponent("api2.sock").path
        let secondSerial = scratch.appendingPathComponent("second.txt").path
        let restoreStarted = Date()
        let (second, secondErr) = try start(["restore", "--snapshot", snapshot, "--serial-output", secondSerial, "--api-socket", secondSocket])
        defer { if second.isRunning { second.terminate() } }
        XCTAssertTrue(waitUntil(20) { !text(secondSerial).isEmpty }, "the restored guest prints")
        print("candor-vm restore: first output after \(Int(Date().timeIntervalSince(restoreStarted) * 1000)) ms")
        XCTAssertTrue(waitUntil(20) { text(secondSerial).count >= 5 })
        let described = try ctl(secondSocket, "info")
        XCTAssertTrue(described.stdout.contains("\"vcpus\":2"), described.stdout)
        XCTAssertTrue(described.stdout.contains("\"state\":\"running\""), described.stdout)
        XCTAssertEqual(try ctl(secondSocket, "shutdown").status, 0)
        let secondStderr = finish(second, secondErr)
        XCTAssertEqual(second.terminationStatus, 0, secondStderr)
        assertCountsOn(before: printed, after: text(secondSerial))
    }

    /// candor-vm run with only --api-socket has no VM until `ctl restore` loads the
    /// snapshot; the guest then goes on counting where it stopped, as after `restore`.
    func testAVMMStartedWithoutAVMLoadsASnapshotThroughTheAPI() throws {
        let (first, firstErr, firstSocket, firstSerial) = try startCountingGuest()
        defer { if first.isRunning { first.terminate() } }
        let snapshot = scratch.appendingPathComponent("snap").path
        XCTAssertEqual(try ctl(firstSocket, "pause").status, 0)
        XCTAssertEqual(try ctl(firstSocket, "snapshot", snapshot).status, 0)
        XCTAssertEqual(try ctl(firstSocket, "shutdown").status, 0)
        let firstStderr = finish(first, firstErr)
        XCTAssertEqual(first.terminationStatus, 0, firstStderr)
        let printed = text(firstSerial)

        let socket = scratch.appendingPathComponent("api2.sock").path
        let serial = scratch.appendingPathComponent("loaded.txt").path
        let (vmm, vmmErr) = try start(["run", "--api-socket", socket, "--serial-output", serial])
        defer { if vmm.isRunning { vmm.terminate() } }
        XCTAssertTrue(waitUntil(10) { FileManager.default.fileExists(atPath: socket) }, "the VMM serves the API")
        let empty = try ctl(socket, "info")
        XCTAssertEqual(empty.stdout, #"{"devices":[],"memory_mib":0,"state":"not_started","uptime_ms":0,"vcpus":0}"# + "\n")
        XCTAssertEqual(try ctl(socket, "pause").stderr, "candor-vm ctl: 409: there is no VM yet; load one from a snapshot first: "
                       + "PUT /snapshot/load (candor-vm ctl restore DIR)\n")

        // A missing snapshot is the line `restore` prints, and the VMM waits on.
        let missing = scratch.appendingPathComponent("none").path
        let refused = try ctl(socket, "restore", missing)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "candor-vm ctl: 400: \(missing)/snapshot.json: cannot open: No such file or directory\n")
        XCTAssertTrue(vmm.isRunning)

        // Loaded paused: nothing runs until resumed.
        let started = Date()
        let loaded = try ctl(socket, "restore", snapshot, "--paused")
        XCTAssertEqual(loaded.status, 0, loaded.stderr)
        print("ctl restore of the 16 MiB guest into a waiting candor-vm: \(Int(Date().timeIntervalSince(started) * 1000)) ms round trip")
        let info = try JSONDecoder().decode(VMInfo.self, from: Data(loaded.stdout.utf8))
        XCTAssertEqual(info.state, .paused)
        XCTAssertEqual(info.vcpus, 2)
        XCTAssertEqual(info.memoryMiB, 16)
        let again = try ctl(socket, "restore", snapshot)
        XCTAssertEqual(again.stderr, "candor-vm ctl: 409: this VMM has a VM already; a snapshot is loaded into a candor-vm started "
                       + "with --api-socket alone\n")
        usleep(300_000)
        XCTAssertEqual(text(serial), "", "a VM loaded paused does not run")
        XCTAssertEqual(try ctl(socket, "resume").status, 0)
        XCTAssertTrue(waitUntil(20) { text(serial).count >= 5 }, "the loaded guest runs")
        XCTAssertTrue(try ctl(socket, "info").stdout.contains("\"state\":\"running\""))

        XCTAssertEqual(try ctl(socket, "shutdown").status, 0)
        let stderr = finish(vmm, vmmErr)
        XCTAssertEqual(vmm.terminationStatus, 0, stderr)
        XCTAssertEqual(stderr, "candor-vm: shut down through the management API; the guest was halted and its drivers stopped\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket is removed on exit")
        assertCountsOn(before: printed, after: text(serial))
    }

    func testVirtioDeviceIsSavedAndBrokenSnapshotsAreOneLineErrors() throws {
        let image = scratch.appendingPathComponent("count.bin")
        try Data(Self.countingGuest).write(to: image)
        let socket = scratch.appendingPathComponent("api.sock").path
        let snapshot = scratch.appendingPathComponent("snap").path
        // With a vhost-user driver too where it is built (its memory must be shared again on restore).
        let driver = CandorVMCommandTests.repository.appendingPathComponent("hypervisor/build/candor-rng").path
        let vhostUser = FileManager.default.isExecutableFile(atPath: driver) ? ["--device", "vhost-user-rng,driver=\(driver)"] : []
        let (process, err) = try start(["run", "--kernel", image.path, "--flat", "protected32", "--memory", "16",
                                        "--device", "virtio-rng"] + vhostUser + ["--serial-output", scratch.appendingPathComponent("s.txt").path,
                                        "--api-socket", socket])
        defer { if process.isRunning { process.terminate() } }
        XCTAssertTrue(waitUntil(10) { FileManager.default.fileExists(atPath: socket) })
        XCTAssertEqual(try ctl(socket, "pause").status, 0)
        let snapped = try ctl(socket, "snapshot", snapshot)
        XCTAssertEqual(snapped.status, 0, snapped.stderr)
        XCTAssertEqual(try ctl(socket, "shutdown").status, 0)
        _ = finish(process, err)
        let state = try String(contentsOfFile: snapshot + "/state.json", encoding: .utf8)
        XCTAssertTrue(state.contains(#""device":"virtio-rng""#), "the virtio device is in the state")

        // Restored: the same devices, a new driver process, the guest running.
        let secondSocket = scratch.appendingPathComponent("api2.sock").path
        let secondSerial = scratch.appendingPathComponent("s2.txt").path
        let (restored, restoredErr) = try start(["restore", "--snapshot", snapshot, "--serial-output", secondSerial, "--api-socket", secondSocket])
        defer { if restored.isRunning { restored.terminate() } }
        XCTAssertTrue(waitUntil(20) { text(secondSerial).count >= 3 }, "the restored guest runs")
        let info = try ctl(secondSocket, "info")
        XCTAssertTrue(info.stdout.contains("virtio-rng"), info.stdout)
        if !vhostUser.isEmpty { XCTAssertTrue(info.stdout.contains("vhost-user-rng"), info.stdout) }
        XCTAssertEqual(try ctl(secondSocket, "shutdown").status, 0)
        let restoredStderr = finish(restored, restoredErr)
        XCTAssertEqual(restored.terminationStatus, 0, restoredStderr)

        // One changed byte in state.json: refused before anything runs.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: snapshot + "/state.json")))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: snapshot + "/state.json"))
        let corrupt = try CandorVMCommandTests.runCandorVM(["restore", "--snapshot", snapshot])
        XCTAssertEqual(corrupt.status, 1)
        XCTAssertTrue(corrupt.stderr.hasPrefix("candor-vm: \(snapshot)/state.json: SHA-256 "), corrupt.stderr)
        XCTAssertTrue(corrupt.stderr.hasSuffix("does not match the manifest's \(try manifestHash(snapshot, "state.json")); the file is corrupt\n"),
                      corrupt.stderr)
        XCTAssertEqual(corrupt.stdout, "")

        let missing = scratch.appendingPathComponent("none").path
        let result = try CandorVMCommandTests.runCandorVM(["restore", "--snapshot", missing])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "candor-vm: \(missing)/snapshot.json: cannot open: No such file or directory\n")
    }

    private func manifestHash(_ snapshot: String, _ file: String) throws -> String {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot + "/snapshot.json"))) as? [String: Any]
        let parts = json?["parts"] as? [[String: Any]] ?? []
        return parts.first { $0["file"] as? String == file }?["sha256"] as? String ?? "?"
    }
}
