// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
import GuestMemory
@testable import Machine
import VhostUser

/// `--device` parsing and placing virtio-mmio devices on the MMIO bus (no KVM needed).
final class VhostUserAttachmentTests: XCTestCase {
    func testParsesDeviceSpecifications() throws {
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "vhost-user-blk,socket=/run/blk.sock"), .vhostUser(.block, socket: "/run/blk.sock"))
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "vhost-user-blk,image=disk.img,driver=/usr/lib/candor/candor-blk"),
                       .vhostUserDriver(.block, executable: "/usr/lib/candor/candor-blk", image: "disk.img"))
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "vhost-user-rng,driver=/usr/lib/candor/candor-rng"),
                       .vhostUserDriver(.entropy, executable: "/usr/lib/candor/candor-rng", image: nil))
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "vhost-user-rng,socket=/r"), .vhostUser(.entropy, socket: "/r"))
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "virtio-rng"), .entropy)
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "virtio-console"), .console(output: nil))
        XCTAssertEqual(try VirtioDeviceSpecification(parsing: "virtio-console,output=/tmp/c.txt"), .console(output: "/tmp/c.txt"))
        XCTAssertEqual(VirtioDeviceSpecification.console(output: "/c").description, "virtio-console,output=/c")
        XCTAssertEqual(VirtioDeviceSpecification.vhostUser(.block, socket: "/s").description, "vhost-user-blk,socket=/s")
        XCTAssertEqual(VirtioDeviceSpecification.vhostUserDriver(.block, executable: "/d", image: "i").description,
                       "vhost-user-blk,driver=/d,image=i")
    }

    func testRejectsBadSpecificationsWithTheirReason() {
        let cases: [(String, VirtioDeviceSpecification.ParseError)] = [
            ("virtio-gpu", .unknownKind("virtio-gpu")),
            ("vhost-user-blk", .missingOption(kind: "vhost-user-blk", needs: "either socket=PATH, or driver=PATH and image=FILE")),
            ("vhost-user-blk,socket=/a,driver=/b", .missingOption(kind: "vhost-user-blk", needs: "either socket=PATH, or driver=PATH and image=FILE")),
            ("vhost-user-blk,socket=/a,socket=/b", .badOption(kind: "vhost-user-blk", option: "socket=/b")),
            ("vhost-user-blk,sock=/a", .badOption(kind: "vhost-user-blk", option: "sock")),
            ("vhost-user-blk,socket=", .badOption(kind: "vhost-user-blk", option: "socket=")),
            ("virtio-rng,x=1", .badOption(kind: "virtio-rng", option: "x")),
            ("virtio-console,socket=/s", .badOption(kind: "virtio-console", option: "socket")),
            ("virtio-console,output=", .badOption(kind: "virtio-console", option: "output=")),
            ("vhost-user-rng,driver=/d,image=i", .badOption(kind: "vhost-user-rng", option: "image")),
            ("vhost-user-blk,driver=/d", .missingOption(kind: "vhost-user-blk", needs: "either socket=PATH, or driver=PATH and image=FILE")),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try VirtioDeviceSpecification(parsing: text), text) { error in
                XCTAssertEqual(error as? VirtioDeviceSpecification.ParseError, expected, text)
            }
        }
    }

    func testAttachPlacesDevicesAndRoutesInterrupts() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        let bus = IOBus()
        final class Lines: @unchecked Sendable { var changes: [(UInt32, Bool)] = [] }
        let lines = Lines()
        let attached = try VirtioDeviceAttachment.attach([.entropy, .entropy], memory: memory, bus: bus) { lines.changes.append(($0, $1)) }
        XCTAssertEqual(attached.kernelCommandLine, "virtio_mmio.device=512@0xd0000000:5 virtio_mmio.device=512@0xd0001000:6")
        XCTAssertEqual(attached.acpiDevices, [VirtioMMIODeviceDescription(base: GuestAddress(0xd000_0000), size: 0x200, interrupt: 5),
                                              VirtioMMIODeviceDescription(base: GuestAddress(0xd000_1000), size: 0x200, interrupt: 6)])

        var word = [UInt8](repeating: 0, count: 4)
        try word.withUnsafeMutableBytes { try bus.read(address: 0xd000_1000, size: 4, into: $0) }
        XCTAssertEqual(word, Array("virt".utf8), "magic value through the bus")
        try word.withUnsafeMutableBytes { try bus.read(address: 0xd000_1008, size: 4, into: $0) }
        XCTAssertEqual(word, [4, 0, 0, 0], "device ID of virtio-rng")

        // A configuration-change interrupt (queue set up wrongly) reaches line 6 and is
        // lowered again when the driver acknowledges it.
        let device = attached.devices[1]
        for status: UInt32 in [1, 3] { device.write(offset: 0x70, size: 4, value: UInt64(status)) }
        device.write(offset: 0x24, size: 4, value: 1)
        device.write(offset: 0x20, size: 4, value: 1)  // VIRTIO_F_VERSION_1
        device.write(offset: 0x70, size: 4, value: 11)
        device.write(offset: 0x70, size: 4, value: 15)  // DRIVER_OK
        device.write(offset: 0x38, size: 4, value: 3)  // not a power of two
        device.write(offset: 0x44, size: 4, value: 1)
        XCTAssertEqual(lines.changes.map(\.0), [6])
        XCTAssertEqual(lines.changes.map(\.1), [true])
        device.write(offset: 0x64, size: 4, value: 2)
        XCTAssertEqual(lines.changes.map(\.1), [true, false])
    }

    func testTooManyDevicesIsRefused() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        XCTAssertThrowsError(try VirtioDeviceAttachment.attach(Array(repeating: .entropy, count: 7), memory: memory, bus: IOBus()) { _, _ in }) {
            XCTAssertTrue("\($0)".contains("at most 6"), "\($0)")
        }
    }
}
