// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What keeps a document from the NTIA minimum elements (and BSI TR-03183-2's required
// fields), each gap with the flag or release.toml key that fills it, so `candor` never
// writes a non-conformant SBOM silently. Only values the user can give are gaps here; what
// no flag can provide (a dependency's author's mail, its concluded license, the file of a
// library the platform provides) stays absent from the documents rather than guessed.

import Inventory

/// One missing value: which package lacks what, and how to provide it.
public struct ConformanceGap: Hashable, Sendable, CustomStringConvertible {
    public var package: String
    public var field: String
    public var remedy: String

    public var description: String { "\(package): no \(field); \(remedy)" }
}

/// The gaps of `document`, in package order. A package the release does not distribute
/// (provided by the platform) still needs them: the NTIA elements cover every component.
public func conformanceGaps(of document: SPDXDocument) -> [ConformanceGap] {
    var gaps: [ConformanceGap] = []
    let treeOrBinary: Set<String> = ["SOURCE", "APPLICATION"]
    for package in document.packages {
        let ours = treeOrBinary.contains(package.primaryPackagePurpose ?? "")
        if package.supplier == "NOASSERTION" {
            gaps.append(.init(package: package.name, field: "supplier",
                              remedy: ours ? "give it with --organization NAME (release.toml: supplier)"
                                  : "give it with --supplier '\(package.name)=Organization: NAME' "
                                  + "(release.toml: supplier of the [[component]])"))
        }
        if package.versionInfo == nil {
            gaps.append(.init(package: package.name, field: "version",
                              remedy: ours ? "tag the commit (git describe --tags gives it) or set version in release.toml"
                                  : "give it with version in its [[component]] of release.toml"))
        }
    }
    let creators = document.creationInfo.creators.filter { $0.hasPrefix("Organization:") || $0.hasPrefix("Person:") }
    if creators.isEmpty {
        gaps.append(.init(package: document.name, field: "author (an organization or person creating the SBOM)",
                          remedy: "give it with --organization NAME (release.toml: supplier)"))
    } else if !creators.contains(where: { CDXEntity(spdx: $0).email != nil || CDXEntity(spdx: $0).url != nil }) {
        gaps.append(.init(package: document.name,
                          field: "mail or URL of the SBOM's creator (BSI TR-03183-2: creator of the SBOM)",
                          remedy: "give it with --organization 'NAME <mail>' or 'NAME (https://...)' (release.toml: supplier)"))
    }
    gaps += unlicensedTrees(of: document)
    return gaps
}

/// BSI TR-03183-2's distribution licence of the scanned tree: concluded only when each of its
/// files states a license, so the gap names the files that do not (the tree is the user's
/// own; a dependency's or a binary's license is not a value a flag can give).
private func unlicensedTrees(of document: SPDXDocument) -> [ConformanceGap] {
    let unlicensed = Set(document.files.filter { $0.licenseConcluded == "NOASSERTION" && !$0.fileTypes.contains("SPDX") }
        .map(\.spdxID))
    let names = Dictionary(document.files.map { ($0.spdxID, $0.fileName) }, uniquingKeysWith: { a, _ in a })
    var gaps: [ConformanceGap] = []
    for package in document.packages where package.primaryPackagePurpose == "SOURCE" && package.licenseConcluded == "NOASSERTION" {
        let files = document.relationships.filter {
            $0.spdxElementId == package.spdxID && $0.relationshipType == "CONTAINS" && unlicensed.contains($0.relatedSpdxElement)
        }.compactMap { names[$0.relatedSpdxElement].map { String($0.dropFirst(2)) } }.sorted()
        guard !files.isEmpty else { continue }
        let shown = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? " and \(files.count - 3) more" : "")
        gaps.append(.init(package: package.name,
                          field: "concluded license (BSI TR-03183-2: distribution licence)",
                          remedy: "\(files.count) of its files state no license (\(shown)); give each an "
                              + "SPDX-License-Identifier tag or a REUSE.toml annotation"))
    }
    return gaps
}

/// `report` with the suppliers given as `component name or id -> supplier` (a bare name is
/// taken as a person or organization as `Agent.spdx` decides). Unknown keys are returned.
public func applyingSuppliers(_ suppliers: [String: String], to report: ScanReport) -> (ScanReport, unknown: [String]) {
    var report = report
    var used: Set<String> = []
    for index in report.components.indices {
        let component = report.components[index]
        for key in [component.id, component.name] {
            if let value = suppliers[key] {
                report.components[index].supplier = Agent.spdx(value)
                used.insert(key)
            }
        }
    }
    return (report, suppliers.keys.filter { !used.contains($0) }.sorted())
}
