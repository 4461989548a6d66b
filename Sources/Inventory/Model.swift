// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The inventory report: what `candor scan` produces and every renderer (SBOM, bundle,
// boundaries) consumes. Renderers are pure functions of this value. Every array is sorted
// (files by path, components by id, findings by path/line/rule) so output is deterministic.

import Foundation
import Licensing

public struct ScanReport: Codable, Hashable, Sendable {
    /// Absolute path of the scanned tree.
    public var root: String
    /// Every regular file of the tree that was not ignored, sorted by `path`.
    public var files: [FileRecord]
    /// The tree itself, its dependencies, shipped binaries, libraries and declared
    /// components, sorted by `id`. The tree's own component has `kind == .sourceTree`.
    public var components: [Component]
    /// Problems met on the way (unreadable file, bad tag, corrupt ELF, ...), none fatal.
    public var findings: [Finding]
    /// Symbolic links of the tree (never followed), sorted by `path`.
    public var symlinks: [SymlinkRecord]?

    public init(root: String, files: [FileRecord] = [], components: [Component] = [], findings: [Finding] = [],
                symlinks: [SymlinkRecord]? = nil) {
        self.root = root
        self.files = files
        self.components = components
        self.findings = findings
        self.symlinks = symlinks
    }
}

/// A symbolic link met in the tree. The scanner records it and never follows it.
public struct SymlinkRecord: Codable, Hashable, Sendable {
    public enum Resolution: String, Codable, Sendable {
        case insideTree, outsideTree, dangling, loop
    }
    /// Path relative to the scanned root.
    public var path: String
    /// The link's target as stored in the link.
    public var target: String
    public var resolution: Resolution

    public init(path: String, target: String, resolution: Resolution) {
        self.path = path
        self.target = target
        self.resolution = resolution
    }
}

public struct FileRecord: Codable, Hashable, Sendable {
    /// Path relative to the scanned root, `/`-separated.
    public var path: String
    public var size: UInt64
    /// Lower-case hex digests.
    public var sha1: String
    public var sha256: String
    public var isBinary: Bool
    /// Normalised expressions of the file's `SPDX-License-Identifier` tags, in file order.
    public var licenseTags: [String]
    /// Values of `SPDX-FileCopyrightText` tags and copyright statements found in the text,
    /// de-duplicated, in file order.
    public var copyrights: [String]
    /// License texts, notices, references and declarations the file states (in comments,
    /// prose, manifest fields; tags included, as kind `.tag`).
    public var licenseMatches: [LicenseMatch]
    /// License names, texts and tags inside the file's code (string literals, regexes,
    /// identifiers): reported, never part of the file's license. Nil when there are none.
    public var licenseMentions: [LicenseMatch]?
    /// The one license expression detected for the file (its tags if it has any, else its
    /// matches combined with OR / WITH / AND); nil when nothing was detected. SBOM, audit and
    /// boundaries use this.
    public var detectedLicense: String?
    /// License and copyright given to this file by REUSE.toml or .reuse/dep5, if any.
    public var reuseLicense: String?
    public var reuseCopyrights: [String]
    /// How REUSE.toml says its annotation combines with the file's own tags: `closest`
    /// (the file's own tags win; the annotation fills only what the file lacks), `aggregate`
    /// (both apply) or `override` (only the annotation applies). `aggregate` for `.reuse/dep5`.
    public var reusePrecedence: String?

    public init(path: String, size: UInt64, sha1: String, sha256: String, isBinary: Bool,
                licenseTags: [String] = [], copyrights: [String] = [], licenseMatches: [LicenseMatch] = [],
                licenseMentions: [LicenseMatch]? = nil, detectedLicense: String? = nil,
                reuseLicense: String? = nil, reuseCopyrights: [String] = [], reusePrecedence: String? = nil) {
        self.path = path
        self.size = size
        self.sha1 = sha1
        self.sha256 = sha256
        self.isBinary = isBinary
        self.licenseTags = licenseTags
        self.copyrights = copyrights
        self.licenseMatches = licenseMatches
        self.licenseMentions = licenseMentions
        self.detectedLicense = detectedLicense
        self.reuseLicense = reuseLicense
        self.reuseCopyrights = reuseCopyrights
        self.reusePrecedence = reusePrecedence
    }
}

extension FileRecord {
    /// The license the file states for itself: `detectedLicense`, or for a record made
    /// without one (older reports, tests) its tags and matches joined by AND.
    public var statedLicense: String? {
        detectedLicense ?? LicenseExpression.conjunction(licenseTags + licenseMatches.filter { $0.kind != .tag }.map(\.expression))
    }

    /// The file's license as REUSE concludes it: its tags combined with a REUSE annotation
    /// by the annotation's precedence; without either, the detected expression; else nil.
    public var concludedLicense: String? {
        switch (reuseLicense, reusePrecedence) {
        case (let reuse?, "override"): return reuse
        case (let reuse?, "aggregate"): return LicenseExpression.conjunction(licenseTags + [reuse])
        case (let reuse?, _): return LicenseExpression.conjunction(licenseTags) ?? reuse
        case (nil, _): return LicenseExpression.conjunction(licenseTags) ?? detectedLicense
        }
    }
}

public struct Component: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case sourceTree        // the scanned tree
        case swiftPackage      // a resolved SwiftPM dependency
        case binary            // a built binary given with --binary
        case debianPackage     // a shared library's (or declared component's) Debian package
        case toolchainLibrary  // e.g. the Swift runtime and Foundation linked statically
        case declared          // from hypervisor/components.toml (or another declaration file)
        case data              // data used by the tool (e.g. the license database)
    }

    /// Whether the release hands this component out (obligations attach) or only expects
    /// the platform to provide it at run time.
    public enum Distribution: String, Codable, Sendable {
        case distributed
        case providedByPlatform
    }

    public struct Relationship: Codable, Hashable, Sendable, Comparable {
        public enum Kind: String, Codable, Sendable {
            case contains = "CONTAINS"
            case dependsOn = "DEPENDS_ON"
            case dynamicLink = "DYNAMIC_LINK"
            case staticLink = "STATIC_LINK"
            case generatedFrom = "GENERATED_FROM"
        }
        public var kind: Kind
        /// `id` of the related component.
        public var target: String

        public init(_ kind: Kind, _ target: String) {
            self.kind = kind
            self.target = target
        }

        public static func < (a: Relationship, b: Relationship) -> Bool {
            (a.kind.rawValue, a.target) < (b.kind.rawValue, b.target)
        }
    }

    /// Stable unique key, e.g. `tree`, `swift:swift-argument-parser`, `deb:libc6:amd64`,
    /// `binary:.build/release/candor-vm`, `declared:busybox-static`.
    public var id: String
    public var kind: Kind
    public var name: String
    public var version: String?
    /// Package URL (`pkg:swift/...`, `pkg:deb/debian/...`), when one applies.
    public var purl: String?
    /// SPDX supplier form, e.g. `Organization: Debian`.
    public var supplier: String?
    /// The upstream authors, each in SPDX agent form (`Person: X` or `Organization: X`).
    public var originators: [String]?
    /// Where the source can be had (URL, VCS URL), nil when unknown (NOASSERTION).
    public var downloadLocation: String?
    /// License declared by the component's authors, as an SPDX expression.
    public var declaredLicense: String?
    /// License concluded from the evidence, as an SPDX expression.
    public var concludedLicense: String?
    public var copyrightText: String?
    public var distribution: Distribution
    /// Lower-case hex digests keyed by algorithm name (`SHA1`, `SHA256`).
    public var checksums: [String: String]
    /// For a source tree: files of the report that belong to it; for others, empty.
    public var files: [String]
    /// Source provenance where known (git commit and whether the tree was dirty).
    public var gitCommit: String?
    public var gitDirty: Bool?
    /// For a Debian package: its source package name and version.
    public var sourcePackage: String?
    public var sourceVersion: String?
    /// Where the component lands in the release (declared components), or the binary's path.
    public var location: String?
    /// Free-form provenance note (how it was found).
    public var comment: String?
    public var relationships: [Relationship]
    /// The format of the file the component is, where it was read as one: `ELF64` for a
    /// binary the inspector parsed. Nil when not known.
    public var fileFormat: String?

    public init(id: String, kind: Kind, name: String, version: String? = nil, purl: String? = nil,
                supplier: String? = nil, originators: [String]? = nil, downloadLocation: String? = nil,
                declaredLicense: String? = nil,
                concludedLicense: String? = nil, copyrightText: String? = nil,
                distribution: Distribution = .distributed, checksums: [String: String] = [:],
                files: [String] = [], gitCommit: String? = nil, gitDirty: Bool? = nil,
                sourcePackage: String? = nil, sourceVersion: String? = nil, location: String? = nil,
                comment: String? = nil, relationships: [Relationship] = [], fileFormat: String? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.version = version
        self.purl = purl
        self.supplier = supplier
        self.originators = originators
        self.downloadLocation = downloadLocation
        self.declaredLicense = declaredLicense
        self.concludedLicense = concludedLicense
        self.copyrightText = copyrightText
        self.distribution = distribution
        self.checksums = checksums
        self.files = files
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.sourcePackage = sourcePackage
        self.sourceVersion = sourceVersion
        self.location = location
        self.comment = comment
        self.relationships = relationships
        self.fileFormat = fileFormat
    }
}

/// Who a name stands for, in SPDX agent form, as far as the name itself tells.
public enum Agent {
    /// Words that mark a group, company or project rather than one human being.
    private static let groupWords: Set<String> = [
        "inc", "llc", "ltd", "limited", "gmbh", "ag", "corp", "corporation", "company", "co", "foundation", "project",
        "projects", "authors", "author(s)", "contributors", "developers", "team", "maintainers", "group", "university",
        "institute", "association", "consortium", "others", "al", "org", "organization", "organisation", "software",
        "systems", "labs", "community", "packagers", "society", "council", "sa", "bv", "ab", "oy", "kk", "the",
        "center", "centre", "technologies", "services", "international",
    ]

    /// `Person: Name (mail)` or `Organization: Name (mail)` for a name as written in a
    /// maintainer field or a copyright line (`Name <mail>` keeps its mail in parentheses).
    /// A person is two to four capitalised words with no group word; anything else is an
    /// organization. NOASSERTION and values already in agent form are kept.
    public static func spdx(_ raw: String) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if value == "NOASSERTION" || value.hasPrefix("Person:") || value.hasPrefix("Organization:") { return value }
        let shown = value.replacingOccurrences(of: "<", with: "(").replacingOccurrences(of: ">", with: ")")
        let name = value.split(separator: "<").first.map { String($0) }?.trimmingCharacters(in: .whitespaces) ?? value
        let words = name.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        let isGroup = words.contains { groupWords.contains($0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,;:()"))) }
            || name.contains("@") || name.contains("://") || name.lowercased().hasSuffix(".org") || name.lowercased().hasSuffix(".com")
        let capitalised = words.allSatisfy { word in
            guard let first = word.first else { return false }
            return first.isUppercase || ["de", "van", "von", "der", "da", "di", "le", "la", "del"].contains(word)
        }
        let person = !isGroup && (2...4).contains(words.count) && capitalised
        return (person ? "Person: " : "Organization: ") + shown
    }

    /// The holder named by a copyright statement, without the keyword, the years and
    /// "All rights reserved"; nil when nothing is left.
    public static func holder(ofCopyright statement: String) -> String? {
        var text = Substring(statement.trimmingCharacters(in: .whitespaces))
        while true {
            let before = text
            for prefix in ["SPDX-FileCopyrightText:", "copyright:", "copyright", "(c)", "©", "by "] {
                if text.lowercased().hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
            }
            text = text.drop(while: { $0 == " " || $0 == "," || $0 == "-" || $0 == "\u{2013}" || $0.isNumber })
            if text == before { break }
        }
        var holder = String(text)
        if let range = holder.range(of: "all rights reserved", options: .caseInsensitive) {
            holder = String(holder[..<range.lowerBound])
        }
        holder = holder.trimmingCharacters(in: CharacterSet(charactersIn: " ,;.").union(.whitespaces))
        return holder.count < 2 ? nil : holder
    }
}

/// Package URLs as the purl specification spells them.
public enum PackageURL {
    /// Percent-encodes everything but the unreserved characters `A-Z a-z 0-9 . - _ ~` and
    /// `:` (so `+` becomes `%2B`, as the specification requires; a Debian epoch's colon
    /// stays, as in the reference implementation).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_" || c == "~" || c == ":") {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&...`, each part encoded, qualifiers sorted by key,
    /// empty qualifier values left out. Namespace segments are encoded one by one.
    public static func make(type: String, namespace: String?, name: String, version: String?,
                            qualifiers: [String: String] = [:]) -> String {
        var purl = "pkg:\(type)/"
        if let namespace, !namespace.isEmpty {
            purl += namespace.split(separator: "/").map { encode(String($0)) }.joined(separator: "/") + "/"
        }
        purl += encode(name)
        if let version, !version.isEmpty { purl += "@" + encode(version) }
        let pairs = qualifiers.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
        if !pairs.isEmpty { purl += "?" + pairs.map { "\($0.key)=\(encode($0.value))" }.joined(separator: "&") }
        return purl
    }
}

/// A problem found while scanning: reported, never fatal. Renders as `path:line: rule: message`.
public struct Finding: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Severity: String, Codable, Sendable {
        case error, warning, note
    }
    public var path: String
    public var line: Int?
    /// Short kebab-case rule id, e.g. `unreadable-file`, `unknown-license-id`, `corrupt-elf`.
    public var rule: String
    public var severity: Severity
    public var message: String

    public init(path: String, line: Int? = nil, rule: String, severity: Severity, message: String) {
        self.path = path
        self.line = line
        self.rule = rule
        self.severity = severity
        self.message = message
    }

    public var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(rule): \(message)"
    }

    public static func < (a: Finding, b: Finding) -> Bool {
        (a.path, a.line ?? 0, a.rule, a.message) < (b.path, b.line ?? 0, b.rule, b.message)
    }
}
