// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Verdicts on Swift packages: a target's sources (rule 2) and its dependencies on targets
// of other zones, judged by the license semantics.

import Foundation
import Inventory
import Licensing

extension CheckRun {
    // MARK: Swift packages: target dependencies, imports, and what each target compiles

    mutating func checkSwiftPackages() throws {
        progress("boundaries: reading Swift packages")
        let packages = SwiftPackageGraph.loadAll(root: root, files: files, trustBuild: checker.options.trustBuild)
        var fileTargets: [String: String] = [:]
        for package in packages {
            problems += package.problems
            for target in package.targets { for source in target.sources { fileTargets[source] = target.name } }
        }
        zones = ZoneMap(policy: policy, licenses: zones.licenses, files: files, fileTargets: fileTargets,
                        buildZones: buildZones)
        for package in packages {
            let manifest = package.packageDirectory.isEmpty ? "Package.swift" : package.packageDirectory + "/Package.swift"
            let manifestLines = (try? String(contentsOfFile: root + "/" + manifest, encoding: .utf8))?
                .split(separator: "\n", omittingEmptySubsequences: false) ?? []
            func line(ofTarget name: String) -> Int? {
                manifestLines.firstIndex { $0.contains("name: \"\(name)\"") }.map { $0 + 1 }
            }
            let byName = Dictionary(package.targets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for target in package.targets where target.kind != .test {
                checkTargetSources(target, manifest: SourceLocation(path: manifest, line: line(ofTarget: target.name)))
            }
            // Dependencies, with the import line as evidence where there is one.
            for target in package.targets {
                guard let fromZone = zone(ofTarget: target) else { continue }
                for dependency in target.targetDependencies {
                    guard let other = byName[dependency], let toZone = zone(ofTarget: other) else { continue }
                    let importSite = package.imports.first { imp in imp.module == dependency && target.sources.contains(imp.file) }
                    let location = importSite.map { SourceLocation(path: $0.file, line: $0.line) }
                        ?? SourceLocation(path: manifest, line: line(ofTarget: target.name))
                    let evidence = [
                        EvidenceStep(SourceLocation(path: manifest, line: line(ofTarget: target.name)),
                                     "target \(target.name) depends on \(dependency)"),
                    ] + (importSite.map { [EvidenceStep(SourceLocation(path: $0.file, line: $0.line), "import \(dependency)")] } ?? [])
                    cross(fromZone, toZone, kind: .import, at: location, evidence: evidence,
                          what: "target \(target.name) uses \(dependency)")
                    if incompatible(program: fromZone.license, code: toZone.license, use: .staticLink) {
                        report(BoundaryFinding(
                            rule: rule("dependency", code: toZone.license, use: .staticLink), severity: .error, fromZone: fromZone.zone, toZone: toZone.zone,
                            location: location,
                            message: "target \(target.name) (\(judge.describe(fromZone.license))) links target \(dependency), "
                                + "which is \(judge.describe(toZone.license)): "
                                + reason(program: fromZone.license, code: toZone.license, use: .staticLink),
                            evidence: evidence))
                    }
                }
            }
        }
    }

    /// A target's zone: its policy zone, else the zone of its sources' main license.
    func zone(ofTarget target: SwiftTarget) -> ZoneAssignment? {
        if let zone = policy.zones.first(where: { $0.targets.contains(target.name) }) {
            let any = target.sources.first.map { zones.zone(of: $0) }
            return ZoneAssignment(zone: zone.name, license: zone.license ?? any?.license, fileLicense: nil)
        }
        let assignments = target.sources.filter { !zones.isIgnored($0) }.map { zones.zone(of: $0) }
        return Self.mainZone(assignments)
    }

    /// The zone most files are in (ties: the name first in order).
    static func mainZone(_ assignments: [ZoneAssignment]) -> ZoneAssignment? {
        let counts = Dictionary(grouping: assignments, by: \.zone)
        return counts.max { a, b in (a.value.count, b.key) < (b.value.count, a.key) }?.value.first
    }

    /// Rule 2 for a target: a GPL file compiled into a target whose zone is not GPL.
    mutating func checkTargetSources(_ target: SwiftTarget, manifest: SourceLocation) {
        guard let targetZone = zone(ofTarget: target) else { return }
        for source in target.sources where !zones.isIgnored(source) {
            let license = zones.licenses.license(of: source)
            guard incompatible(program: targetZone.license, code: license, use: .staticLink) else { continue }
            let location = SourceLocation(path: source, line: licenseLine(of: source))
            report(BoundaryFinding(
                rule: rule("source-in-target", code: license, use: .staticLink), severity: .error, fromZone: targetZone.zone,
                toZone: zones.zone(of: source).zone, location: location,
                message: "\(source) is \(judge.describe(license)) and is compiled into target \(target.name), "
                    + "whose zone \(targetZone.zone) is \(judge.describe(targetZone.license)): "
                    + reason(program: targetZone.license, code: license, use: .staticLink),
                evidence: [EvidenceStep(manifest, "target \(target.name) compiles every source under \(target.path)"),
                           EvidenceStep(location, "license \(judge.describe(license))")]))
        }
    }
}
