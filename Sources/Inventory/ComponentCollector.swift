// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Components of a scan: the tree itself, its resolved Swift packages, the given binaries
// with what they link, and the components a components.toml declares.

import Foundation
import Licensing

struct ComponentCollector {
    let root: String
    /// Read only when Swift packages, binaries or declared components need it.
    let database: LazyLicenseDatabase
    let options: ScanOptions
    let listing: TreeListing
    let files: [FileRecord]

    func collect(findings: inout [Finding]) throws -> [Component] {
        var tree = treeComponent()
        let packages = SwiftPackages.present(root: root)
            ? SwiftPackages.load(root: root, database: try database.database(), findings: &findings) : []
        tree.relationships += packages.map { Component.Relationship(.dependsOn, $0.component.id) }
        var components = [tree] + packages.map(\.component)
        if !options.binaries.isEmpty {
            var inspector = BinaryInspector(root: root, system: options.system, packages: packages,
                                            detector: LicenseDetector(database: try database.database()), files: files)
            components += inspector.inspect(options.binaries, findings: &findings)
        }
        addLicenseIndexes(to: &components)
        if let file = options.componentsFile {
            components += DeclaredComponents.load(file, root: root, system: options.system, database: try database.database(),
                                                  findings: &findings)
        }
        return components
    }

    /// The tree's files that are compiled license indexes (known by their header, whatever
    /// their name): the license data they hold is a component the tree contains; the same
    /// file already found beside a binary is that component.
    private func addLicenseIndexes(to components: inout [Component]) {
        for file in files where file.isBinary {
            guard let dataVersion = LicenseDatabase.indexDataVersion(ofFile: root + "/" + file.path) else { continue }
            let id: String
            if let known = components.firstIndex(where: { $0.kind == .data && $0.checksums["SHA256"] == file.sha256 }) {
                id = components[known].id
                components[known].location = [components[known].location, file.path].compactMap { $0 }.joined(separator: "\n")
            } else {
                var data = licenseDataComponent(dataVersion: dataVersion, location: file.path)
                data.checksums = ["SHA1": file.sha1, "SHA256": file.sha256]
                if components.contains(where: { $0.id == data.id }) { data.id += "@\(file.sha256.prefix(12))" }
                data.comment = (data.comment ?? "") + "; \(file.path) is a compiled license index (its header states \(dataVersion))"
                components.append(data)
                id = data.id
            }
            let contains = Component.Relationship(.contains, id)
            if !components[0].relationships.contains(contains) { components[0].relationships.append(contains) }
        }
    }

    /// The scanned tree: named after its Package.swift or directory, versioned by git.
    private func treeComponent() -> Component {
        let (license, licenseNote) = declaredTreeLicense()
        var version: String?
        var versionNote = "no git work tree: version unknown"
        if let described = listing.gitDescription {
            version = described
            versionNote = "version from git describe --tags"
        } else if let commit = listing.gitCommit {
            version = String(commit.prefix(7))
            versionNote = "no tag reaches HEAD: version is the short commit id"
        }
        return Component(id: "tree", kind: .sourceTree, name: SwiftPackages.packageName(root: root) ?? URL(fileURLWithPath: root).lastPathComponent,
                         version: version, declaredLicense: license, distribution: .distributed,
                         files: files.map(\.path), gitCommit: listing.gitCommit, gitDirty: listing.gitDirty,
                         location: root, comment: "\(versionNote); \(licenseNote)")
    }

    /// The licenses of the top-level LICENSE/LICENCE/COPYING files (texts and notices
    /// detected in them); without such files, the license tag most files carry.
    private func declaredTreeLicense() -> (String?, String) {
        // A byte search: Foundation's `contains` on 78,000 paths was a visible part of a re-scan.
        let topLevel = files.filter { f in !f.path.utf8.contains(UInt8(ascii: "/")) && SwiftPackages.isLicenseFileName(f.path) }
        let fromFiles = Set(topLevel.compactMap(\.statedLicense))
        if !fromFiles.isEmpty {
            return (LicenseExpression.conjunction(fromFiles.sorted()), "declared license detected in \(topLevel.map(\.path).joined(separator: ", "))")
        }
        var counts: [String: Int] = [:]
        for f in files { for t in Set(f.licenseTags) { counts[t, default: 0] += 1 } }
        if let (tag, n) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            return (tag, "no license file at the top: declared license is the most common SPDX tag (\(n) files)")
        }
        return (nil, "no license file and no SPDX tags: declared license unknown")
    }
}

/// The license data a compiled license index holds (the file `candor license-index`
/// writes, recognised by its header), named and versioned as the index states
/// (`licensedcode-data 32.1.0`). The data is CC-BY-4.0: an SBOM of what ships it lists it.
public func licenseDataComponent(dataVersion: String, location: String? = nil) -> Component {
    let parts = dataVersion.split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts.first ?? "licensedcode-data"
    // "licensedcode-data (version unknown)": compiled from data without a wheel's metadata.
    let version = parts.count > 1 && !parts[1].hasPrefix("(") ? parts[1] : nil
    return Component(id: "data:\(name)", kind: .data, name: name, version: version,
                     purl: version.map { "pkg:pypi/\(name)@\($0)" },
                     supplier: "Organization: nexB Inc. and others (ScanCode)",
                     downloadLocation: version.map { "https://pypi.org/project/\(name)/\($0)/" },
                     declaredLicense: "CC-BY-4.0", concludedLicense: "CC-BY-4.0",
                     copyrightText: "Copyright (c) nexB Inc. and others",
                     distribution: .distributed, location: location,
                     comment: "license texts and detection rules compiled into a license index; version as the index states it")
}
