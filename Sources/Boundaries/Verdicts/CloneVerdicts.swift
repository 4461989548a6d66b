// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Verdicts on copied code (rule 5): copies of copyleft files of the tree or of reference
// corpora in code whose license cannot hold them, unlicensed code included.

import Foundation
import Inventory
import Licensing

extension CheckRun {
    // MARK: copied code (rule 5)

    mutating func checkClones() throws {
        let candidates = files.filter(BoundaryChecker.isSourceCode)
        var gplFiles: [String] = []
        var queryFiles: [String] = []
        // Only the files on either side are read, each when a worker reaches it.
        for path in candidates {
            // Originals: files whose code may not be copied into all-rights-reserved code
            // (copyleft, weak copyleft included; an OR only when no alternative allows it: a
            // copy of `GPL-2.0 OR MIT` code is allowed by MIT anywhere). Copies are looked
            // for in every other file, those with no license statement included.
            let zone = zones.zone(of: path)
            let isGPL = zone.fileLicense != nil && judge.isCopyleft(zone.fileLicense, use: .copy)
            guard isGPL || !zones.isIgnored(path) else { continue }
            if isGPL { gplFiles.append(path) } else { queryFiles.append(path) }
        }
        let detector = CloneDetector()
        var matches: [(CloneMatch, String)] = []
        if !gplFiles.isEmpty {
            progress("boundaries: comparing \(queryFiles.count) files with \(gplFiles.count) GPL files of the tree")
            // The checked files are indexed too, never as originals: code that many files
            // of the tree share, whatever their license, is idiom (CloneDetector.rareFiles).
            let index = CloneIndex.build(root: root, paths: gplFiles, countedOnly: queryFiles, jobs: checker.options.jobs)
            matches += detector.matches(root: root, paths: queryFiles, in: index, jobs: checker.options.jobs).map { ($0, "tree") }
        }
        for reference in checker.options.references + policy.references {
            let name = (reference as NSString).lastPathComponent
            progress("boundaries: comparing \(queryFiles.count) files with \(reference)")
            let index = try CloneIndex.cached(corpus: reference, name: name, cacheDirectory: checker.options.cacheDirectory + "/clones",
                                              jobs: checker.options.jobs, progress: checker.options.progress)
            matches += detector.matches(root: root, paths: queryFiles, in: index, jobs: checker.options.jobs).map { ($0, name) }
        }
        for (match, corpus) in matches {
            let fromZone = zones.zone(of: match.query.path)
            let original = corpus == "tree" ? zones.zone(of: match.reference.path) : nil
            let copyLicense = fromZone.fileLicense ?? fromZone.license
            // A reference corpus is GPL code (the kernel); a file of the tree has its own license.
            if let original, !incompatible(program: copyLicense, code: original.fileLicense, use: .copy) { continue }
            report(BoundaryFinding(
                rule: "copied-code", severity: .error, fromZone: fromZone.zone,
                toZone: original?.zone ?? "reference:\(corpus)", location: match.query,
                message: "\(match.lines) lines (\(match.tokens) tokens) match \(match.reference) "
                    + "with identifiers and layout normalised"
                    + (original.map { ": " + reason(program: copyLicense, code: $0.fileLicense, use: .copy) } ?? ""),
                evidence: [EvidenceStep(match.query, "copy in \(judge.describe(copyLicense)) code"),
                           EvidenceStep(match.reference, "original, "
                                        + (original.map { $0.fileLicense ?? "GPL" } ?? "reference corpus \(corpus)"))]))
        }
    }
}
