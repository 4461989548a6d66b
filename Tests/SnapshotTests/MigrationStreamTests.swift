// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Snapshot

/// The migration stream's framing, checksums and order, on bytes in memory.
final class MigrationStreamTests: XCTestCase {
    let facts = SnapshotFacts(vcpuCount: 1, memoryRegions: [SnapshotMemoryRegion(start: 0, size: 0x10000),
                                                            SnapshotMemoryRegion(start: 0x100000, size: 0x2000)],
                              kvmAPIVersion: 12, cpuidSHA256: String(repeating: "a", count: 64), kernelStructureSizes: ["regs": 144],
                              devices: ["serial"])

    private func encode(_ records: [MigrationRecord]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var writer = MigrationStreamWriter { bytes.append(contentsOf: $0) }
        for record in records { try writer.send(record) }
        XCTAssertEqual(writer.bytesWritten, UInt64(bytes.count))
        return bytes
    }

    private func reader(_ bytes: [UInt8]) -> MigrationStreamReader {
        var offset = 0
        return MigrationStreamReader(source: "stream") { buffer in
            guard offset + buffer.count <= bytes.count else { throw MigrationStreamError(source: "stream", reason: "the stream ended") }
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + buffer.count])) }
            offset += buffer.count
        }
    }

    private func decodeAll(_ bytes: [UInt8]) throws -> [MigrationRecord] {
        let reader = reader(bytes)
        var order = MigrationStreamOrder(source: "stream")
        var records: [MigrationRecord] = []
        while !order.ended {
            let record = try reader.next()
            _ = try order.accept(record)
            records.append(record)
        }
        return records
    }

    func testRecordsRoundTripInOrder() throws {
        let page = [UInt8](repeating: 0x5a, count: 4096)
        let records: [MigrationRecord] = [
            .header(MigrationConfiguration(facts: facts, virtioDevices: [])), .pages(address: 0x1000, bytes: page + page),
            .roundEnd(0), .pages(address: 0x101000, bytes: page), .state(Array("{}".utf8)), .end,
        ]
        XCTAssertEqual(try decodeAll(try encode(records)), records)
        var order = MigrationStreamOrder(source: "s")
        _ = try order.accept(records[0])
        XCTAssertEqual(try order.accept(.pages(address: 0x101000, bytes: page)), 0x11000, "offset in the regions laid end to end")
        XCTAssertEqual(try reader(try encode([.failed("no room"), .acknowledged])).next(), .failed("no room"))
    }

    /// A running guest changes its memory while it is sent: the record must still carry
    /// a checksum of the bytes that went out.
    func testPagesAreGatheredUntilAnotherRecordOrAMiB() throws {
        var writes: [Int] = []
        var writer = MigrationStreamWriter { writes.append($0.count) }
        let page = [UInt8](repeating: 7, count: 4096)
        for index in 0..<10 { try writer.send(.pages(address: UInt64(index) * 8192, bytes: page)) }
        XCTAssertEqual(writes, [], "scattered pages wait")
        try writer.send(.roundEnd(1))
        XCTAssertEqual(writes, [10 * (8 + 8 + 4096 + 4) + 8 + 4 + 4], "then go out in one write with the round's end")
        writes = []
        for index in 0..<300 { try writer.send(.pages(address: UInt64(index) * 8192, bytes: page)) }
        XCTAssertEqual(writes.count, 1, "a MiB is written without waiting")
        try writer.flush()
        XCTAssertEqual(writes.count, 2)
        XCTAssertEqual(UInt64(writes.reduce(0, +)) + 10 * (8 + 8 + 4096 + 4) + 16, writer.bytesWritten)
    }

    func testPagesChangingWhileSentStillCheck() throws {
        let page = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 4096)
        defer { page.deallocate() }
        page.initializeMemory(as: UInt8.self, repeating: 7)
        var bytes: [UInt8] = []
        var writer = MigrationStreamWriter { written in
            bytes.append(contentsOf: written)
            page[100] &+= 1  // the guest writes meanwhile
        }
        try writer.send(.header(MigrationConfiguration(facts: facts, virtioDevices: [])))
        try writer.sendPages(address: 0x2000, UnsafeRawBufferPointer(page))
        try writer.send(.state([]))
        try writer.send(.end)
        let records = try decodeAll(bytes)
        guard case let .pages(address, sent) = records[1] else { return XCTFail("\(records[1])") }
        XCTAssertEqual(address, 0x2000)
        XCTAssertEqual(sent.count, 8192)
    }

    func testCRC32CCheckValues() {
        func crc(_ bytes: [UInt8]) -> UInt32 {
            var crc = CRC32C()
            bytes.withUnsafeBytes { crc.update($0) }
            return crc.value
        }
        XCTAssertEqual(crc(Array("123456789".utf8)), 0xe306_9283, "the standard check value")
        XCTAssertEqual(crc([UInt8](repeating: 0, count: 32)), 0x8a91_36aa, "RFC 3720 B.4: 32 bytes of zeros")
        XCTAssertEqual(crc(Array(0..<32)), 0x46dd_794e, "RFC 3720 B.4: an incrementing sequence")
        // In pieces of every alignment, the same as at once.
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        var pieces = CRC32C()
        data.withUnsafeBytes { all in
            pieces.update(UnsafeRawBufferPointer(rebasing: all[0..<3]))
            pieces.update(UnsafeRawBufferPointer(rebasing: all[3..<500]))
            pieces.update(UnsafeRawBufferPointer(rebasing: all[500...]))
        }
        XCTAssertEqual(pieces.value, crc(data))
    }

    func testCorruptionAndForeignStreamsAreRefusedWithOneLine() throws {
        let header = MigrationRecord.header(MigrationConfiguration(facts: facts, virtioDevices: []))
        var bytes = try encode([header, .end])
        bytes[20] ^= 1
        XCTAssertThrowsError(try decodeAll(bytes)) {
            XCTAssertTrue("\($0)".hasPrefix("stream: record type header ("), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix("the stream is corrupt"), "\($0)")
        }
        XCTAssertThrowsError(try decodeAll(Array("GET / HTTP/1.1\r\n\r\n".utf8))) {
            XCTAssertEqual("\($0)", "stream: unknown record type 71; not a candor-vm migration stream, or a newer one")
        }
        // A length beyond the record type's limit is refused before anything is allocated.
        XCTAssertThrowsError(try decodeAll([2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f])) {
            XCTAssertTrue("\($0)".contains("is more than its limit"), "\($0)")
        }
        // Another format version.
        var versioned = try encode([header])
        versioned[8 + MigrationFormat.magic.count] = 9
        XCTAssertThrowsError(try reader(versioned).next()) { XCTAssertTrue("\($0)".contains("CRC-32C"), "\($0)") }
        var payload = MigrationFormat.magic + [9, 0, 0, 0] + Array("{}".utf8)
        var frame: [UInt8] = []
        var writer = MigrationStreamWriter { frame.append(contentsOf: $0) }
        try writer.send(.state(payload))
        frame[0] = MigrationRecordType.header.rawValue
        var crc = CRC32C()
        frame[0..<(frame.count - 4)].withUnsafeBytes { crc.update($0) }
        frame.replaceSubrange((frame.count - 4)..., with: withUnsafeBytes(of: crc.value.littleEndian) { Array($0) })
        XCTAssertThrowsError(try reader(frame).next()) {
            XCTAssertEqual("\($0)", "stream: format version 9 is not supported; this candor-vm reads version 2")
        }
        payload.removeAll()
    }

    func testOrderAndPageBoundsAreChecked() throws {
        let header = MigrationRecord.header(MigrationConfiguration(facts: facts, virtioDevices: []))
        let page = [UInt8](repeating: 1, count: 4096)
        func refusal(_ records: [MigrationRecord]) -> String {
            var order = MigrationStreamOrder(source: "s")
            do { for record in records { _ = try order.accept(record) } } catch { return "\(error)" }
            return "accepted"
        }
        XCTAssertEqual(refusal([.pages(address: 0, bytes: page)]), "s: the stream does not start with a header")
        XCTAssertEqual(refusal([header, header]), "s: a second header")
        XCTAssertEqual(refusal([header, .pages(address: 0x10000, bytes: page)]),
                       "s: 4096 bytes of pages at 0x10000 are outside the guest's memory regions")
        XCTAssertEqual(refusal([header, .pages(address: 0xf000, bytes: page + page)]),
                       "s: 8192 bytes of pages at 0xf000 are outside the guest's memory regions")
        XCTAssertEqual(refusal([header, .pages(address: 0x800, bytes: page)]), "s: pages at 0x800, which is not page-aligned")
        XCTAssertEqual(refusal([header, .end]), "s: the stream ends without the machine's state")
        XCTAssertEqual(refusal([header, .state([]), .pages(address: 0, bytes: page)]), "s: pages after the machine's state")
        XCTAssertEqual(refusal([header, .state([]), .end, .end]), "s: a record after the end of the stream")
        XCTAssertEqual(refusal([header, .pages(address: 0xf000, bytes: page), .state([]), .end]), "accepted")
        var bad = facts
        bad.memoryRegions = []
        XCTAssertThrowsError(try reader(try encode([.header(MigrationConfiguration(facts: bad, virtioDevices: []))])).next()) {
            XCTAssertEqual("\($0)", "stream: the header's configuration: memory_regions must be non-empty, page-aligned regions")
        }
    }
}
