// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What keeps a document from the NTIA minimum elements (and BSI TR-03183-2's required
// fields), each gap with the flag or release.toml key that fills it, so `candor` never
// writes a non-conformant SBOM silently.

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
    if !document.creationInfo.creators.contains(where: { $0.hasPrefix("Organization:") || $0.hasPrefix("Person:") }) {
        gaps.append(.init(package: document.name, field: "author (an organization or person creating the SBOM)",
                          remedy: "give it with --organization NAME (release.toml: supplier)"))
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
