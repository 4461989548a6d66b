// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a request to the API socket got no answer.
public enum APIClientError: Error, Equatable, CustomStringConvertible {
    case connect(path: String, errno: Int32)
    case send(path: String, errno: Int32)
    case receive(path: String, errno: Int32)
    case malformedResponse(path: String)

    public var description: String {
        switch self {
        case let .connect(path, err):
            let hint = err == ENOENT || err == ECONNREFUSED ? " (is candor-vm running with --api-socket \(path)?)" : ""
            return "\(path): cannot connect: \(String(cString: strerror(err)))\(hint)"
        case let .send(path, err): return "\(path): sending the request failed: \(String(cString: strerror(err)))"
        case let .receive(path, err): return "\(path): reading the answer failed: \(String(cString: strerror(err)))"
        case let .malformedResponse(path): return "\(path): the answer is not an HTTP/1.1 response"
        }
    }
}

/// The client side (`candor-vm ctl`): one request per connection, read to the end.
public struct APIClient: Sendable {
    public let socketPath: String
    public let timeoutMilliseconds: UInt32

    public init(socketPath: String, timeoutMilliseconds: UInt32 = 30_000) {
        self.socketPath = socketPath
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Sends `method path` (with a JSON `body` if given) and returns the status code and body.
    public func send(_ method: String, _ path: String, body: [UInt8] = []) throws(APIClientError) -> (status: Int, body: [UInt8]) {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
        if !body.isEmpty { request += "Content-Type: application/json\r\n" }
        request += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return try exchange(Array(request.utf8) + body)
    }

    /// Writes `bytes` as they are and reads the answer (tests send malformed requests with it).
    public func exchange(_ bytes: [UInt8]) throws(APIClientError) -> (status: Int, body: [UInt8]) {
        let fd = cposix_connect_unix(socketPath)
        guard fd >= 0 else { throw .connect(path: socketPath, errno: errno) }
        defer { close(fd) }
        _ = cposix_set_socket_timeouts(fd, timeoutMilliseconds)
        var done = 0
        while done < bytes.count {
            let written = bytes[done...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            // The server may answer (and close) before reading everything, e.g. oversized input.
            if written < 0 && (errno == EPIPE || errno == ECONNRESET) { break }
            guard written > 0 else { throw .send(path: socketPath, errno: errno) }
            done += written
        }
        // The whole request is out: the server sees the end of input (a truncated request
        // is answered at once instead of after its timeout).
        shutdown(fd, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == ECONNRESET && !answer.isEmpty { break }
            guard count >= 0 else { throw .receive(path: socketPath, errno: errno) }
            if count == 0 { break }
            answer += buffer[..<count]
        }
        return try Self.parse(answer, path: socketPath)
    }

    /// The `error` member of an error answer's JSON body, or the body itself when it has none.
    public static func errorMessage(in body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let message = object["error"] as? String {
            return message
        }
        return String(decoding: body, as: UTF8.self)
    }

    static func parse(_ answer: [UInt8], path: String) throws(APIClientError) -> (status: Int, body: [UInt8]) {
        let separator: [UInt8] = [0x0d, 0x0a, 0x0d, 0x0a]
        guard let end = answer.indices.first(where: { answer[$0...].starts(with: separator) }),
              let statusLine = String(validating: answer[..<(answer.firstIndex(of: 0x0d) ?? end)], as: UTF8.self) else {
            throw .malformedResponse(path: path)
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { throw .malformedResponse(path: path) }
        return (status, Array(answer[(end + 4)...]))
    }
}
