// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import GuestMemory

final class GuestMemoryTests: XCTestCase {
    func testReadWriteRoundTripAcrossRegions() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 0x10000), (GuestAddress(0x100000), 0x1000)])
        try memory.write([1, 2, 3, 4], at: GuestAddress(0xfffc))
        XCTAssertEqual(try memory.read(at: GuestAddress(0xfffc), count: 4), [1, 2, 3, 4])
        try memory.store(UInt32(0xdeadbeef), at: GuestAddress(0x100ffc))
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x100ffc)), 0xdeadbeef)
        XCTAssertEqual(try memory.read(at: GuestAddress(0x100ffc), count: 1), [0xef])
        XCTAssertEqual(memory.totalSize, 0x11000)
    }

    func testAccessStraddlingARegionEndIsRejected() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 0x1000), (GuestAddress(0x1000), 0x1000)])
        // Adjacent regions are still separate mappings: one access may not span both.
        XCTAssertThrowsError(try memory.read(at: GuestAddress(0xffe), count: 4)) { error in
            XCTAssertEqual(error as? GuestMemoryError, .outOfBounds(address: GuestAddress(0xffe), length: 4))
        }
        XCTAssertThrowsError(try memory.write([0], at: GuestAddress(0x2000)))
        XCTAssertThrowsError(try memory.read(at: GuestAddress(UInt64.max), count: 2))
        XCTAssertThrowsError(try memory.hostPointer(at: GuestAddress(0x10), length: UInt64.max))
    }

    func testOverlappingRegionsAreRefused() throws {
        XCTAssertThrowsError(try GuestMemory(ranges: [(GuestAddress(0), 0x2000), (GuestAddress(0x1000), 0x1000)])) { error in
            XCTAssertEqual(error as? GuestMemoryError, .overlappingRegions(GuestAddress(0), GuestAddress(0x1000)))
        }
    }

    func testShareableRegionIsBackedByAFileDescriptor() throws {
        let region = try GuestMemoryRegion(start: GuestAddress(0), size: 0x1000, shareable: true)
        XCTAssertNotNil(region.fileDescriptor)
        XCTAssertNil(try GuestMemoryRegion(start: GuestAddress(0), size: 0x1000).fileDescriptor)
    }

    func testAddressArithmeticReportsOverflow() {
        XCTAssertNil(GuestAddress(UInt64.max).adding(1))
        XCTAssertEqual(GuestAddress(0x1001).alignedUp(to: 0x1000), GuestAddress(0x2000))
        XCTAssertEqual(GuestAddress(0x1000).alignedUp(to: 0x1000), GuestAddress(0x1000))
        XCTAssertNil(GuestAddress(UInt64.max).alignedUp(to: 0x1000))
        XCTAssertEqual(GuestAddress(0x3f8).description, "0x3f8")
    }
}
