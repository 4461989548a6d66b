// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import TestSupport
import XCTest

/// Live migration through the command line: `candor-vm run --incoming` waits, `candor-vm
/// ctl migrate` moves a ticking guest there; the source exits 0, the destination goes on
/// and is shut down through its own API. Bad arguments are refused with one line.
final class MigrationBootTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        scratch = URL(fileURLWithPath: "/tmp/candor-migboot-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }

    private func start(_ executable: URL, _ arguments: [String], stderr: String) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testCtlMigrateMovesTheGuestToAnIncomingCandorVM() throws {
        guard let executable = CandorVMCommandTests.executable else { throw XCTSkip("candor-vm is not built next to the tests") }
        let image = scratch.appendingPathComponent("tick.bin")
        try Data(ManagementAPIBootTests.tickingGuest).write(to: image)
        let path = { (name: String) in self.scratch.appendingPathComponent(name).path }
        let destination = try start(executable, ["run", "--incoming", "unix:" + path("in.sock"), "--serial-output", path("second.txt"),
                                                 "--api-socket", path("dest-api.sock")], stderr: path("dest.err"))
        defer { if destination.isRunning { destination.terminate() } }
        let source = try start(executable, ["run", "--kernel", image.path, "--flat", "protected32", "--memory", "16", "--vcpus", "2",
                                            "--serial-output", path("first.txt"), "--api-socket", path("api.sock")], stderr: path("source.err"))
        defer { if source.isRunning { source.terminate() } }
        XCTAssertTrue(waitUntil(20) { size(path("first.txt")) > 20 }, "the guest ticks")

        let bad = try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", path("api.sock"), "migrate", "ftp://x"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "candor-vm ctl: 400: ftp://x: a migration URL is unix:PATH or tcp:HOST:PORT\n")

        let answer = try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", path("api.sock"), "migrate", "unix:" + path("in.sock")])
        XCTAssertEqual(answer.status, 0, answer.stderr)
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.stdout.utf8))) as? [String: Any] ?? [:]
        XCTAssertNotNil(json["downtime_ms"] as? Int, answer.stdout)
        XCTAssertGreaterThanOrEqual(json["rounds"] as? Int ?? 0, 1, answer.stdout)
        XCTAssertTrue(waitUntil(10) { !source.isRunning }, "the source ends after the destination took over")
        XCTAssertEqual(source.terminationStatus, 0)
        let sourceMessage = (try? String(contentsOfFile: path("source.err"), encoding: .utf8)) ?? ""
        XCTAssertEqual(sourceMessage, "candor-vm: the guest migrated to unix:\(path("in.sock")) and runs there now\n")

        XCTAssertTrue(waitUntil(20) { size(path("second.txt")) > 20 }, "the guest ticks at the destination")
        let info = try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", path("dest-api.sock"), "info"])
        XCTAssertTrue(info.stdout.contains(#""state":"running""#), info.stdout)
        XCTAssertTrue(info.stdout.contains(#""vcpus":2"#), info.stdout)
        _ = try CandorVMCommandTests.runCandorVM(["ctl", "--api-socket", path("dest-api.sock"), "shutdown"])
        XCTAssertTrue(waitUntil(10) { !destination.isRunning })
        XCTAssertEqual(destination.terminationStatus, 0, (try? String(contentsOfFile: path("dest.err"), encoding: .utf8)) ?? "")
    }

    func testIncomingRefusesMachineOptions() throws {
        let result = try CandorVMCommandTests.runCandorVM(["run", "--incoming", "unix:/tmp/x.sock", "--memory", "64"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--incoming: the machine's configuration comes from the migration source"), result.stderr)
        let url = try CandorVMCommandTests.runCandorVM(["run", "--incoming", "tcp:host"])
        XCTAssertTrue(url.stderr.contains("tcp: needs HOST:PORT"), url.stderr)
    }
}
