// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Foundation

/// A vhost-user failure, named after the step that failed, with the socket path and the
/// value or errno at fault.
public enum VhostUserError: Error, Equatable, CustomStringConvertible {
    case socketPathTooLong(String)
    case connectFailed(path: String, errno: Int32)
    case systemCall(path: String, step: String, call: String, errno: Int32)
    case backendClosed(path: String, step: String)
    case backendTimedOut(path: String, step: String, seconds: Int)
    case unexpectedReply(path: String, step: String, request: UInt32, flags: UInt32, size: UInt32)
    case backendRefused(path: String, step: String, status: UInt64)
    case missingFeature(path: String, feature: String)
    case memoryNotShareable(path: String, region: String)
    case tooManyMemoryRegions(path: String, count: Int, limit: Int)

    public var description: String {
        switch self {
        case let .socketPathTooLong(path):
            return "vhost-user socket \(path): path longer than 107 bytes; use a shorter path"
        case let .connectFailed(path, err):
            return "vhost-user socket \(path): connect: \(String(cString: strerror(err))); is the backend running and listening there?"
        case let .systemCall(path, step, call, err):
            return "vhost-user backend \(path): \(step): \(call): \(String(cString: strerror(err)))"
        case let .backendClosed(path, step):
            return "vhost-user backend \(path): \(step): the backend closed the connection (did it exit?); restart it and reset the device"
        case let .backendTimedOut(path, step, seconds):
            return "vhost-user backend \(path): \(step): no reply within \(seconds) s"
        case let .unexpectedReply(path, step, request, flags, size):
            return "vhost-user backend \(path): \(step): unexpected reply (request \(request), flags 0x\(String(flags, radix: 16)), \(size) bytes)"
        case let .backendRefused(path, step, status):
            return "vhost-user backend \(path): \(step): refused with status \(status)"
        case let .missingFeature(path, feature):
            return "vhost-user backend \(path): does not offer \(feature), which the frontend needs"
        case let .memoryNotShareable(path, region):
            return "vhost-user backend \(path): guest memory region at \(region) is not shareable; create guest memory with shareable: true"
        case let .tooManyMemoryRegions(path, count, limit):
            return "vhost-user backend \(path): \(count) guest memory regions, the protocol allows \(limit)"
        }
    }
}

/// Front-end requests (QEMU docs/interop/vhost-user.rst, "Front-end message types").
enum VhostUserRequest: UInt32 {
    case getFeatures = 1, setFeatures = 2, setOwner = 3
    case setMemoryTable = 5, setLogBase = 6
    case setVringNum = 8, setVringAddress = 9, setVringBase = 10, getVringBase = 11
    case setVringKick = 12, setVringCall = 13
    case getProtocolFeatures = 15, setProtocolFeatures = 16
    case setVringEnable = 18
    case getConfig = 24
}

/// Little-endian payload builder for vhost-user messages.
struct VhostUserPayload {
    var bytes: [UInt8] = []
    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    static func u64(_ value: UInt64) -> VhostUserPayload { var p = VhostUserPayload(); p.append(value); return p }
    /// struct vhost_vring_state: index, num.
    static func vringState(_ index: Int, _ value: UInt32) -> VhostUserPayload {
        var p = VhostUserPayload()
        p.append(UInt32(index))
        p.append(value)
        return p
    }
}

func loadLittleEndian<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as _: T.Type = T.self) -> T? {
    guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { return nil }
    return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
}

/// The front-end end of one vhost-user Unix socket: messages out (with descriptors), replies in.
final class VhostUserConnection {
    static let version: UInt32 = 1
    static let replyFlag: UInt32 = 1 << 2
    static let needReplyFlag: UInt32 = 1 << 3
    static let headerSize = 12
    /// Seconds a reply is awaited; a backend that hangs longer counts as broken.
    let replyTimeoutSeconds: Int

    let path: String
    let socket: Int32
    /// Set once REPLY_ACK is negotiated: messages without a reply then ask for an ack, so
    /// a refusal is seen at the step that caused it.
    var replyAcknowledgements = false

    /// Connects, retrying for `timeout` seconds while the socket does not exist or refuses
    /// (a backend started just now may not be listening yet).
    init(path: String, timeout: TimeInterval, replyTimeoutSeconds: Int) throws(VhostUserError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .socketPathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .systemCall(path: path, step: "connect", call: "socket", errno: errno) }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if result == 0 {
                socket = fd
                break
            }
            let err = errno
            close(fd)
            guard err == ENOENT || err == ECONNREFUSED || err == EINTR, Date() < deadline else {
                throw .connectFailed(path: path, errno: err)
            }
            usleep(20_000)
        }
        self.path = path
        self.replyTimeoutSeconds = replyTimeoutSeconds
        limitWaits()
    }

    /// Takes over `socket`, already connected to the backend (the VMM's end of the
    /// socketpair its driver inherited); `name` stands for the path in messages.
    init(connectedSocket socket: Int32, name: String, replyTimeoutSeconds: Int) {
        self.socket = socket
        self.path = name
        self.replyTimeoutSeconds = replyTimeoutSeconds
        limitWaits()
    }

    /// Every send and receive on the socket gives up after `replyTimeoutSeconds`.
    private func limitWaits() {
        var limit = timeval(tv_sec: replyTimeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// Sends a request; waits for the acknowledgement when REPLY_ACK is on.
    func send(_ request: VhostUserRequest, _ payload: VhostUserPayload = VhostUserPayload(),
              fds: [Int32] = [], step: String) throws(VhostUserError) {
        try write(request, payload, fds: fds, flags: replyAcknowledgements ? Self.needReplyFlag : 0, step: step)
        if replyAcknowledgements {
            let status = try readReply(to: request, step: step)
            guard let value = loadLittleEndian(status, at: 0, as: UInt64.self) else {
                throw .unexpectedReply(path: path, step: step, request: request.rawValue, flags: 0, size: UInt32(status.count))
            }
            guard value == 0 else { throw .backendRefused(path: path, step: step, status: value) }
        }
    }

    /// Sends a request that has a reply and returns the reply's payload.
    func ask(_ request: VhostUserRequest, _ payload: VhostUserPayload = VhostUserPayload(), fds: [Int32] = [],
             step: String) throws(VhostUserError) -> [UInt8] {
        try write(request, payload, fds: fds, flags: 0, step: step)
        return try readReply(to: request, step: step)
    }

    func askU64(_ request: VhostUserRequest, _ payload: VhostUserPayload = VhostUserPayload(), fds: [Int32] = [],
                step: String) throws(VhostUserError) -> UInt64 {
        let reply = try ask(request, payload, fds: fds, step: step)
        guard reply.count == 8, let value = loadLittleEndian(reply, at: 0, as: UInt64.self) else {
            throw .unexpectedReply(path: path, step: step, request: request.rawValue, flags: 0, size: UInt32(reply.count))
        }
        return value
    }

    private func write(_ request: VhostUserRequest, _ payload: VhostUserPayload, fds: [Int32],
                       flags: UInt32, step: String) throws(VhostUserError) {
        var message = VhostUserPayload()
        message.append(request.rawValue)
        message.append(Self.version | flags)
        message.append(UInt32(payload.bytes.count))
        message.bytes += payload.bytes
        let sent = message.bytes.withUnsafeBytes { buffer in
            fds.withUnsafeBufferPointer { cposix_send_with_fds(socket, buffer.baseAddress, buffer.count, $0.baseAddress, $0.count) }
        }
        if sent == message.bytes.count { return }
        let err = errno
        if sent < 0, err == EPIPE || err == ECONNRESET { throw .backendClosed(path: path, step: step) }
        if sent < 0, err == EAGAIN { throw .backendTimedOut(path: path, step: step, seconds: replyTimeoutSeconds) }
        throw .systemCall(path: path, step: step, call: "sendmsg", errno: sent < 0 ? err : EMSGSIZE)
    }

    private func readReply(to request: VhostUserRequest, step: String) throws(VhostUserError) -> [UInt8] {
        let header = try receive(count: Self.headerSize, step: step)
        let code = loadLittleEndian(header, at: 0, as: UInt32.self) ?? 0
        let flags = loadLittleEndian(header, at: 4, as: UInt32.self) ?? 0
        let size = loadLittleEndian(header, at: 8, as: UInt32.self) ?? 0
        // A payload bigger than any reply we ask for means we are out of step with the backend.
        guard code == request.rawValue, flags & Self.replyFlag != 0, flags & 3 == Self.version, size <= 4096 else {
            throw .unexpectedReply(path: path, step: step, request: code, flags: flags, size: size)
        }
        return try receive(count: Int(size), step: step)
    }

    private func receive(count: Int, step: String) throws(VhostUserError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + done, count - done, 0) }
            if got > 0 {
                done += got
                continue
            }
            let err = errno
            if got == 0 || err == ECONNRESET { throw .backendClosed(path: path, step: step) }
            if err == EINTR { continue }
            if err == EAGAIN { throw .backendTimedOut(path: path, step: step, seconds: replyTimeoutSeconds) }
            throw .systemCall(path: path, step: step, call: "recv", errno: err)
        }
        return bytes
    }
}
