// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CTestSupport
import Foundation
import Synchronization
import XCTest
@testable import ManagementAPI

/// The server on a real Unix socket, with a fake VM behind it.
final class APIServerTests: XCTestCase {
    private var scratch: URL!
    private var socketPath: String { scratch.appendingPathComponent("api.sock").path }

    override func setUpWithError() throws {
        // Short: a Unix socket path must fit in 108 bytes.
        scratch = URL(fileURLWithPath: "/tmp/candor-api-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// A server on `socketPath` serving `controller` on a thread of its own until the test ends.
    private func startServer(_ controller: FakeController = FakeController(), timeoutMilliseconds: UInt32 = 5000) throws -> APIServer {
        let server = try APIServer(path: socketPath, timeoutMilliseconds: timeoutMilliseconds)
        let router = APIRouter(controller: controller)
        let thread = Thread { server.serve(router) }
        thread.start()
        addTeardownBlock { server.stop() }
        return server
    }

    private func exchange(_ text: String) throws -> (status: Int, message: String) {
        let answer = try APIClient(socketPath: socketPath).exchange(Array(text.utf8))
        return (answer.status, APIClient.errorMessage(in: answer.body))
    }

    func testTheSocketIsPrivateAndNeverReplacesAFile() throws {
        let server = try APIServer(path: socketPath)
        let serveEnded = Mutex(false)
        Thread {
            server.serve(APIRouter(controller: FakeController()))
            serveEnded.withLock { $0 = true }
        }.start()
        var info = stat()
        XCTAssertEqual(lstat(socketPath, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["api.sock"], "no staging directory left")

        XCTAssertThrowsError(try APIServer(path: socketPath)) { error in
            XCTAssertEqual(error as? APIServerError, .listen(path: socketPath, errno: EEXIST))
            XCTAssertTrue("\(error)".contains("a file is already there"), "\(error)")
        }
        server.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath), "stop() removes the socket")
        XCTAssertTrue(serveEnded.withLock { $0 } || { usleep(500_000); return serveEnded.withLock { $0 } }(), "stop() ends serve")
        XCTAssertThrowsError(try APIServer(path: "/tmp/" + String(repeating: "x", count: 120))) { error in
            XCTAssertTrue("\(error)".contains("too long"), "\(error)")
        }
    }

    func testRequestsAreAnswered() throws {
        let controller = FakeController()
        _ = try startServer(controller)
        let client = APIClient(socketPath: socketPath)
        let info = try client.send("GET", "/vm")
        XCTAssertEqual(info.status, 200)
        XCTAssertEqual(try JSONDecoder().decode(VMInfo.self, from: Data(info.body)).vcpus, 2)
        XCTAssertEqual(try client.send("PUT", "/vm/pause").status, 200)
        XCTAssertTrue(controller.state.withLock { $0.paused })
        XCTAssertEqual(try client.send("PUT", "/vm/shutdown").status, 200)
        // The shutdown runs after the answer; give the serve thread a moment.
        for _ in 0..<100 where controller.state.withLock({ $0.shutdowns }) == 0 { usleep(10_000) }
        XCTAssertEqual(controller.state.withLock { $0.shutdowns }, 1)
    }

    func testGarbageGets4xxAndTheServerGoesOn() throws {
        _ = try startServer()
        XCTAssertEqual(try exchange("garbage\r\n\r\n").status, 400)
        XCTAssertEqual(try exchange("\u{0}\u{1}\u{2}\u{3}\r\n").status, 400)
        XCTAssertEqual(try exchange("GET /vm HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000)).status, 431)
        XCTAssertEqual(try exchange("PUT /vm/pause HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n").status, 413)
        XCTAssertEqual(try exchange("PUT /vm/pause HTTP/1.1\r\nContent-Length: 5\r\n\r\n{nope").message, "the body is not valid JSON")
        XCTAssertEqual(try exchange("PUT /vm/pause HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}").status, 400, "truncated")
        XCTAssertEqual(try exchange("").status, 400, "nothing at all")
        let answer = try APIClient(socketPath: socketPath).exchange(Array("GET /vm HTTP/1.1\r\nX: ".utf8) + [0xff, 0xfe] + Array("\r\n\r\n".utf8))
        XCTAssertEqual(answer.status, 400)
        XCTAssertEqual(try exchange("GET /vm HTTP/1.1\r\n\r\n").status, 200, "still serving")
    }

    /// Exercises `exchange` with the write side kept open: only the timeout ends it.
    func testAStalledClientIsDroppedAfterTheTimeout() throws {
        _ = try startServer(timeoutMilliseconds: 200)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(connected, 0)
        _ = "GET /vm HT".withCString { write(fd, $0, 10) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(fd, &buffer, buffer.count)
        XCTAssertGreaterThan(count, 0)
        XCTAssertTrue(String(decoding: buffer[..<max(count, 0)], as: UTF8.self).hasPrefix("HTTP/1.1 408 "))
        XCTAssertEqual(try exchange("GET /vm HTTP/1.1\r\n\r\n").status, 200, "still serving")
    }

    /// Another user: kept out by the socket's mode, and refused by SO_PEERCRED when the
    /// mode lets it in. Needs root (to become uid 65534 in a forked child).
    func testAnotherUserIsRefused() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to connect as another user") }
        _ = try startServer()
        var answer = [CChar](repeating: 0, count: 4096)
        var childErrno: Int32 = 0
        let request = "GET /vm HTTP/1.1\r\n\r\n"
        XCTAssertEqual(ctest_exchange_as_user(socketPath, 65534, 65534, request, &answer, answer.count - 1, &childErrno), -1)
        XCTAssertEqual(childErrno, EACCES, "the 0600 socket keeps uid 65534 out: \(String(cString: strerror(childErrno)))")

        // Loosen the mode as a careless operator might: the uid check still refuses.
        XCTAssertEqual(chmod(socketPath, 0o666), 0)
        let count = ctest_exchange_as_user(socketPath, 65534, 65534, request, &answer, answer.count - 1, &childErrno)
        XCTAssertGreaterThan(count, 0, String(cString: strerror(childErrno)))
        let text = String(cString: answer)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 403 Forbidden"), text)
        XCTAssertTrue(text.contains("only uid 0"), text)
        XCTAssertFalse(text.contains("\"vcpus\""), "no VM information leaks: \(text)")
        XCTAssertEqual(try exchange("GET /vm HTTP/1.1\r\n\r\n").status, 200, "the owner is still served")
    }
}
