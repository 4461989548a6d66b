// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Boundaries
import Foundation
import FoundationXML
import Inventory
import XCTest
@testable import Audit

final class AuditTests: XCTestCase {
    private func file(_ path: String, tags: [String], copyrights: [String] = ["2026 A"], reuse: String? = nil) -> FileRecord {
        FileRecord(path: path, size: 1, sha1: "", sha256: "", isBinary: false, licenseTags: tags, copyrights: copyrights,
                   reuseLicense: reuse)
    }

    private let emptyBoundaries = BoundaryReport(root: "/t", zones: [], crossings: [], findings: [], problems: [])

    func testHeadersAreRequiredUnlessExemptOrAnnotated() {
        let scan = ScanReport(root: "/t", files: [
            file("a.c", tags: ["MIT"]),
            file("b.c", tags: []),
            file("c.c", tags: ["MIT"], copyrights: []),
            file("d.json", tags: [], copyrights: [], reuse: "MIT"),
            file("licenses/MIT.txt", tags: [], copyrights: []),
        ])
        let suite = Auditor.headerSuite(scan, exempt: [Glob("licenses/*.txt")])
        XCTAssertEqual(suite.cases.map(\.name), ["a.c", "b.c", "c.c", "d.json"])
        XCTAssertEqual(suite.cases.map(\.failure), [
            nil,
            "missing SPDX-License-Identifier (no header and no REUSE annotation)",
            "missing SPDX-FileCopyrightText (no header and no REUSE annotation)",
            "missing SPDX-FileCopyrightText (no header and no REUSE annotation)",
        ])
    }

    func testDeniedUnknownAndUnlistedLicensesFail() {
        var policy = BoundaryPolicy()
        policy.deniedLicenses = ["AGPL-3.0-only"]
        policy.allowedLicenses = ["MIT", "Apache-2.0", "AGPL-3.0-only", "GPL-2.0-only"]
        let scan = ScanReport(root: "/t", files: [
            file("ok.c", tags: ["MIT OR Apache-2.0"]),
            file("bad.c", tags: ["AGPL-3.0-only"]),
            file("odd.c", tags: ["BSD-3-Clause"]),
        ], components: [
            Component(id: "declared:busybox", kind: .declared, name: "busybox", declaredLicense: "GPL-2.0-only"),
            Component(id: "declared:mystery", kind: .declared, name: "mystery"),
            Component(id: "deb:libc6", kind: .debianPackage, name: "libc6", declaredLicense: "LGPL-2.1-or-later",
                      distribution: .providedByPlatform),
        ])
        let suite = Auditor.licenseSuite(scan, policy: policy)
        let failures = Dictionary(uniqueKeysWithValues: suite.cases.map { ($0.name, $0.failure) })
        XCTAssertEqual(failures["ok.c"], .some(nil))
        XCTAssertEqual(failures["bad.c"], "license AGPL-3.0-only (in AGPL-3.0-only) is denied by the policy "
                       + "(network-copyleft: keep-notices, state-changes, source-of-whole-program, source-on-network-use)")
        XCTAssertEqual(failures["odd.c"], "license BSD-3-Clause (in BSD-3-Clause) is not in the policy's allowed licenses "
                       + "(permissive: keep-notices)")
        XCTAssertEqual(failures["component declared:busybox"], .some(nil))
        XCTAssertEqual(failures["component declared:mystery"], "license unknown (no license found)")
        XCTAssertNil(failures["component deb:libc6"], "a library the platform provides does not ship")
    }

    func testBoundaryFindingsAndCrossingsBecomeCases() {
        let finding = BoundaryFinding(rule: "gpl-include", severity: .error, fromZone: "core", toZone: "gpl",
                                      location: SourceLocation(path: "a.c", line: 2), message: "a.c includes gpl.h",
                                      evidence: [EvidenceStep(SourceLocation(path: "a.c", line: 2), "includes \"gpl.h\"")])
        let report = BoundaryReport(root: "/t", zones: [], crossings: [
            CrossingSummary(fromZone: "core", toZone: "shim", kind: "include", count: 4, violations: 0),
        ], findings: [finding], problems: [])
        let suite = Auditor.boundarySuite(report)
        XCTAssertEqual(suite.cases.map(\.name), ["gpl-include a.c:2", "core -> shim (include, 4 pieces of evidence)"])
        XCTAssertEqual(suite.failures, 1)
        XCTAssertEqual(suite.cases[0].detail, "a.c:2: includes \"gpl.h\"")
        XCTAssertEqual(Auditor.boundarySuite(emptyBoundaries).cases.map(\.failure), [nil])
    }

    func testJUnitXMLIsWellFormedAndEscaped() throws {
        let report = AuditReport(suites: [
            AuditSuite(name: "spdx-headers", cases: [
                AuditCase(name: "ok.c"),
                AuditCase(name: "we<ird>&\"name\u{1}.c", failure: "missing <tag> & \"more\"", detail: "line 1\nline 2"),
            ]),
            AuditSuite(name: "boundaries", cases: [AuditCase(name: "none")]),
        ])
        let data = try JUnitReport.xml(report)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), text)
        XCTAssertTrue(text.contains("<testsuites name=\"candor audit\" tests=\"3\" failures=\"1\">"), text)
        XCTAssertTrue(text.contains("<testsuite name=\"spdx-headers\" tests=\"2\" failures=\"1\" errors=\"0\">"), text)
        XCTAssertTrue(text.contains("name=\"we&lt;ird&gt;&amp;&quot;name\u{FFFD}.c\""), text)
        XCTAssertTrue(text.contains("<failure message=\"missing &lt;tag&gt; &amp; &quot;more&quot;\" type=\"spdx-headers\">line 1\nline 2</failure>"), text)
        // libxml2 parses it back.
        let parsed = try XMLDocument(data: data)
        XCTAssertEqual(try parsed.nodes(forXPath: "//testcase").count, 3)
        XCTAssertEqual(try parsed.nodes(forXPath: "//failure").count, 1)
    }

    func testJUnitFileIsWrittenAtomically() throws {
        let directory = NSTemporaryDirectory() + "candor-junit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try JUnitReport.write(AuditReport(suites: [AuditSuite(name: "scan", cases: [AuditCase(name: "x")])]), to: directory + "/junit.xml")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["junit.xml"])
        XCTAssertThrowsError(try JUnitReport.write(AuditReport(suites: []), to: directory + "/missing/junit.xml")) { error in
            XCTAssertTrue("\(error)".hasPrefix(directory + "/missing/junit.xml: cannot write the JUnit report"), "\(error)")
        }
    }
}
