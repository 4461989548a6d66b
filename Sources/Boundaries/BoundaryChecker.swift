// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor boundaries`: runs every analysis over a scanned tree and its binaries, and judges
// each crossing between zones against the policy. The analyses only state facts (this file
// includes that header, this object references that symbol); every verdict is made here.

import Foundation
import Inventory
import Licensing

public struct BoundaryCheckOptions: Sendable {
    /// Built binaries, objects and archives to check (absolute or relative to the tree).
    public var binaries: [String]
    /// An explicit compile_commands.json; nil: looked for in the tree, else inferred.
    public var compileCommands: String?
    /// Reference corpora for clone detection (directories), beside the tree's GPL zones.
    public var references: [String]
    /// Clone detection can be switched off (it reads every source file twice).
    public var detectClones: Bool
    public var cacheDirectory: String
    public var jobs: Int
    /// Run the tree's compiler and manifest (`--trust-build`); off: nothing of the tree runs.
    public var trustBuild: Bool
    public var progress: (@Sendable (String) -> Void)?

    public init(binaries: [String] = [], compileCommands: String? = nil, references: [String] = [],
                detectClones: Bool = true, cacheDirectory: String, jobs: Int = 2, trustBuild: Bool = false,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.trustBuild = trustBuild
        self.binaries = binaries
        self.compileCommands = compileCommands
        self.references = references
        self.detectClones = detectClones
        self.cacheDirectory = cacheDirectory
        self.jobs = jobs
        self.progress = progress
    }
}

/// How many pieces of evidence connect two zones, by kind, and whether the policy allows it.
public struct CrossingSummary: Codable, Hashable, Sendable, Comparable {
    public var fromZone: String
    public var toZone: String
    public var kind: String
    public var count: Int
    public var violations: Int

    public init(fromZone: String, toZone: String, kind: String, count: Int, violations: Int) {
        self.fromZone = fromZone
        self.toZone = toZone
        self.kind = kind
        self.count = count
        self.violations = violations
    }

    public static func < (a: CrossingSummary, b: CrossingSummary) -> Bool {
        (a.fromZone, a.toZone, a.kind) < (b.fromZone, b.toZone, b.kind)
    }
}

public struct ZoneSummary: Codable, Hashable, Sendable {
    public var name: String
    public var license: String?
    public var files: Int

    public init(name: String, license: String?, files: Int) {
        self.name = name
        self.license = license
        self.files = files
    }
}

public struct BoundaryReport: Codable, Sendable {
    public var root: String
    public var zones: [ZoneSummary]
    public var crossings: [CrossingSummary]
    public var findings: [BoundaryFinding]
    public var problems: [AnalysisProblem]

    public init(root: String, zones: [ZoneSummary], crossings: [CrossingSummary], findings: [BoundaryFinding],
                problems: [AnalysisProblem]) {
        self.root = root
        self.zones = zones
        self.crossings = crossings
        self.findings = findings
        self.problems = problems
    }

    public var errorCount: Int { findings.filter { $0.severity == .error }.count }
}

public struct BoundaryChecker {
    let policy: BoundaryPolicy
    let report: ScanReport
    let options: BoundaryCheckOptions
    let database: LicenseDatabase?

    public init(policy: BoundaryPolicy, report: ScanReport, database: LicenseDatabase?, options: BoundaryCheckOptions) {
        self.policy = policy
        self.report = report
        self.database = database
        self.options = options
    }

    /// Files clone detection compares: C-family and Swift sources.
    public static func isSourceCode(_ path: String) -> Bool {
        ["c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "m", "mm", "swift"].contains((path as NSString).pathExtension.lowercased())
    }

    public func check() throws -> BoundaryReport {
        var run = CheckRun(checker: self)
        try run.checkSwiftPackages()
        try run.checkIncludes()
        run.checkBinaries()
        run.checkExports()
        if options.detectClones { try run.checkClones() }
        return run.finish()
    }
}

/// One check: the zone map, the findings so far, and the crossings counted.
private struct CheckRun {
    let checker: BoundaryChecker
    let root: String
    let files: [String]
    var zones: ZoneMap
    var findings: Set<BoundaryFinding> = []
    var problems: [AnalysisProblem] = []
    var crossings: [String: CrossingSummary] = [:]
    let licenseLines: [String: Int]
    /// Linux modules of the tree (Kbuild), and the zones they and a kernel tree make.
    let modules: [KernelModule]
    let buildZones: [String: (zone: String, license: String)]
    var policy: BoundaryPolicy { checker.policy }

    /// In a Linux tree a module is one work under its MODULE_LICENSE (GPL-compatible ones
    /// are GPL), and in the kernel's own tree every other C file is part of the GPL kernel,
    /// whatever its file says: the kernel and its GPL modules are GPL works, as modpost
    /// assumes. Out-of-tree module sources get module zones only.
    static func linuxZones(files: [String], modules: [KernelModule]) -> [String: (zone: String, license: String)] {
        var zones: [String: (zone: String, license: String)] = [:]
        if files.contains("Kbuild") && files.contains(where: { $0.hasPrefix("include/linux/") }) {
            for path in files where isCFamily(path) || path.hasSuffix(".S") { zones[path] = ("linux-kernel", "GPL-2.0-only") }
        }
        for module in modules {
            guard let declared = module.license else { continue }
            let license = ExportAnalysis.isGPLCompatibleModuleLicense(declared) ? "GPL-2.0-only"
                : (try? LicenseExpression.parse(declared)).map { _ in declared }
                ?? "LicenseRef-" + declared.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
            for source in module.sources { zones[source] = ("module:\(module.name)", license) }
        }
        return zones
    }

    init(checker: BoundaryChecker) {
        self.checker = checker
        root = checker.report.root
        let ignored = checker.policy.ignore.map { Glob($0) }
        files = checker.report.files.map(\.path).filter { path in !ignored.contains { $0.matches(path) } }
        modules = ExportAnalysis.kernelModules(root: root, files: files)
        buildZones = Self.linuxZones(files: files, modules: modules)
        zones = ZoneMap(policy: checker.policy, licenses: FileLicenses(report: checker.report, database: checker.database),
                        files: files, fileTargets: [:], buildZones: buildZones)
        var lines: [String: Int] = [:]
        for file in checker.report.files {
            if let tag = file.licenseMatches.first(where: { $0.kind == .tag }) { lines[file.path] = tag.startLine }
        }
        licenseLines = lines
    }

    func progress(_ line: String) { checker.options.progress?(line) }

    // MARK: judging

    func isGPLBound(_ license: String?) -> Bool {
        LicenseTerms.parse(license).map { LicenseTerms.isGPLBound($0, exceptions: policy.boundaryExceptions) } ?? false
    }

    /// Code under a known license with no GPL alternative. Code whose license is unknown is
    /// not judged (the scan's findings and the audit's header check report it).
    func isNonGPL(_ license: String?) -> Bool {
        LicenseTerms.parse(license).map { !LicenseTerms.isGPLLicensed($0) } ?? false
    }

    func isGPLLicensed(_ license: String?) -> Bool {
        LicenseTerms.parse(license).map(LicenseTerms.isGPLLicensed) ?? false
    }

    /// Counts one piece of evidence between two zones and, when the policy declares the
    /// crossing and does not allow this kind, reports it.
    mutating func cross(_ from: ZoneAssignment, _ to: ZoneAssignment, kind: BoundaryPolicy.CrossingKind,
                        at location: SourceLocation, evidence: @autoclosure () -> [EvidenceStep],
                        what: @autoclosure () -> String) {
        guard from.zone != to.zone else { return }
        crossings[crossingKey(from, to, kind), default: CrossingSummary(
            fromZone: from.zone, toZone: to.zone, kind: kind.rawValue, count: 0, violations: 0)].count += 1
        guard policy.crossing(from: from.zone, to: to.zone) != nil else { return }
        judge(from, to, kind: kind, at: location, evidence: evidence(), what: what())
    }

    func crossingKey(_ from: ZoneAssignment, _ to: ZoneAssignment, _ kind: BoundaryPolicy.CrossingKind) -> String {
        "\(from.zone)\u{0}\(to.zone)\u{0}\(kind.rawValue)"
    }

    /// Reports the crossing when the policy declares it and does not allow this kind.
    mutating func judge(_ from: ZoneAssignment, _ to: ZoneAssignment, kind: BoundaryPolicy.CrossingKind,
                        at location: SourceLocation, evidence: [EvidenceStep], what: String) {
        guard from.zone != to.zone, let declared = policy.crossing(from: from.zone, to: to.zone),
              !declared.allow.contains(kind) else { return }
        let allowed = declared.allow.map(\.rawValue).sorted().joined(separator: ", ")
        let via = declared.via.map { " through \($0)" } ?? ""
        let finding = BoundaryFinding(
            rule: "forbidden-crossing", severity: .error, fromZone: from.zone, toZone: to.zone, location: location,
            message: "\(what): \(kind.rawValue) from \(from.zone) to \(to.zone); the policy allows only "
                + (allowed.isEmpty ? "no crossing" : allowed) + via,
            evidence: evidence)
        if !findings.contains(finding) {
            crossings[crossingKey(from, to, kind), default: CrossingSummary(
                fromZone: from.zone, toZone: to.zone, kind: kind.rawValue, count: 0, violations: 0)].violations += 1
        }
        report(finding)
    }

    /// Findings about code that is never distributed are warnings (obligations attach to
    /// distribution); the policy marks such zones `distributed = false`.
    mutating func report(_ finding: BoundaryFinding) {
        var finding = finding
        if finding.severity == .error, let zone = policy.zones.first(where: { $0.name == finding.fromZone }), !zone.distributed {
            finding.severity = .warning
            finding.message += " (zone \(zone.name) is not distributed)"
        }
        findings.insert(finding)
    }

    /// The line of a file's license tag, so a finding about the file points at it.
    func licenseLine(of path: String) -> Int? { licenseLines[path] }

    func finish() -> BoundaryReport {
        var counts: [String: Int] = [:]
        var zoneLicense: [String: String?] = [:]
        for path in files {
            let zone = zones.zone(of: path)
            counts[zone.zone, default: 0] += 1
            zoneLicense[zone.zone] = zone.license
        }
        return BoundaryReport(
            root: root,
            zones: counts.keys.sorted().map { ZoneSummary(name: $0, license: zoneLicense[$0] ?? nil, files: counts[$0]!) },
            crossings: crossings.values.sorted(),
            findings: Self.deduplicated(findings),
            problems: problems.sorted())
    }

    /// One finding per rule, place and message: the same include entered from many
    /// translation units is one finding, with the shortest evidence chain.
    static func deduplicated(_ findings: Set<BoundaryFinding>) -> [BoundaryFinding] {
        var best: [String: BoundaryFinding] = [:]
        for finding in findings {
            let key = "\(finding.rule)\u{0}\(finding.location)\u{0}\(finding.message)\u{0}\(finding.fromZone)\u{0}\(finding.toZone)"
            if let known = best[key], (known.evidence.count, known.evidence.description) <= (finding.evidence.count, finding.evidence.description) {
                continue
            }
            best[key] = finding
        }
        return best.values.sorted()
    }

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
                    if isGPLBound(toZone.license) && isNonGPL(fromZone.license) {
                        report(BoundaryFinding(
                            rule: "gpl-dependency", severity: .error, fromZone: fromZone.zone, toZone: toZone.zone,
                            location: location,
                            message: "target \(target.name) (\(fromZone.license ?? "unknown")) links target \(dependency), "
                                + "which is \(toZone.license ?? "unknown")",
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
        guard let targetZone = zone(ofTarget: target), isNonGPL(targetZone.license) else { return }
        for source in target.sources where !zones.isIgnored(source) {
            let license = zones.licenses.license(of: source)
            guard isGPLBound(license) else { continue }
            let location = SourceLocation(path: source, line: licenseLine(of: source))
            report(BoundaryFinding(
                rule: "gpl-source-in-target", severity: .error, fromZone: targetZone.zone,
                toZone: zones.zone(of: source).zone, location: location,
                message: "\(source) is \(license ?? "GPL") and is compiled into target \(target.name), "
                    + "whose zone \(targetZone.zone) is \(targetZone.license ?? "unknown")",
                evidence: [EvidenceStep(manifest, "target \(target.name) compiles every source under \(target.path)"),
                           EvidenceStep(location, "license \(license ?? "GPL")")]))
        }
    }

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
            var gplBound: Bool
            var sets: [Int]
        }
        var headerFacts: [String: HeaderFacts] = [:]
        func facts(_ header: String) -> HeaderFacts {
            if let known = headerFacts[header] { return known }
            let zone = zones.zone(of: header)
            let sets = headerSetGlobs.indices.filter { headerSetGlobs[$0].1.contains { $0.matches(header) } }
            let made = HeaderFacts(zone: zone, gplBound: isGPLBound(zone.fileLicense), sets: sets)
            headerFacts[header] = made
            return made
        }
        for unit in graph.units where !zones.isIgnored(unit.source) {
            let unitZone = zones.zone(of: unit.source)
            let policyZone = zones.policyZone(of: unit.source)
            let unitIsNonGPL = isNonGPL(unitZone.license) && !isGPLBound(unitZone.fileLicense)
            for (header, chain) in graph.reachableHeaders(from: unit.source) where !chain.isEmpty {
                let reached = facts(header)
                let headerZone = reached.zone
                let declared = chain.count > 1 && headerZone.zone != unitZone.zone
                    && policy.crossing(from: unitZone.zone, to: headerZone.zone) != nil
                guard declared || !reached.sets.isEmpty || (reached.gplBound && unitIsNonGPL) else { continue }
                let first = chain[0]
                let location = SourceLocation(path: first.from, line: first.line)
                let headerLicense = headerZone.fileLicense
                let evidence = chain.map { EvidenceStep(SourceLocation(path: $0.from, line: $0.line), "includes \($0.spelled)") }
                    + [EvidenceStep(SourceLocation(path: header), "license \(headerLicense ?? "unknown")")]
                let chainText = Self.describe(chain: chain, header: header)
                // Direct edges are counted below; here the policy judges what the unit reaches.
                if declared {
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
                    if let exception = set.requiredException, !reportedHeaders.contains(header), unitIsNonGPL,
                       !zones.licenses.carriesNoCode(header),
                       !(LicenseTerms.parse(headerLicense)?.exceptionIDs.contains(exception) ?? false) {
                        reportedHeaders.insert(header)
                        report(BoundaryFinding(
                            rule: "header-without-exception", severity: .error, fromZone: unitZone.zone, toZone: set.name,
                            location: location,
                            message: "\(chainText), \(headerLicense ?? "license unknown") without \(exception)",
                            evidence: evidence))
                    }
                }
                // GPL code pulled into a non-GPL file: only the first GPL header of a chain.
                if reached.gplBound && unitIsNonGPL,
                   !chain.dropLast().contains(where: { $0.to.map { facts($0).gplBound } ?? false }) {
                    report(BoundaryFinding(
                        rule: "gpl-include", severity: .error, fromZone: unitZone.zone, toZone: headerZone.zone,
                        location: location,
                        message: "\(chainText), \(headerLicense ?? "GPL"), into \(unitZone.license ?? "unknown") code",
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

    // MARK: binaries

    mutating func checkBinaries() {
        let given = checker.options.binaries
        guard !given.isEmpty else { return }
        progress("boundaries: reading \(given.count) binaries")
        let candidates = BinaryAnalysis.findBuildObjects(root: root)
        let analysis = BinaryAnalysis.analyze(paths: given, candidates: candidates, root: root)
        problems += analysis.problems
        var objects: [String: ObjectFacts] = [:]
        for binary in analysis.binaries { for member in binary.members { objects[member.path] = member } }
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
            guard let binaryZone else { continue }
            for (object, source) in inTree {
                let sourceZone = zones.zone(of: source)
                let tagLine = licenseLine(of: source)
                cross(binaryZone, sourceZone, kind: .link, at: SourceLocation(path: binary.path),
                      evidence: [EvidenceStep(SourceLocation(path: binary.path), "contains \(object)"),
                                 EvidenceStep(SourceLocation(path: source, line: tagLine), "compiled from \(source)")],
                      what: "\(binary.path) contains \(object)")
                guard isNonGPL(binaryZone.license), isGPLBound(sourceZone.fileLicense) else { continue }
                report(BoundaryFinding(
                    rule: "gpl-object-in-binary", severity: .error, fromZone: binaryZone.zone, toZone: sourceZone.zone,
                    location: SourceLocation(path: binary.path),
                    message: "\(binary.path) (\(binaryZone.zone), \(binaryZone.license ?? "unknown")) contains "
                        + "\(object), compiled from \(source) (\(sourceZone.fileLicense ?? "GPL"))",
                    evidence: [EvidenceStep(SourceLocation(path: binary.path), "contains \(object)"),
                               EvidenceStep(SourceLocation(path: source, line: licenseLine(of: source)),
                                            "license \(sourceZone.fileLicense ?? "GPL")")]))
            }
            checkCombinations(binary, zone: binaryZone, sources: inTree.map(\.1))
            // Dynamic links to GPL libraries, by the scan's resolution of DT_NEEDED.
            if isNonGPL(binaryZone.license) { checkDynamicLinks(binary, zone: binaryZone) }
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
            if isGPLBound(toZone.license) && isNonGPL(fromZone.license) && gplOnly[edge.symbol] == nil {
                report(BoundaryFinding(
                    rule: "gpl-symbol-reference", severity: .error, fromZone: fromZone.zone, toZone: toZone.zone,
                    location: SourceLocation(path: edge.fromObject),
                    message: "\(edge.fromObject) (\(fromZone.license ?? "unknown")) references \(edge.symbol), "
                        + "defined in \(edge.toObject) (\(toZone.license ?? "GPL"))",
                    evidence: evidence))
            }
        }
        for object in objects.values {
            guard let fromZone = zone(ofObject: object), isNonGPL(fromZone.license) else { continue }
            for symbol in object.undefined {
                guard let exporter = gplOnly[symbol] else { continue }
                report(BoundaryFinding(
                    rule: "gpl-only-symbol", severity: .error, fromZone: fromZone.zone,
                    toZone: objects[exporter].flatMap(zone(ofObject:))?.zone ?? "gpl-only-exports",
                    location: SourceLocation(path: object.path),
                    message: "\(object.path) (\(fromZone.license ?? "unknown")) references \(symbol), "
                        + "which \(exporter) exports GPL-only",
                    evidence: [EvidenceStep(SourceLocation(path: object.path), "undefined symbol \(symbol)"),
                               EvidenceStep(SourceLocation(path: exporter), "\(symbol) listed in .candor_exports_gpl")]))
            }
        }
    }

    /// The policy's `[[combinations]]`: when it lists any, every two licenses of the
    /// sources linked into one binary must be a listed pair (or the same license).
    mutating func checkCombinations(_ binary: BinaryFacts, zone: ZoneAssignment, sources: [String]) {
        guard !policy.combinations.isEmpty else { return }
        var firstSource: [String: String] = [:]  // license id -> a source under it
        for source in Set(sources).sorted() {
            for id in LicenseTerms.parse(zones.zone(of: source).fileLicense)?.licenseIDs.sorted() ?? [] where firstSource[id] == nil {
                firstSource[id] = source
            }
        }
        let ids = firstSource.keys.sorted()
        for (index, a) in ids.enumerated() {
            for b in ids[(index + 1)...] where !policy.combinations.contains([a, b].sorted()) {
                let sourceA = firstSource[a]!, sourceB = firstSource[b]!
                report(BoundaryFinding(
                    rule: "license-combination", severity: .error, fromZone: zone.zone, toZone: zone.zone,
                    location: SourceLocation(path: binary.path),
                    message: "\(binary.path) combines \(a) and \(b) code, a pair the policy's [[combinations]] does not list",
                    evidence: [EvidenceStep(SourceLocation(path: sourceA, line: licenseLine(of: sourceA)), "license \(a)"),
                               EvidenceStep(SourceLocation(path: sourceB, line: licenseLine(of: sourceB)), "license \(b)")]))
            }
        }
    }

    mutating func checkDynamicLinks(_ binary: BinaryFacts, zone: ZoneAssignment) {
        let components = Dictionary(checker.report.components.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        guard let component = checker.report.components.first(where: { $0.kind == .binary && $0.location == binary.path })
        else { return }
        for relation in component.relationships where relation.kind == .dynamicLink {
            guard let library = components[relation.target] else { continue }
            let license = library.declaredLicense ?? library.concludedLicense
            let libraryZone = ZoneAssignment(zone: "library:\(library.name)", license: license, fileLicense: license)
            let evidence = [EvidenceStep(SourceLocation(path: binary.path), "DT_NEEDED \(library.location ?? library.name)"),
                            EvidenceStep(SourceLocation(path: library.location ?? library.name),
                                         "package \(library.name) \(library.version ?? ""), \(license ?? "license unknown")")]
            cross(zone, libraryZone, kind: .dynamicLink, at: SourceLocation(path: binary.path), evidence: evidence,
                  what: "\(binary.path) links \(library.name)")
            guard CheckRunRules.isGPLLibrary(license, exceptions: policy.boundaryExceptions) else { continue }
            report(BoundaryFinding(
                rule: "gpl-dynamic-link", severity: .error, fromZone: zone.zone, toZone: libraryZone.zone,
                location: SourceLocation(path: binary.path),
                message: "\(binary.path) (\(zone.license ?? "unknown")) links \(library.name) at run time, "
                    + "which is \(license ?? "GPL")",
                evidence: evidence))
        }
    }

    // MARK: GPL-only exports in source (the shim's CANDOR_EXPORT_GPL, Linux EXPORT_SYMBOL_GPL)

    mutating func checkExports() {
        progress("boundaries: reading exports")
        let cFiles = files.filter(Self.isCFamily)
        var texts: [String: String] = [:]
        for path in cFiles {
            if let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) { texts[path] = text }
        }
        var gplOnly: [String: ExportedSymbol] = [:]
        for path in cFiles {
            guard let text = texts[path] else { continue }
            for export in ExportAnalysis.exports(in: text, path: path) where export.gplOnly {
                if gplOnly[export.symbol] == nil { gplOnly[export.symbol] = export }
            }
        }
        guard !gplOnly.isEmpty else { return }
        let symbols = IdentifierSet(Set(gplOnly.keys))
        // Linux modules are judged by MODULE_LICENSE, as modpost does; other files by their license.
        for module in modules {
            guard let license = module.license, !ExportAnalysis.isGPLCompatibleModuleLicense(license) else { continue }
            for source in module.sources {
                guard let text = texts[source] else { continue }
                for use in ExportAnalysis.uses(of: symbols, in: text, path: source) {
                    guard let export = gplOnly[use.symbol] else { continue }
                    var evidence = [EvidenceStep(use.location, "uses \(use.symbol)"),
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
        // In a Linux tree GPL-only exports bind modules only, as modpost checks; built-in code
        // is part of the GPL kernel whatever its file's license.
        let isLinuxTree = files.contains { $0 == "Kbuild" || $0.hasSuffix("/Kbuild") } || !modules.isEmpty
        for path in cFiles where !isLinuxTree && !zones.isIgnored(path) {
            let zone = zones.zone(of: path)
            guard let text = texts[path], zone.fileLicense != nil || zone.license != nil,
                  isNonGPL(zone.fileLicense ?? zone.license) else { continue }
            for use in ExportAnalysis.uses(of: symbols, in: text, path: path) {
                // The exporting zone declares and implements its own symbols.
                guard let export = gplOnly[use.symbol], zones.zone(of: export.location.path).zone != zone.zone else { continue }
                report(BoundaryFinding(
                    rule: "gpl-only-symbol", severity: .error, fromZone: zone.zone,
                    toZone: zones.zone(of: export.location.path).zone, location: use.location,
                    message: "\(path) (\(zone.fileLicense ?? zone.license ?? "unknown")) uses \(use.symbol), "
                        + "exported GPL-only at \(export.location)",
                    evidence: [EvidenceStep(use.location, "uses \(use.symbol)"),
                               EvidenceStep(export.location, "exported GPL-only")]))
            }
        }
    }

    static func isCFamily(_ path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        return ["c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "m", "mm"].contains(ext)
    }


    // MARK: copied code (rule 5)

    mutating func checkClones() throws {
        let candidates = files.filter(BoundaryChecker.isSourceCode)
        var gplFiles: [(path: String, text: String)] = []
        var queryFiles: [(path: String, text: String)] = []
        // Only the files on either side are read: in a GPL tree that is most files, in ours few.
        for path in candidates {
            let zone = zones.zone(of: path)
            let isGPL = isGPLBound(zone.fileLicense) || isGPLLicensed(zone.license) && isGPLLicensed(zone.fileLicense)
            guard isGPL || isNonGPL(zone.license) && !zones.isIgnored(path),
                  let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) else { continue }
            if isGPL { gplFiles.append((path, text)) } else { queryFiles.append((path, text)) }
        }
        let detector = CloneDetector()
        var matches: [(CloneMatch, String)] = []
        if !gplFiles.isEmpty {
            progress("boundaries: comparing \(queryFiles.count) files with \(gplFiles.count) GPL files of the tree")
            let index = CloneIndex.build(files: gplFiles, jobs: checker.options.jobs)
            matches += detector.matches(query: queryFiles, in: index, jobs: checker.options.jobs).map { ($0, "tree") }
        }
        for reference in checker.options.references + policy.references {
            let name = (reference as NSString).lastPathComponent
            progress("boundaries: comparing \(queryFiles.count) files with \(reference)")
            let index = try CloneIndex.cached(corpus: reference, name: name, cacheDirectory: checker.options.cacheDirectory + "/clones",
                                              jobs: checker.options.jobs, progress: checker.options.progress)
            matches += detector.matches(query: queryFiles, in: index, jobs: checker.options.jobs).map { ($0, name) }
        }
        for (match, corpus) in matches {
            let fromZone = zones.zone(of: match.query.path)
            let original = corpus == "tree" ? zones.zone(of: match.reference.path) : nil
            report(BoundaryFinding(
                rule: "copied-code", severity: .error, fromZone: fromZone.zone,
                toZone: original?.zone ?? "reference:\(corpus)", location: match.query,
                message: "\(match.lines) lines (\(match.tokens) tokens) match \(match.reference) "
                    + "with identifiers and layout normalised",
                evidence: [EvidenceStep(match.query, "copy in \(fromZone.license ?? "unknown") code"),
                           EvidenceStep(match.reference, "original, "
                                        + (original.map { $0.fileLicense ?? "GPL" } ?? "reference corpus \(corpus)"))]))
        }
    }
}

/// Verdicts that need no state of a run.
enum CheckRunRules {
    /// A Debian package's declared license lists every file of its source package, so GPL
    /// build scripts beside an LGPL library show up in it. A library is judged GPL when its
    /// license is GPL-bound and names neither an LGPL license nor any exception.
    static func isGPLLibrary(_ license: String?, exceptions: Set<String>) -> Bool {
        guard let expression = LicenseTerms.parse(license),
              LicenseTerms.isGPLBound(expression, exceptions: exceptions) else { return false }
        let ids = expression.licenseIDs.union(expression.exceptionIDs).map { $0.lowercased() }
        return !ids.contains { $0.hasPrefix("lgpl-") || $0.contains("exception") }
    }
}
