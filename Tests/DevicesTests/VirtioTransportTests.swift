// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
@testable import Devices

final class VirtioTransportTests: XCTestCase {
    typealias Status = VirtioMMIODevice.Status

    func testIdentificationRegisters() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        XCTAssertEqual(driver.read(.magicValue), 0x7472_6976)
        XCTAssertEqual(driver.read(.version), 2)
        XCTAssertEqual(driver.read(.deviceID), 4)
        XCTAssertEqual(driver.read(.vendorID), VirtioMMIODevice.vendor)
        XCTAssertEqual(driver.deviceFeatures, VirtioFeatures.builtInRing)
        // Registers are 32-bit: other widths read as zero.
        XCTAssertEqual(driver.device.read(offset: 0, size: 2), 0)
        XCTAssertEqual(try VirtioFakeDriver(VirtioConsole { _ in }).read(.deviceID), 3)
    }

    func testHandshakeNegotiatesFeatures() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        XCTAssertTrue(driver.negotiate(VirtioFeatures.version1 | VirtioFeatures.eventIndex))
        XCTAssertEqual(driver.status, Status.acknowledge | Status.driver | Status.featuresOK)
        driver.setUpQueue(0, size: 8)
        XCTAssertEqual(driver.read(.queueReady), 1)
        driver.driverOK()
        XCTAssertEqual(driver.status, Status.acknowledge | Status.driver | Status.featuresOK | Status.driverOK)
        XCTAssertTrue(driver.logLines.isEmpty)
    }

    func testFeaturesOKRefusedWithoutVersion1() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        XCTAssertFalse(driver.negotiate(VirtioFeatures.eventIndex))
        XCTAssertEqual(driver.status & Status.featuresOK, 0)
        XCTAssertTrue(driver.logLines.first?.contains("VIRTIO_F_VERSION_1") ?? false, "\(driver.logLines)")
        // Queues cannot be made ready without accepted features.
        driver.setUpQueue(0, size: 8)
        XCTAssertEqual(driver.read(.queueReady), 0)
    }

    func testFeaturesOKRefusedForBitNotOffered() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        XCTAssertFalse(driver.negotiate(VirtioFeatures.version1 | 1 << 5))
    }

    func testQueueSizeMaximumAndReadyReadBack() throws {
        let driver = try VirtioFakeDriver(VirtioConsole(queueSize: 64) { _ in })
        driver.write(.queueSelect, 1)
        XCTAssertEqual(driver.read(.queueSizeMaximum), 64)
        driver.write(.queueSelect, 2)
        XCTAssertEqual(driver.read(.queueSizeMaximum), 0, "no third queue")
        XCTAssertEqual(driver.read(.sharedMemoryLengthLow), 0xffff_ffff, "no shared memory region")
    }

    func testQueueWithSizeNotPowerOfTwoNeedsReset() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        XCTAssertTrue(driver.negotiate(VirtioFeatures.builtInRing))
        driver.setUpQueue(0, size: 6)
        XCTAssertEqual(driver.read(.queueReady), 0)
        XCTAssertTrue(driver.needsReset)
        XCTAssertTrue(driver.logLines.first?.contains("queue size 6") ?? false, "\(driver.logLines)")
    }

    func testQueueRingsOutsideMemoryNeedReset() throws {
        let driver = try VirtioFakeDriver(VirtioEntropy())
        XCTAssertTrue(driver.negotiate(VirtioFeatures.builtInRing))
        let outside = VirtqueueLayout(size: 8, descriptorTable: GuestAddress(VirtioFakeDriver.memorySize - 64),
                                      driverArea: GuestAddress(0x2000), deviceArea: GuestAddress(0x3000))
        driver.setUpQueue(0, size: 8, layout: outside)
        XCTAssertEqual(driver.read(.queueReady), 0)
        XCTAssertTrue(driver.needsReset)
    }

    func testResetClearsStateAndDeviceWorksAgain() throws {
        let entropy = VirtioEntropy()
        let driver = try VirtioFakeDriver(entropy)
        driver.start(queues: 1)
        try driver.setDescriptor(queue: 0, 0, address: 0x30000, length: 0, flags: 4)  // zero-length indirect table
        try driver.makeAvailable(queue: 0, head: 0)
        XCTAssertTrue(driver.needsReset)
        driver.write(.status, 0)
        XCTAssertEqual(driver.status, 0)
        XCTAssertEqual(driver.read(.interruptStatus), 0)
        XCTAssertEqual(driver.interruptChanges.last, false)

        driver.start(queues: 1)
        try driver.setDescriptor(queue: 0, 0, address: VirtioFakeDriver.dataBase, length: 32, flags: 2)
        try driver.makeAvailable(queue: 0, head: 0)
        XCTAssertFalse(driver.needsReset)
        XCTAssertEqual(try driver.usedIndex(queue: 0), 1)
        XCTAssertEqual(try driver.usedElement(queue: 0, 0).length, 32)
    }

    func testConfigSpaceReads() throws {
        let driver = try VirtioFakeDriver(VirtioConsole { _ in })
        XCTAssertEqual(driver.device.read(offset: 0x100, size: 4), 0)
        XCTAssertEqual(driver.device.read(offset: 0x108, size: 4), 0)
        XCTAssertEqual(driver.device.read(offset: 0x10a, size: 4), 0, "past the end")
        XCTAssertEqual(driver.device.read(offset: .max, size: 8), 0)
        driver.device.write(offset: .max, size: 8, value: 1)
    }

    func testKernelCommandLineAndPlatformResource() {
        let slots = [VirtioMMIOSlot(base: GuestAddress(0xd000_0000), irq: 5),
                     VirtioMMIOSlot(base: GuestAddress(0xd000_1000), irq: 6)]
        XCTAssertEqual(slots[0].kernelCommandLineArgument, "virtio_mmio.device=512@0xd0000000:5")
        XCTAssertEqual(VirtioMMIOSlot.kernelCommandLine(for: slots),
                       "virtio_mmio.device=512@0xd0000000:5 virtio_mmio.device=512@0xd0001000:6")
        XCTAssertEqual(slots[1].platformResource.base, GuestAddress(0xd000_1000))
        XCTAssertEqual(slots[1].platformResource.size, 0x200)
        XCTAssertEqual(slots[1].platformResource.irq, 6)
    }
}
