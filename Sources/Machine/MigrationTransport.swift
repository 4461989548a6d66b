// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
#if canImport(Glibc)
import Glibc
#endif

/// Where a migration stream goes: `unix:PATH` or `tcp:HOST:PORT` (HOST may be a name,
/// an IPv4 address or a bracketed IPv6 address).
public enum MigrationEndpoint: Equatable, Sendable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: UInt16)

    public init(parsing text: String) throws(MigrationError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty, !path.utf8.contains(0) else { throw .invalid("\(text): unix: needs a socket path, e.g. unix:/run/vm.sock") }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else {
                throw .invalid("\(text): tcp: needs HOST:PORT with a port from 1 to 65535, e.g. tcp:192.0.2.1:4444")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, !host.utf8.contains(0) else { throw .invalid("\(text): tcp: the host is empty") }
            self = .tcp(host: host, port: port)
        } else {
            throw .invalid("\(text.prefix(200)): a migration URL is unix:PATH or tcp:HOST:PORT")
        }
    }

    public var description: String {
        switch self {
        case let .unix(path): return "unix:\(path)"
        case let .tcp(host, port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }

    /// How long one read or write on a migration connection may block.
    static let ioTimeoutMilliseconds: UInt32 = 30_000

    /// Connects to a destination that waits with `--incoming`.
    func connect() throws(MigrationError) -> MigrationConnection {
        let fd: Int32
        switch self {
        case let .unix(path):
            fd = cposix_connect_unix(path)
            guard fd >= 0 else { throw .failed("connecting to \(self): \(String(cString: strerror(errno)))") }
        case .tcp:
            fd = try withAddresses { address, length, family in
                let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { return -1 }
                if Glibc.connect(fd, address, length) == 0 { return fd }
                let saved = errno
                close(fd)
                errno = saved
                return -1
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        _ = cposix_set_socket_timeouts(fd, Self.ioTimeoutMilliseconds)
        return MigrationConnection(descriptor: fd, peer: description)
    }

    /// Listens (a Unix socket is created private to this user, never replacing a file)
    /// and returns the first connection, waiting at most `timeoutMilliseconds` for it.
    func acceptOne(timeoutMilliseconds: Int32) throws(MigrationError) -> MigrationConnection {
        let listener: Int32
        switch self {
        case let .unix(path):
            listener = cposix_listen_unix_private(path, 1)
            guard listener >= 0 else { throw .failed("\(path): cannot listen for the migration: \(String(cString: strerror(errno)))") }
        case .tcp:
            listener = try withAddresses { address, length, family in
                let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { return -1 }
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                if bind(fd, address, length) == 0, listen(fd, 1) == 0 { return fd }
                let saved = errno
                close(fd)
                errno = saved
                return -1
            }
        }
        defer {
            close(listener)
            if case let .unix(path) = self { unlink(path) }
        }
        // In slices, so that a held SIGINT or SIGTERM (see Machine.holdSignals) ends the wait.
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        var waited: Int32 = 0
        while true {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 {
                throw .failed("\(self): stopped by a signal while waiting for the migration source")
            }
            let ready = poll(&poller, 1, 250)
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 { break }
            waited += 250
            guard waited < timeoutMilliseconds else {
                throw .failed("\(self): no migration source connected within \(timeoutMilliseconds / 1000) s")
            }
        }
        let fd = cposix_accept(listener)
        guard fd >= 0 else { throw .failed("\(self): accepting the migration: \(String(cString: strerror(errno)))") }
        _ = cposix_set_socket_timeouts(fd, Self.ioTimeoutMilliseconds)
        return MigrationConnection(descriptor: fd, peer: description)
    }

    /// Resolves a tcp endpoint and returns the first descriptor `attempt` makes of its
    /// addresses (-1 with errno from it when it fails).
    private func withAddresses(_ attempt: (UnsafePointer<sockaddr>, socklen_t, Int32) -> Int32) throws(MigrationError) -> Int32 {
        guard case let .tcp(host, port) = self else { return -1 }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else { throw .failed("\(self): cannot resolve \(host): \(String(cString: gai_strerror(status)))") }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = EADDRNOTAVAIL
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                let fd = attempt(address, current.pointee.ai_addrlen, current.pointee.ai_family)
                if fd >= 0 { return fd }
                lastError = errno
            }
            entry = current.pointee.ai_next
        }
        throw .failed("\(self): \(String(cString: strerror(lastError)))")
    }
}

/// One connected migration stream; closes its descriptor when released.
final class MigrationConnection {
    let descriptor: Int32
    let peer: String

    init(descriptor: Int32, peer: String) {
        self.descriptor = descriptor
        self.peer = peer
    }

    deinit { close(descriptor) }

    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = send(descriptor, bytes.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw MigrationError.failed("\(peer): sending: \(Self.reason(errno))") }
            done += count
        }
    }

    func readAll(_ bytes: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = recv(descriptor, bytes.baseAddress! + done, bytes.count - done, 0)
            if count < 0 && errno == EINTR { continue }
            if count == 0 { throw MigrationError.failed("\(peer): the other side closed the connection") }
            guard count > 0 else { throw MigrationError.failed("\(peer): receiving: \(Self.reason(errno))") }
            done += count
        }
    }

    static func reason(_ err: Int32) -> String {
        err == EAGAIN ? "no progress within \(MigrationEndpoint.ioTimeoutMilliseconds / 1000) s" : String(cString: strerror(err))
    }
}
