// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
import GuestMemory
@testable import Machine

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
        let specification = try VirtioDeviceSpecification(parsing: "vhost-user-net,driver=\(driver),switch=\(directory)/hub.sock,mac=52:54:00:ab:cd:ef")
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)], shareable: true)
        let attached = try VirtioDeviceAttachment.attach([specification], memory: memory, bus: IOBus(),
                                                         runtimeDirectory: directory) { _, _ in }
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
}
