// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why the API socket could not be set up.
public enum APIServerError: Error, Equatable, CustomStringConvertible {
    case listen(path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .listen(path, err) where err == EEXIST:
            return "--api-socket \(path): a file is already there; remove it if no other candor-vm uses it"
        case let .listen(path, err) where err == ENAMETOOLONG:
            return "--api-socket \(path): the path is too long for a Unix socket (about 80 bytes at most)"
        case let .listen(path, err):
            return "--api-socket \(path): cannot listen: \(String(cString: strerror(err)))"
        }
    }
}

/// The management API's Unix socket: HTTP/1.1, one connection at a time, one request per
/// connection. Only the VMM's own user can connect: the socket is created 0600 without a
/// window for anyone else (`cposix_listen_unix_private`), and each connection's peer uid
/// (SO_PEERCRED) must equal ours, else it is answered 403 and closed. A client that sends
/// garbage gets a 4xx; one that stalls is dropped after `timeoutMilliseconds`.
// @unchecked: the stored properties are immutable except `stopped`, which is in a Mutex.
public final class APIServer: @unchecked Sendable {
    public let path: String
    let listener: Int32
    let timeoutMilliseconds: UInt32
    private let stopped = Mutex(false)

    public init(path: String, timeoutMilliseconds: UInt32 = 5000) throws(APIServerError) {
        let fd = cposix_listen_unix_private(path, 4)
        guard fd >= 0 else { throw .listen(path: path, errno: errno) }
        self.path = path
        self.listener = fd
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit {
        stop()
        close(listener)
    }

    /// Accepts and answers connections until `stop()`. Run it on its own thread.
    public func serve(_ router: APIRouter) {
        while !stopped.withLock({ $0 }) {
            let connection = cposix_accept(listener)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE {
                    if errno != EINTR { usleep(10_000) }
                    continue
                }
                return  // the listener was shut down by stop(), or is unusable
            }
            answer(connection, router)
            close(connection)
        }
    }

    /// Removes the socket file and ends `serve` (its accept fails); idempotent.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        unlink(path)
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func answer(_ connection: Int32, _ router: APIRouter) {
        _ = cposix_set_socket_timeouts(connection, timeoutMilliseconds)
        var peer: uid_t = 0
        guard cposix_peer_uid(connection, &peer) == 0, peer == getuid() else {
            send(.error(.forbidden, "connection refused: only uid \(getuid()), the VMM's own user, may use this socket"), on: connection)
            return
        }
        let request: HTTPRequest
        switch Self.readRequest(from: connection) {
        case let .request(received): request = received
        case let .refusal(response): send(response, on: connection); return
        }
        let (response, afterResponse) = router.respond(to: request)
        send(response, on: connection)
        afterResponse?()
    }

    enum ReadOutcome {
        case request(HTTPRequest)
        /// The request could not be read; this is the answer.
        case refusal(HTTPResponse)
    }

    /// Reads until a whole request has arrived.
    static func readRequest(from connection: Int32) -> ReadOutcome {
        var parser = HTTPRequestParser()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return .refusal(.error(.requestTimeout, "no complete request arrived in time"))
            }
            do throws(HTTPParseError) {
                if count <= 0 {
                    try parser.finish()
                    return .refusal(.error(.badRequest, "the connection ended before a request was sent"))
                }
                if let request = try parser.append(buffer[..<count]) { return .request(request) }
            } catch {
                return .refusal(.error(error.status, "\(error)"))
            }
        }
    }

    private func send(_ response: HTTPResponse, on connection: Int32) {
        let bytes = response.serialized
        var done = 0
        while done < bytes.count {
            let written = bytes[done...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // the client went away or stalled: nothing more to do
            done += written
        }
    }
}
