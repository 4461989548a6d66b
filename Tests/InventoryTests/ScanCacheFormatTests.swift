// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The binary shard files of the scan cache: what goes in comes out, and a shard that is
// cut short, damaged or made by another detector version is ignored, so its files are
// read again.

import Foundation
import Licensing
import XCTest
@testable import Inventory

final class ScanCacheFormatTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    /// An entry with every field set, optional ones included.
    private func fullEntry(_ path: String) -> ScanCache.Entry {
        var record = FileRecord(path: path, size: 1234, sha1: String(repeating: "a", count: 40),
                                sha256: String(repeating: "b", count: 64), isBinary: false)
        record.licenseTags = ["MIT", "GPL-2.0-only WITH Linux-syscall-note"]
        record.copyrights = ["Copyright (C) 2020 Jane Doe", "(c) Ünïcödé Authors"]
        record.licenseMatches = [
            LicenseMatch(expression: "MIT", kind: .tag, startLine: 1, endLine: 1, score: 100, rule: "tag"),
            LicenseMatch(expression: "LicenseRef-candor-modified-BSD-3-Clause", kind: .text, startLine: 3, endLine: 30,
                         score: 91.25, rule: "bsd-new.LICENSE", modifiedFrom: "BSD-3-Clause", extractedText: "Redistribution ...\n"),
        ]
        record.licenseMentions = [LicenseMatch(expression: "GPL-2.0-only", kind: .reference, startLine: 40, endLine: 40,
                                               score: 100, rule: "gpl-2.0_12.RULE")]
        record.detectedLicense = "MIT"
        record.reuseLicense = "Apache-2.0"
        record.reuseCopyrights = ["2026 The Candor Authors"]
        record.reusePrecedence = "closest"
        let findings = [
            Finding(path: path, line: 7, rule: "unknown-license-id", severity: .error, message: "No-Such-License"),
            Finding(path: path, rule: "invalid-utf8", severity: .note, message: "text is not valid UTF-8"),
        ]
        let key = ScanCache.Key(size: 1234, modifiedNanoseconds: 1_700_000_000_123_456_789,
                                changedNanoseconds: -5, inode: UInt64.max)
        return ScanCache.Entry(key: key, record: record, findings: findings)
    }

    private func cache(detector: String = LicenseDetector.version) -> ScanCache {
        ScanCache(databaseVersion: "licensedcode-data 32.1.0", detectorVersion: detector, root: "/src/tree")
    }

    func testRoundTrip() throws {
        var original = cache()
        var binary = FileRecord(path: "bin/blob", size: 0, sha1: "", sha256: "", isBinary: true)
        binary.licenseMentions = []
        let plain = ScanCache.Entry(key: ScanCache.Key(size: 0, modifiedNanoseconds: 0, changedNanoseconds: 0, inode: 0),
                                    record: binary, findings: [])
        original.replaceEntries([fullEntry("src/a.c"), fullEntry("docs/ü.txt"), plain])
        let directory = try TestSupport.temporaryDirectory() + "/cache"
        try original.store(directory: directory, jobs: 2)
        let loaded = ScanCache.load(directory: directory, root: original.root, databaseVersion: original.databaseVersion,
                                    detectorVersion: original.detectorVersion, jobs: 2)
        XCTAssertEqual(loaded.count, 3)
        for path in ["src/a.c", "docs/ü.txt", "bin/blob"] {
            XCTAssertEqual(loaded[path], original[path], path)
        }
        // Deterministic: the same entries give the same bytes.
        let shard = original.shards[ScanCache.shard(of: "src/a.c")]
        XCTAssertEqual(original.encode(shard: shard), original.encode(shard: shard))
    }

    func testDamagedShardsAreIgnored() throws {
        let original = cache()
        let bytes = original.encode(shard: ["src/a.c": fullEntry("src/a.c")])
        XCTAssertEqual(original.decode(shard: bytes)?["src/a.c"], fullEntry("src/a.c"))
        // Cut anywhere, or one byte changed anywhere: nil, never a trap.
        for cut in 0..<bytes.count {
            XCTAssertNil(original.decode(shard: Array(bytes.prefix(cut))), "cut at \(cut)")
        }
        for i in stride(from: 0, to: bytes.count, by: 7) {
            var damaged = bytes
            damaged[i] ^= 0x20
            XCTAssertNil(original.decode(shard: damaged), "byte \(i) changed")
        }
        XCTAssertNil(original.decode(shard: Array("{\"format\":3}".utf8)))
        XCTAssertNil(original.decode(shard: []))
    }

    func testOtherVersionsAreIgnored() {
        let older = cache(detector: "0-older")
        let bytes = older.encode(shard: ["src/a.c": fullEntry("src/a.c")])
        XCTAssertNotNil(older.decode(shard: bytes))
        XCTAssertNil(cache().decode(shard: bytes), "another detector version")
        XCTAssertNil(ScanCache(databaseVersion: "other", detectorVersion: older.detectorVersion, root: older.root).decode(shard: bytes))
        XCTAssertNil(ScanCache(databaseVersion: older.databaseVersion, detectorVersion: older.detectorVersion, root: "/elsewhere")
            .decode(shard: bytes))
    }

    /// Through the scanner: a truncated shard, a corrupted one and one of another detector
    /// version are each ignored, and exactly their files are read again.
    func testScannerRereadsFilesOfBadShards() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.copyFakeProject()
        let directory = try TestSupport.temporaryDirectory() + "/cache"
        let first = CountingReader()
        let report1 = try Scanner(database: database, options: TestSupport.options(cache: directory, reader: first.reader)).scan(root: root)
        let paths = report1.files.map(\.path)
        let shards = Set(paths.map(ScanCache.shard(of:))).sorted()
        XCTAssertGreaterThanOrEqual(shards.count, 3, "the fake project's files fall in several shards")
        let (truncated, corrupted, foreign) = (shards[0], shards[1], shards[2])

        func shardFile(_ index: Int) -> String { ScanCache.file(directory: directory, root: report1.root, shard: index) }
        var bytes = try readSmallFile(shardFile(truncated))
        try TestSupport.writeBytes(Array(bytes.prefix(bytes.count / 2)), to: shardFile(truncated))
        bytes = try readSmallFile(shardFile(corrupted))
        bytes[bytes.count / 2] ^= 0xFF
        try TestSupport.writeBytes(bytes, to: shardFile(corrupted))
        let loaded = ScanCache.load(directory: directory, root: report1.root, databaseVersion: database.dataVersion,
                                    detectorVersion: LicenseDetector.version, jobs: 1)
        let other = ScanCache(databaseVersion: database.dataVersion, detectorVersion: "0-older", root: report1.root)
        try TestSupport.writeBytes(other.encode(shard: loaded.shards[foreign]), to: shardFile(foreign))

        let second = CountingReader()
        let report2 = try Scanner(database: database, options: TestSupport.options(cache: directory, reader: second.reader)).scan(root: root)
        XCTAssertEqual(report2, report1)
        let expected = paths.filter { [truncated, corrupted, foreign].contains(ScanCache.shard(of: $0)) }.map { report1.root + "/" + $0 }
        XCTAssertEqual(second.opened.sorted(), expected.sorted())

        // The shards were rewritten: a third scan reads nothing.
        let third = CountingReader()
        XCTAssertEqual(try Scanner(database: database, options: TestSupport.options(cache: directory, reader: third.reader)).scan(root: root),
                       report1)
        XCTAssertEqual(third.opened, [])
    }
}
