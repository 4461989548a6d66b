// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
import Loader
@testable import Machine

final class LayoutTests: XCTestCase {
    func testSmallMemoryIsOneRegion() {
        let ranges = Layout.memoryRanges(memorySize: 256 << 20)
        XCTAssertEqual(ranges.count, 1)
        XCTAssertEqual(ranges[0].start, GuestAddress(0))
        XCTAssertEqual(ranges[0].size, 256 << 20)
    }

    func testLargeMemorySkipsThePCIHole() {
        let ranges = Layout.memoryRanges(memorySize: 5 << 30)
        XCTAssertEqual(ranges.map(\.start), [GuestAddress(0), GuestAddress(1 << 32)])
        XCTAssertEqual(ranges.map(\.size), [3 << 30, 2 << 30])
        XCTAssertEqual(ranges.reduce(0) { $0 + $1.size }, 5 << 30)
    }

    func testMemoryMapReservesTheBIOSAreaAndMatchesRAM() {
        let map = Layout.memoryMap(memorySize: 5 << 30)
        XCTAssertEqual(map, [
            E820Entry(address: GuestAddress(0), size: 0x9fc00, type: .ram),
            E820Entry(address: GuestAddress(0x9fc00), size: 0x100000 - 0x9fc00, type: .reserved),
            E820Entry(address: GuestAddress(0x100000), size: (3 << 30) - 0x100000, type: .ram),
            E820Entry(address: GuestAddress(1 << 32), size: 2 << 30, type: .ram),
        ])
        let reserved = map[1]
        XCTAssertTrue(reserved.address <= Layout.acpiTablesAddress
                      && Layout.acpiTablesAddress.rawValue + Layout.acpiTablesCapacity <= reserved.address.rawValue + reserved.size,
                      "the ACPI tables are in reserved memory")
        XCTAssertTrue(reserved.address <= Layout.resetVectorAddress
                      && Layout.resetVectorAddress.rawValue + UInt64(ResetVector.code.count) <= reserved.address.rawValue + reserved.size,
                      "the reset vector is in reserved memory")
    }

    func testFixedStructuresDoNotOverlap() {
        let structures: [(String, UInt64, UInt64)] = [
            ("GDT", Layout.gdtAddress.rawValue, UInt64(BootCPU.gdtEntries.count * 8)),
            ("PVH start info", Layout.pvhStartInfoAddress.rawValue, 0x1000),
            ("zero page", Layout.zeroPageAddress.rawValue, 0x1000),
            ("page tables", Layout.pageTableRoot.rawValue, 0x2000 + (Layout.identityMappedSize >> 30) * 0x1000),
            ("command line", Layout.commandLineAddress.rawValue, Layout.commandLineCapacity),
            ("ACPI", Layout.acpiTablesAddress.rawValue, Layout.acpiTablesCapacity),
            ("reset vector", Layout.resetVectorAddress.rawValue, UInt64(ResetVector.code.count)),
        ]
        for (i, a) in structures.enumerated() {
            for b in structures[(i + 1)...] {
                XCTAssertTrue(a.1 + a.2 <= b.1 || b.1 + b.2 <= a.1, "\(a.0) overlaps \(b.0)")
            }
        }
        XCTAssertLessThanOrEqual(Layout.bootStackTop.rawValue, Layout.pageTableRoot.rawValue)
        XCTAssertGreaterThan(Layout.bootStackTop.rawValue, Layout.zeroPageAddress.rawValue + 0x1000)
        XCTAssertTrue(Layout.pciHoleStart.rawValue <= Layout.identityMapAddress.rawValue)
        XCTAssertTrue(Layout.tssAddress.rawValue + 3 * 0x1000 <= Layout.pciHoleEnd.rawValue)
    }
}
