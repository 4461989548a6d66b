// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Which zone a file or binary is in, and under which license. Files of the tree get their
// license from the scan; files outside it (system headers) from their SPDX line, else from
// their text. Policy zones claim files by path glob, SwiftPM target or binary glob; a file
// no zone claims is in the zone named after its own license.

import Foundation
import Inventory
import Licensing

/// A file's or binary's zone and the license it is judged by.
public struct ZoneAssignment: Hashable, Sendable {
    public var zone: String
    /// SPDX expression of the zone (policy zone: its license; license zone: the file's).
    public var license: String?
    /// SPDX expression of the file itself, when known.
    public var fileLicense: String?
}

/// Licenses of individual files: from the scan for the tree, read on demand for others.
final class FileLicenses: @unchecked Sendable {
    private let byPath: [String: FileRecord]
    /// Files whose only statement refers to another file of the tree, with its license.
    let references: [String: (license: String, file: String)]
    private let detector: LicenseDetector?
    private var outside: [String: String?] = [:]
    private var forwarding: [String: Bool] = [:]
    private let lock = NSLock()
    private let root: String

    init(report: ScanReport, database: LicenseDatabase?) {
        root = report.root
        byPath = Dictionary(report.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        references = LicenseReferences.resolve(report: report)
        detector = database.map(LicenseDetector.init(database:))
    }

    /// `path` is tree-relative, or absolute for a file outside the tree.
    func license(of path: String) -> String? {
        if let record = byPath[path] { return references[path]?.license ?? Self.license(of: record) }
        guard path.hasPrefix("/") else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let known = outside[path] { return known }
        let found = readLicense(absolutePath: path)
        outside[path] = found
        return found
    }

    /// Whether a header only forwards to others: #include, #pragma, include guards
    /// (`#ifndef X` / `#define X` / `#endif`) and comments. Such a header (Linux's
    /// include/linux/const.h forwards to vdso/const.h) adds no code, so its license binds
    /// nothing; the headers it forwards to are judged instead. A macro with a value is code.
    /// Safe to ask from several threads; the file is read outside the lock.
    func carriesNoCode(_ path: String) -> Bool {
        if let known = lock.withLock({ forwarding[path] }) { return known }
        let full = path.hasPrefix("/") ? path : root + "/" + path
        var result = false
        if let data = FileManager.default.contents(atPath: full), data.count < 16384 {
            result = Self.onlyForwards(String(decoding: data, as: UTF8.self))
        }
        lock.withLock { forwarding[path] = result }
        return result
    }

    static func onlyForwards(_ text: String) -> Bool {
        var inComment = false
        var includes = 0
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = Substring(raw)
            // Drop comments, which may open and close anywhere on the line.
            var kept = ""
            while !line.isEmpty {
                if inComment {
                    guard let end = line.range(of: "*/") else { line = ""; break }
                    line = line[end.upperBound...]
                    inComment = false
                } else if let open = line.range(of: "/*") {
                    kept += line[..<open.lowerBound]
                    line = line[open.upperBound...]
                    inComment = true
                } else {
                    kept += line
                    line = ""
                }
            }
            if let slashes = kept.range(of: "//") { kept = String(kept[..<slashes.lowerBound]) }
            let words = kept.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first else { continue }
            var directive = first
            var rest = words.dropFirst()
            if directive == "#", let next = rest.first { directive = "#" + next; rest = rest.dropFirst() }
            switch directive {
            case "#include", "#include_next", "#import":
                // The header name alone: anything after it is code.
                guard rest.count == 1 else { return false }
                includes += 1
            case "#pragma", "#ifndef", "#ifdef", "#endif", "#else":
                continue
            case "#if", "#elif":
                // Guards only: `#if !defined(X)`; any other condition selects code.
                guard rest.joined(separator: " ").replacingOccurrences(of: " ", with: "").hasPrefix("!defined") else { return false }
            case "#define":
                // A guard macro has a name and no value.
                guard rest.count == 1, !rest[rest.startIndex].contains("(") else { return false }
            default:
                return false
            }
        }
        return includes > 0
    }

    /// The file's tags, combined with a REUSE annotation as REUSE says; else the licenses
    /// its text states (full texts and notices).
    static func license(of record: FileRecord) -> String? {
        record.concludedLicense ?? record.statedLicense
    }

    /// The license a file states for others to refer to (a tree's COPYING, a file another
    /// one points at): its SPDX lines, the conventions it documents, else what the detector
    /// found in its text; nil when it states none.
    static func statement(of record: FileRecord) -> String? {
        let stated = record.licenseTags.isEmpty ? license(of: record) : LicenseExpression.conjunction(record.licenseTags)
        guard let stated, stated != "NOASSERTION", LicenseTerms.parse(stated) != nil else { return nil }
        return stated
    }

    /// Outside files: the first kilobytes hold the SPDX line or the notice.
    private func readLicense(absolutePath: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: absolutePath) else { return nil }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 16384)) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        let tags = SPDXTags.extract(from: text).filter { $0.kind == .license }.map(\.value)
        let normalized = tags.compactMap { LicenseTerms.parse($0)?.description }
        if !normalized.isEmpty { return LicenseExpression.conjunction(normalized) }
        guard let detector else { return nil }
        return LicenseExpression.conjunction(detector.detect(in: text).filter { $0.kind != .reference }.map(\.expression))
    }
}

/// Assigns zones. Built once per check; lookups are cached.
final class ZoneMap: @unchecked Sendable {
    let policy: BoundaryPolicy
    let licenses: FileLicenses
    private let zoneGlobs: [(zone: BoundaryPolicy.Zone, globs: [Glob])]
    private let binaryGlobs: [(zone: BoundaryPolicy.Zone, globs: [Glob])]
    private let targetZone: [String: BoundaryPolicy.Zone]
    private var fileTargets: [String: String]
    private var zoneLicenseFromFiles: [String: String?] = [:]
    private let files: [String]

    /// Zones that the tree's build says, where no policy zone claims the file: Linux
    /// modules by their MODULE_LICENSE, the rest of a kernel tree as the GPL kernel.
    private let buildZones: [String: (zone: String, license: String)]

    init(policy: BoundaryPolicy, licenses: FileLicenses, files: [String], fileTargets: [String: String],
         buildZones: [String: (zone: String, license: String)] = [:]) {
        self.buildZones = buildZones
        self.policy = policy
        self.licenses = licenses
        self.files = files
        self.fileTargets = fileTargets
        zoneGlobs = policy.zones.map { ($0, $0.paths.map { Glob($0) }) }
        binaryGlobs = policy.zones.map { ($0, $0.binaries.map { Glob($0) }) }
        var byTarget: [String: BoundaryPolicy.Zone] = [:]
        for zone in policy.zones { for target in zone.targets where byTarget[target] == nil { byTarget[target] = zone } }
        targetZone = byTarget
    }

    /// The policy zone claiming `path`, if any.
    func policyZone(of path: String) -> BoundaryPolicy.Zone? {
        if let match = zoneGlobs.first(where: { $0.globs.contains { $0.matches(path) } }) { return match.zone }
        if let target = fileTargets[path], let zone = targetZone[target] { return zone }
        return nil
    }

    func zone(of path: String) -> ZoneAssignment {
        if let known = assigned[path] { return known }
        let made = assign(path)
        assigned[path] = made
        return made
    }

    private var assigned: [String: ZoneAssignment] = [:]

    private func assign(_ path: String) -> ZoneAssignment {
        let fileLicense = licenses.license(of: path)
        if let zone = policyZone(of: path) {
            return ZoneAssignment(zone: zone.name, license: zone.license ?? licenseOfZone(zone), fileLicense: fileLicense)
        }
        if let build = buildZones[path] {
            return ZoneAssignment(zone: build.zone, license: build.license, fileLicense: fileLicense)
        }
        let name = path.hasPrefix("/") ? "system" : "tree"
        return ZoneAssignment(zone: "\(name):\(fileLicense ?? "unknown")", license: fileLicense, fileLicense: fileLicense)
    }

    /// Whether a policy zone or the build (a kernel module's MODULE_LICENSE) states the
    /// license the zone's code is distributed under; otherwise the zone is only the file's
    /// own license.
    func declaresProgramLicense(of path: String) -> Bool {
        policyZone(of: path) != nil || buildZones[path] != nil
    }

    /// A binary's zone by policy glob; nil when no zone names it.
    func zone(ofBinary path: String) -> ZoneAssignment? {
        guard let match = binaryGlobs.first(where: { $0.globs.contains { $0.matches(path) } }) else { return nil }
        return ZoneAssignment(zone: match.zone.name, license: match.zone.license ?? licenseOfZone(match.zone), fileLicense: nil)
    }

    /// A policy zone without a license: the licenses of its files, combined.
    private func licenseOfZone(_ zone: BoundaryPolicy.Zone) -> String? {
        if let known = zoneLicenseFromFiles[zone.name] { return known }
        let members = files.filter { policyZone(of: $0)?.name == zone.name }
        let license = LicenseExpression.conjunction(members.compactMap { licenses.license(of: $0) }.sorted())
        zoneLicenseFromFiles[zone.name] = license
        return license
    }

    func isIgnored(_ path: String) -> Bool { ignoreGlobs.contains { $0.matches(path) } }
    private lazy var ignoreGlobs: [Glob] = policy.ignore.map { Glob($0) }
}
