// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Rule 4: symbols exported GPL-only (the shim's CANDOR_EXPORT_GPL, the kernel's
// EXPORT_SYMBOL_GPL and Module.symvers) used by code whose license offers no GPL.
// A Linux module is judged by its MODULE_LICENSE, as modpost does: from the built `.ko`'s
// undefined symbols when it is given (uses through static inline helpers and macros are
// there), else from its sources (only uses written in its own .c files are seen). Files
// the Kbuild makefiles build into the kernel are not judged (GPL-only exports bind
// modules); every other C file is judged under its own license.

import Foundation
import Parallel

extension CheckRun {
    mutating func checkExports() {
        progress("boundaries: reading exports")
        let cFiles = files.filter(Self.isCFamily)
        // Each file is read when a worker reaches it and only its GPL-only exports are kept:
        // a kernel's C text (a gigabyte) is never held at once. Uses are read again below,
        // only from the files that are judged.
        let root = self.root
        let exported = Parallel.map(cFiles.count, jobs: checker.options.jobs) { index -> [ExportedSymbol] in
            guard let text = Self.text(root: root, path: cFiles[index]) else { return [] }
            return ExportAnalysis.exports(in: text, path: cFiles[index]).filter(\.gplOnly)
        }
        var gplOnly: [String: ExportedSymbol] = [:]
        for export in exported.joined() where gplOnly[export.symbol] == nil { gplOnly[export.symbol] = export }
        for path in files where (path as NSString).lastPathComponent == "Module.symvers" {
            guard let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) else { continue }
            for export in ExportAnalysis.symvers(in: text, path: path) where export.gplOnly {
                if gplOnly[export.symbol] == nil { gplOnly[export.symbol] = export }
            }
        }
        guard !gplOnly.isEmpty else { return }
        let symbols = IdentifierSet(Set(gplOnly.keys))

        // Built modules: their undefined symbols, as modpost reads them.
        var judgedFromBinary = Set<String>()
        for object in builtModules {
            let name = String(((object.path as NSString).lastPathComponent as NSString).deletingPathExtension)
            judgedFromBinary.insert(name)
            guard let license = object.declaredLicense ?? modules.first(where: { $0.name == name })?.license,
                  !ExportAnalysis.isGPLCompatibleModuleLicense(license) else { continue }
            for symbol in object.undefined {
                guard let export = gplOnly[symbol] else { continue }
                report(BoundaryFinding(
                    rule: "gpl-only-symbol", severity: .error, fromZone: "module:\(name)",
                    toZone: zones.zone(of: export.location.path).zone, location: SourceLocation(path: object.path),
                    message: "module \(name) (MODULE_LICENSE \"\(license)\", not GPL-compatible) uses \(symbol), "
                        + "exported GPL-only at \(export.location) (found in the built module's undefined symbols, as modpost does)",
                    evidence: [EvidenceStep(SourceLocation(path: object.path), "undefined symbol \(symbol) (.ko symbol table)"),
                               EvidenceStep(SourceLocation(path: object.path), ".modinfo license=\(license)"),
                               EvidenceStep(export.location, "exported GPL-only")]))
            }
        }
        // Modules not given built: their own .c files, lexed.
        for module in modules where !judgedFromBinary.contains(module.name) {
            guard let license = module.license, !ExportAnalysis.isGPLCompatibleModuleLicense(license) else { continue }
            for source in module.sources where Self.isCFamily(source) {
                guard let text = Self.text(root: root, path: source) else { continue }
                for use in ExportAnalysis.uses(of: symbols, in: text, path: source) {
                    guard let export = gplOnly[use.symbol] else { continue }
                    var evidence = [EvidenceStep(use.location, "uses \(use.symbol) (read from source: uses through headers "
                                                 + "and macros are seen only in the built .ko; pass it with --binary)"),
                                    EvidenceStep(export.location, "exported GPL-only")]
                    if let at = module.licenseLocation { evidence.insert(EvidenceStep(at, "MODULE_LICENSE(\"\(license)\")"), at: 1) }
                    report(BoundaryFinding(
                        rule: "gpl-only-symbol", severity: .error, fromZone: "module:\(module.name)",
                        toZone: zones.zone(of: export.location.path).zone, location: use.location,
                        message: "module \(module.name) (MODULE_LICENSE \"\(license)\", not GPL-compatible) uses "
                            + "\(use.symbol), exported GPL-only at \(export.location)",
                        evidence: evidence))
                }
            }
        }
        // Other C files: judged under their own license, except what Kbuild builds into the
        // kernel or a module (modules are judged above). Headers are judged where included.
        // In a Kbuild tree, a file the makefiles build into neither, and that no policy zone
        // names, goes into something not known (i915 #includes its selftests into other
        // files; some objects are named through variables not expanded): it is not judged
        // under its own license, and one analysis note counts such files.
        let moduleSources = Set(modules.flatMap(\.sources))
        let kernelBuilt = ExportAnalysis.kbuildSources(root: root, files: files, kbuild: kbuild)
        let kbuildTree = !kbuild.makefiles.isEmpty
        var unplaced: [String] = []
        for path in cFiles where !zones.isIgnored(path) && !moduleSources.contains(path) && !kernelBuilt.contains(path)
            && !Self.isHeader(path) {
            let zone = zones.zone(of: path)
            let license = zone.fileLicense ?? zone.license
            guard !judge.offersGPL(license), let text = Self.text(root: root, path: path) else { continue }
            // The exporting zone declares and implements its own symbols.
            let uses = ExportAnalysis.uses(of: symbols, in: text, path: path).compactMap { use in
                gplOnly[use.symbol].flatMap { export in
                    let exporter = zones.zone(of: export.location.path).zone
                    return exporter == zone.zone ? nil : (use: use, export: export, exporter: exporter)
                }
            }
            if kbuildTree && !uses.isEmpty && !zones.declaresProgramLicense(of: path) {
                unplaced.append(path)
                continue
            }
            for (use, export, exporter) in uses {
                report(BoundaryFinding(
                    rule: "gpl-only-symbol", severity: .error, fromZone: zone.zone,
                    toZone: exporter, location: use.location,
                    message: "\(path) (\(judge.describe(license))) uses \(use.symbol), "
                        + "exported GPL-only at \(export.location)",
                    evidence: [EvidenceStep(use.location, "uses \(use.symbol)"),
                               EvidenceStep(export.location, "exported GPL-only")]))
            }
        }
        if let first = unplaced.first {
            problems.append(AnalysisProblem(SourceLocation(path: first), "\(unplaced.count) C file(s) use GPL-only exports but the Kbuild "
                + "makefiles read build them into neither the kernel nor a module, and no policy zone names them: not judged "
                + "(their program is not known; a policy zone or the built .ko decides), e.g. " + unplaced.prefix(3).joined(separator: ", ")))
        }
    }

    /// A file of the tree as UTF-8 text; nil when unreadable or not UTF-8.
    static func text(root: String, path: String) -> String? {
        try? String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    static func isHeader(_ path: String) -> Bool {
        ["h", "hh", "hpp", "hxx"].contains((path as NSString).pathExtension.lowercased())
    }
}
