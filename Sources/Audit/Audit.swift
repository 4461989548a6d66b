// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor audit`: scan, license policy and boundaries in one CI gate. Each check is a
// suite of cases (a component, a file, a crossing); a case fails with a message that names
// the file or component and the bad value. The result renders as text, JSON or JUnit XML.

import Boundaries
import Foundation
import Inventory
import Licensing

public struct AuditCase: Codable, Hashable, Sendable {
    public var name: String
    /// Nil when the case passed.
    public var failure: String?
    /// The failing case's detail (evidence lines), for JUnit's failure body.
    public var detail: String?

    public init(name: String, failure: String? = nil, detail: String? = nil) {
        self.name = name
        self.failure = failure
        self.detail = detail
    }
}

public struct AuditSuite: Codable, Hashable, Sendable {
    public var name: String
    public var cases: [AuditCase]

    public init(name: String, cases: [AuditCase]) {
        self.name = name
        self.cases = cases
    }

    public var failures: Int { cases.filter { $0.failure != nil }.count }
}

public struct AuditReport: Codable, Sendable {
    public var suites: [AuditSuite]

    public init(suites: [AuditSuite]) { self.suites = suites }

    public var failures: Int { suites.reduce(0) { $0 + $1.failures } }
    public var passed: Bool { failures == 0 }
}

public enum Auditor {
    /// Runs the audit over a scan and the boundary report of the same tree.
    /// exempt: globs of files of the tree that need no SPDX header (license texts).
    public static func audit(scan: ScanReport, boundaries: BoundaryReport, policy: BoundaryPolicy,
                             exempt: [String]) -> AuditReport {
        AuditReport(suites: [
            scanSuite(scan),
            licenseSuite(scan, policy: policy),
            headerSuite(scan, exempt: exempt.map { Glob($0) } + policy.ignore.map { Glob($0) }),
            boundarySuite(boundaries),
        ])
    }

    /// Errors the scan met (unreadable files, malformed tags, corrupt binaries).
    static func scanSuite(_ scan: ScanReport) -> AuditSuite {
        let errors = scan.findings.filter { $0.severity == .error }
        let cases = errors.map { AuditCase(name: $0.path + ($0.line.map { ":\($0)" } ?? ""), failure: "\($0.rule): \($0.message)") }
        return AuditSuite(name: "scan", cases: cases.isEmpty ? [AuditCase(name: "\(scan.files.count) files scanned")] : cases)
    }

    /// Denied or unknown licenses in what ships: every distributed component, and every
    /// file of the tree (its own code ships in the binaries built from it).
    static func licenseSuite(_ scan: ScanReport, policy: BoundaryPolicy) -> AuditSuite {
        var cases: [AuditCase] = []
        let allowed = Set(policy.allowedLicenses.map { $0.lowercased() })
        let denied = Set(policy.deniedLicenses.map { $0.lowercased() })
        func judge(_ name: String, _ expression: String?) -> AuditCase {
            guard let expression, expression != "NOASSERTION", expression != "NONE" else {
                return AuditCase(name: name, failure: "license unknown (no license found)")
            }
            guard let parsed = try? LicenseExpression.parse(expression).normalized else {
                return AuditCase(name: name, failure: "license \"\(expression)\" is not an SPDX expression")
            }
            let ids = (parsed.licenseIDs.union(parsed.exceptionIDs)).sorted()
            if let bad = ids.first(where: { denied.contains($0.lowercased()) }) {
                return AuditCase(name: name, failure: "license \(bad) (in \(expression)) is denied by the policy"
                                 + describe(LicenseSemantics.terms(of: bad)))
            }
            if let unknown = parsed.licenseIDs.sorted().first(where: { $0.hasPrefix("LicenseRef-") && $0.lowercased().contains("unknown") }) {
                return AuditCase(name: name, failure: "license unknown: \(unknown) (in \(expression))")
            }
            if !allowed.isEmpty, let other = parsed.licenseIDs.sorted().first(where: { !allowed.contains($0.lowercased()) }) {
                return AuditCase(name: name, failure: "license \(other) (in \(expression)) is not in the policy's allowed licenses"
                                 + describe(LicenseSemantics.terms(of: other)))
            }
            return AuditCase(name: name)
        }
        for component in scan.components where component.distribution == .distributed {
            switch component.kind {
            case .sourceTree, .binary:
                continue  // judged by their files, and by the boundaries
            default:
                cases.append(judge("component \(component.id)", component.concludedLicense ?? component.declaredLicense))
            }
        }
        for file in scan.files where !file.isBinary {
            let tags = file.licenseTags + (file.reuseLicense.map { [$0] } ?? [])
            guard !tags.isEmpty else { continue }  // files without a tag are the header suite's
            cases.append(judge(file.path, tags.count == 1 ? tags[0] : tags.map { "(\($0))" }.joined(separator: " AND ")))
        }
        return AuditSuite(name: "licenses", cases: cases)
    }

    /// What the license asks of a distributor, from the license semantics: " (strong-copyleft:
    /// keep-notices, ...)"; a family read from the id's words says so.
    static func describe(_ terms: LicenseTermsInfo) -> String {
        " (\(terms.family.rawValue)\(terms.known ? "" : ", guessed from the id"): "
            + terms.obligations.map(\.rawValue).joined(separator: ", ") + ")"
    }

    /// Every file of the tree carries an SPDX-License-Identifier and a copyright line
    /// (or a REUSE annotation that gives them).
    static func headerSuite(_ scan: ScanReport, exempt: [Glob]) -> AuditSuite {
        var cases: [AuditCase] = []
        for file in scan.files where !exempt.contains(where: { $0.matches(file.path) }) {
            var missing: [String] = []
            if file.licenseTags.isEmpty && file.reuseLicense == nil { missing.append("SPDX-License-Identifier") }
            if file.copyrights.isEmpty && file.reuseCopyrights.isEmpty { missing.append("SPDX-FileCopyrightText") }
            cases.append(AuditCase(name: file.path, failure: missing.isEmpty ? nil
                                   : "missing " + missing.joined(separator: " and ") + " (no header and no REUSE annotation)"))
        }
        return AuditSuite(name: "spdx-headers", cases: cases)
    }

    /// One case per finding, and one per crossing between zones so a clean run shows
    /// what was checked.
    static func boundarySuite(_ report: BoundaryReport) -> AuditSuite {
        var cases: [AuditCase] = report.findings.filter { $0.severity == .error }.map { finding in
            AuditCase(name: "\(finding.rule) \(finding.location)",
                      failure: "\(finding.message) [\(finding.fromZone) -> \(finding.toZone)]",
                      detail: finding.evidence.map(\.description).joined(separator: "\n"))
        }
        for crossing in report.crossings {
            cases.append(AuditCase(
                name: "\(crossing.fromZone) -> \(crossing.toZone) (\(crossing.kind), \(crossing.count) pieces of evidence)",
                failure: crossing.violations > 0 ? "\(crossing.violations) forbidden by the policy" : nil))
        }
        if cases.isEmpty { cases = [AuditCase(name: "no crossings between zones")] }
        return AuditSuite(name: "boundaries", cases: cases)
    }

    public static func text(_ report: AuditReport) -> String {
        var out = ""
        for suite in report.suites {
            for test in suite.cases where test.failure != nil {
                out += "\(suite.name): \(test.name): \(test.failure!)\n"
                if let detail = test.detail, !detail.isEmpty {
                    out += detail.split(separator: "\n").map { "    \($0)\n" }.joined()
                }
            }
        }
        for suite in report.suites {
            out += "\(suite.name): \(suite.cases.count - suite.failures) passed, \(suite.failures) failed\n"
        }
        out += report.passed ? "audit passed\n" : "audit failed: \(report.failures) failures\n"
        return out
    }
}
