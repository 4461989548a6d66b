// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
import GuestMemory
@testable import VhostUser

/// The frontend against scripted backends that misbehave: each failure is a typed error
/// naming the step, never a crash or a hang.
final class VhostUserProtocolTests: XCTestCase {
    /// A one-connection vhost-user backend on a Unix socket; `answer` gets each request
    /// (code, flags, payload) and returns a reply payload, nil for none, or `.hangUp`.
    final class ScriptedBackend: @unchecked Sendable {
        enum Answer { case reply([UInt8]), replyWithCode(UInt32, [UInt8]), none, hangUp }
        let path: String
        private let listener: Int32
        private(set) var requests: [UInt32] = []
        private let done = DispatchSemaphore(value: 0)

        init(answer: @escaping (UInt32, UInt32, [UInt8]) -> Answer) throws {
            path = NSTemporaryDirectory() + "candor-vu-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(listener, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
            Thread { [self] in serve(answer) }.start()
        }

        private func serve(_ answer: (UInt32, UInt32, [UInt8]) -> Answer) {
            defer { done.signal() }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            func receive(_ count: Int) -> [UInt8]? {
                var bytes = [UInt8](repeating: 0, count: count)
                guard count > 0 else { return bytes }
                let got = bytes.withUnsafeMutableBytes { recv(connection, $0.baseAddress, count, Int32(MSG_WAITALL)) }
                return got == count ? bytes : nil
            }
            while let header = receive(12) {
                let words = header.withUnsafeBytes { raw in (0..<3).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self) } }
                guard let payload = receive(Int(words[2])) else { return }
                requests.append(words[0])
                var code = words[0]
                let body: [UInt8]
                switch answer(words[0], words[1], payload) {
                case .hangUp: return
                case .none: continue
                case let .reply(bytes): body = bytes
                case let .replyWithCode(replacement, bytes): code = replacement; body = bytes
                }
                let header: [UInt32] = [code, 1 | 4, UInt32(body.count)]
                let message = header.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } } + body
                _ = message.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }

        /// Waits for the backend to finish with its connection.
        func finish() {
            _ = done.wait(timeout: .now() + 5)
            close(listener)
            unlink(path)
        }
    }

    static func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static let version1: UInt64 = 1 << 32, protocolFeatures: UInt64 = 1 << 30

    /// A well-behaved backend up to the point where `override` answers instead.
    static func backend(features: UInt64 = version1 | protocolFeatures, protocol: UInt64 = 1 << 3 | 1 << 9,
                        override: @escaping (UInt32, [UInt8]) -> ScriptedBackend.Answer? = { _, _ in nil }) throws -> ScriptedBackend {
        try ScriptedBackend { code, flags, payload in
            if let answer = override(code, payload) { return answer }
            switch code {
            case 1: return .reply(u64(features))
            case 15: return .reply(u64(`protocol`))
            case 24: return .reply(Array(payload.prefix(12)) + [UInt8](repeating: 0xab, count: payload.count - 12))
            case 11: return .reply(Array(payload.prefix(8)))
            default: return flags & 8 != 0 ? .reply(u64(0)) : ScriptedBackend.Answer.none
            }
        }
    }

    func testBackendWithoutVersion1IsRefused() throws {
        let backend = try Self.backend(features: Self.protocolFeatures)
        defer { backend.finish() }
        XCTAssertThrowsError(try VhostUserFrontend.block(socketPath: backend.path)) {
            XCTAssertEqual($0 as? VhostUserError, .missingFeature(path: backend.path, feature: "VIRTIO_F_VERSION_1"))
        }
    }

    func testReplyOutOfStepNamesTheStep() throws {
        let backend = try Self.backend { code, _ in code == 1 ? .replyWithCode(15, Self.u64(0)) : nil }
        defer { backend.finish() }
        XCTAssertThrowsError(try VhostUserFrontend.block(socketPath: backend.path)) {
            XCTAssertEqual($0 as? VhostUserError, .unexpectedReply(path: backend.path, step: "GET_FEATURES", request: 15, flags: 5, size: 8))
        }
    }

    func testBackendHangingUpDuringSetupNamesTheStep() throws {
        let backend = try Self.backend { code, _ in code == 15 ? .hangUp : nil }
        defer { backend.finish() }
        XCTAssertThrowsError(try VhostUserFrontend.block(socketPath: backend.path)) {
            XCTAssertEqual($0 as? VhostUserError, .backendClosed(path: backend.path, step: "GET_PROTOCOL_FEATURES"))
            XCTAssertTrue("\($0)".contains("closed the connection"))
        }
    }

    func testSilentBackendTimesOutInsteadOfHanging() throws {
        let backend = try Self.backend { code, _ in code == 1 ? ScriptedBackend.Answer.none : nil }
        defer { backend.finish() }
        XCTAssertThrowsError(try VhostUserFrontend(socketPath: backend.path, deviceID: .block, replyTimeout: 1)) {
            XCTAssertEqual($0 as? VhostUserError, .backendTimedOut(path: backend.path, step: "GET_FEATURES", seconds: 1))
        }
    }

    func testConfigurationSpaceNeedsTheConfigProtocolFeature() throws {
        let backend = try Self.backend(protocol: 1 << 3)
        defer { backend.finish() }
        XCTAssertThrowsError(try VhostUserFrontend.block(socketPath: backend.path)) {
            XCTAssertEqual($0 as? VhostUserError, .missingFeature(path: backend.path, feature: "VHOST_USER_PROTOCOL_F_CONFIG"))
        }
    }

    func testSetupSequenceAndRefusalAtActivation() throws {
        // Refuses SET_MEM_TABLE (5) through REPLY_ACK.
        let backend = try Self.backend { code, _ in code == 5 ? .reply(Self.u64(1)) : nil }
        // In a scope of its own, so the frontend hangs up before the backend is awaited.
        try {
            let frontend = try VhostUserFrontend.block(socketPath: backend.path)
            XCTAssertEqual(frontend.configSpace, [UInt8](repeating: 0xab, count: 60), "GET_CONFIG payload is the config space")
            XCTAssertEqual(frontend.features, Self.version1, "protocol-features bit hidden from the guest")

            let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)], shareable: true)
            var log: [String] = []
            let device = VirtioMMIODevice(backend: frontend, memory: memory, name: "virtio-blk") { log.append($0) }
            for status: UInt64 in [1, 3] { device.write(offset: 0x70, size: 4, value: status) }
            device.write(offset: 0x24, size: 4, value: 1)
            device.write(offset: 0x20, size: 4, value: 1)
            device.write(offset: 0x70, size: 4, value: 11)
            for (offset, value): (UInt64, UInt64) in [(0x38, 16), (0x80, 0x1000), (0x90, 0x2000), (0xa0, 0x3000), (0x44, 1)] {
                device.write(offset: offset, size: 4, value: value)
            }
            device.write(offset: 0x70, size: 4, value: 15)
            // The activation is sent off the writing thread; wait for its refusal.
            frontend.waitForPendingWork()
            XCTAssertEqual(device.deviceStatus & VirtioMMIODevice.Status.needsReset, VirtioMMIODevice.Status.needsReset)
            XCTAssertEqual(log.count, 1)
            XCTAssertTrue(log.first?.contains("SET_MEM_TABLE: refused with status 1") ?? false, "\(log)")
        }()
        backend.finish()
        // SET_OWNER, GET_FEATURES, GET/SET_PROTOCOL_FEATURES, GET_CONFIG, SET_FEATURES, SET_MEM_TABLE.
        XCTAssertEqual(Array(backend.requests.prefix(7)), [3, 1, 15, 16, 24, 2, 5])
    }
}
