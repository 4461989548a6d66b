// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Verdicts on C and C++ include chains: header sets (rule 1), declared crossings, and
// headers whose license the including unit's license cannot hold.

import Foundation
import Inventory
import Licensing
import Parallel

extension CheckRun {
    // MARK: C and C++ includes

    mutating func checkIncludes() throws {
        progress("boundaries: building the include graph")
        let graph = try IncludeGraphBuilder.build(root: root, files: files, compileCommands: checker.options.compileCommands,
                                                  jobs: checker.options.jobs, trustBuild: checker.options.trustBuild)
        problems += graph.problems
        countIncludeEdges(graph)
        progress("boundaries: judging the headers of \(graph.units.count) units")
        let index = IncludeGraphIndex(graph)
        let headerSetGlobs = policy.headerSets.map { ($0, $0.paths.map { Glob($0) }) }
        let facts = headerFacts(index, headerSetGlobs: headerSetGlobs)
        let classLicense = facts.classLicense
        var reportedHeaders: Set<String> = []

        // `declared`: a policy zone or a module states the license the unit is distributed
        // under. Otherwise the zone is only the file's own license (a tree without a policy):
        // the file is not a program of its own but goes into one under some license, so a
        // header breaks it only where no program can hold both, i.e. neither can the
        // header's license hold the file's code nor the file's license the header's (an MIT
        // file with GPL headers goes into a GPL program; a proprietary one cannot).
        var programList: [(license: String?, declared: Bool)] = []
        var programRows: [String: Int] = [:]
        var units: [IncludingUnit] = []
        for unit in graph.units where !zones.isIgnored(unit.source) {
            let unitZone = zones.zone(of: unit.source)
            // The unit is judged under its zone's license (a module, a policy zone), unless
            // its own file already breaks that (another rule reports it).
            let program = unitZone.license
            let declared = zones.declaresProgramLicense(of: unit.source)
            let key = (declared ? "" : "file\u{0}") + (program ?? "")
            let row = programRows[key] ?? programList.count
            if row == programList.count {
                programRows[key] = row
                programList.append((program, declared))
            }
            units.append(IncludingUnit(
                source: unit.source, evidence: unit.evidence, zone: unitZone, policyZone: zones.policyZone(of: unit.source), program: program,
                broken: unitZone.fileLicense != program && incompatible(program: program, code: unitZone.fileLicense, use: .staticLink),
                offersGPL: judge.offersGPL(program), programRow: row))
        }

        // The headers a rule looks at, found for many units at once on every thread, then
        // judged and reported in unit order, so the report is the same on any number of jobs.
        struct Worker {
            var walk: IncludeGraphIndex.Walk
            /// Program row -> header class -> 0 unknown, 1 breaks, 2 does not.
            var verdicts: [[UInt8]]
            var hits: [(unit: Int, hits: [IncludeHit])] = []
        }
        let programs = programList
        let judge = self.judge
        let policy = self.policy
        let checksCrossings = !policy.crossings.isEmpty
        // The few facts the walks test for every header reached, without the strings of
        // HeaderFacts (copying those for 30 million (unit, header) pairs shows in a profile).
        struct Quick {
            /// -2: no facts (not a header any edge reaches); else HeaderFacts.licenseClass.
            var licenseClass: Int32 = -2
            var forwards = false
            var inSets = false
        }
        let quick = facts.byFile.map { known in
            known.map { Quick(licenseClass: Int32($0.licenseClass), forwards: $0.forwards, inSets: !$0.sets.isEmpty) } ?? Quick()
        }
        func breaks(_ row: Int, _ reached: Quick, _ verdicts: inout [[UInt8]]) -> Bool {
            guard reached.licenseClass >= 0, !reached.forwards else { return false }
            let licenseClass = Int(reached.licenseClass)
            let known = verdicts[row][licenseClass]
            if known != 0 { return known == 1 }
            let (program, declared) = programs[row]
            let code = classLicense[licenseClass]
            var made = judge.isIncompatible(program: program, code: code.license, use: .include(userSpaceInterface: code.uapi))
            if made && !declared { made = judge.isIncompatible(program: code.license, code: program, use: .staticLink) }
            verdicts[row][licenseClass] = made ? 1 : 2
            return made
        }
        // Units a chunk at a time: the hits of a tree whose every unit reaches a header set
        // are not all held at once.
        let chunk = 2048
        for first in stride(from: 0, to: units.count, by: chunk) {
            let range = first..<min(units.count, first + chunk)
            let workers = Parallel.forEach(range.count, jobs: checker.options.jobs, batch: 16, state: {
                Worker(walk: index.makeWalk(),
                       verdicts: [[UInt8]](repeating: [UInt8](repeating: 0, count: classLicense.count), count: programs.count))
            }) { worker, offset in
                let unitIndex = range.lowerBound + offset
                let unit = units[unitIndex]
                index.walk(from: unit.source, &worker.walk)
                var hits: [IncludeHit] = []
                for header in worker.walk.headers {
                    let reached = quick[Int(header)]
                    guard reached.licenseClass != -2 else { continue }
                    let crossingDeclared = checksCrossings && worker.walk.depth(of: header) > 1
                        && facts.byFile[Int(header)].map { $0.zone.zone != unit.zone.zone
                            && policy.crossing(from: unit.zone.zone, to: $0.zone.zone) != nil } ?? false
                    let breaksUnit = !unit.broken && breaks(unit.programRow, reached, &worker.verdicts)
                    guard crossingDeclared || reached.inSets || breaksUnit else { continue }
                    let chain = index.chain(to: header, in: worker.walk)
                    // Code the unit's license cannot hold: only the first such header of a chain.
                    let firstBreak = breaksUnit && !chain.dropLast().contains { edge in
                        guard let to = edge.to.flatMap({ index.number[$0] }) else { return false }
                        return breaks(unit.programRow, quick[Int(to)], &worker.verdicts)
                    }
                    hits.append(IncludeHit(header: header, chain: chain, crossingDeclared: crossingDeclared, breaksUnit: firstBreak))
                }
                if !hits.isEmpty { worker.hits.append((unitIndex, hits)) }
            }
            for (unitIndex, hits) in workers.flatMap(\.hits).sorted(by: { $0.unit < $1.unit }) {
                let unit = units[unitIndex]
                for hit in hits {
                    reportInclude(hit, of: unit, header: index.paths[Int(hit.header)], facts: facts.byFile[Int(hit.header)]!,
                                  headerSetGlobs: headerSetGlobs, classLicense: classLicense, reportedHeaders: &reportedHeaders)
                }
            }
        }
    }

    /// What the include rules need of a unit, worked out before the walks (the zone map is
    /// not shared between threads), which only read it.
    struct IncludingUnit {
        var source: String
        /// How its includes were chosen, for the evidence.
        var evidence: IncludeEvidence
        var zone: ZoneAssignment
        var policyZone: BoundaryPolicy.Zone?
        /// The license the unit is judged under (its module's, its policy zone's, its own).
        var program: String?
        /// Its own file already breaks its program license (another rule reports it).
        var broken: Bool
        var offersGPL: Bool
        /// Its (program license, declared or not) among the distinct ones, for the verdict cache.
        var programRow: Int
    }

    /// A header of a unit's reach that a rule looks at, with its shortest include chain.
    struct IncludeHit {
        var header: Int32
        var chain: [IncludeEdge]
        /// The policy declares a crossing between the unit's zone and the header's, not
        /// entered directly (direct edges are counted by countIncludeEdges).
        var crossingDeclared: Bool
        /// The header's code is code the unit's program cannot hold, and no header before
        /// it on the chain is: only the first such header of a chain is reported.
        var breaksUnit: Bool
    }

    /// What the rules need of a header, worked out once: a kernel-sized tree reaches
    /// hundreds of headers from each of tens of thousands of units.
    struct HeaderFacts {
        var zone: ZoneAssignment
        /// Index of (license, UAPI or not) among the distinct ones, for the verdict cache;
        /// -1: a file outside the tree with no license statement (the system's, not ours).
        var licenseClass: Int
        var sets: [Int]
        /// Only #include/#pragma/guards and comments: it adds no code of its own, so its
        /// license binds nothing; the headers it forwards to are reached and judged.
        var forwards: Bool
    }

    /// The facts of every file an include reaches, by its number in `index`, and the
    /// distinct (license, UAPI or not) classes they fall in.
    func headerFacts(_ index: IncludeGraphIndex, headerSetGlobs: [(BoundaryPolicy.HeaderSet, [Glob])])
        -> (byFile: [HeaderFacts?], classLicense: [(license: String?, uapi: Bool)]) {
        var byFile = [HeaderFacts?](repeating: nil, count: index.paths.count)
        var classes: [String: Int] = [:]
        var classLicense: [(license: String?, uapi: Bool)] = []
        let reached = index.reachedFiles()
        for number in reached {
            let header = index.paths[Int(number)]
            let zone = zones.zone(of: header)
            let sets = headerSetGlobs.indices.filter { headerSetGlobs[$0].1.contains { $0.matches(header) } }
            // A user-space interface header: in a header set that requires the syscall note,
            // or under a uapi/ directory.
            let uapi = sets.contains { headerSetGlobs[$0].0.requiredException?.lowercased() == "linux-syscall-note" }
                || header.contains("/uapi/") || header.hasPrefix("uapi/")
            var licenseClass = -1
            if zone.fileLicense != nil || !header.hasPrefix("/") {
                let key = "\(zone.fileLicense ?? "")\u{0}\(uapi)"
                if let known = classes[key] { licenseClass = known } else {
                    licenseClass = classLicense.count
                    classes[key] = licenseClass
                    classLicense.append((zone.fileLicense, uapi))
                }
            }
            byFile[Int(number)] = HeaderFacts(zone: zone, licenseClass: licenseClass, sets: sets, forwards: false)
        }
        // Whether a header only forwards: each is read, so on every thread.
        let licenses = zones.licenses
        let candidates = reached.filter { byFile[Int($0)]!.licenseClass >= 0 }
        let forwards = Parallel.map(candidates.count, jobs: checker.options.jobs) { item in
            licenses.carriesNoCode(index.paths[Int(candidates[item])])
        }
        for (item, number) in candidates.enumerated() { byFile[Int(number)]!.forwards = forwards[item] }
        return (byFile, classLicense)
    }

    /// Reports what one unit reaching one header breaks: a declared crossing, a header set
    /// it may not include or whose exception the header lacks, code its license cannot hold.
    mutating func reportInclude(_ hit: IncludeHit, of unit: IncludingUnit, header: String, facts reached: HeaderFacts,
                                headerSetGlobs: [(BoundaryPolicy.HeaderSet, [Glob])],
                                classLicense: [(license: String?, uapi: Bool)], reportedHeaders: inout Set<String>) {
        let chain = hit.chain
        let unitZone = unit.zone
        let program = unit.program
        let headerZone = reached.zone
        let first = chain[0]
        let location = SourceLocation(path: first.from, line: first.line)
        let headerLicense = headerZone.fileLicense
        // How the unit's includes were chosen: as compiled, or every #if branch.
        var evidence = chain.map { EvidenceStep(SourceLocation(path: $0.from, line: $0.line), "includes \($0.spelled)") }
            + [EvidenceStep(SourceLocation(path: unit.source), "include graph: \(unit.evidence)")]
        if zones.licenses.references[unit.source] != nil {
            evidence.append(EvidenceStep(SourceLocation(path: unit.source), licenseEvidence(of: unit.source, unitZone.fileLicense)))
        }
        evidence.append(EvidenceStep(SourceLocation(path: header), licenseEvidence(of: header, headerLicense)))
        let chainText = Self.describe(chain: chain, header: header)
        // Direct edges are counted by countIncludeEdges; here the policy judges what the unit reaches.
        if hit.crossingDeclared {
            judge(unitZone, headerZone, kind: .include, at: location, evidence: evidence, what: chainText)
        }
        // Header sets: only zones naming the set may include it (counted where a file of
        // the tree includes it itself, not where a system library does), and every
        // header of the set reached, directly or not, must carry the set's exception.
        for (set, globs) in reached.sets.map({ headerSetGlobs[$0] }) {
            let entering = chain.firstIndex { edge in edge.to.map { to in globs.contains { $0.matches(to) } } ?? false }
            let restricted = policy.zones.contains { $0.mayInclude.contains(set.name) }
            if restricted, let entering, !chain[entering].from.hasPrefix("/"), entering == chain.count - 1,
               let includer = zones.policyZone(of: chain[entering].from) ?? unit.policyZone,
               !includer.mayInclude.contains(set.name) {
                let edge = chain[entering]
                let allowed = policy.zones.filter { $0.mayInclude.contains(set.name) }.map(\.name)
                report(BoundaryFinding(
                    rule: "header-set-not-allowed", severity: .error, fromZone: includer.name, toZone: set.name,
                    location: SourceLocation(path: edge.from, line: edge.line),
                    message: "\(edge.from) includes \(header) (\(set.name)); \(set.name) headers may be included only by "
                        + (allowed.isEmpty ? "no zone" : allowed.joined(separator: ", ")),
                    evidence: evidence))
            }
            // GPL code needs no exception to include GPL headers.
            if let exception = set.requiredException, !reportedHeaders.contains(header), !unit.offersGPL,
               !zones.licenses.carriesNoCode(header),
               !(LicenseTerms.parse(headerLicense)?.exceptionIDs.contains(exception) ?? false) {
                reportedHeaders.insert(header)
                report(BoundaryFinding(
                    rule: "header-without-exception", severity: .error, fromZone: unitZone.zone, toZone: set.name,
                    location: location,
                    message: "\(chainText), \(judge.describe(headerLicense)) without \(exception)",
                    evidence: evidence))
            }
        }
        // Code the unit's license cannot hold: only the first such header of a chain.
        if hit.breaksUnit {
            let use = CombinationUse.include(userSpaceInterface: classLicense[reached.licenseClass].uapi)
            report(BoundaryFinding(
                rule: rule("include", code: headerLicense, use: use), severity: .error, fromZone: unitZone.zone,
                toZone: headerZone.zone, location: location,
                message: "\(chainText), \(judge.describe(headerLicense)), into \(judge.describe(program)) code: "
                    + reason(program: program, code: headerLicense, use: use),
                evidence: evidence))
        }
    }

    /// Every #include written in a file of the tree that enters another zone.
    mutating func countIncludeEdges(_ graph: IncludeGraph) {
        for (includer, edges) in graph.edges where !includer.hasPrefix("/") && !zones.isIgnored(includer) {
            let from = zones.zone(of: includer)
            for edge in edges {
                guard let target = edge.to else { continue }
                let location = SourceLocation(path: includer, line: edge.line)
                let to = zones.zone(of: target)
                cross(from, to, kind: .include, at: location,
                      evidence: [EvidenceStep(location, "includes \(edge.spelled)"),
                                 EvidenceStep(SourceLocation(path: target), "license \(to.fileLicense ?? "unknown")")],
                      what: "\(includer) includes \(target)")
            }
        }
    }

    /// "a.c includes b.h includes linux/foo.h".
    static func describe(chain: [IncludeEdge], header: String) -> String {
        guard let first = chain.first else { return header }
        return ([first.from] + chain.map { $0.to ?? $0.spelled }).joined(separator: " includes ")
    }
}
