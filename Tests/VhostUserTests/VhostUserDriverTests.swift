// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
import GuestMemory
@testable import VhostUser

/// Drivers candor-vm starts itself: handed one end of a socketpair, never a socket path.
final class VhostUserDriverTests: XCTestCase {
    func testStartedDriverServesTheDevice() throws {
        let driverPath = try CandorDrivers.executable(named: "candor-blk")
        let directory = NSTemporaryDirectory() + "candor-attach-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = directory + "/disk.img"
        XCTAssertTrue(FileManager.default.createFile(atPath: image, contents: Data(count: 64 << 10)))
        let frontend = try VhostUserFrontend.startDriver(.block, executable: driverPath, image: image)
        XCTAssertEqual(frontend.deviceID, .block)
        XCTAssertEqual(frontend.configSpace.prefix(8), [128, 0, 0, 0, 0, 0, 0, 0], "capacity: 64 KiB in sectors")
        XCTAssertEqual(frontend.backendProcess?.isRunning, true)
        XCTAssertNil(frontend.backendProcess?.socketPath, "no socket file at all")
    }

    /// The old predictable path ($TMPDIR/candor-vm-<pid>-<index>.sock) is bound by a
    /// squatter before the VMM starts its driver: the squatter gets no connection and no
    /// guest memory, and the device works through the socketpair.
    func testSquattedSocketPathReceivesNothing() throws {
        let driverPath = try CandorDrivers.executable(named: "candor-blk")
        var squatters: [(path: String, fd: Int32)] = []
        defer { squatters.forEach { close($0.fd); unlink($0.path) } }
        for directory in Set([NSTemporaryDirectory(), "/tmp/"]) {
            for index in 0..<2 {
                let path = (directory as NSString).appendingPathComponent("candor-vm-\(getpid())-\(index).sock")
                unlink(path)
                squatters.append((path, try Self.listen(at: path)))
            }
        }
        let directory = NSTemporaryDirectory() + "candor-squat-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = directory + "/disk.img"
        XCTAssertTrue(FileManager.default.createFile(atPath: image, contents: Data(count: 64 << 10)))

        let driver = try BlockDriver(frontend: VhostUserFrontend.startDriver(.block, executable: driverPath, image: image))
        try driver.start()
        XCTAssertEqual(try driver.request(type: BlockDriver.typeOut, sector: 1, data: [UInt8](repeating: 0x5a, count: 512)), 0)
        XCTAssertEqual(try FileHandle(forReadingFrom: URL(fileURLWithPath: image)).readToEnd()?[512..<1024].allSatisfy { $0 == 0x5a }, true)
        for squatter in squatters {
            let accepted = accept(squatter.fd, nil, nil)
            let err = errno
            if accepted >= 0 { close(accepted) }
            XCTAssertEqual(accepted, -1, "\(squatter.path) was connected to")
            XCTAssertEqual(err, EAGAIN, "\(squatter.path): nobody waiting")
        }
    }

    /// A non-blocking listening socket at `path`.
    static func listen(at path: String) throws -> Int32 {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(listener, 4) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        return listener
    }
}

final class VhostUserBackendProcessTests: XCTestCase {
    func testStartsAndTerminatesTheProcess() throws {
        let process = try VhostUserBackendProcess(executable: "/bin/sleep", arguments: ["30"], socketPath: NSTemporaryDirectory() + "unused.sock")
        XCTAssertTrue(process.isRunning)
        XCTAssertEqual(kill(process.processIdentifier, 0), 0)
        process.terminate()
        XCTAssertFalse(process.isRunning)
        XCTAssertEqual(kill(process.processIdentifier, 0), -1, "reaped")
    }

    /// A backend that ignores SIGTERM is killed after the grace period.
    func testTerminateKillsABackendThatIgnoresSIGTERM() throws {
        let process = try VhostUserBackendProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30"],
                                                  socketPath: NSTemporaryDirectory() + "candor-unused-\(getpid()).sock")
        usleep(100_000)  // let the shell install its trap
        let started = Date()
        process.terminate(gracePeriod: 0.3)
        let took = Date().timeIntervalSince(started)
        XCTAssertFalse(process.isRunning)
        XCTAssertEqual(kill(process.processIdentifier, 0), -1, "reaped")
        XCTAssertGreaterThanOrEqual(took, 0.29, "waited for the grace period first")
        XCTAssertLessThan(took, 5, "did not wait for the backend")
    }

    func testMissingExecutableIsATypedError() {
        XCTAssertThrowsError(try VhostUserBackendProcess(executable: "/nonexistent/candor-blk", arguments: [], socketPath: "/tmp/x.sock")) {
            XCTAssertEqual($0 as? VhostUserBackendProcess.LaunchError, .startFailed(executable: "/nonexistent/candor-blk", errno: ENOENT))
            XCTAssertTrue("\($0)".contains("No such file"), "\($0)")
        }
    }

    /// The kernel is to send the child SIGTERM when the VMM dies: the child reads its own
    /// parent-death signal (prctl PR_GET_PDEATHSIG, kept across exec) and reports it.
    func testChildIsTiedToTheVMMByParentDeathSignal() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("\(python) is missing") }
        let report = NSTemporaryDirectory() + "candor-pdeathsig-\(getpid())"
        defer { unlink(report) }
        let script = "import ctypes; s = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(s)); open('\(report)', 'w').write(str(s.value))"
        let process = try VhostUserBackendProcess(executable: python, arguments: ["-c", script], socketPath: report + ".sock")
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        XCTAssertEqual(try String(contentsOfFile: report, encoding: .utf8), String(SIGTERM))
    }
}
