// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The boundary policy: the `[boundaries]`, `[[zones]]`, `[[header-sets]]`, `[[crossings]]`,
// `[[combinations]]`, `[licenses]` and `[audit]` tables of licenses/policy.toml.
// Without a policy file every table has its default: zones come from the files'
// licenses and the five rules of DESIGN.md apply as written.

import Foundation
import Inventory
import Licensing
import TOMLKit

public struct BoundaryPolicy: Sendable {
    /// A set of files with one license. Files belong to the first zone that claims them.
    public struct Zone: Sendable, Hashable {
        public var name: String
        /// SPDX expression; nil: taken from the zone's files in the scan.
        public var license: String?
        /// Path globs relative to the tree (`**` crosses directories).
        public var paths: [String]
        /// SwiftPM target names whose sources belong to the zone.
        public var targets: [String]
        /// Globs of built binaries (relative to the tree) that belong to the zone.
        public var binaries: [String]
        /// Names of header sets the zone may include.
        public var mayInclude: [String]
        /// False for code that is never distributed (tests, benchmarks): license obligations
        /// attach to distribution, so its findings are warnings, not errors.
        public var distributed: Bool

        public init(name: String, license: String? = nil, paths: [String] = [], targets: [String] = [],
                    binaries: [String] = [], mayInclude: [String] = [], distributed: Bool = true) {
            self.distributed = distributed
            self.name = name
            self.license = license
            self.paths = paths
            self.targets = targets
            self.binaries = binaries
            self.mayInclude = mayInclude
        }
    }

    /// Headers only the zones naming the set may include, e.g. Linux UAPI headers.
    public struct HeaderSet: Sendable, Hashable {
        public var name: String
        /// Globs over absolute paths (outside the tree) or tree-relative paths.
        public var paths: [String]
        /// An exception every header of the set must carry (`Linux-syscall-note`).
        public var requiredException: String?

        public init(name: String, paths: [String], requiredException: String? = nil) {
            self.name = name
            self.paths = paths
            self.requiredException = requiredException
        }
    }

    /// The kinds of evidence that connect two zones.
    public enum CrossingKind: String, Sendable, Hashable, CaseIterable, Codable {
        case include        // a C/C++ #include
        case `import`       // a Swift target dependency or import
        case link           // objects in one binary, symbol references between them
        case dynamicLink = "dynamic-link"  // DT_NEEDED, dlopen
        case ipc            // separate processes (declared; no static evidence)
    }

    /// A declared crossing between two zones: only the listed kinds are allowed.
    public struct Crossing: Sendable, Hashable {
        public var from: String
        public var to: String
        public var allow: Set<CrossingKind>
        /// Zone the crossing must go through (documentation for the report).
        public var via: String?

        public init(from: String, to: String, allow: Set<CrossingKind>, via: String? = nil) {
            self.from = from
            self.to = to
            self.allow = allow
            self.via = via
        }
    }

    public var zones: [Zone]
    public var headerSets: [HeaderSet]
    public var crossings: [Crossing]
    /// Pairs of license ids the policy allows in one binary beyond the license model's table.
    public var combinations: Set<[String]>
    /// Exceptions the checker honours; each lifts its license only within its scope
    /// (LicenseSemantics). One left out of the list lifts nothing.
    public var boundaryExceptions: Set<String>
    /// Licenses allowed in what ships (empty: any known license) and licenses denied.
    public var allowedLicenses: Set<String>
    public var deniedLicenses: Set<String>
    /// Globs of files the checker ignores (test fixtures, generated files).
    public var ignore: [String]
    /// Directories of reference corpora for clone detection (e.g. an extracted Linux tree).
    public var references: [String]
    /// Globs of files `candor audit` does not require an SPDX header in (license texts).
    public var auditExempt: [String] = []
    /// The license of tree code with no license statement; nil: all rights reserved, so
    /// every rule judges it as proprietary code (`[boundaries] unlicensed`).
    public var unlicensed: String?

    public static let defaultBoundaryExceptions: Set<String> = [
        "Linux-syscall-note", "GCC-exception-2.0", "GCC-exception-3.1", "Classpath-exception-2.0",
        "LLVM-exception", "Autoconf-exception-2.0", "Autoconf-exception-3.0", "Bison-exception-2.2",
        "libtool-exception", "Font-exception-2.0", "mif-exception", "openvpn-openssl-exception", "Swift-exception",
    ]

    /// Linux UAPI headers as a system installs them: whoever includes them, each must carry
    /// the syscall note (DESIGN.md rule 1). Applies when the policy names no header sets.
    public static let linuxUAPI = HeaderSet(
        name: "linux-uapi",
        paths: ["/usr/include/linux/**", "/usr/include/asm/**", "/usr/include/asm-generic/**",
                "/usr/include/x86_64-linux-gnu/asm/**", "/usr/include/aarch64-linux-gnu/asm/**"],
        requiredException: "Linux-syscall-note")

    /// The policy for a tree without a policy file.
    public init(zones: [Zone] = [], headerSets: [HeaderSet] = [linuxUAPI], crossings: [Crossing] = [],
                combinations: Set<[String]> = [], boundaryExceptions: Set<String> = defaultBoundaryExceptions,
                allowedLicenses: Set<String> = [], deniedLicenses: Set<String> = [], ignore: [String] = [],
                references: [String] = []) {
        self.zones = zones
        self.headerSets = headerSets
        self.crossings = crossings
        self.combinations = combinations
        self.boundaryExceptions = boundaryExceptions
        self.allowedLicenses = allowedLicenses
        self.deniedLicenses = deniedLicenses
        self.ignore = ignore
        self.references = references
    }

    /// Reads a policy file. Every error names the file and the key with the bad value.
    public init(file path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyError(path: path, key: nil, problem: "cannot read: \(error.localizedDescription)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw PolicyError(path: path, key: nil, problem: "not valid TOML: \(error)")
        }
        let reader = PolicyReader(path: path)
        self.init()
        if let boundaries = try reader.table(table, "boundaries") {
            if let exceptions = try reader.strings(boundaries, "exceptions", in: "boundaries") {
                boundaryExceptions = Set(exceptions)
            }
            ignore = try reader.strings(boundaries, "ignore", in: "boundaries") ?? []
            references = try reader.strings(boundaries, "references", in: "boundaries") ?? []
            unlicensed = try reader.string(boundaries, "unlicensed", in: "boundaries")
            if let unlicensed { try reader.checkExpression(unlicensed, key: "boundaries.unlicensed") }
        }
        for (index, zone) in try reader.tables(table, "zones").enumerated() {
            let key = "zones[\(index)]"
            let name = try reader.requiredString(zone, "name", in: key)
            let license = try reader.string(zone, "license", in: key)
            if let license { try reader.checkExpression(license, key: "\(key).license") }
            zones.append(Zone(
                name: name, license: license,
                paths: try reader.strings(zone, "paths", in: key) ?? [],
                targets: try reader.strings(zone, "targets", in: key) ?? [],
                binaries: try reader.strings(zone, "binaries", in: key) ?? [],
                mayInclude: try reader.strings(zone, "include", in: key) ?? [],
                distributed: try reader.bool(zone, "distributed", in: key) ?? true))
        }
        let zoneNames = Set(zones.map(\.name))
        if zoneNames.count != zones.count {
            let repeated = Dictionary(grouping: zones, by: \.name).filter { $0.value.count > 1 }.keys.sorted()
            throw PolicyError(path: path, key: "zones", problem: "zone \"\(repeated[0])\" is defined twice")
        }
        if table.contains(key: "header-sets") { headerSets = [] }
        for (index, set) in try reader.tables(table, "header-sets").enumerated() {
            let key = "header-sets[\(index)]"
            headerSets.append(HeaderSet(
                name: try reader.requiredString(set, "name", in: key),
                paths: try reader.strings(set, "paths", in: key) ?? [],
                requiredException: try reader.string(set, "require-exception", in: key)))
        }
        let setNames = Set(headerSets.map(\.name))
        for (index, zone) in zones.enumerated() {
            for name in zone.mayInclude where !setNames.contains(name) {
                throw PolicyError(path: path, key: "zones[\(index)].include",
                                  problem: "\"\(name)\" is not a header set (known: \(setNames.sorted().joined(separator: ", ")))")
            }
        }
        for (index, crossing) in try reader.tables(table, "crossings").enumerated() {
            let key = "crossings[\(index)]"
            let from = try reader.requiredString(crossing, "from", in: key)
            let to = try reader.requiredString(crossing, "to", in: key)
            for (field, zone) in [("from", from), ("to", to)] where !zoneNames.contains(zone) {
                throw PolicyError(path: path, key: "\(key).\(field)", problem: "\"\(zone)\" is not a zone")
            }
            var kinds: Set<CrossingKind> = []
            for kind in try reader.strings(crossing, "allow", in: key) ?? [] {
                guard let parsed = CrossingKind(rawValue: kind) else {
                    throw PolicyError(path: path, key: "\(key).allow", problem: "\"\(kind)\" is not one of "
                                      + CrossingKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                kinds.insert(parsed)
            }
            crossings.append(Crossing(from: from, to: to, allow: kinds, via: try reader.string(crossing, "via", in: key)))
        }
        for (index, combination) in try reader.tables(table, "combinations").enumerated() {
            let key = "combinations[\(index)]"
            let licenses = try reader.strings(combination, "licenses", in: key) ?? []
            guard licenses.count == 2 else {
                throw PolicyError(path: path, key: "\(key).licenses", problem: "needs exactly two license ids, got \(licenses.count)")
            }
            combinations.insert(licenses.sorted())
        }
        if let audit = try reader.table(table, "audit") {
            auditExempt = try reader.strings(audit, "exempt", in: "audit") ?? []
        }
        if let licenses = try reader.table(table, "licenses") {
            allowedLicenses = Set(try reader.strings(licenses, "allowed", in: "licenses") ?? [])
            deniedLicenses = Set(try reader.strings(licenses, "denied", in: "licenses") ?? [])
        }
    }

    public func crossing(from: String, to: String) -> Crossing? {
        crossings.first { $0.from == from && $0.to == to }
    }
}

public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var key: String?
    public var problem: String

    public var description: String {
        "\(path): \(key.map { "\($0): " } ?? "")\(problem)"
    }
}

/// Typed access to TOML values with errors naming the key.
private struct PolicyReader {
    let path: String

    func fail(_ key: String, _ problem: String) -> PolicyError { PolicyError(path: path, key: key, problem: problem) }

    func table(_ table: TOMLTable, _ key: String) throws -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let inner = value.table else { throw fail(key, "must be a table ([\(key)])") }
        return inner
    }

    func tables(_ table: TOMLTable, _ key: String) throws -> [TOMLTable] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw fail(key, "must be an array of tables ([[\(key)]])") }
        return try array.enumerated().map { index, item in
            guard let inner = item.table else { throw fail("\(key)[\(index)]", "must be a table") }
            return inner
        }
    }

    func string(_ table: TOMLTable, _ key: String, in parent: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string, !text.isEmpty else { throw fail("\(parent).\(key)", "must be a non-empty string") }
        return text
    }

    func requiredString(_ table: TOMLTable, _ key: String, in parent: String) throws -> String {
        guard let text = try string(table, key, in: parent) else { throw fail("\(parent).\(key)", "is missing") }
        return text
    }

    func strings(_ table: TOMLTable, _ key: String, in parent: String) throws -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw fail("\(parent).\(key)", "must be an array of strings") }
        return try array.enumerated().map { index, item in
            guard let text = item.string else { throw fail("\(parent).\(key)[\(index)]", "is not a string") }
            return text
        }
    }

    func bool(_ table: TOMLTable, _ key: String, in parent: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw fail("\(parent).\(key)", "must be true or false") }
        return flag
    }

    func checkExpression(_ text: String, key: String) throws {
        do { _ = try LicenseExpression.parse(text) } catch {
            throw fail(key, "\"\(text)\" is not an SPDX expression: \(error)")
        }
    }
}
