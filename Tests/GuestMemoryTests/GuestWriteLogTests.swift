// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import GuestMemory

/// The log of guest pages written outside KVM's dirty log, which live migration sends again.
final class GuestWriteLogTests: XCTestCase {
    /// The indices of the set bits of `words`.
    private func pages(_ words: [UInt64]) -> [UInt64] {
        words.enumerated().flatMap { index, word in (0..<64).filter { word >> $0 & 1 == 1 }.map { UInt64(index * 64) + $0 } }
    }

    func testWritesAreMarkedOnlyWhileLoggingIsOn() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        let log = memory.writeLog
        try memory.store(UInt32(1), at: GuestAddress(0x5000))
        XCTAssertEqual(pages(log.take(firstPage: 0, pageCount: 256)), [], "logging is off")
        log.setActive(true)
        try memory.store(UInt32(1), at: GuestAddress(0x5ffe))  // straddles pages 5 and 6
        try memory.write([1, 2, 3], at: GuestAddress(0x9000))
        try memory.fill(zeroesAt: GuestAddress(0x40000), length: 0x2001)  // pages 64, 65 and 66
        XCTAssertEqual(pages(log.take(firstPage: 0, pageCount: 256)), [5, 6, 9, 64, 65, 66])
        XCTAssertEqual(pages(log.take(firstPage: 0, pageCount: 256)), [], "taking clears the marks")
        log.setActive(false)
        try memory.store(UInt8(1), at: GuestAddress(0x1000))
        XCTAssertEqual(pages(log.take(firstPage: 0, pageCount: 256)), [])
    }

    func testStartingClearsOldMarks() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        memory.writeLog.setActive(true)
        memory.writeLog.mark(GuestAddress(0x3000), length: 1)
        memory.writeLog.setActive(true)
        XCTAssertEqual(pages(memory.writeLog.take(firstPage: 0, pageCount: 256)), [])
    }

    func testTakingARangeLeavesTheMarksOutsideIt() throws {
        // Two regions whose page ranges share 64-bit words of the log.
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 0x23000), (GuestAddress(0x23000), 0x20000)])
        let log = memory.writeLog
        log.setActive(true)
        for page: UInt64 in [0, 34, 35, 36, 99, 100] { log.mark(GuestAddress(page * 4096), length: 4096) }
        // The second region starts at page 35: its bit i is page 35 + i.
        XCTAssertEqual(pages(log.take(firstPage: 35, pageCount: 32)), [0, 1])
        XCTAssertEqual(pages(log.take(firstPage: 0, pageCount: 35)), [0, 34])
        XCTAssertEqual(pages(log.take(firstPage: 67, pageCount: 64)), [32, 33])
    }

    func testMarksBeyondTheLogAreIgnored() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 0x10000)])
        memory.writeLog.setActive(true)
        memory.writeLog.mark(GuestAddress(UInt64.max - 10), length: 5)
        memory.writeLog.mark(GuestAddress(0xf000), length: UInt64.max - 0xf000)
        XCTAssertEqual(pages(memory.writeLog.take(firstPage: 0, pageCount: 64)), Array(15..<64))
        XCTAssertEqual(memory.writeLog.take(firstPage: 1 << 40, pageCount: 64), [0], "a range beyond the log has no marks")
    }

    func testTheLogIsSharedThroughItsFile() throws {
        let memory = try GuestMemory(ranges: [(GuestAddress(0), 1 << 20)])
        let log = memory.writeLog
        log.setActive(true)
        // Another process maps the file and sets bit 7 of byte 1 (page 15), as a backend does.
        let other = try XCTUnwrap(mmap(nil, log.byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, log.fileDescriptor, 0))
        defer { munmap(other, log.byteCount) }
        other.storeBytes(of: UInt8(0x80), toByteOffset: 1, as: UInt8.self)
        XCTAssertEqual(pages(log.take(firstPage: 0, pageCount: 256)), [15])
        XCTAssertEqual(other.load(fromByteOffset: 1, as: UInt8.self), 0, "taken through the shared mapping")
    }
}
