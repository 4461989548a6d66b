// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Verdicts on C and C++ include chains: header sets (rule 1), declared crossings, and
// headers whose license the including unit's license cannot hold.

import Foundation
import Inventory
import Licensing

extension CheckRun {
    // MARK: C and C++ includes

    mutating func checkIncludes() throws {
        progress("boundaries: building the include graph")
        let graph = try IncludeGraphBuilder.build(root: root, files: files, compileCommands: checker.options.compileCommands,
                                                  jobs: checker.options.jobs, trustBuild: checker.options.trustBuild)
        problems += graph.problems
        countIncludeEdges(graph)
        let headerSetGlobs = policy.headerSets.map { ($0, $0.paths.map { Glob($0) }) }
        var reportedHeaders: Set<String> = []
        // What the rules need of a header, worked out once: a kernel-sized tree reaches
        // hundreds of headers from each of tens of thousands of units.
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
        var headerFacts: [String: HeaderFacts] = [:]
        var classes: [String: Int] = [:]
        var classLicense: [(license: String?, uapi: Bool)] = []
        func facts(_ header: String) -> HeaderFacts {
            if let known = headerFacts[header] { return known }
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
            let made = HeaderFacts(zone: zone, licenseClass: licenseClass, sets: sets,
                                   forwards: licenseClass >= 0 && zones.licenses.carriesNoCode(header))
            headerFacts[header] = made
            return made
        }
        // (program license, header class) -> incompatible.
        var verdicts: [String: [Int: Bool]] = [:]
        // `declared`: a policy zone or a module states the license the unit is distributed
        // under. Otherwise the zone is only the file's own license (a tree without a policy):
        // the file is not a program of its own but goes into one under some license, so a
        // header breaks it only where no program can hold both, i.e. neither can the
        // header's license hold the file's code nor the file's license the header's (an MIT
        // file with GPL headers goes into a GPL program; a proprietary one cannot).
        func breaks(_ program: String?, _ reached: HeaderFacts, declared: Bool) -> Bool {
            guard reached.licenseClass >= 0, !reached.forwards else { return false }
            let key = (declared ? "" : "file\u{0}") + (program ?? "")
            if let known = verdicts[key]?[reached.licenseClass] { return known }
            let code = classLicense[reached.licenseClass]
            var made = incompatible(program: program, code: code.license, use: .include(userSpaceInterface: code.uapi))
            if made && !declared { made = incompatible(program: code.license, code: program, use: .staticLink) }
            verdicts[key, default: [:]][reached.licenseClass] = made
            return made
        }
        for unit in graph.units where !zones.isIgnored(unit.source) {
            let unitZone = zones.zone(of: unit.source)
            let policyZone = zones.policyZone(of: unit.source)
            // The unit is judged under its zone's license (a module, a policy zone), unless
            // its own file already breaks that (another rule reports it).
            let program = unitZone.license
            let unitBroken = unitZone.fileLicense != program && incompatible(program: program, code: unitZone.fileLicense, use: .staticLink)
            let unitOffersGPL = judge.offersGPL(program)
            let declared = zones.declaresProgramLicense(of: unit.source)
            let reach = graph.reachable(from: unit.source)
            for header in reach.headers {
                let reached = facts(header)
                let headerZone = reached.zone
                let crossingDeclared = reach.depth[header, default: 0] > 1 && headerZone.zone != unitZone.zone
                    && policy.crossing(from: unitZone.zone, to: headerZone.zone) != nil
                let breaksUnit = !unitBroken && breaks(program, reached, declared: declared)
                guard crossingDeclared || !reached.sets.isEmpty || breaksUnit else { continue }
                let chain = reach.chain(to: header)
                let first = chain[0]
                let location = SourceLocation(path: first.from, line: first.line)
                let headerLicense = headerZone.fileLicense
                // How the unit's includes were chosen: as compiled, or every #if branch.
                let evidence = chain.map { EvidenceStep(SourceLocation(path: $0.from, line: $0.line), "includes \($0.spelled)") }
                    + [EvidenceStep(SourceLocation(path: unit.source), "include graph: \(unit.evidence)"),
                       EvidenceStep(SourceLocation(path: header), "license \(judge.describe(headerLicense))")]
                let chainText = Self.describe(chain: chain, header: header)
                // Direct edges are counted below; here the policy judges what the unit reaches.
                if crossingDeclared {
                    judge(unitZone, headerZone, kind: .include, at: location, evidence: evidence, what: chainText)
                }
                // Header sets: only zones naming the set may include it (counted where a file of
                // the tree includes it itself, not where a system library does), and every
                // header of the set reached, directly or not, must carry the set's exception.
                for (set, globs) in reached.sets.map({ headerSetGlobs[$0] }) {
                    let entering = chain.firstIndex { edge in edge.to.map { to in globs.contains { $0.matches(to) } } ?? false }
                    let restricted = policy.zones.contains { $0.mayInclude.contains(set.name) }
                    if restricted, let entering, !chain[entering].from.hasPrefix("/"), entering == chain.count - 1,
                       let includer = zones.policyZone(of: chain[entering].from) ?? policyZone,
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
                    if let exception = set.requiredException, !reportedHeaders.contains(header), !unitOffersGPL,
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
                if breaksUnit, !chain.dropLast().contains(where: { $0.to.map { breaks(program, facts($0), declared: declared) } ?? false }) {
                    let use = CombinationUse.include(userSpaceInterface: classLicense[reached.licenseClass].uapi)
                    report(BoundaryFinding(
                        rule: rule("include", code: headerLicense, use: use), severity: .error, fromZone: unitZone.zone,
                        toZone: headerZone.zone, location: location,
                        message: "\(chainText), \(judge.describe(headerLicense)), into \(judge.describe(program)) code: "
                            + reason(program: program, code: headerLicense, use: use),
                        evidence: evidence))
                }
            }
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
