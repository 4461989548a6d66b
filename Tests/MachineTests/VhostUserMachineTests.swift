// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
import Loader
@testable import Machine
import VhostUser

/// Virtio-mmio devices in a whole machine on the real /dev/kvm: tiny flat guests read
/// device registers through MMIO exits and report what they saw as their exit status.
final class VhostUserMachineTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        var template = Array("/tmp/candor-vm-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        scratch = String(cString: made)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// 32-bit protected mode, paging off: `mov eax, [address]; out 0xf4, al`.
    private func run(readingByteAt address: UInt32, devices: [VirtioDeviceSpecification]) throws -> MachineExit {
        let code: [UInt8] = [0xa1] + withUnsafeBytes(of: address.littleEndian, Array.init) + [0xe6, 0xf4]
        let path = scratch + "/flat.bin"
        try Data(code).write(to: URL(fileURLWithPath: path))
        var configuration = MachineConfiguration(kernelPath: path)
        configuration.kernelFormat = .flat(.protected32)
        configuration.memorySize = 16 << 20
        configuration.serialOutput = .file(scratch + "/serial.txt")
        configuration.serialInput = false
        configuration.virtioDevices = devices
        return try MachineBuilder.build(configuration).run()
    }

    func testGuestReadsDeviceIDOfBuiltInEntropyDevice() throws {
        // The second device's DeviceID register.
        XCTAssertEqual(try run(readingByteAt: 0xd000_1008, devices: [.entropy, .entropy]), .guestStatus(4))
    }

    func testGuestReadsBlockCapacityServedByQemuStorageDaemon() throws {
        let daemon = "/usr/bin/qemu-storage-daemon"
        guard FileManager.default.isExecutableFile(atPath: daemon) else { throw XCTSkip("\(daemon) is missing (Debian package qemu-system-common)") }
        let image = scratch + "/disk.img"
        XCTAssertTrue(FileManager.default.createFile(atPath: image, contents: Data(count: 42 * 512)))
        let socket = scratch + "/blk.sock"
        let backend = try VhostUserBackendProcess(executable: daemon, arguments: [
            "--blockdev", "driver=file,node-name=f,filename=\(image)",
            "--export", "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=\(socket),writable=on",
        ], socketPath: socket)
        // The low byte of virtio_blk_config.capacity: 42 sectors.
        XCTAssertEqual(try run(readingByteAt: 0xd000_0100, devices: [.vhostUser(.block, socket: socket)]), .guestStatus(42))
        withExtendedLifetime(backend) {}
    }

    func testMissingBackendIsABuildErrorNamingTheSocket() throws {
        let socket = scratch + "/nobody.sock"
        XCTAssertThrowsError(try run(readingByteAt: 0xd000_0000, devices: [.vhostUser(.block, socket: socket)])) {
            XCTAssertTrue("\($0)".contains("attaching virtio devices: --device #1 (vhost-user-blk,socket=\(socket))"), "\($0)")
        }
    }
}
