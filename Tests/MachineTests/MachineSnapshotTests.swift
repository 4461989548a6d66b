// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory
import Synchronization
@testable import Devices
@testable import VhostUser
import TestSupport
import XCTest
@testable import Machine

/// Snapshot a running ring-0 guest, stop it, restore it in a new Machine: it continues
/// where it was, not from the start (skipped where /dev/kvm is missing).
final class MachineSnapshotTests: XCTestCase {
    /// A flat 32-bit protected-mode guest that counts in memory and prints the count's
    /// last digit, then spins: its output is "1234567890123...", the counter at 0x300000.
    ///   again: inc dword [0x300000]; mov eax, [0x300000]; xor edx, edx; mov ecx, 10; div ecx
    ///          mov al, dl; add al, '0'; mov dx, 0x3f8; out dx, al; mov ecx, 20000; spin: loop spin; jmp again
    static let countingGuest: [UInt8] = [
        0xff, 0x05, 0x00, 0x00, 0x30, 0x00, 0xa1, 0x00, 0x00, 0x30, 0x00, 0x31, 0xd2, 0xb9, 0x0a, 0x00, 0x00, 0x00,
        0xf7, 0xf1, 0x88, 0xd0, 0x04, 0x30, 0x66, 0xba, 0xf8, 0x03, 0xee, 0xb9, 0x20, 0x4e, 0x00, 0x00, 0xe2, 0xfe,
        0xeb, 0xda,
    ]
    static let counterAddress = GuestAddress(0x30_0000)

    private var scratch: URL!

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("candor-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Runs `machine` on a thread; returns a function that stops it and gives its exit.
    private func start(_ machine: Machine) -> () -> MachineExit? {
        let exit = Mutex<MachineExit?>(nil)
        let runner = Thread { let result = machine.run(); exit.withLock { $0 = result } }
        runner.start()
        return {
            machine.stop()
            _ = waitUntil(10) { exit.withLock { $0 } != nil }
            return exit.withLock { $0 }
        }
    }

    /// The counting guest (`countingGuest`) as a flat 32-bit image in 16 MiB, its serial
    /// output in `serial` (a file under `scratch`), no serial input.
    func countingGuestConfiguration(serial: String) throws -> MachineConfiguration {
        let image = scratch.appendingPathComponent("count.bin")
        try Data(Self.countingGuest).write(to: image)
        var configuration = MachineConfiguration(kernelPath: image.path)
        configuration.kernelFormat = .flat(.protected32)
        configuration.memorySize = 16 << 20
        configuration.serialOutput = .file(scratch.appendingPathComponent(serial).path)
        configuration.serialInput = false
        return configuration
    }

    func testRestoredGuestContinuesItsCountAndOutput() throws {
        var configuration = try countingGuestConfiguration(serial: "first.txt")
        configuration.vcpuCount = 2  // the second vCPU waits for a SIPI: its state is saved too
        configuration.virtioDevices = [.entropy]  // made again on restore (the guest does not use it)
        let firstOutput = scratch.appendingPathComponent("first.txt").path
        let snapshot = scratch.appendingPathComponent("snap").path

        var counterAtSnapshot: UInt32 = 0
        var printed = ""
        do {
            let machine = try MachineBuilder.build(configuration)
            let stop = start(machine)
            XCTAssertTrue(waitUntil(20) { text(firstOutput).count >= 5 }, "the guest counts")
            XCTAssertThrowsError(try machine.snapshot(to: snapshot)) {
                XCTAssertEqual("\($0)", "the VM must be paused for a snapshot; pause it first")
            }
            try machine.pause()
            counterAtSnapshot = try machine.memory.load(UInt32.self, at: Self.counterAddress)
            printed = text(firstOutput)
            let timings = try machine.snapshot(to: snapshot)
            print("snapshot of a 16 MiB guest: state \(timings.stateNanoseconds / 1000) µs, files \(timings.filesNanoseconds / 1_000_000) ms, "
                  + "memory file \(timings.memoryBytes) bytes with \(timings.memoryDataBytes) bytes of data")
            XCTAssertLessThan(timings.memoryDataBytes, 1 << 20, "the memory file is sparse")
            XCTAssertEqual(stop(), .stoppedByRequest)
        }
        XCTAssertGreaterThan(counterAtSnapshot, 0)
        // The guest printed each count's last digit; a pause may fall between the
        // increment and the print.
        XCTAssertTrue([printed.count, printed.count + 1].contains(Int(counterAtSnapshot)), "\(printed.count) printed, counter \(counterAtSnapshot)")
        XCTAssertEqual(printed.last.flatMap(\.wholeNumberValue), printed.count % 10)

        var restore = RestoreConfiguration(snapshotPath: snapshot)
        let secondOutput = scratch.appendingPathComponent("second.txt").path
        restore.serialOutput = .file(secondOutput)
        restore.serialInput = false
        let (machine, timings) = try MachineBuilder.restore(restore)
        print("restore: files \(timings.filesNanoseconds / 1_000_000) ms, state \(timings.stateNanoseconds / 1000) µs")
        XCTAssertNil(timings.refusalWarning, "the host that wrote the snapshot takes every MSR back")
        XCTAssertEqual(try machine.memory.load(UInt32.self, at: Self.counterAddress), counterAtSnapshot, "memory came back")
        XCTAssertEqual(machine.status.vcpuCount, 2)
        XCTAssertEqual(machine.virtioDevices.map { "\($0.specification)" }, ["virtio-rng"])
        XCTAssertTrue(machine.deviceDescriptions.contains("virtio-mmio at 0xd0000000, irq 5: virtio-rng"), "\(machine.deviceDescriptions)")
        let stop = start(machine)
        XCTAssertTrue(waitUntil(20) { text(secondOutput).count >= 5 }, "the restored guest runs")
        XCTAssertEqual(stop(), .stoppedByRequest)
        let continued = text(secondOutput)
        // It goes on from the next count, not from 1.
        let expected = (1...5).map { String((printed.count + $0) % 10) }.joined()
        XCTAssertTrue(continued.hasPrefix(expected), "before: …\(printed.suffix(5)), after: \(continued.prefix(10))")
        XCTAssertGreaterThan(try machine.memory.load(UInt32.self, at: Self.counterAddress), counterAtSnapshot + 4)
    }

    func testARestoredMachineCanBeSnapshottedAgain() throws {
        var machine = try MachineBuilder.build(countingGuestConfiguration(serial: "0.txt"))
        var total = ""
        for generation in 1...3 {
            let stop = start(machine)
            let output = scratch.appendingPathComponent("\(generation - 1).txt").path
            XCTAssertTrue(waitUntil(20) { text(output).count >= 3 }, "generation \(generation) runs")
            try machine.pause()
            total += text(output)
            let snapshot = scratch.appendingPathComponent("snap\(generation)").path
            try machine.snapshot(to: snapshot)
            XCTAssertEqual(stop(), .stoppedByRequest)
            var restore = RestoreConfiguration(snapshotPath: snapshot)
            restore.serialOutput = .file(scratch.appendingPathComponent("\(generation).txt").path)
            restore.serialInput = false
            machine = try MachineBuilder.restore(restore).0
        }
        // The digits of all generations together are one unbroken count.
        let digits = total.compactMap(\.wholeNumberValue)
        XCTAssertEqual(digits, (1...digits.count).map { $0 % 10 }, total)
    }

    func testCorruptMemoryIsRefusedBeforeAnythingRuns() throws {
        let machine = try MachineBuilder.build(countingGuestConfiguration(serial: "serial.txt"))
        try machine.pause()  // before it ever ran: the entry state is saved
        let snapshot = scratch.appendingPathComponent("snap").path
        try machine.snapshot(to: snapshot)
        // Flip one byte of the guest's code.
        let memoryFile = try FileHandle(forUpdating: URL(fileURLWithPath: snapshot + "/memory"))
        try memoryFile.seek(toOffset: 0x10_0000)
        try memoryFile.write(contentsOf: Data([0x90]))
        try memoryFile.close()
        var restore = RestoreConfiguration(snapshotPath: snapshot)
        restore.serialOutput = .file(scratch.appendingPathComponent("serial2.txt").path)
        restore.serialInput = false
        XCTAssertThrowsError(try MachineBuilder.restore(restore)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(snapshot)/memory: SHA-256 "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("; the file is corrupt"), "\(error)")
        }
    }

    /// A vhost-user-rng device driven from here as a guest driver would (the vCPUs never
    /// run), on a ring of 8 entries in 16 MiB of guest memory.
    struct RingDriver {
        static let descriptors: UInt64 = 0x40_0000, availableRing: UInt64 = 0x40_1000, usedRing: UInt64 = 0x40_2000
        static let buffers: UInt64 = 0x41_0000
        let machine: Machine
        var device: VirtioMMIODevice { machine.virtioDevices[0].device }
        var frontend: VhostUserFrontend { device.backend as! VhostUserFrontend }


        func write(_ register: VirtioMMIODevice.Register, _ value: UInt32) {
            device.write(offset: register.rawValue, size: 4, value: UInt64(value))
        }

        /// Negotiates VIRTIO_F_VERSION_1, sets up queue 0 and sets DRIVER_OK; returns once
        /// the backend has the ring.
        func start() {
            write(.status, 1)
            write(.status, 3)
            write(.deviceFeaturesSelect, 1)
            let high = UInt32(device.read(offset: VirtioMMIODevice.Register.deviceFeatures.rawValue, size: 4))
            write(.driverFeaturesSelect, 1)
            write(.driverFeatures, high & 1)
            write(.status, 0xb)
            write(.queueSelect, 0)
            write(.queueSize, 8)
            write(.queueDescriptorLow, UInt32(Self.descriptors))
            write(.queueDriverLow, UInt32(Self.availableRing))
            write(.queueDeviceLow, UInt32(Self.usedRing))
            write(.queueReady, 1)
            write(.status, 0xf)
            frontend.waitForPendingWork()
        }

        /// Descriptor `index`: 16 device-writable bytes; made available as entry `index`,
        /// and notified when `notify`.
        func offer(_ index: UInt16, notify: Bool) throws {
            let memory = machine.memory
            try memory.store(Self.buffers + UInt64(index) * 64, at: GuestAddress(Self.descriptors + 16 * UInt64(index)))
            try memory.store(UInt32(16), at: GuestAddress(Self.descriptors + 16 * UInt64(index) + 8))
            try memory.store(UInt16(2), at: GuestAddress(Self.descriptors + 16 * UInt64(index) + 12))
            try memory.store(index, at: GuestAddress(Self.availableRing + 4 + 2 * UInt64(index)))
            try memory.store(index + 1, at: GuestAddress(Self.availableRing + 2))
            if notify { write(.queueNotify, 0) }
        }

        func usedIndex() throws -> UInt16 { try machine.memory.load(at: GuestAddress(Self.usedRing + 2)) }
        /// Used element `index`: (descriptor, length written).
        func usedElement(_ index: UInt64) throws -> (UInt32, UInt32) {
            (try machine.memory.load(at: GuestAddress(Self.usedRing + 4 + 8 * index)),
             try machine.memory.load(at: GuestAddress(Self.usedRing + 8 + 8 * index)))
        }
    }

    /// The counting guest with a vhost-user-rng device served by `driver` (candor-rng).
    func ringConfiguration(driver: String) throws -> MachineConfiguration {
        var configuration = try countingGuestConfiguration(serial: "serial.txt")
        configuration.virtioDevices = [.vhostUserDriver(.entropy, executable: driver, image: nil)]
        return configuration
    }

    /// Stopping a backend's rings (GET_VRING_BASE) for a snapshot or migration: it answers
    /// each ring's next available index, takes no request while stopped, and takes the
    /// ones left waiting when the rings start again.
    func testSuspendedBackendTakesNoRequestUntilItsRingsStartAgain() throws {
        let driver = MachineRunTests.repository.appendingPathComponent("hypervisor/build/candor-rng").path
        guard FileManager.default.isExecutableFile(atPath: driver) else { throw XCTSkip("\(driver) not built: run `make drivers`") }
        let ring = RingDriver(machine: try MachineBuilder.build(ringConfiguration(driver: driver)))
        ring.start()
        try ring.offer(0, notify: true)
        XCTAssertTrue(waitUntil(5) { (try? ring.usedIndex()) == 1 })
        XCTAssertEqual(try ring.frontend.suspend(), [0: 1])
        try ring.offer(1, notify: true)
        usleep(200_000)
        XCTAssertEqual(try ring.usedIndex(), 1, "a stopped ring takes nothing")
        ring.frontend.resumeAfterSuspend()
        XCTAssertTrue(waitUntil(5) { (try? ring.usedIndex()) == 2 }, "started again, the backend takes entry 1")
        XCTAssertEqual(try ring.usedElement(1).0, 1)
    }

    /// A snapshot records where the backend's rings stopped; a request the guest made
    /// available without a notification (a vCPU paused between the two) stays in the ring,
    /// and both the snapshotted machine's backend and the restored machine's new backend
    /// process take it when their rings start, without serving the older ones again.
    func testVhostUserRingContinuesInTheRestoredBackend() throws {
        let driver = MachineRunTests.repository.appendingPathComponent("hypervisor/build/candor-rng").path
        guard FileManager.default.isExecutableFile(atPath: driver) else { throw XCTSkip("\(driver) not built: run `make drivers`") }
        let snapshot = scratch.appendingPathComponent("snap").path
        do {
            let ring = RingDriver(machine: try MachineBuilder.build(ringConfiguration(driver: driver)))
            ring.start()
            try ring.offer(0, notify: true)
            XCTAssertTrue(waitUntil(5) { (try? ring.usedIndex()) == 1 })
            try ring.offer(1, notify: false)
            usleep(100_000)
            XCTAssertEqual(try ring.usedIndex(), 1)
            try ring.machine.pause()
            try ring.machine.snapshot(to: snapshot)
            XCTAssertTrue(waitUntil(5) { (try? ring.usedIndex()) == 2 }, "the rings start again after the snapshot, kicked once")
        }

        var restore = RestoreConfiguration(snapshotPath: snapshot)
        restore.serialOutput = .file(scratch.appendingPathComponent("serial2.txt").path)
        restore.serialInput = false
        let ring = RingDriver(machine: try MachineBuilder.restore(restore).0)
        XCTAssertEqual(ring.machine.virtioDevices.map { "\($0.specification)" }, ["vhost-user-rng,driver=\(driver)"])
        XCTAssertEqual(ring.device.deviceStatus, 0xf, "the restored device is live")
        // A marker in used element 0: a backend that started the ring over would overwrite it.
        try ring.machine.memory.store(UInt32(0xdead), at: GuestAddress(RingDriver.usedRing + 4))
        XCTAssertTrue(waitUntil(5) { (try? ring.usedIndex()) == 2 }, "the new backend takes entry 1, left in the ring")
        try ring.offer(2, notify: true)
        XCTAssertTrue(waitUntil(5) { (try? ring.usedIndex()) == 3 })
        XCTAssertEqual(try ring.usedElement(1).0, 1)
        XCTAssertEqual(try ring.usedElement(2).0, 2)
        XCTAssertEqual(try ring.usedElement(2).1, 16)
        XCTAssertEqual(try ring.usedElement(0).0, 0xdead, "entry 0 was not served again")
    }

    /// A vhost-user backend's answer reaches the guest through the call relay, on its own
    /// thread, possibly after the snapshot read the transport and the irqchip: the saved
    /// state of a started device therefore has the used-buffer interrupt pending (at worst
    /// one interrupt with nothing new), never a completion the restored guest is not told of.
    func testSnapshotOfAStartedVhostUserDeviceKeepsAUsedBufferInterruptPending() {
        func state(status: UInt32, ready: Bool, interrupt: UInt32) -> VirtioMMIODevice.State {
            VirtioMMIODevice.State(
                deviceFeaturesSelect: 0, driverFeaturesSelect: 0, driverFeatures: 1 << 32, queueSelect: 0,
                queues: [.init(size: 8, ready: ready, descriptorTable: 0x40_0000, driverArea: 0x40_1000, deviceArea: 0x40_2000,
                               positions: nil)],
                status: status, interruptStatus: interrupt, configGeneration: 0)
        }
        let pending = Machine.withPendingUsedBufferInterrupt
        XCTAssertEqual(pending(state(status: 0xf, ready: true, interrupt: 0)).interruptStatus, 1, "a started device: pending")
        XCTAssertEqual(pending(state(status: 0xf, ready: true, interrupt: 2)).interruptStatus, 3, "a configuration change stays")
        XCTAssertEqual(pending(state(status: 0xb, ready: true, interrupt: 0)).interruptStatus, 0, "not started (no DRIVER_OK)")
        XCTAssertEqual(pending(state(status: 0xf, ready: false, interrupt: 0)).interruptStatus, 0, "no ready queue")
        let unchanged = state(status: 0xf, ready: true, interrupt: 1)
        XCTAssertEqual(pending(unchanged), unchanged)
    }
}
