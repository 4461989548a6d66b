// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The boundary report as text (for people), JSON (the report as it is) and SARIF 2.1.0
// (for code-scanning services: one result per finding, the evidence chain as a code flow).

import Foundation

public enum BoundaryReportFormat {
    /// Findings with their evidence, the crossings between zones, the zones, then counts.
    public static func text(_ report: BoundaryReport) -> String {
        var out = ""
        for finding in report.findings {
            out += "\(finding)\n"
            for step in finding.evidence { out += "    \(step)\n" }
        }
        for problem in report.problems { out += "\(problem.location): note: analysis: \(problem.message)\n" }
        if !report.crossings.isEmpty {
            out += "crossings between zones (from -> to, kind: evidence, violations):\n"
            for crossing in report.crossings {
                out += "  \(crossing.fromZone) -> \(crossing.toZone), \(crossing.kind): \(crossing.count)"
                    + (crossing.violations > 0 ? ", \(crossing.violations) forbidden" : "") + "\n"
            }
        }
        out += "zones:\n"
        for zone in report.zones { out += "  \(zone.name) (\(zone.license ?? "license unknown")): \(zone.files) files\n" }
        let bySeverity = Dictionary(grouping: report.findings, by: \.severity)
        out += "\(report.errorCount) errors, \(bySeverity[.warning]?.count ?? 0) warnings, "
            + "\(bySeverity[.note]?.count ?? 0) notes, \(report.problems.count) analysis problems\n"
        return out
    }

    public static func json(_ report: BoundaryReport) throws -> Data {
        try encoder.encode(report)
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// What each rule means, for SARIF's rule descriptions and the README.
    public static let ruleDescriptions: [String: String] = [
        "header-set-not-allowed": "A file includes, directly or not, a header of a set (e.g. Linux UAPI headers) that its zone may not include.",
        "header-without-exception": "A header of a set that requires an exception (e.g. Linux-syscall-note) is included but its license lacks that exception.",
        "gpl-include": "Non-GPL code includes, directly or not, a header whose license is GPL without a boundary exception.",
        "gpl-source-in-target": "A GPL-licensed source file is compiled into a target whose zone is not GPL.",
        "gpl-object-in-binary": "A binary whose zone is not GPL contains an object compiled from GPL-licensed source.",
        "gpl-symbol-reference": "An object in a non-GPL zone references a symbol defined by GPL code linked into the same binary.",
        "gpl-only-symbol": "Code whose license is not GPL-compatible uses a symbol exported GPL-only (CANDOR_EXPORT_GPL, EXPORT_SYMBOL_GPL).",
        "gpl-dependency": "A non-GPL Swift target depends on a target whose license is GPL.",
        "gpl-dynamic-link": "A non-GPL binary loads a GPL-licensed shared library at run time.",
        "license-combination": "A binary links code under two licenses the policy's [[combinations]] does not list as a pair.",
        "forbidden-crossing": "Two zones meet in a way the policy's [[crossings]] table does not allow.",
        "copied-code": "Code in a non-GPL zone is a copy, or a near copy with renamed identifiers, of GPL code.",
    ]

    /// SARIF 2.1.0 (OASIS), one run. Paths inside the tree are relative to SRCROOT.
    public static func sarif(_ report: BoundaryReport, toolVersion: String) throws -> Data {
        let rules = Array(Set(report.findings.map(\.rule))).sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1, $0) })
        let root = report.root.hasSuffix("/") ? report.root : report.root + "/"
        let results: [[String: Any]] = report.findings.map { finding in
            var result: [String: Any] = [
                "ruleId": finding.rule,
                "ruleIndex": ruleIndex[finding.rule]!,
                "level": finding.severity.rawValue,
                "message": ["text": finding.message],
                "locations": [["physicalLocation": physicalLocation(finding.location)]],
                "properties": ["fromZone": finding.fromZone, "toZone": finding.toZone],
                "partialFingerprints": ["candorFinding/v1": "\(finding.rule):\(finding.location):\(finding.fromZone):\(finding.toZone)"],
            ]
            if !finding.evidence.isEmpty {
                let steps: [[String: Any]] = finding.evidence.map { step in
                    ["location": ["physicalLocation": physicalLocation(step.location), "message": ["text": step.text]]]
                }
                result["codeFlows"] = [["threadFlows": [["locations": steps]]]]
                result["relatedLocations"] = finding.evidence.enumerated().map { index, step -> [String: Any] in
                    ["id": index, "physicalLocation": physicalLocation(step.location), "message": ["text": step.text]]
                }
            }
            return result
        }
        let driverRules: [[String: Any]] = rules.map { rule in
            [
                "id": rule,
                "shortDescription": ["text": ruleDescriptions[rule] ?? rule],
                "defaultConfiguration": ["level": "error"],
            ]
        }
        let document: [String: Any] = [
            "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": [
                    "name": "candor",
                    "version": toolVersion,
                    "rules": driverRules,
                ]],
                "originalUriBaseIds": ["SRCROOT": ["uri": fileURI(root)]],
                "results": results,
                "columnKind": "unicodeCodePoints",
            ]],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }

    private static func physicalLocation(_ location: SourceLocation) -> [String: Any] {
        var artifact: [String: Any]
        if location.path.hasPrefix("/") {
            artifact = ["uri": fileURI(location.path)]
        } else {
            artifact = ["uri": percentEncoded(location.path), "uriBaseId": "SRCROOT"]
        }
        var physical: [String: Any] = ["artifactLocation": artifact]
        if let line = location.line, line >= 1 {
            var region: [String: Any] = ["startLine": line]
            if let end = location.endLine, end >= line { region["endLine"] = end }
            physical["region"] = region
        }
        return physical
    }

    private static func fileURI(_ absolutePath: String) -> String { "file://" + percentEncoded(absolutePath) }

    /// RFC 3986 path characters stay; everything else (space, %, #, ?, non-ASCII) is escaped.
    private static func percentEncoded(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~/!$&'()*+,;=:@")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}
