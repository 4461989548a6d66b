// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What a release ships and who answers source requests: a project's release.toml, the
// single source of truth of `candor release` (schema in the README). Unknown keys are
// errors, so a typo never silently drops a part of the release.

import Foundation
import TOMLKit

public struct ReleaseDescription: Equatable, Sendable {
    /// A part of this repository shipped as binaries under a license with a source obligation.
    public struct Part: Equatable, Sendable {
        public var name: String
        /// SPDX expression covering every file that goes into the binaries.
        public var license: String
        /// Files and directories (relative to the tree) exported from the released commit.
        public var sources: [String]
        /// The command that builds the binaries, run at the root of the exported tree.
        public var build: [String]
        /// The binaries the build produces and the release ships, relative to the tree.
        public var binaries: [String]
        /// Commands whose first output line names a tool version (recorded, not compared).
        public var toolchain: [String]
    }

    /// Binaries a third-party component contributes to the release.
    public struct Shipped: Equatable, Sendable {
        public var component: String
        /// The shipped files (relative to the tree, or absolute).
        public var binaries: [String]
        /// The Debian binary package the files come from and its exact version: the
        /// release checks each file against the `.deb` of that version.
        public var package: String?
        public var version: String?
        /// For each of `binaries`, its path inside the package (e.g. `/bin/busybox`).
        public var packagePaths: [String]
        /// Scripts (relative to the tree) that install these files into the product; they
        /// go into the source bundle ("the scripts used to control installation").
        public var installedBy: [String]

        public init(component: String, binaries: [String], package: String? = nil, version: String? = nil,
                    packagePaths: [String] = [], installedBy: [String] = []) {
            self.component = component
            self.binaries = binaries
            self.package = package
            self.version = version
            self.packagePaths = packagePaths
            self.installedBy = installedBy
        }
    }

    public var product: String
    public var version: String
    /// `YYYY-MM-DD`.
    public var date: String
    /// The declared third-party components file (for the inventory scan), relative to the tree.
    public var componentsFile: String?
    public var contact: String
    public var email: String
    public var address: [String]
    public var offerYears: Int
    public var parts: [Part]
    public var shipped: [Shipped]
    /// The tree released, relative to the release file's directory (default: that directory).
    public var tree: String?
    /// Who supplies the release: the SBOMs' creator organization and our packages' supplier.
    public var supplier: String?
    /// The boundary and license policy, relative to the tree (default: licenses/policy.toml when present).
    public var policy: String?
    /// Globs of files that need no SPDX header, added to the policy's own.
    public var auditExempt: [String] = []
    /// Supplier SBOMs (SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD, CycloneDX 1.6 JSON) whose
    /// components are part of the release, relative to the tree (`[[sbom]] path`).
    public var supplierSBOMs: [String] = []

    /// Every key the file may hold, by table; anything else is an error.
    static let knownKeys: [String: Set<String>] = [
        "": ["release", "offer", "part", "shipped", "audit", "sbom"],
        "release": ["product", "version", "date", "components", "tree", "supplier", "policy"],
        "offer": ["contact", "email", "address", "years"],
        "part": ["name", "license", "sources", "build", "binaries", "toolchain"],
        "shipped": ["component", "binaries", "package", "version", "package_paths", "installed_by"],
        "audit": ["exempt"],
        "sbom": ["path"],
    ]

    public init(product: String, version: String, date: String, componentsFile: String? = nil,
                contact: String, email: String, address: [String], offerYears: Int = 3,
                parts: [Part] = [], shipped: [Shipped] = []) {
        self.product = product
        self.version = version
        self.date = date
        self.componentsFile = componentsFile
        self.contact = contact
        self.email = email
        self.address = address
        self.offerYears = offerYears
        self.parts = parts
        self.shipped = shipped
    }

    public init(file path: String) throws {
        func fail(_ problem: String) -> SourceOfferError { .releaseFile(path: path, problem: problem) }
        let table: TOMLTable
        do { table = try TOMLTable(string: try FileSystem.readText(path)) } catch let error as SourceOfferError {
            throw error
        } catch { throw fail("\(error)") }
        func checkKeys(_ t: TOMLTable, _ kind: String, _ here: String) throws {
            let known = ReleaseDescription.knownKeys[kind] ?? []
            if let unknown = t.keys.sorted().first(where: { !known.contains($0) }) {
                throw fail("unknown key \(here.isEmpty ? "" : here + ".")\(unknown); expected one of \(known.sorted().joined(separator: ", "))")
            }
        }
        try checkKeys(table, "", "")
        for section in ["release", "offer", "audit"] {
            guard let value = table[section] else { continue }
            guard let t = value.table else { throw fail("\(section): not a table") }
            try checkKeys(t, section, section)
        }
        func string(_ t: TOMLTable?, _ section: String, _ key: String) throws -> String {
            guard let value = t?[key]?.string, !value.isEmpty else { throw fail("\(section).\(key): needs a non-empty string") }
            return value
        }
        func strings(_ t: TOMLTable, _ section: String, _ key: String, required: Bool = true) throws -> [String] {
            guard let array = t[key]?.array else {
                if required { throw fail("\(section).\(key): needs an array of strings") }
                return []
            }
            return try array.enumerated().map { index, item in
                guard let s = item.string, !s.isEmpty else { throw fail("\(section).\(key)[\(index)]: not a non-empty string") }
                return s
            }
        }
        let release = table["release"]?.table
        let offer = table["offer"]?.table
        product = try string(release, "release", "product")
        version = try string(release, "release", "version")
        date = try string(release, "release", "date")
        guard ReleaseDescription.dateParts(date) != nil else { throw fail("release.date: \"\(date)\" is not YYYY-MM-DD") }
        componentsFile = release?["components"]?.string
        func optional(_ t: TOMLTable?, _ section: String, _ key: String) throws -> String? {
            guard let value = t?[key] else { return nil }
            guard let s = value.string, !s.isEmpty else { throw fail("\(section).\(key): needs a non-empty string") }
            return s
        }
        tree = try optional(release, "release", "tree")
        supplier = try optional(release, "release", "supplier")
        policy = try optional(release, "release", "policy")
        if let audit = table["audit"]?.table { auditExempt = try strings(audit, "audit", "exempt", required: false) }
        contact = try string(offer, "offer", "contact")
        email = try string(offer, "offer", "email")
        address = try strings(offer ?? TOMLTable(), "offer", "address")
        offerYears = offer?["years"]?.int ?? 3
        guard offerYears >= 3 else { throw fail("offer.years: \(offerYears); GPL-2.0 §3(b) and GPL-3.0 §6(b) need at least 3") }
        var parts: [Part] = []
        for (index, item) in (table["part"]?.array ?? TOMLArray()).enumerated() {
            let here = "part[\(index)]"
            guard let t = item.table else { throw fail("\(here): not a table") }
            try checkKeys(t, "part", here)
            let part = Part(name: try string(t, here, "name"), license: try string(t, here, "license"),
                            sources: try strings(t, here, "sources"), build: try strings(t, here, "build"),
                            binaries: try strings(t, here, "binaries"),
                            toolchain: try strings(t, here, "toolchain", required: false))
            for path in part.sources + part.binaries where path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                throw fail("\(here) \(part.name): \"\(path)\" must be relative to the tree, without ..")
            }
            parts.append(part)
        }
        self.parts = parts
        var shipped: [Shipped] = []
        for (index, item) in (table["shipped"]?.array ?? TOMLArray()).enumerated() {
            let here = "shipped[\(index)]"
            guard let t = item.table else { throw fail("\(here): not a table") }
            try checkKeys(t, "shipped", here)
            let entry = Shipped(component: try string(t, here, "component"), binaries: try strings(t, here, "binaries"),
                                package: try optional(t, here, "package"), version: try optional(t, here, "version"),
                                packagePaths: try strings(t, here, "package_paths", required: false),
                                installedBy: try strings(t, here, "installed_by", required: false))
            if (entry.package == nil) != (entry.version == nil) {
                throw fail("\(here) \(entry.component): package and version go together (the exact Debian version shipped)")
            }
            if entry.package != nil && entry.packagePaths.count != entry.binaries.count {
                throw fail("\(here) \(entry.component): package_paths needs one path inside the package per binary (\(entry.binaries.count))")
            }
            for path in entry.installedBy where path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                throw fail("\(here) \(entry.component): installed_by \"\(path)\" must be relative to the tree, without ..")
            }
            shipped.append(entry)
        }
        self.shipped = shipped
        for (index, item) in (table["sbom"]?.array ?? TOMLArray()).enumerated() {
            let here = "sbom[\(index)]"
            guard let t = item.table else { throw fail("\(here): not a table") }
            try checkKeys(t, "sbom", here)
            supplierSBOMs.append(try string(t, here, "path"))
        }
        if let value = table["sbom"], value.array == nil { throw fail("sbom: not an array of tables ([[sbom]])") }
    }

    static func dateParts(_ date: String) -> (year: Int, month: Int, day: Int)? {
        let fields = date.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
              let y = Int(fields[0]), let m = Int(fields[1]), let d = Int(fields[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        return (y, m, d)
    }

    /// The last day the written offer is valid: the release date plus `offerYears` years
    /// (29 February becomes 1 March in a common year).
    public var offerValidUntil: String {
        guard let (y, m, d) = ReleaseDescription.dateParts(date) else { return date }
        let year = y + offerYears
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let (month, day) = (m == 2 && d == 29 && !leap) ? (3, 1) : (m, d)
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
