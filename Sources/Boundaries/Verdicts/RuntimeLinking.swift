// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Verdicts on code a binary loads at run time: DT_NEEDED libraries and dlopen'ed plugins.
// Both are judged as dynamic linking (the FSF's reading: a program and a plugin that share
// an address space and call each other form one program); an exception in scope (a
// linking exception, openvpn-openssl-exception with OpenSSL only) lifts the copyleft.

import Foundation
import Inventory
import Licensing

extension CheckRun {
    /// A library named by file name: one of the given binaries (its zone), else a component
    /// of the scan (a Debian package found by the dynamic loader's search).
    struct LoadedLibrary {
        var name: String
        var license: String?
        var zone: ZoneAssignment
        var evidence: [EvidenceStep]
        /// A Debian package's license lists every file of its source package: judged GPL
        /// only by CheckRunRules.isGPLLibrary.
        var isPackage: Bool
    }

    func library(named name: String, given: [String: ZoneAssignment]) -> LoadedLibrary? {
        let base = (name as NSString).lastPathComponent
        if let (path, zone) = given.sorted(by: { $0.key < $1.key }).first(where: { ($0.key as NSString).lastPathComponent == base }) {
            return LoadedLibrary(name: base, license: zone.license, zone: zone,
                                 evidence: [EvidenceStep(SourceLocation(path: path), "\(base), zone \(zone.zone), \(judge.describe(zone.license))")],
                                 isPackage: false)
        }
        for component in checker.report.components where component.kind != .binary && component.kind != .sourceTree {
            let locations = (component.location ?? "").split(separator: "\n").map(String.init)
            guard locations.contains(where: { ($0 as NSString).lastPathComponent == base }) else { continue }
            let license = component.declaredLicense ?? component.concludedLicense
            let location = locations.first { ($0 as NSString).lastPathComponent == base } ?? base
            return LoadedLibrary(name: component.name, license: license,
                                 zone: ZoneAssignment(zone: "library:\(component.name)", license: license, fileLicense: license),
                                 evidence: [EvidenceStep(SourceLocation(path: location),
                                                         "package \(component.name) \(component.version ?? ""), \(license ?? "license unknown")")],
                                 isPackage: true)
        }
        return nil
    }

    /// DT_NEEDED entries: libraries the loader maps at start.
    mutating func checkDynamicLinks(_ binary: BinaryFacts, zone: ZoneAssignment, given: [String: ZoneAssignment]) {
        for needed in binary.needed {
            guard let library = library(named: needed, given: given) else { continue }
            let evidence = [EvidenceStep(SourceLocation(path: binary.path), "DT_NEEDED \(needed)")] + library.evidence
            judgeLoad(binary, zone: zone, library: library, evidence: evidence, what: "links \(library.name) at run time",
                      rule: "dynamic-link", use: .dynamicLink(library: needed))
        }
    }

    /// dlopen'ed plugins: the binary references dlopen and names the library in its data.
    mutating func checkDynamicLoading(_ binary: BinaryFacts, zone: ZoneAssignment, given: [String: ZoneAssignment]) {
        for name in binary.dlopenStrings where !binary.needed.contains((name as NSString).lastPathComponent) {
            guard let library = library(named: name, given: given) else { continue }
            let evidence = [EvidenceStep(SourceLocation(path: binary.path), "references dlopen"),
                            EvidenceStep(SourceLocation(path: binary.path), "names \"\(name)\" in its read-only data")]
                + library.evidence
            judgeLoad(binary, zone: zone, library: library, evidence: evidence, what: "loads \(name) with dlopen",
                      rule: "dynamic-load", use: .dynamicLink(library: name))
        }
    }

    private mutating func judgeLoad(_ binary: BinaryFacts, zone: ZoneAssignment, library: LoadedLibrary, evidence: [EvidenceStep],
                                    what: String, rule what2: String, use: CombinationUse) {
        cross(zone, library.zone, kind: .dynamicLink, at: SourceLocation(path: binary.path), evidence: evidence,
              what: "\(binary.path) \(what)")
        guard library.zone.zone != zone.zone, incompatible(program: zone.license, code: library.license, use: use) else { return }
        // A distribution's package: its declared license mixes every file's; only a plain
        // GPL library (no LGPL part, no exception) is judged as GPL.
        if library.isPackage, !CheckRunRules.isGPLLibrary(library.license) { return }
        report(BoundaryFinding(
            rule: rule(what2, code: library.license, use: use), severity: .error, fromZone: zone.zone, toZone: library.zone.zone,
            location: SourceLocation(path: binary.path),
            message: "\(binary.path) (\(judge.describe(zone.license))) \(what), which is \(judge.describe(library.license)): "
                + reason(program: zone.license, code: library.license, use: use),
            evidence: evidence))
    }
}
