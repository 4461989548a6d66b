// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What `candor boundaries` reports: findings about places where code under one license
// meets code under another, each with the evidence a reviewer can follow to the line.
// Every analysis (includes, Swift, binaries, exports, clones) produces facts; the checker
// judges them against the policy and turns violations into `BoundaryFinding`s.

/// A place a reviewer can open. `path` is relative to the checked tree when the file is
/// inside it, absolute otherwise (e.g. `/usr/include/linux/kvm.h`).
public struct SourceLocation: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    /// Last line of a region (a copied block), when the location is a range.
    public var endLine: Int?

    public init(path: String, line: Int? = nil, endLine: Int? = nil) {
        self.path = path
        self.line = line
        self.endLine = endLine
    }

    public var description: String {
        guard let line else { return path }
        if let endLine, endLine != line { return "\(path):\(line)-\(endLine)" }
        return "\(path):\(line)"
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.path, a.line ?? 0, a.endLine ?? 0) < (b.path, b.line ?? 0, b.endLine ?? 0)
    }
}

/// One link of an evidence chain: where it is and what happens there, e.g.
/// `src/a.c:3` "includes \"b.h\"".
public struct EvidenceStep: Codable, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var text: String

    public init(_ location: SourceLocation, _ text: String) {
        self.location = location
        self.text = text
    }

    public var description: String { "\(location): \(text)" }
}

public struct BoundaryFinding: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Severity: String, Codable, Sendable, Comparable {
        case error, warning, note

        private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// Kebab-case rule id, e.g. `linux-header-outside-kvm-shim`, `gpl-include`,
    /// `gpl-object-in-binary`, `gpl-only-symbol`, `copied-code`, `forbidden-crossing`.
    public var rule: String
    public var severity: Severity
    /// Zone the offending code is in, and the zone it reaches.
    public var fromZone: String
    public var toZone: String
    /// Where the reviewer starts: the offending line.
    public var location: SourceLocation
    public var message: String
    /// The chain from `location` to the other side of the boundary, in order.
    public var evidence: [EvidenceStep]

    public init(rule: String, severity: Severity, fromZone: String, toZone: String,
                location: SourceLocation, message: String, evidence: [EvidenceStep] = []) {
        self.rule = rule
        self.severity = severity
        self.fromZone = fromZone
        self.toZone = toZone
        self.location = location
        self.message = message
        self.evidence = evidence
    }

    public var description: String {
        "\(location): \(severity.rawValue): \(rule): \(message) [\(fromZone) -> \(toZone)]"
    }

    public static func < (a: BoundaryFinding, b: BoundaryFinding) -> Bool {
        (a.location, a.rule, a.message) < (b.location, b.rule, b.message)
    }
}

/// An input problem an analysis met (unreadable file, malformed ELF, bad compile command):
/// reported with the file and value, never fatal.
public struct AnalysisProblem: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }

    public static func < (a: AnalysisProblem, b: AnalysisProblem) -> Bool {
        (a.location, a.message) < (b.location, b.message)
    }
}
