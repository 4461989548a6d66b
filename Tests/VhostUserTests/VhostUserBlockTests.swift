// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import Devices
import GuestMemory
@testable import VhostUser

/// The vhost-user frontend end to end against real vhost-user-blk backends: the test plays
/// the guest's virtio-blk driver through the virtio-mmio registers and rings in shared
/// guest memory, and checks the image file on disk.
final class VhostUserBlockTests: XCTestCase {
    static let sectorSize = 512
    static let imageSize = 1 << 20
    var directory = ""

    override func setUpWithError() throws {
        // Short: a Unix socket path must fit in 107 bytes.
        var template = Array("/tmp/candor-vu-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeImage() throws -> String {
        let path = directory + "/disk.img"
        guard FileManager.default.createFile(atPath: path, contents: Data(count: Self.imageSize)) else { throw POSIXError(.EIO) }
        return path
    }

    private func startQemuStorageDaemon(image: String) throws -> VhostUserBackendProcess {
        let executable = "/usr/bin/qemu-storage-daemon"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw XCTSkip("\(executable) is missing (Debian package qemu-system-common)")
        }
        let socket = directory + "/blk.sock"
        return try VhostUserBackendProcess(executable: executable, arguments: [
            "--blockdev", "driver=file,node-name=f,filename=\(image)",
            "--export", "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=\(socket),writable=on",
        ], socketPath: socket)
    }

    func testWriteAndReadBackThroughQemuStorageDaemon() throws {
        let image = try makeImage()
        let backend = try startQemuStorageDaemon(image: image)
        try exerciseBlockDevice(socketPath: try XCTUnwrap(backend.socketPath), image: image)
    }

    func testWriteAndReadBackThroughCandorBlk() throws {
        let image = try makeImage()
        let driver = try CandorDrivers.executable(named: "candor-blk")
        let socket = directory + "/candor-blk.sock"
        let backend = try VhostUserBackendProcess(executable: driver, arguments: CandorDrivers.arguments(socket: socket, image: image),
                                                  socketPath: socket)
        try exerciseBlockDevice(socketPath: try XCTUnwrap(backend.socketPath), image: image)
    }

    func testEntropyThroughCandorRng() throws {
        let socket = directory + "/candor-rng.sock"
        let backend = try VhostUserBackendProcess(executable: try CandorDrivers.executable(named: "candor-rng"),
                                                  arguments: ["--socket", socket], socketPath: socket)
        let driver = try BlockDriver(frontend: VhostUserFrontend.entropy(socketPath: try XCTUnwrap(backend.socketPath)))
        XCTAssertEqual(driver.read(.deviceID), 4)
        try driver.start()
        XCTAssertEqual(try driver.submit([(address: driver.data, length: 256, writable: true)]), 256)
        let bytes = try driver.readData(count: 256)
        XCTAssertGreaterThan(Set(bytes).count, 64, "random bytes from the backend")
    }

    func testCandorBlkMarksItsWritesInTheWriteLog() throws {
        let image = try makeImage()
        let socket = directory + "/candor-blk.sock"
        let backend = try VhostUserBackendProcess(executable: try CandorDrivers.executable(named: "candor-blk"),
                                                  arguments: CandorDrivers.arguments(socket: socket, image: image), socketPath: socket)
        let marked = try writeLogMarks(socketPath: try XCTUnwrap(backend.socketPath))
        // Exactly what the device wrote: the used ring (page 3), the data it read into
        // (pages 0x11 and 0x12) and the status byte (page 0x20); not what it only read.
        XCTAssertEqual(marked.read, [0x3, 0x11, 0x12, 0x20])
        XCTAssertEqual(marked.write, [0x3, 0x20])
        XCTAssertEqual(marked.afterStop, [])
    }

    func testQemuStorageDaemonMarksItsWritesInTheWriteLog() throws {
        // The frontend's side of the protocol, against another implementation of the backend's.
        let image = try makeImage()
        let backend = try startQemuStorageDaemon(image: image)
        let marked = try writeLogMarks(socketPath: try XCTUnwrap(backend.socketPath))
        XCTAssertTrue(Set([0x3, 0x11, 0x12, 0x20]).isSubset(of: marked.read), "\(marked.read)")
        XCTAssertFalse(marked.read.contains(0x10), "the request header is only read")
        XCTAssertTrue(Set([0x3, 0x20]).isSubset(of: marked.write), "\(marked.write)")
        XCTAssertEqual(marked.afterStop, [])
    }

    /// The pages the backend marked in the write log for an 8 KiB read into `data`, for an
    /// 8 KiB write from it, and for a read after logging stopped. The test's own writes
    /// (descriptors, headers) are not marked: this process's logging stays off.
    private func writeLogMarks(socketPath: String) throws -> (read: [UInt64], write: [UInt64], afterStop: [UInt64]) {
        let frontend = try VhostUserFrontend.block(socketPath: socketPath)
        XCTAssertTrue(frontend.supportsWriteLog)
        let driver = try BlockDriver(frontend: frontend)
        try driver.start()
        let log = driver.memory.writeLog
        log.setActive(true)
        log.setActive(false)
        try frontend.setWriteLog(log)
        func marks() throws -> [UInt64] {
            try frontend.synchronize()
            return log.take(firstPage: 0, pageCount: 1024).enumerated().flatMap { index, word in
                (0..<64).filter { word >> $0 & 1 == 1 }.map { UInt64(index * 64) + $0 }
            }
        }
        XCTAssertEqual(try driver.request(type: BlockDriver.typeIn, sector: 8, length: 8192), 0)
        let read = try marks()
        XCTAssertEqual(try driver.request(type: BlockDriver.typeOut, sector: 8, data: [UInt8](repeating: 7, count: 8192)), 0)
        let write = try marks()
        try frontend.setWriteLog(nil)
        XCTAssertEqual(try driver.request(type: BlockDriver.typeIn, sector: 8, length: 8192), 0)
        return (read, write, try marks())
    }

    private func exerciseBlockDevice(socketPath: String, image: String) throws {
        let driver = try BlockDriver(frontend: VhostUserFrontend.block(socketPath: socketPath))
        XCTAssertEqual(driver.read(.deviceID), 2)
        XCTAssertEqual(driver.device.read(offset: 0x100, size: 8), UInt64(Self.imageSize / Self.sectorSize), "capacity in sectors")
        try driver.start()

        let pattern = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        XCTAssertEqual(try driver.request(type: BlockDriver.typeOut, sector: 24, data: pattern), 0)
        XCTAssertEqual(try driver.request(type: BlockDriver.typeFlush, sector: 0, data: []), 0)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: image))
        XCTAssertEqual(Array(onDisk[24 * Self.sectorSize..<24 * Self.sectorSize + 4096]), pattern)
        XCTAssertEqual(Array(onDisk[0..<512]), [UInt8](repeating: 0, count: 512), "other sectors untouched")

        XCTAssertEqual(try driver.request(type: BlockDriver.typeIn, sector: 24, length: 4096), 0)
        XCTAssertEqual(try driver.readData(count: 4096), pattern)
        XCTAssertFalse(driver.needsReset, "\(driver.logLines)")

        // A reset stops the rings; the device works again after a new handshake.
        driver.write(.status, 0)
        try driver.start()
        XCTAssertEqual(try driver.request(type: BlockDriver.typeIn, sector: 25, length: 512), 0)
        XCTAssertEqual(try driver.readData(count: 512), Array(pattern[512..<1024]))
    }

    func testBackendDeathMarksDeviceNeedingReset() throws {
        let image = try makeImage()
        let backend = try startQemuStorageDaemon(image: image)
        let driver = try BlockDriver(frontend: VhostUserFrontend.block(socketPath: try XCTUnwrap(backend.socketPath)))
        try driver.start()
        // Running first (the activation is sent off this thread), then dead.
        (driver.device.backend as? VhostUserFrontend)?.waitForPendingWork()
        kill(backend.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while !driver.needsReset, Date() < deadline { usleep(10_000) }
        XCTAssertTrue(driver.needsReset)
        XCTAssertEqual(driver.read(.interruptStatus) & 2, 2, "configuration-change interrupt")
        XCTAssertEqual(driver.logLines.count, 1, "\(driver.logLines)")
        XCTAssertTrue(driver.logLines.first?.contains("closed the connection") ?? false, "\(driver.logLines)")
        // New requests get an I/O error from the frontend itself.
        driver.write(.interruptAcknowledge, driver.read(.interruptStatus))
        XCTAssertEqual(try driver.request(type: BlockDriver.typeIn, sector: 0, length: 512), 1, "VIRTIO_BLK_S_IOERR")
        XCTAssertEqual(try driver.request(type: BlockDriver.typeFlush, sector: 0), 1, "VIRTIO_BLK_S_IOERR")
        // The same when KVM signals the notification eventfd itself (ioeventfd), with no exit.
        driver.notifyThroughEventDescriptor = true
        XCTAssertEqual(try driver.request(type: BlockDriver.typeIn, sector: 0, length: 512), 1, "VIRTIO_BLK_S_IOERR via ioeventfd")
        driver.notifyThroughEventDescriptor = false
        XCTAssertEqual(driver.logLines.count, 1, "\(driver.logLines)")
        // Kicks and a new handshake against the dead backend neither crash nor hang.
        driver.write(.queueNotify, 0)
        driver.write(.status, 0)
        try driver.start(expectWorking: false)
        // The activation is sent off the vCPU thread: its failure comes a moment later.
        let retry = Date().addingTimeInterval(10)
        while !driver.needsReset, Date() < retry { usleep(10_000) }
        XCTAssertTrue(driver.needsReset)
        XCTAssertTrue(driver.logLines.last?.contains("SET_FEATURES") ?? false, "\(driver.logLines)")
    }

    func testConnectingToMissingSocketNamesThePath() throws {
        let path = directory + "/nobody.sock"
        XCTAssertThrowsError(try VhostUserFrontend.block(socketPath: path, connectTimeout: 0.05)) { error in
            XCTAssertEqual(error as? VhostUserError, .connectFailed(path: path, errno: ENOENT))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testPrivateGuestMemoryIsRefusedAtActivation() throws {
        let image = try makeImage()
        let backend = try startQemuStorageDaemon(image: image)
        let driver = try BlockDriver(frontend: VhostUserFrontend.block(socketPath: try XCTUnwrap(backend.socketPath)), shareable: false)
        try driver.start(expectWorking: false)
        XCTAssertTrue(driver.needsReset)
        XCTAssertTrue(driver.logLines.first?.contains("not shareable") ?? false, "\(driver.logLines)")
    }
}

/// The GPL drivers (candor-blk, candor-rng, candor-net): from $CANDOR_DRIVERS (a directory
/// holding them), else built with their own make target from hypervisor/ into a
/// temporary directory.
enum CandorDrivers {
    static func executable(named name: String) throws -> String {
        if let directory = ProcessInfo.processInfo.environment["CANDOR_DRIVERS"] {
            let path = directory + "/" + name
            guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("CANDOR_DRIVERS=\(directory): no executable \(name)") }
            return path
        }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/", !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        let hypervisor = directory.appendingPathComponent("hypervisor")
        guard FileManager.default.fileExists(atPath: hypervisor.appendingPathComponent("Makefile").path),
              FileManager.default.fileExists(atPath: hypervisor.appendingPathComponent("drivers/blk.c").path) else {
            throw XCTSkip("\(name): hypervisor/Makefile and hypervisor/drivers/blk.c are not in this tree; set CANDOR_DRIVERS")
        }
        let build = NSTemporaryDirectory() + "candor-blk-\(getpid())"
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        make.arguments = ["-s", "-C", hypervisor.path, "BUILD=\(build)", "\(build)/\(name)"]
        try make.run()
        make.waitUntilExit()
        guard make.terminationStatus == 0 else {
            // A build that fails is a failure, not a missing capability of the machine.
            throw DriverBuildError(message: "\(name): `make -C hypervisor BUILD=\(build) \(build)/\(name)` failed with status \(make.terminationStatus)")
        }
        return build + "/" + name
    }

    struct DriverBuildError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func arguments(socket: String, image: String) -> [String] {
        ["--socket", socket, "--image", image]
    }
}

/// The guest side of a vhost-user device: one chain at a time through queue 0, with
/// virtio-blk requests on top.
final class BlockDriver {
    static let typeIn: UInt32 = 0, typeOut: UInt32 = 1, typeFlush: UInt32 = 4
    static let queueSize: UInt16 = 16
    let memory: GuestMemory
    let device: VirtioMMIODevice
    private let interrupt = DispatchSemaphore(value: 0)
    private let logBox = LogBox()
    private var nextAvailable: UInt16 = 0
    /// Notify by writing the queue's eventfd, as KVM does for a bound QueueNotify write.
    var notifyThroughEventDescriptor = false
    final class LogBox: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }
    var logLines: [String] { logBox.all }

    // Guest-physical layout of the fake driver.
    let descriptorTable: UInt64 = 0x1000, availableRing: UInt64 = 0x2000, usedRing: UInt64 = 0x3000
    let header: UInt64 = 0x10000, data: UInt64 = 0x11000, statusByte: UInt64 = 0x20000

    init(frontend: VhostUserFrontend, shareable: Bool = true) throws {
        // Works for any vhost-user device with one queue; `request` is virtio-blk's.
        memory = try GuestMemory(ranges: [(GuestAddress(0), 4 << 20)], shareable: shareable)
        let box = logBox
        device = VirtioMMIODevice(backend: frontend, memory: memory, name: "virtio-blk") { box.append($0) }
        let semaphore = interrupt
        device.onInterruptChange = { if $0 { semaphore.signal() } }
    }

    func read(_ register: VirtioMMIODevice.Register) -> UInt32 { UInt32(device.read(offset: register.rawValue, size: 4)) }
    func write(_ register: VirtioMMIODevice.Register, _ value: UInt32) { device.write(offset: register.rawValue, size: 4, value: UInt64(value)) }
    var needsReset: Bool { read(.status) & VirtioMMIODevice.Status.needsReset != 0 }

    /// The Linux order: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK,
    /// queue 0, DRIVER_OK.
    func start(expectWorking: Bool = true) throws {
        typealias Status = VirtioMMIODevice.Status
        write(.status, 0)
        nextAvailable = 0
        try memory.fill(zeroesAt: GuestAddress(descriptorTable), length: 0x3000)
        write(.status, Status.acknowledge)
        write(.status, Status.acknowledge | Status.driver)
        write(.deviceFeaturesSelect, 1)
        XCTAssertEqual(read(.deviceFeatures) & 1, 1, "VIRTIO_F_VERSION_1 offered")
        write(.driverFeaturesSelect, 0)
        write(.driverFeatures, 0)
        write(.driverFeaturesSelect, 1)
        write(.driverFeatures, 1)
        write(.status, Status.acknowledge | Status.driver | Status.featuresOK)
        XCTAssertEqual(read(.status) & Status.featuresOK, Status.featuresOK)
        write(.queueSelect, 0)
        write(.queueSize, UInt32(Self.queueSize))
        write(.queueDescriptorLow, UInt32(descriptorTable))
        write(.queueDriverLow, UInt32(availableRing))
        write(.queueDeviceLow, UInt32(usedRing))
        write(.queueReady, 1)
        write(.status, Status.acknowledge | Status.driver | Status.featuresOK | Status.driverOK)
        if expectWorking { XCTAssertFalse(needsReset, "\(logLines)") }
    }

    private func descriptor(_ index: UInt64, address: UInt64, length: UInt32, flags: UInt16, next: UInt16) throws {
        let base = GuestAddress(descriptorTable + 16 * index)
        try memory.store(address, at: base)
        try memory.store(length, at: GuestAddress(base.rawValue + 8))
        try memory.store(flags, at: GuestAddress(base.rawValue + 12))
        try memory.store(next, at: GuestAddress(base.rawValue + 14))
    }

    /// One request (header, optional data, status) and its status byte, waiting for the
    /// used entry through the interrupt.
    func request(type: UInt32, sector: UInt64, data bytes: [UInt8]? = nil, length: Int? = nil) throws -> UInt8 {
        try memory.store(type, at: GuestAddress(header))
        try memory.store(UInt32(0), at: GuestAddress(header + 4))
        try memory.store(sector, at: GuestAddress(header + 8))
        try memory.store(UInt8(0xff), at: GuestAddress(statusByte))
        let dataLength = bytes?.count ?? length ?? 0
        if let bytes { try memory.write(bytes, at: GuestAddress(data)) } else { try memory.fill(zeroesAt: GuestAddress(data), length: UInt64(dataLength)) }
        var buffers = [(address: header, length: UInt32(16), writable: false)]
        if dataLength > 0 { buffers.append((data, UInt32(dataLength), type == Self.typeIn)) }
        buffers.append((statusByte, 1, true))
        guard try submit(buffers) != nil else { return 0xff }
        return try memory.load(UInt8.self, at: GuestAddress(statusByte))
    }

    /// Makes one chain (descriptors 0, 1, ...) available, notifies queue 0 and waits for
    /// its used entry; returns the length the device wrote, nil on timeout.
    func submit(_ buffers: [(address: UInt64, length: UInt32, writable: Bool)]) throws -> UInt32? {
        for (index, buffer) in buffers.enumerated() {
            let last = index == buffers.count - 1
            try descriptor(UInt64(index), address: buffer.address, length: buffer.length,
                           flags: (last ? 0 : 1) | (buffer.writable ? 2 : 0), next: last ? 0 : UInt16(index + 1))
        }
        try memory.store(UInt16(0), at: GuestAddress(availableRing + 4 + 2 * UInt64(nextAvailable % Self.queueSize)))
        nextAvailable &+= 1
        try memory.store(nextAvailable, at: GuestAddress(availableRing + 2))
        if notifyThroughEventDescriptor, let frontend = device.backend as? VhostUserFrontend {
            var one: UInt64 = 1
            XCTAssertEqual(Glibc.write(frontend.notificationDescriptors[0], &one, 8), 8)
        } else {
            write(.queueNotify, 0)
        }
        // Interrupts may come without a new used entry (libvhost-user signals each call
        // eventfd once when it is set), as on real hardware: wait until the entry is there.
        let deadline = DispatchTime.now() + 10
        while try memory.load(UInt16.self, at: GuestAddress(usedRing + 2)) != nextAvailable {
            guard interrupt.wait(timeout: deadline) == .success else {
                XCTFail("no used entry within 10 s; log: \(logLines)")
                return nil
            }
            // A signal may be stale (its status already acknowledged), never a configuration change.
            XCTAssertEqual(read(.interruptStatus) & 2, 0, "no configuration-change interrupt; log: \(logLines)")
            write(.interruptAcknowledge, read(.interruptStatus))
        }
        write(.interruptAcknowledge, read(.interruptStatus))
        let usedSlot = usedRing + 4 + 8 * UInt64((nextAvailable &- 1) % Self.queueSize)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(usedSlot)), 0, "used entry names head 0")
        return try memory.load(UInt32.self, at: GuestAddress(usedSlot + 4))
    }

    func readData(count: Int) throws -> [UInt8] { try memory.read(at: GuestAddress(data), count: count) }
}
