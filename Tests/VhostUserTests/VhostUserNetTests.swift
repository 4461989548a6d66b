// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
import GuestMemory
@testable import Machine
@testable import VhostUser

/// `--device vhost-user-net,...`: parsing, and candor-net started and attached as device ID 1.
final class VhostUserNetTests: XCTestCase {
    func testParsesNetworkDevices() throws {
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "vhost-user-net,socket=/run/net.sock"),
                       .vhostUserNet(.socket("/run/net.sock")))
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "vhost-user-net,driver=/d/candor-net,tap=tap0"),
                       .vhostUserNet(.driver(executable: "/d/candor-net", backend: .tap(interface: "tap0"), mac: nil)))
        let hub = try VirtioDeviceSpecification(parsing: "vhost-user-net,switch=/run/hub.sock,driver=/d/candor-net,mac=52:54:00:12:34:56")
        XCTAssertEqual(hub, .vhostUserNet(.driver(executable: "/d/candor-net", backend: .hub(path: "/run/hub.sock"),
                                                  mac: "52:54:00:12:34:56")))
        XCTAssertEqual(hub.description, "vhost-user-net,driver=/d/candor-net,switch=/run/hub.sock,mac=52:54:00:12:34:56")
        XCTAssertTrue(hub.usesVhostUser)
        guard case let .vhostUserNet(net) = hub else { return XCTFail("\(hub)") }
        XCTAssertEqual(net.driverArguments, ["--switch", "/run/hub.sock", "--mac", "52:54:00:12:34:56"])
        XCTAssertEqual(VirtioDeviceSpecification.vhostUserNet(.driver(executable: "/d", backend: .tap(interface: "t"), mac: nil)).description,
                       "vhost-user-net,driver=/d,tap=t")
    }

    func testRejectsBadNetworkDevicesWithTheirReason() {
        let needs = "either socket=PATH, or driver=PATH with tap=IFNAME or switch=PATH"
        let cases: [(String, VirtioDeviceSpecification.ParseError)] = [
            ("vhost-user-net", .missingOption(kind: "vhost-user-net", needs: needs)),
            ("vhost-user-net,driver=/d", .missingOption(kind: "vhost-user-net", needs: needs)),
            ("vhost-user-net,driver=/d,tap=t,switch=/s", .missingOption(kind: "vhost-user-net", needs: needs)),
            ("vhost-user-net,socket=/s,tap=t", .missingOption(kind: "vhost-user-net", needs: needs)),
            ("vhost-user-net,socket=/s,mac=52:54:00:00:00:01", .missingOption(kind: "vhost-user-net", needs: needs)),
            ("vhost-user-net,driver=/d,tap=t,image=x", .badOption(kind: "vhost-user-net", option: "image")),
            ("vhost-user-net,driver=/d,tap=t,mac=01:00:5e:00:00:01", .badOption(kind: "vhost-user-net", option: "mac=01:00:5e:00:00:01")),
            ("vhost-user-net,driver=/d,tap=t,mac=52:54:00:00:01", .badOption(kind: "vhost-user-net", option: "mac=52:54:00:00:01")),
            ("vhost-user-net,driver=/d,tap=t,mac=52:54:00:00:00:zz", .badOption(kind: "vhost-user-net", option: "mac=52:54:00:00:00:zz")),
            ("vhost-user-net,tap=a,tap=b", .badOption(kind: "vhost-user-net", option: "tap=b")),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try VirtioDeviceSpecification(parsing: text), text) { error in
                XCTAssertEqual(error as? VirtioDeviceSpecification.ParseError, expected, text)
            }
        }
    }

    /// candor-vm starts candor-net on a switch and presents it as virtio-net with the
    /// backend's MAC and link status in the configuration space.
    func testAttachStartsCandorNetAsDeviceOne() throws {
        let driver = try CandorDrivers.executable(named: "candor-net")
        let directory = NSTemporaryDirectory() + "candor-net-attach-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The hub: without it candor-net still serves its guest and keeps trying to join.
        let hub = try VhostUserBackendProcess(executable: driver, arguments: ["--hub", directory + "/hub.sock"],
                                              socketPath: directory + "/hub.sock")
        defer { hub.terminate() }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: directory + "/hub.sock") { usleep(10_000) }
        let specification = try VirtioDeviceSpecification(parsing: "vhost-user-net,driver=\(driver),switch=\(directory)/hub.sock,mac=52:54:00:ab:cd:ef")
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)], shareable: true)
        let attached = try VirtioDeviceAttachment.attach([specification], memory: memory, bus: IOBus()) { _, _ in }
        let device = attached.devices[0]
        XCTAssertEqual(device.read(offset: 0x08, size: 4), 1, "virtio-net")
        XCTAssertEqual((0..<6).map { UInt8(device.read(offset: 0x100 + $0, size: 1)) }, [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef])
        XCTAssertEqual(device.read(offset: 0x106, size: 2), 1, "VIRTIO_NET_S_LINK_UP")
        device.write(offset: 0x14, size: 4, value: 0)
        let features = device.read(offset: 0x10, size: 4)
        for (bit, name) in [(5, "MAC"), (15, "MRG_RXBUF"), (16, "STATUS")] {
            XCTAssertNotEqual(features & (1 << UInt64(bit)), 0, "VIRTIO_NET_F_\(name) offered")
        }
        let frontend = try XCTUnwrap(device.backend as? VhostUserFrontend)
        XCTAssertEqual(frontend.queueMaximumSizes.count, 2, "receive and transmit queues")
        XCTAssertEqual(frontend.backendProcess?.isRunning, true)
    }

    /// Two devices of one guest on one candor-net switch: a frame the guest sends through
    /// the first device's transmit queue arrives in the second one's receive buffers.
    func testFrameCrossesTheSwitchBetweenTwoDevices() throws {
        let driver = try CandorDrivers.executable(named: "candor-net")
        let directory = NSTemporaryDirectory() + "candor-net-frame-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hubPath = directory + "/hub.sock"
        let hub = try VhostUserBackendProcess(executable: driver, arguments: ["--hub", hubPath], socketPath: hubPath)
        defer { hub.terminate() }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: hubPath) { usleep(10_000) }
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 4 << 20)], shareable: true)
        let specifications = try ["52:54:00:00:00:01", "52:54:00:00:00:02"].map {
            try VirtioDeviceSpecification(parsing: "vhost-user-net,driver=\(driver),switch=\(hubPath),mac=\($0)")
        }
        let attached = try VirtioDeviceAttachment.attach(specifications, memory: memory, bus: IOBus()) { _, _ in }
        let sender = try NetDriver(device: attached.devices[0], memory: memory, base: 0x10_0000)
        let receiver = try NetDriver(device: attached.devices[1], memory: memory, base: 0x20_0000)
        try receiver.postReceiveBuffer()
        let frame: [UInt8] = [UInt8](repeating: 0xff, count: 6) + [0x52, 0x54, 0, 0, 0, 1, 0x88, 0xb5]
            + (0..<986).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try sender.send(frame)
        let received = try XCTUnwrap(try receiver.receive(), "no frame within 5 s")
        XCTAssertEqual(received.numBuffers, 1)
        XCTAssertEqual(received.frame, frame)
    }
}

/// The guest side of virtio-net for the test: both queues set up through the registers
/// (VERSION_1 and MRG_RXBUF acked), one receive buffer, one frame at a time.
private final class NetDriver {
    typealias Status = VirtioMMIODevice.Status
    static let queueSize: UInt16 = 8, bufferSize: UInt32 = 2048, headerLength = 12
    let device: VirtioMMIODevice
    let memory: GuestMemory
    let base: UInt64
    private var available: [UInt16] = [0, 0]

    /// Queue q's rings at base + q * 0x4000 (descriptors, +0x1000 available, +0x2000 used);
    /// buffers from base + 0x8000.
    init(device: VirtioMMIODevice, memory: GuestMemory, base: UInt64) throws {
        self.device = device
        self.memory = memory
        self.base = base
        try memory.fill(zeroesAt: GuestAddress(base), length: 0x8000)
        write(.status, 0)
        write(.status, Status.acknowledge | Status.driver)
        write(.driverFeaturesSelect, 0)
        write(.driverFeatures, 1 << 15)  // VIRTIO_NET_F_MRG_RXBUF
        write(.driverFeaturesSelect, 1)
        write(.driverFeatures, 1)  // VIRTIO_F_VERSION_1
        write(.status, Status.acknowledge | Status.driver | Status.featuresOK)
        for queue in 0..<2 {
            let rings = base + UInt64(queue) * 0x4000
            write(.queueSelect, UInt32(queue))
            write(.queueSize, UInt32(Self.queueSize))
            write(.queueDescriptorLow, UInt32(rings))
            write(.queueDriverLow, UInt32(rings + 0x1000))
            write(.queueDeviceLow, UInt32(rings + 0x2000))
            write(.queueReady, 1)
        }
        write(.status, Status.acknowledge | Status.driver | Status.featuresOK | Status.driverOK)
        XCTAssertEqual(device.read(offset: VirtioMMIODevice.Register.status.rawValue, size: 4) & UInt64(Status.needsReset), 0)
    }

    private func write(_ register: VirtioMMIODevice.Register, _ value: UInt32) {
        device.write(offset: register.rawValue, size: 4, value: UInt64(value))
    }

    /// One chain of one buffer as descriptor 0 of `queue`, made available and notified.
    private func offer(queue: Int, address: UInt64, length: UInt32, writable: Bool) throws {
        let rings = base + UInt64(queue) * 0x4000
        try memory.store(address, at: GuestAddress(rings))
        try memory.store(length, at: GuestAddress(rings + 8))
        try memory.store(UInt16(writable ? 2 : 0), at: GuestAddress(rings + 12))
        try memory.store(UInt16(0), at: GuestAddress(rings + 0x1000 + 4 + 2 * UInt64(available[queue] % Self.queueSize)))
        available[queue] &+= 1
        try memory.store(available[queue], at: GuestAddress(rings + 0x1000 + 2))
        write(.queueNotify, UInt32(queue))
    }

    private func waitUsed(queue: Int) throws -> UInt32? {
        let used = base + UInt64(queue) * 0x4000 + 0x2000
        for _ in 0..<500 {
            if try memory.load(UInt16.self, at: GuestAddress(used + 2)) == available[queue] {
                return try memory.load(UInt32.self, at: GuestAddress(used + 4 + 8 * UInt64((available[queue] &- 1) % Self.queueSize) + 4))
            }
            usleep(10_000)
        }
        return nil
    }

    func postReceiveBuffer() throws {
        try offer(queue: 0, address: base + 0x8000, length: Self.bufferSize, writable: true)
    }

    /// Sends `frame` after a zero header and waits until the device has taken it.
    func send(_ frame: [UInt8]) throws {
        let buffer = base + 0x9000
        try memory.write([UInt8](repeating: 0, count: Self.headerLength) + frame, at: GuestAddress(buffer))
        try offer(queue: 1, address: buffer, length: UInt32(Self.headerLength + frame.count), writable: false)
        XCTAssertNotNil(try waitUsed(queue: 1), "transmit chain returned")
    }

    func receive() throws -> (numBuffers: UInt16, frame: [UInt8])? {
        guard let length = try waitUsed(queue: 0), length >= UInt32(Self.headerLength) else { return nil }
        let bytes = try memory.read(at: GuestAddress(base + 0x8000), count: Int(length))
        return (UInt16(bytes[10]) | UInt16(bytes[11]) << 8, Array(bytes[Self.headerLength...]))
    }
}
