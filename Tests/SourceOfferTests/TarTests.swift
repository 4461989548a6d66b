// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import SourceOffer

final class TarTests: XCTestCase {
    func testRoundTripSortsEntriesAndKeepsModes() throws {
        let long = String(repeating: "d/", count: 70) + "file.c"
        let entries = [
            TarEntry(path: "b.txt", contents: Array("bee\n".utf8)),
            TarEntry(path: "a", kind: .directory),
            TarEntry(path: "a/run.sh", executable: true, contents: Array("#!/bin/sh\n".utf8)),
            TarEntry(path: long, contents: [1, 2, 3]),
        ]
        let bytes = try TarWriter.archive(entries, mtime: 1_700_000_000)
        XCTAssertEqual(bytes.count % 10240, 0)
        let read = try TarReader.entries(bytes)
        XCTAssertEqual(read.map(\.path), ["a", "a/run.sh", "b.txt", long])
        XCTAssertEqual(read[1].executable, true)
        XCTAssertEqual(read[2].executable, false)
        XCTAssertEqual(read[3].contents, [1, 2, 3])
        XCTAssertEqual(try TarWriter.archive(entries.reversed(), mtime: 1_700_000_000), bytes, "order of input must not matter")
    }

    /// GNU tar reads what we write, with the fixed owner, modes and time.
    func testGNUTarListsArchive() throws {
        let long = String(repeating: "long-directory-name/", count: 6) + "x.c"
        let bytes = try TarWriter.archive([TarEntry(path: "top/run.sh", executable: true, contents: [65]),
                                           TarEntry(path: "top/" + long, contents: [66])], mtime: 86400)
        let directory = NSTemporaryDirectory() + "tar-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/t.tar"))
        let listing = try FileSystem.run(["tar", "--numeric-owner", "--utc", "-tvf", "t.tar"], in: directory)
        XCTAssertEqual(listing.status, 0, listing.output)
        let lines = listing.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertEqual(lines, ["-rw-r--r-- 0/0 1 1970-01-02 00:00 top/\(long)", "-rwxr-xr-x 0/0 1 1970-01-02 00:00 top/run.sh"])
    }

    func testWriterRefusesUnsafePaths() {
        for path in ["/etc/passwd", "a/../b", "", "a//b"] {
            XCTAssertThrowsError(try TarWriter.archive([TarEntry(path: path)], mtime: 0), path)
        }
    }

    // Hostile archives, made by hand from raw headers.
    private func archive(_ headers: [(name: String, type: UInt8, link: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for h in headers {
            var header = TarWriter.header(name: Array(h.name.utf8), mode: 0o644, size: h.data.count, mtime: 0, type: h.type)
            for (i, b) in h.link.utf8.enumerated() { header[157 + i] = b }
            // recompute the checksum after writing the link name
            for i in 148..<156 { header[i] = UInt8(ascii: " ") }
            let sum = header.reduce(0) { $0 + Int($1) }
            let digits = Array(String(sum, radix: 8).utf8)
            let field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, UInt8(ascii: " ")]
            for (i, b) in field.enumerated() { header[148 + i] = b }
            out += header + TarWriter.padded(h.data)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    private func assertRefused(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TarReader.entries(bytes), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
    }

    func testReaderRefusesHostileEntries() {
        let file = UInt8(ascii: "0")
        assertRefused(archive([("/etc/passwd", file, "", [1])]), "absolute path")
        assertRefused(archive([("top/../../x", file, "", [1])]), "parent directory component")
        assertRefused(archive([("top/a", file, "", [1]), ("top/a", file, "", [2])]), "duplicate entry")
        assertRefused(archive([("top/link", UInt8(ascii: "2"), "../../etc/passwd", [])]), "link pointing outside")
        assertRefused(archive([("top/link", UInt8(ascii: "2"), "/etc/passwd", [])]), "link pointing outside")
        assertRefused(archive([("top/link", UInt8(ascii: "2"), "other", [])]), "link entries are not allowed")
        assertRefused(archive([("top/hard", UInt8(ascii: "1"), "../x", [])]), "link pointing outside")
        assertRefused(archive([("top/dev", UInt8(ascii: "3"), "", [])]), "special file")
        assertRefused(archive([("top/fifo", UInt8(ascii: "6"), "", [])]), "special file")
    }

    func testReaderRefusesCorruptHeaders() throws {
        var bytes = try TarWriter.archive([TarEntry(path: "a", contents: [1, 2, 3])], mtime: 0)
        bytes[0] = UInt8(ascii: "b")
        assertRefused(bytes, "header checksum")
        let good = try TarWriter.archive([TarEntry(path: "a", contents: Array(repeating: 7, count: 2000))], mtime: 0)
        assertRefused(Array(good.prefix(1024)), "runs past the end")
        assertRefused(Array(good.prefix(100)), "without the two zero end blocks")
    }
}

final class XZTests: XCTestCase {
    func testRoundTripIsDeterministicAndReadableByXZ() throws {
        let input = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 ^ ($0 >> 5)) }
        let compressed = try XZ.compress(input)
        XCTAssertEqual(try XZ.compress(input), compressed)
        XCTAssertEqual(try XZ.decompress(compressed), input)
        let directory = NSTemporaryDirectory() + "xz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(compressed).write(to: URL(fileURLWithPath: directory + "/d.xz"))
        let check = try FileSystem.run(["xz", "-t", "d.xz"], in: directory)
        XCTAssertEqual(check.status, 0, check.output)
    }

    func testCachedCompressionGivesTheSameBytesAndIgnoresABadEntry() throws {
        let directory = NSTemporaryDirectory() + "xz-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 13 ^ ($0 >> 3)) }
        let plain = try XZ.compress(input)
        XCTAssertEqual(try XZ.compress(input, cacheDirectory: directory), plain, "first run: compressed and remembered")
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(try XZ.compress(input, cacheDirectory: directory), plain, "second run: from the cache")
        // An entry that does not decompress to the input (another input's stream) is not used.
        try Data(try XZ.compress(Array(repeating: 7, count: 100))).write(to: URL(fileURLWithPath: directory + "/" + entries[0]))
        XCTAssertEqual(try XZ.compress(input, cacheDirectory: directory), plain)
        XCTAssertEqual(try XZ.decompress(try Array(Data(contentsOf: URL(fileURLWithPath: directory + "/" + entries[0])))), input,
                       "the bad entry was replaced")
    }

    func testTruncatedOrGarbageInputIsAnError() throws {
        let compressed = try XZ.compress(Array(repeating: 1, count: 10000))
        XCTAssertThrowsError(try XZ.decompress(Array(compressed.dropLast(10))))
        XCTAssertThrowsError(try XZ.decompress(Array("not xz at all".utf8)))
        XCTAssertThrowsError(try XZ.decompress(compressed, outputLimit: 5000)) { error in
            XCTAssertTrue("\(error)".contains("output larger than 5000 bytes"), "\(error)")
        }
    }
}
