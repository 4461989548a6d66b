// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
import Devices
import GuestMemory
@testable import Machine
import VhostUser

/// A backend that completes the handshake and then never answers again must not stall the
/// MMIO bus: the thread that writes DRIVER_OK (a vCPU) returns at once, and another thread
/// (the other vCPU) keeps using the bus meanwhile.
final class VhostUserHungBackendTests: XCTestCase {
    /// Accepts one connection, answers the handshake with REPLY_ACK offered, then reads and
    /// ignores everything until `hangUp()`.
    final class SilentBackend: @unchecked Sendable {  // `connection` is written before `accepted` is signalled
        let path: String
        private let listener: Int32
        private var connection: Int32 = -1
        private let accepted = DispatchSemaphore(value: 0)
        private let requestsLock = NSLock()
        private var requestCodes: [UInt32] = []
        var requests: [UInt32] { requestsLock.withLock { requestCodes } }

        init() throws {
            path = NSTemporaryDirectory() + "candor-silent-\(getpid()).sock"
            unlink(path)
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(listener, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
            Thread { [self] in serve() }.start()
        }

        private func serve() {
            let fd = accept(listener, nil, nil)
            connection = fd
            accepted.signal()
            guard fd >= 0 else { return }
            func receive(_ count: Int) -> [UInt8]? {
                var bytes = [UInt8](repeating: 0, count: count)
                guard count > 0 else { return bytes }
                let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count, Int32(MSG_WAITALL)) }
                return got == count ? bytes : nil
            }
            func reply(_ code: UInt32, _ value: UInt64) {
                let words: [UInt32] = [code, 1 | 4, 8]
                let bytes = words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
                    + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            while let header = receive(12) {
                let words = header.withUnsafeBytes { raw in (0..<3).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self) } }
                guard receive(Int(words[2])) != nil else { return }
                requestsLock.withLock { requestCodes.append(words[0]) }
                switch words[0] {
                case 1: reply(1, 1 << 32 | 1 << 30)  // GET_FEATURES: VERSION_1, PROTOCOL_FEATURES
                case 15: reply(15, 1 << 3)  // GET_PROTOCOL_FEATURES: REPLY_ACK
                default: continue  // everything else: silence
                }
            }
        }

        /// Closes the connection: the frontend's pending wait ends at once.
        func hangUp() {
            _ = accepted.wait(timeout: .now() + 5)
            shutdown(connection, Int32(SHUT_RDWR))
            close(listener)
            unlink(path)
        }
    }

    func testSilentBackendDoesNotStallTheBus() throws {
        let backend = try SilentBackend()
        defer { backend.hangUp() }
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)], shareable: true)
        let bus = IOBus()
        final class Bindings: @unchecked Sendable {  // attach's thread only
            var all: [(GuestAddress, UInt64, Int32)] = []
            var lines: [UInt32] = []
        }
        let bindings = Bindings()
        let attached = try VirtioDeviceAttachment.attach([.vhostUser(.entropy, socket: backend.path), .entropy],
                                                         memory: memory, bus: bus,
                                                         bindNotification: { bindings.all.append(($0, $1, $2)) },
                                                         bindInterrupt: { line, _, _ in bindings.lines.append(line) }) { _, _ in }
        XCTAssertEqual(bindings.lines, [attached.slots[0].irq], "the vhost-user device's line is an irqfd; the built-in one is not")
        // The vhost-user device's QueueNotify register is bound to its queue's eventfd (ioeventfd).
        let frontend = try XCTUnwrap(attached.devices[0].backend as? VhostUserFrontend)
        XCTAssertEqual(bindings.all.map(\.0), [GuestAddress(attached.slots[0].base.rawValue + 0x50)])
        XCTAssertEqual(bindings.all.map(\.1), [0])
        XCTAssertEqual(bindings.all.map(\.2), frontend.notificationDescriptors)
        let silent = attached.slots[0].base.rawValue, other = attached.slots[1].base.rawValue
        func write(_ base: UInt64, _ offset: UInt64, _ value: UInt32) throws {
            _ = try withUnsafeBytes(of: value.littleEndian) { try bus.write(address: base + offset, size: 4, data: $0) }
        }

        // The other vCPU: reads the second device's magic value over and over.
        final class Progress: @unchecked Sendable {  // guarded by `lock`
            let lock = NSLock()
            var reads = 0, stop = false
        }
        let progress = Progress()
        let reader = Thread {
            var word = [UInt8](repeating: 0, count: 4)
            while !progress.lock.withLock({ progress.stop }) {
                try? word.withUnsafeMutableBytes { try bus.read(address: other, size: 4, into: $0) }
                if word == Array("virt".utf8) { progress.lock.withLock { progress.reads += 1 } }
            }
        }
        reader.start()
        defer { progress.lock.withLock { progress.stop = true } }

        // This vCPU: the Linux start sequence on the silent device, up to DRIVER_OK.
        let started = Date()
        for status: UInt32 in [1, 3] { try write(silent, 0x70, status) }
        try write(silent, 0x24, 1)
        try write(silent, 0x20, 1)  // VIRTIO_F_VERSION_1
        try write(silent, 0x70, 11)
        for (offset, value): (UInt64, UInt32) in [(0x38, 16), (0x80, 0x1000), (0x90, 0x2000), (0xa0, 0x3000), (0x44, 1)] {
            try write(silent, offset, value)
        }
        try write(silent, 0x70, 15)  // DRIVER_OK: the backend gets SET_FEATURES and never acknowledges it
        try write(silent, 0x50, 0)  // a notification while the activation hangs
        XCTAssertLessThan(Date().timeIntervalSince(started), 1, "the writing vCPU returned at once")

        // The other vCPU keeps going while the backend stays silent.
        let before = progress.lock.withLock { progress.reads }
        usleep(300_000)
        let after = progress.lock.withLock { progress.reads }
        XCTAssertGreaterThan(after - before, 10, "the other vCPU made progress")
        // And this one can still read the stuck device's registers.
        var word = [UInt8](repeating: 0, count: 4)
        try word.withUnsafeMutableBytes { try bus.read(address: silent + 0x70, size: 4, into: $0) }
        XCTAssertEqual(word[0], 15, "status reads back without waiting for the backend")
        XCTAssertEqual(backend.requests.last, 2, "SET_FEATURES sent and unanswered")
    }
}
