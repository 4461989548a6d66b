// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

// The byte searches behind the scan's fast passes must find exactly what a byte-by-byte
// loop finds, at any offset (they read 8 or 32 bytes at a time) and at the ends.
final class ByteScanTests: XCTestCase {
    /// Deterministic pseudo-random bytes drawn from `alphabet`.
    private func bytes(_ count: Int, seed: UInt64, alphabet: [UInt8]) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return alphabet[Int(state >> 33) % alphabet.count]
        }
    }

    func testSearchesAgreeWithALoopOverEachByte() {
        let alphabet = Array("ab /\"'`;@#\n-".utf8) + [0xC2, 0xA9, 0xFF, 0x00]
        let set = ByteScan.AnyOf(Array("/\"'`".utf8) + [0xFF])
        let needle = Array("a-b".utf8)
        for length in [0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 100, 257] {
            let data = bytes(length, seed: UInt64(length) + 7, alphabet: alphabet)
            data.withUnsafeBufferPointer { buffer in
                for from in stride(from: 0, through: length, by: max(1, length / 9)) {
                    let anyOf = (from..<length).first { set.contains(data[$0]) }
                    XCTAssertEqual(ByteScan.index(ofAny: set, in: buffer, from: from), anyOf, "length \(length) from \(from)")
                    let dash = (from..<length).first { data[$0] == 0x2D }
                    XCTAssertEqual(ByteScan.index(of: 0x2D, in: buffer, from: from), dash)
                    let found = (from..<max(from, length - 2)).first { Array(data[$0..<$0 + 3]) == needle }
                    XCTAssertEqual(ByteScan.index(of: needle, in: buffer, from: from), found)
                    XCTAssertEqual(ByteScan.lineFeeds(in: buffer, from: from, to: length),
                                   data[from...].filter { $0 == 0x0A }.count)
                }
            }
        }
        // A needle longer than the bytes, and an empty buffer.
        XCTAssertNil([UInt8]("ab".utf8).withUnsafeBufferPointer { ByteScan.index(of: needle, in: $0, from: 0) })
        XCTAssertNil([UInt8]().withUnsafeBufferPointer { ByteScan.index(ofAny: set, in: $0, from: 0) })
    }

    /// Tags and REUSE-Ignore markers at every offset around the 32-byte blocks, with dashes
    /// just before them, are found as before.
    func testMarkersAtEveryOffset() {
        let marker = "SPDX-License-" + "Identifier:"
        for pad in 0..<40 {
            let lead = String(repeating: "-", count: pad % 5) + String(repeating: "x", count: pad)
            let text = "\(lead) \(marker) MIT\n-\n\(marker) GPL-2.0-only"
            let tags = SPDXTags.extract(from: text)
            XCTAssertEqual(tags.map(\.value), ["MIT", "GPL-2.0-only"], "pad \(pad)")
            XCTAssertEqual(tags.map(\.line), [1, 3], "pad \(pad)")

            let reuse = "\(lead) REUSE-" + "IgnoreStart x REUSE-" + "IgnoreEnd y"
            var bytes = Array(reuse.utf8)
            let regions = bytes.withUnsafeMutableBufferPointer { SourceContext.regions(of: UnsafeBufferPointer($0), path: nil) }
            let ignored = regions.indices.filter { regions[$0] == TextRegion.ignored.rawValue }
            XCTAssertEqual(ignored.first, lead.utf8.count + 1, "pad \(pad)")
            XCTAssertEqual(ignored.last, bytes.count - 3, "pad \(pad)")
        }
    }

    /// The C lexer's skipping finds comments and strings wherever they start.
    func testCLexerAtEveryOffset() {
        for pad in 0..<70 {
            let code = String(repeating: "a", count: pad) + " x = \"s\" + '/' /* c */ + y\n// d\nz"
            var bytes = Array(code.utf8)
            let regions = bytes.withUnsafeMutableBufferPointer { SourceContext.regions(of: UnsafeBufferPointer($0), path: "f.c") }
            let stated = regions.indices.filter { regions[$0] == TextRegion.stated.rawValue }
            let comment = pad + " x = \"s\" + '/' ".utf8.count
            let line = comment + "/* c */ + y\n".utf8.count
            XCTAssertEqual(stated, Array(comment..<comment + 7) + Array(line..<line + 4), "pad \(pad)")
        }
    }

    /// No n-gram of the index is ever filtered out.
    func testGramFilterHasNoFalseNegatives() throws {
        let index = try SharedDatabase.get().index
        var present = 0, absentPassed = 0, absent = 0
        for key in index.gramKeys where key != 0 {
            XCTAssertTrue(index.mayContainGram(key))
            present += 1
        }
        // Keys no rule has: most are filtered out.
        for k: UInt64 in 0..<10_000 {
            let key = RuleIndex.pack(UInt16(k % 50_000 + 1), 65_000, UInt16(k % 7 + 1), 64_999)
            if index.gramSlot(key) != nil { continue }
            absent += 1
            if index.mayContainGram(key) { absentPassed += 1 }
        }
        XCTAssertGreaterThan(present, 0)
        XCTAssertLessThan(absentPassed * 4, absent, "the filter lets through under a quarter of absent n-grams")
    }
}
