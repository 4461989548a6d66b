// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor scan --format json` writes the report with its own writer: it must give the
// bytes JSONEncoder gave, every field and every escape included.

import Foundation
import Licensing
import XCTest
@testable import Inventory

final class ReportJSONTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    /// What the scan command printed before it had its own writer.
    private func foundation(_ report: ScanReport) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(report))
    }

    private func assertSameBytes(_ report: ScanReport, file: StaticString = #filePath, line: UInt = #line) throws {
        let ours = ReportJSON.encode(report)
        let theirs = try foundation(report)
        XCTAssertEqual(String(decoding: ours, as: UTF8.self), String(decoding: theirs, as: UTF8.self), file: file, line: line)
        XCTAssertEqual(ours, theirs, file: file, line: line)
    }

    func testEveryFieldAndEscape() throws {
        let awkward = "quote \" backslash \\ slash / tab \t newline \n cr \r bs \u{8} ff \u{c} nul \u{0} esc \u{1b} us \u{1f} del \u{7f} é 😀 \u{2028}"
        var full = FileRecord(path: "dir/ä \(awkward).c", size: 1234, sha1: String(repeating: "a", count: 40),
                              sha256: String(repeating: "b", count: 64), isBinary: false)
        full.licenseTags = ["MIT", "GPL-2.0-only WITH Linux-syscall-note"]
        full.copyrights = ["Copyright (C) 2020 Jane Doe", awkward]
        full.licenseMatches = [
            LicenseMatch(expression: "MIT", kind: .tag, startLine: 1, endLine: 1, score: 100, rule: "tag"),
            LicenseMatch(expression: "LicenseRef-candor-modified-BSD-3-Clause", kind: .text, startLine: 3, endLine: 30,
                         score: 91.25, rule: "bsd-new.LICENSE", modifiedFrom: "BSD-3-Clause", extractedText: awkward),
            LicenseMatch(expression: "GPL-2.0-only", kind: .notice, startLine: 0, endLine: -1, score: 0.1 + 0.2, rule: "r"),
            LicenseMatch(expression: "X", kind: .declaration, startLine: 2, endLine: 2, score: 1e-7, rule: "r"),
        ]
        full.licenseMentions = [LicenseMatch(expression: "GPL-2.0-only", kind: .reference, startLine: 40, endLine: 40,
                                             score: 99.999999, rule: "gpl-2.0_12.RULE")]
        full.detectedLicense = "MIT"
        full.reuseLicense = "Apache-2.0"
        full.reuseCopyrights = ["2026 The Candor Authors"]
        full.reusePrecedence = "closest"
        let bare = FileRecord(path: "a", size: 0, sha1: "", sha256: "", isBinary: true)
        var tree = Component(id: "tree", kind: .sourceTree, name: "t", version: "1", declaredLicense: "MIT",
                             checksums: ["SHA1": "x", "SHA256": "y"], files: ["a", "dir/b"], gitCommit: "abc", gitDirty: false,
                             location: "/r", comment: awkward, relationships: [.init(.dependsOn, "deb:x")])
        tree.originators = ["Person: A", "Organization: B"]
        let other = Component(id: "deb:x", kind: .debianPackage, name: "x", version: "1.0-1", purl: "pkg:deb/debian/x@1.0-1",
                              supplier: "Organization: Debian", originators: [], downloadLocation: "https://deb.example/x",
                              declaredLicense: "GPL-2.0-or-later", concludedLicense: "GPL-2.0-or-later OR MIT",
                              copyrightText: awkward, distribution: .providedByPlatform, gitDirty: true,
                              sourcePackage: "x-src", sourceVersion: "1.0", location: "/usr/lib/libx.so.1", comment: "c",
                              relationships: [.init(.dynamicLink, "a"), .init(.staticLink, "b")], fileFormat: "ELF64")
        let report = ScanReport(
            root: "/root/\(awkward)", files: [bare, full], components: [other, tree],
            findings: [Finding(path: "a", line: 3, rule: "r", severity: .error, message: awkward),
                       Finding(path: "b", rule: "s", severity: .note, message: "m")],
            symlinks: [SymlinkRecord(path: "l", target: "../x", resolution: .outsideTree),
                       SymlinkRecord(path: "m", target: awkward, resolution: .dangling)])
        try assertSameBytes(report)
    }

    func testEmptyAndWithoutSymlinks() throws {
        try assertSameBytes(ScanReport(root: "/"))
        try assertSameBytes(ScanReport(root: "/", symlinks: []))
    }

    func testScannedFakeProject() throws {
        let report = try Scanner(database: try TestSupport.database(), options: TestSupport.options(cache: nil))
            .scan(root: try TestSupport.copyFakeProject())
        XCTAssertFalse(report.files.isEmpty)
        try assertSameBytes(report)
    }
}
