// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest

/// The virtio guest (hypervisor/guest/virtio.c) under candor-vm: virtio-blk through the
/// GPL candor-blk driver and through qemu-storage-daemon, virtio-rng through candor-rng
/// and built in, virtio-console; and a block driver killed while the guest runs.
final class VirtioGuestTests: XCTestCase {
    static let repository = CandorVMCommandTests.repository
    static let virtioGuest = repository.appendingPathComponent("hypervisor/guest/build/virtio.elf").path
    static let qemuStorageDaemon = "/usr/bin/qemu-storage-daemon"
    static let sectorSize = 512

    private var scratch = ""

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        guard FileManager.default.fileExists(atPath: Self.virtioGuest) else { throw XCTSkip("virtio guest not built: run `make guest`") }
        guard CandorVMCommandTests.executable != nil else { throw XCTSkip("candor-vm is not built next to the tests (swift build)") }
        var template = Array("/tmp/candor-virtio-guest-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        scratch = String(cString: made)
    }

    override func tearDownWithError() throws {
        if !scratch.isEmpty { try? FileManager.default.removeItem(atPath: scratch) }
    }

    /// The GPL driver `name` (candor-blk, candor-rng), built by hypervisor/Makefile.
    private func driver(_ name: String) throws -> String {
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        make.arguments = ["-s", "-C", Self.repository.appendingPathComponent("hypervisor").path, "build/\(name)"]
        try make.run()
        make.waitUntilExit()
        guard make.terminationStatus == 0 else { throw XCTSkip("\(name): `make -C hypervisor build/\(name)` failed with status \(make.terminationStatus)") }
        return Self.repository.appendingPathComponent("hypervisor/build/\(name)").path
    }

    /// A zero-filled image of `bytes` bytes.
    private func makeImage(_ name: String, bytes: Int = 1 << 20) throws -> String {
        let path = scratch + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(count: bytes)) else { throw POSIXError(.EIO) }
        return path
    }

    /// The guest's block pattern (README.md): byte i is ((i * 7 + (i >> 8)) ^ 0x5a) mod 256.
    private static let pattern: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: ($0 * 7 + ($0 >> 8)) ^ 0x5a) }

    private func assertImageHoldsPattern(_ image: String, sector: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
        let start = sector * Self.sectorSize
        XCTAssertEqual(Array(bytes[start..<start + 4096]), Self.pattern, "pattern at sector \(sector)", file: file, line: line)
        XCTAssertTrue(bytes[..<start].allSatisfy { $0 == 0 }, "nothing written before the sector", file: file, line: line)
        XCTAssertTrue(bytes[(start + 4096)...].allSatisfy { $0 == 0 }, "nothing written after the block", file: file, line: line)
    }

    /// Starts `executable` and waits (up to 5 s) until it listens on `socket`.
    private func startBackend(_ executable: String, _ arguments: [String], socket: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                throw XCTSkip("\(executable) did not listen on \(socket) within 5 s")
            }
            usleep(10_000)
        }
        return process
    }

    private func timed<T>(_ what: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer { print("\(what): \(String(format: "%.2f", Date().timeIntervalSince(start))) s") }
        return try body()
    }

    func testBlockEntropyAndConsoleThroughTheGPLDrivers() throws {
        let blk = try driver("candor-blk"), rng = try driver("candor-rng")
        let image = try makeImage("disk.img")
        let console = scratch + "/console.txt"
        let result = try timed("candor-blk + candor-rng + virtio-console") {
            try CandorVMCommandTests.runCandorVM([
                "run", "--kernel", Self.virtioGuest, "--memory", "64", "--cmdline", "candor.blk.sector=24",
                "--device", "vhost-user-blk,driver=\(blk),image=\(image)", "--device", "vhost-user-rng,driver=\(rng)",
                "--device", "virtio-console,output=\(console)",
            ])
        }
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        for line in ["blk: capacity 2048 sectors", "blk: wrote 4096 bytes at sector 24", "blk: flushed",
                     "blk: read back 4096 bytes: pattern matches", "rng: two 64-byte requests, nonzero and different",
                     "console: wrote the marker line", "virtio guest: all devices passed"] {
            XCTAssertTrue(result.stdout.contains(line), "\(line) in \(result.stdout)")
        }
        XCTAssertEqual(result.stderr, "")
        try assertImageHoldsPattern(image, sector: 24)
        XCTAssertEqual(try String(contentsOfFile: console, encoding: .utf8), "candor virtio-console: hello from the virtio guest\n")
    }

    func testBuiltInEntropyAndConsoleOnStandardOutput() throws {
        let result = try timed("virtio-rng + virtio-console on stdout") {
            try CandorVMCommandTests.runCandorVM(["run", "--kernel", Self.virtioGuest, "--memory", "64",
                                                  "--device", "virtio-rng", "--device", "virtio-console"])
        }
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("rng: two 64-byte requests, nonzero and different"), result.stdout)
        XCTAssertTrue(result.stdout.contains("candor virtio-console: hello from the virtio guest\n"), result.stdout)
    }

    func testBlockServedByQemuStorageDaemon() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.qemuStorageDaemon) else {
            throw XCTSkip("\(Self.qemuStorageDaemon) is missing (Debian package qemu-system-common)")
        }
        let image = try makeImage("disk.img")
        let socket = scratch + "/qsd.sock"
        let daemon = try startBackend(Self.qemuStorageDaemon, [
            "--blockdev", "driver=file,node-name=f,filename=\(image)",
            "--export", "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=\(socket),writable=on",
        ], socket: socket)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        let result = try timed("qemu-storage-daemon") {
            try CandorVMCommandTests.runCandorVM(["run", "--kernel", Self.virtioGuest, "--memory", "64", "--cmdline", "candor.blk.sector=100",
                                                  "--device", "vhost-user-blk,socket=\(socket)"])
        }
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("blk: read back 4096 bytes: pattern matches"), result.stdout)
        try assertImageHoldsPattern(image, sector: 100)
    }

    func testImageTooSmallForTheSectorIsReported() throws {
        let blk = try driver("candor-blk")
        let image = try makeImage("small.img", bytes: 8 * Self.sectorSize)
        let result = try CandorVMCommandTests.runCandorVM(["run", "--kernel", Self.virtioGuest, "--memory", "64",
                                                          "--device", "vhost-user-blk,driver=\(blk),image=\(image)"])
        XCTAssertEqual(result.status, 15, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("blk: FAIL: the image is too small for the test sector"), result.stdout)
    }

    func testNoDevicesIsItsOwnStatus() throws {
        let result = try CandorVMCommandTests.runCandorVM(["run", "--kernel", Self.virtioGuest, "--memory", "64"])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
    }

    func testUnwritableConsoleOutputIsAOneLineError() throws {
        let path = scratch + "/missing/console.txt"
        let result = try CandorVMCommandTests.runCandorVM(["run", "--kernel", Self.virtioGuest, "--device", "virtio-console,output=\(path)"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("candor-vm: attaching virtio devices: --device #1 (virtio-console,output=\(path)): \(path): "), result.stderr)
        XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
    }

    /// candor-blk is killed after the guest's write completed, while the guest pauses
    /// before its flush: the flush gets an I/O error, the guest reports it as status 13,
    /// candor-vm says once on stderr what happened and exits.
    func testKillingTheBlockDriverGivesTheGuestAnIOError() throws {
        let blk = try driver("candor-blk")
        let image = try makeImage("disk.img")
        let socket = scratch + "/blk.sock", serial = scratch + "/serial.txt"
        let backend = try startBackend(blk, ["--socket", socket, "--image", image], socket: socket)
        defer { if backend.isRunning { kill(backend.processIdentifier, SIGKILL) } }

        let vm = Process()
        vm.executableURL = CandorVMCommandTests.executable
        // The pause (up to about 10 s of status polls) ends as soon as the device needs a reset.
        vm.arguments = ["run", "--kernel", Self.virtioGuest, "--memory", "64", "--cmdline", "candor.blk.pause=1000000",
                        "--serial-output", serial, "--device", "vhost-user-blk,socket=\(socket)"]
        let errors = Pipe()
        vm.standardError = errors
        vm.standardInput = FileHandle.nullDevice
        let start = Date()
        try vm.run()
        defer { if vm.isRunning { kill(vm.processIdentifier, SIGKILL) } }

        func serialLog() -> String { (try? String(contentsOfFile: serial, encoding: .utf8)) ?? "" }
        while !serialLog().contains("blk: wrote 4096 bytes") {
            guard vm.isRunning, Date().timeIntervalSince(start) < 10 else {
                return XCTFail("the guest's write did not complete: \(serialLog())")
            }
            usleep(5_000)
        }
        kill(backend.processIdentifier, SIGKILL)
        backend.waitUntilExit()
        while vm.isRunning {
            guard Date().timeIntervalSince(start) < 30 else { return XCTFail("candor-vm still runs 30 s after the driver was killed") }
            usleep(10_000)
        }
        print("killed driver: candor-vm exited after \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(vm.terminationReason, .exit, "candor-vm exits, it does not crash")
        XCTAssertEqual(vm.terminationStatus, 13, serialLog() + stderr)
        XCTAssertTrue(serialLog().contains("blk: FAIL: flush: I/O error"), serialLog())
        XCTAssertEqual(stderr.filter { $0 == "\n" }.count, 1, stderr)
        XCTAssertTrue(stderr.contains("vhost-user backend \(socket): while the device was running: the backend closed the connection"), stderr)
        // The write before the kill reached the image.
        try assertImageHoldsPattern(image, sector: 8)
    }
}
