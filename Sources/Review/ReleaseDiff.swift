// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What changed between two releases, each given by its SBOMs (and optionally its SARIF
// findings): the kinds CI gates on with `candor diff --fail-on`, and the review's
// "changes" section.

import Licensing
import SBOMReader

public enum ChangeKind: String, Codable, Sendable, CaseIterable {
    case newComponent = "new-component"
    case removedComponent = "removed-component"
    case versionChange = "version-change"
    case licenseChange = "license-change"
    case newCopyleft = "new-copyleft"
    case removedSource = "removed-source"
    case newFinding = "new-finding"

    public var title: String {
        switch self {
        case .newComponent: "New components"
        case .removedComponent: "Removed components"
        case .versionChange: "Version changes"
        case .licenseChange: "License changes"
        case .newCopyleft: "New copyleft"
        case .removedSource: "Source no longer available"
        case .newFinding: "New findings"
        }
    }
}

public struct Change: Codable, Hashable, Sendable {
    public var kind: ChangeKind
    /// The component's name (or a finding's rule and location).
    public var subject: String
    public var from: String?
    public var to: String?
    /// For version changes: `upgrade` or `downgrade`; otherwise a short explanation.
    public var detail: String
}

/// One side of a comparison: the components of all its SBOMs and its findings.
public struct Release: Sendable {
    public var label: String
    public var components: [SBOMComponent]
    public var findings: [ReviewFinding]

    public init(label: String, documents: [SBOMDocument], findings: [ReviewFinding] = []) {
        self.label = label
        self.components = documents.flatMap(\.components)
        self.findings = findings
    }
}

public struct ReleaseDiff: Sendable {
    public var old: String
    public var new: String
    /// Sorted by kind (in ChangeKind order), then subject.
    public var changes: [Change]

    public func count(_ kind: ChangeKind) -> Int { changes.lazy.filter { $0.kind == kind }.count }

    public init(old: Release, new: Release) {
        self.old = old.label
        self.new = new.label
        var changes: [Change] = []
        let before = Self.index(old.components)
        let after = Self.index(new.components)
        for (key, component) in after {
            let license = component.effectiveLicense
            let newFamily = family(of: license)
            guard let previous = before[key] else {
                changes.append(Change(kind: .newComponent, subject: component.name, from: nil, to: component.version,
                                      detail: license ?? "no license stated"))
                if newFamily.requiresSource, component.distributed {
                    changes.append(Change(kind: .newCopyleft, subject: component.name, from: nil, to: license,
                                          detail: "new \(newFamily.label.lowercased()) component"))
                }
                continue
            }
            if previous.version != component.version {
                let direction = compareVersions(previous.version ?? "", component.version ?? "") <= 0 ? "upgrade" : "downgrade"
                changes.append(Change(kind: .versionChange, subject: component.name, from: previous.version,
                                      to: component.version, detail: direction))
            }
            let oldLicense = previous.effectiveLicense
            if Self.normalized(oldLicense) != Self.normalized(license) {
                changes.append(Change(kind: .licenseChange, subject: component.name, from: oldLicense, to: license,
                                      detail: "\(family(of: oldLicense).label) -> \(newFamily.label)"))
            }
            let wasCopyleft = family(of: oldLicense).requiresSource && previous.distributed
            if newFamily.requiresSource, component.distributed, !wasCopyleft {
                changes.append(Change(kind: .newCopyleft, subject: component.name, from: oldLicense, to: license,
                                      detail: previous.distributed ? "now \(newFamily.label.lowercased())" : "now distributed"))
            }
            if newFamily.requiresSource, component.distributed, previous.downloadLocation != nil, component.downloadLocation == nil {
                changes.append(Change(kind: .removedSource, subject: component.name, from: previous.downloadLocation, to: nil,
                                      detail: "the SBOM no longer says where its source is"))
            }
        }
        for (key, component) in before where after[key] == nil {
            changes.append(Change(kind: .removedComponent, subject: component.name, from: component.version, to: nil,
                                  detail: component.effectiveLicense ?? "no license stated"))
        }
        let known = Set(old.findings.map(\.key))
        for finding in new.findings where !known.contains(finding.key) {
            changes.append(Change(kind: .newFinding, subject: finding.rule, from: nil, to: finding.location,
                                  detail: finding.message))
        }
        let order = Dictionary(uniqueKeysWithValues: ChangeKind.allCases.enumerated().map { ($1, $0) })
        self.changes = changes.sorted {
            (order[$0.kind]!, $0.subject, $0.to ?? "", $0.from ?? "") < (order[$1.kind]!, $1.subject, $1.to ?? "", $1.from ?? "")
        }
    }

    /// Components keyed by what stays the same across versions: the purl without its
    /// version, else the name; a second component with one key gets `#2`, and so on.
    static func index(_ components: [SBOMComponent]) -> [String: SBOMComponent] {
        var result: [String: SBOMComponent] = [:]
        let sorted = components.sorted { ($0.name, $0.version ?? "", $0.id) < ($1.name, $1.version ?? "", $1.id) }
        for component in sorted {
            var key: String
            if let purl = component.purl {
                key = String(purl.split(separator: "?").first ?? "")
                key = String(key.split(separator: "#").first ?? "")
                if let at = key.lastIndex(of: "@") { key = String(key[..<at]) }
            } else {
                key = "name:" + component.name
            }
            var unique = key
            var n = 2
            while result[unique] != nil { unique = "\(key)#\(n)"; n += 1 }
            result[unique] = component
        }
        return result
    }

    private static func normalized(_ expression: String?) -> String? {
        guard let expression else { return nil }
        return (try? LicenseExpression.parse(expression).normalized.description) ?? expression
    }
}

/// Compares versions piece by piece: runs of digits numerically, the rest as text
/// (`1.10` > `1.9`, `2.0-rc1` < `2.0-rc2`). A piece of letters where the other version
/// has a number or has ended marks a pre-release (`2.0-rc1`, `2.0~beta` < `2.0` < `2.0.1`),
/// while a trailing number is a later release (`1.35.0-4` > `1.35.0`). Negative when `a` is older.
public func compareVersions(_ a: String, _ b: String) -> Int {
    func pieces(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if next < text.endIndex, text[index].isNumber != text[next].isNumber {
                result.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result.filter { !$0.allSatisfy { ".-_+~:".contains($0) } }
    }
    let left = pieces(a), right = pieces(b)
    func numeric(_ piece: Substring) -> Bool { piece.allSatisfy(\.isNumber) }
    for (x, y) in zip(left, right) where x != y {
        switch (numeric(x), numeric(y)) {
        case (true, true):
            // Compared as digit strings without leading zeros: no overflow on long runs.
            let p = x.drop { $0 == "0" }, q = y.drop { $0 == "0" }
            if p == q { continue }
            return p.count != q.count ? (p.count < q.count ? -1 : 1) : (p < q ? -1 : 1)
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): return x < y ? -1 : 1
        }
    }
    if left.count == right.count { return 0 }
    let longer = left.count > right.count ? left : right
    let preRelease = !numeric(longer[min(left.count, right.count)])
    return (left.count > right.count) != preRelease ? 1 : -1
}
