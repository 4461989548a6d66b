// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Verdicts on built binaries: the objects each contains (rule 2), symbol references across
// zones, GPL-only symbols (rule 4) and the licenses combined in one binary.

import Foundation
import Inventory
import Licensing

extension CheckRun {
    // MARK: binaries

    mutating func checkBinaries() {
        let given = checker.options.binaries
        guard !given.isEmpty else { return }
        progress("boundaries: reading \(given.count) binaries")
        let candidates = BinaryAnalysis.findBuildObjects(root: root)
        let analysis = BinaryAnalysis.analyze(paths: given, candidates: candidates, root: root)
        problems += analysis.problems
        var objects: [String: ObjectFacts] = [:]
        var binaryZones: [String: ZoneAssignment] = [:]
        for binary in analysis.binaries { for member in binary.members { objects[member.path] = member } }
        builtModules = analysis.binaries.filter { $0.path.hasSuffix(".ko") }.flatMap(\.members)
        let treeFiles = Set(files)
        // Source files as recorded in objects (DWARF names, STT_FILE basenames) -> tree files.
        let byBasename = Dictionary(grouping: files, by: { ($0 as NSString).lastPathComponent })
        func treeFile(_ recorded: String) -> String? {
            if treeFiles.contains(recorded) { return recorded }
            if recorded.hasPrefix(root + "/") { return String(recorded.dropFirst(root.count + 1)) }
            let candidates = byBasename[(recorded as NSString).lastPathComponent] ?? []
            let matching = candidates.filter { recorded.hasSuffix("/" + $0) || $0.hasSuffix("/" + recorded) || $0 == recorded }
            return matching.count == 1 ? matching[0] : (candidates.count == 1 ? candidates[0] : nil)
        }
        func zone(ofObject object: ObjectFacts) -> ZoneAssignment? {
            let sources = object.sourceFiles.compactMap(treeFile)
            if let license = object.declaredLicense, sources.isEmpty {
                return ZoneAssignment(zone: "object:\(license)", license: license, fileLicense: license)
            }
            return Self.mainZone(sources.map { zones.zone(of: $0) })
        }
        // Rule 2: no GPL source in a binary whose zone is not GPL.
        for binary in analysis.binaries {
            var sourceObjects: [(object: String, source: String)] = []
            for member in binary.members { for source in member.sourceFiles { sourceObjects.append((member.path, source)) } }
            for path in binary.linkedObjects {
                for source in objects[path]?.sourceFiles ?? [] { sourceObjects.append((path, source)) }
            }
            let inTree = sourceObjects.compactMap { pair in treeFile(pair.source).map { (pair.object, $0) } }
            let binaryZone = zones.zone(ofBinary: binary.path) ?? Self.mainZone(inTree.map { zones.zone(of: $0.1) })
                ?? binary.members.compactMap(\.declaredLicense).first.map { ZoneAssignment(zone: "object:\($0)", license: $0, fileLicense: $0) }
            guard let binaryZone else { continue }
            for (object, source) in inTree {
                let sourceZone = zones.zone(of: source)
                let tagLine = licenseLine(of: source)
                cross(binaryZone, sourceZone, kind: .link, at: SourceLocation(path: binary.path),
                      evidence: [EvidenceStep(SourceLocation(path: binary.path), "contains \(object)"),
                                 EvidenceStep(SourceLocation(path: source, line: tagLine), "compiled from \(source)")],
                      what: "\(binary.path) contains \(object)")
                let code = sourceZone.fileLicense
                guard incompatible(program: binaryZone.license, code: code, use: .staticLink) else { continue }
                report(BoundaryFinding(
                    rule: rule("object-in-binary", code: code, use: .staticLink), severity: .error,
                    fromZone: binaryZone.zone, toZone: sourceZone.zone,
                    location: SourceLocation(path: binary.path),
                    message: "\(binary.path) (\(binaryZone.zone), \(judge.describe(binaryZone.license))) contains "
                        + "\(object), compiled from \(source) (\(judge.describe(code))): "
                        + reason(program: binaryZone.license, code: code, use: .staticLink),
                    evidence: [EvidenceStep(SourceLocation(path: binary.path), "contains \(object)"),
                               EvidenceStep(SourceLocation(path: source, line: licenseLine(of: source)),
                                            "license \(judge.describe(code))")]))
            }
            checkCombinations(binary, zone: binaryZone, sources: inTree.map(\.1))
            binaryZones[binary.path] = binaryZone
        }
        checkSeparation(analysis.binaries)
        // Libraries loaded at run time (DT_NEEDED, dlopen), once every binary's zone is known.
        for binary in analysis.binaries {
            guard let zone = binaryZones[binary.path] else { continue }
            checkDynamicLinks(binary, zone: zone, given: binaryZones)
            checkDynamicLoading(binary, zone: zone, given: binaryZones)
        }
        // Symbol edges across zones, and GPL-only symbols (rule 4).
        let gplOnly = Dictionary(analysis.binaries.flatMap(\.members).flatMap { member in
            member.gplOnlyExports.map { ($0, member.path) }
        }, uniquingKeysWith: { a, _ in a })
        for edge in analysis.edges {
            guard let fromObject = objects[edge.fromObject], let toObject = objects[edge.toObject],
                  let fromZone = zone(ofObject: fromObject), let toZone = zone(ofObject: toObject) else { continue }
            let evidence = [EvidenceStep(SourceLocation(path: edge.fromObject), "references \(edge.symbol)"),
                            EvidenceStep(SourceLocation(path: edge.toObject), "defines \(edge.symbol)")]
            cross(fromZone, toZone, kind: .link, at: SourceLocation(path: edge.fromObject), evidence: evidence,
                  what: "\(edge.fromObject) references \(edge.symbol) in \(edge.toObject)")
            if incompatible(program: fromZone.license, code: toZone.license, use: .staticLink) && gplOnly[edge.symbol] == nil {
                report(BoundaryFinding(
                    rule: rule("symbol-reference", code: toZone.license, use: .staticLink), severity: .error,
                    fromZone: fromZone.zone, toZone: toZone.zone,
                    location: SourceLocation(path: edge.fromObject),
                    message: "\(edge.fromObject) (\(judge.describe(fromZone.license))) references \(edge.symbol), "
                        + "defined in \(edge.toObject) (\(judge.describe(toZone.license)))",
                    evidence: evidence))
            }
        }
        for object in objects.values {
            guard let fromZone = zone(ofObject: object), !judge.offersGPL(fromZone.license) else { continue }
            for symbol in object.undefined {
                guard let exporter = gplOnly[symbol] else { continue }
                report(BoundaryFinding(
                    rule: "gpl-only-symbol", severity: .error, fromZone: fromZone.zone,
                    toZone: objects[exporter].flatMap(zone(ofObject:))?.zone ?? "gpl-only-exports",
                    location: SourceLocation(path: object.path),
                    message: "\(object.path) (\(judge.describe(fromZone.license))) references \(symbol), "
                        + "which \(exporter) exports GPL-only",
                    evidence: [EvidenceStep(SourceLocation(path: object.path), "undefined symbol \(symbol)"),
                               EvidenceStep(SourceLocation(path: exporter), "\(symbol) listed in .candor_exports_gpl")]))
            }
        }
    }

    /// Every two licenses among the sources linked into one binary must combine, by the
    /// compatibility table (LicenseSemantics); the policy's `[[combinations]]` may allow
    /// more pairs.
    mutating func checkCombinations(_ binary: BinaryFacts, zone: ZoneAssignment, sources: [String]) {
        var firstSource: [String: String] = [:]  // license expression -> a source under it
        for source in Set(sources).sorted() {
            let license = zones.zone(of: source).fileLicense ?? ""
            if firstSource[license] == nil { firstSource[license] = source }
        }
        let licenses = firstSource.keys.sorted()
        for (index, a) in licenses.enumerated() {
            for b in licenses[(index + 1)...] {
                let la = a.isEmpty ? nil : a, lb = b.isEmpty ? nil : b
                guard case .incompatible(let why) = judge.canCombine(la, lb),
                      !policy.combinations.contains([a, b].sorted()) else { continue }
                let sourceA = firstSource[a]!, sourceB = firstSource[b]!
                report(BoundaryFinding(
                    rule: "license-combination", severity: .error, fromZone: zone.zone, toZone: zone.zone,
                    location: SourceLocation(path: binary.path),
                    message: "\(binary.path) combines \(judge.describe(la)) and \(judge.describe(lb)) code: \(why)",
                    evidence: [EvidenceStep(SourceLocation(path: sourceA, line: licenseLine(of: sourceA)), "license \(judge.describe(la))"),
                               EvidenceStep(SourceLocation(path: sourceB, line: licenseLine(of: sourceB)), "license \(judge.describe(lb))")]))
            }
        }
    }
}
