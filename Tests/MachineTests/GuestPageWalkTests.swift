// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
import GuestMemory
import KVM
@testable import Machine

final class GuestPageWalkTests: XCTestCase {
    private func memory() throws -> GuestMemory { try GuestMemory(ranges: [(start: GuestAddress(0), size: 4 << 20)]) }

    func testPagingOffUsesTheCodeSegmentBase() throws {
        var sregs = SpecialRegisters()
        sregs.cr0 = 0x11
        sregs.cs.base = 0x1_0000
        XCTAssertEqual(GuestPageWalk.physicalAddress(ofInstructionAt: 0x234, registers: sregs, memory: try memory()),
                       GuestAddress(0x1_0234))
    }

    func testLongModeWithFourKiBPagesAtAHighAddress() throws {
        let memory = try memory()
        // Map 0xffffffff81000000 -> 0x200000 through PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000.
        let virtual: UInt64 = 0xffff_ffff_8100_0000
        try memory.store(UInt64(0x2003), at: GuestAddress(0x1000 + ((virtual >> 39) & 0x1ff) * 8))
        try memory.store(UInt64(0x3003), at: GuestAddress(0x2000 + ((virtual >> 30) & 0x1ff) * 8))
        try memory.store(UInt64(0x4003), at: GuestAddress(0x3000 + ((virtual >> 21) & 0x1ff) * 8))
        try memory.store(UInt64(0x20_0003), at: GuestAddress(0x4000 + ((virtual >> 12) & 0x1ff) * 8))
        try memory.write([0xcc, 0x90], at: GuestAddress(0x20_0010))
        var sregs = SpecialRegisters()
        sregs.cr0 = 0x8000_0011; sregs.cr3 = 0x1000; sregs.cr4 = 0x20; sregs.efer = 0x500
        sregs.cs.base = 0xdead_0000  // ignored in 64-bit mode
        XCTAssertEqual(GuestPageWalk.physicalAddress(ofInstructionAt: virtual + 0x10, registers: sregs, memory: memory),
                       GuestAddress(0x20_0010))
        let bytes = GuestPageWalk.instructionBytes(at: virtual + 0x10, registers: sregs, memory: memory)
        XCTAssertEqual(bytes.count, 15)
        XCTAssertEqual(Array(bytes.prefix(2)), [0xcc, 0x90])
        XCTAssertNil(GuestPageWalk.translate(linear: virtual + 0x1000, registers: sregs, memory: memory), "next page unmapped")
        XCTAssertEqual(GuestPageWalk.instructionBytes(at: virtual + 0xffe, registers: sregs, memory: memory).count, 2,
                       "bytes stop where the mapping ends")
    }

    func testThirtyTwoBitPagingWithFourMiBAndFourKiBPages() throws {
        let memory = try memory()
        try memory.store(UInt32(0x0040_0083), at: GuestAddress(0x1000 + 0x300 * 4))  // 0xc0000000 -> 4 MiB page at 4 MiB
        try memory.store(UInt32(0x2003), at: GuestAddress(0x1000))                    // 0x0 -> table at 0x2000
        try memory.store(UInt32(0x5003), at: GuestAddress(0x2000 + 1 * 4))            // 0x1000 -> 0x5000
        var sregs = SpecialRegisters()
        sregs.cr0 = 0x8000_0011; sregs.cr3 = 0x1000; sregs.cr4 = 0x10
        XCTAssertEqual(GuestPageWalk.translate(linear: 0xc012_3456, registers: sregs, memory: memory), GuestAddress(0x52_3456))
        XCTAssertEqual(GuestPageWalk.translate(linear: 0x1abc, registers: sregs, memory: memory), GuestAddress(0x5abc))
        XCTAssertNil(GuestPageWalk.translate(linear: 0x8000_0000, registers: sregs, memory: memory))
    }

    func testPAEPaging() throws {
        let memory = try memory()
        try memory.store(UInt64(0x2001), at: GuestAddress(0x1000 + 3 * 8))   // PDPTE 3 -> PD 0x2000
        try memory.store(UInt64(0x3003), at: GuestAddress(0x2000 + 5 * 8))   // PDE 5 -> PT 0x3000
        try memory.store(UInt64(0x7003), at: GuestAddress(0x3000 + 9 * 8))   // PTE 9 -> 0x7000
        var sregs = SpecialRegisters()
        sregs.cr0 = 0x8000_0011; sregs.cr3 = 0x1000; sregs.cr4 = 0x20
        let linear: UInt64 = (3 << 30) | (5 << 21) | (9 << 12) | 0x123
        XCTAssertEqual(GuestPageWalk.translate(linear: linear, registers: sregs, memory: memory), GuestAddress(0x7123))
    }

    func testEntriesOutsideGuestMemoryAreUnmapped() throws {
        var sregs = SpecialRegisters()
        sregs.cr0 = 0x8000_0011; sregs.cr3 = 0xffff_f000; sregs.cr4 = 0x20; sregs.efer = 0x500
        XCTAssertNil(GuestPageWalk.translate(linear: 0x1000, registers: sregs, memory: try memory()))
        XCTAssertEqual(GuestPageWalk.instructionBytes(at: 0x1000, registers: sregs, memory: try memory()), [])
    }
}
