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
struct CheckRun {
    let checker: BoundaryChecker
    let root: String
    let files: [String]
    var zones: ZoneMap
    var findings: Set<BoundaryFinding> = []
    var problems: [AnalysisProblem] = []
    var crossings: [String: CrossingSummary] = [:]
    /// Built Linux modules (`.ko`) among the given binaries, for the GPL-only symbol rule.
    var builtModules: [ObjectFacts] = []
    let licenseLines: [String: Int]
    /// Linux modules of the tree (Kbuild), and the zones they and a kernel tree make.
    let modules: [KernelModule]
    let buildZones: [String: (zone: String, license: String)]
    var policy: BoundaryPolicy { checker.policy }
    /// License verdicts (LicenseSemantics) with the policy's view of unlicensed code.
    let judge: LicenseJudge

    /// In a Linux tree a module is one work under its MODULE_LICENSE: its sources are a
    /// zone with that license (as SPDX), each file keeping its own license beside it. No
    /// other file changes zone: every file is judged under its own license.
    static func linuxZones(files: [String], modules: [KernelModule]) -> [String: (zone: String, license: String)] {
        var zones: [String: (zone: String, license: String)] = [:]
        for module in modules {
            guard let declared = module.license else { continue }
            for source in module.sources { zones[source] = ("module:\(module.name)", ExportAnalysis.spdx(moduleLicense: declared)) }
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
        judge = LicenseJudge(unlicensed: checker.policy.unlicensed)
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

    /// Whether code under `code` used this way breaks the license of `program`. Code with
    /// no license statement is all rights reserved (unless the policy's `unlicensed` says).
    func incompatible(program: String?, code: String?, use: CombinationUse) -> Bool {
        judge.isIncompatible(program: program, code: code, use: use)
    }

    /// The rule id: `gpl-<what>` when the code's copyleft is what breaks, else `incompatible-<what>`.
    func rule(_ what: String, code: String?, use: CombinationUse) -> String {
        judge.isCopyleft(code, use: use) ? "gpl-\(what)" : "incompatible-\(what)"
    }

    /// The reason LicenseSemantics gives, for a finding's message.
    func reason(program: String?, code: String?, use: CombinationUse) -> String {
        if case .incompatible(let why) = judge.verdict(program: program, code: code, use: use) { return why }
        return ""
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
            let made = HeaderFacts(zone: zone, licenseClass: licenseClass, sets: sets)
            headerFacts[header] = made
            return made
        }
        // (program license, header class) -> incompatible.
        var verdicts: [String: [Int: Bool]] = [:]
        func breaks(_ program: String?, _ reached: HeaderFacts) -> Bool {
            guard reached.licenseClass >= 0 else { return false }
            let key = program ?? ""
            if let known = verdicts[key]?[reached.licenseClass] { return known }
            let code = classLicense[reached.licenseClass]
            let made = incompatible(program: program, code: code.license, use: .include(userSpaceInterface: code.uapi))
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
            for (header, chain) in graph.reachableHeaders(from: unit.source) where !chain.isEmpty {
                let reached = facts(header)
                let headerZone = reached.zone
                let declared = chain.count > 1 && headerZone.zone != unitZone.zone
                    && policy.crossing(from: unitZone.zone, to: headerZone.zone) != nil
                let breaksUnit = !unitBroken && breaks(program, reached)
                guard declared || !reached.sets.isEmpty || breaksUnit else { continue }
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
                    if let exception = set.requiredException, !reportedHeaders.contains(header), !unitOffersGPL,
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
                // Code the unit's license cannot hold: only the first such header of a chain.
                if breaksUnit, !chain.dropLast().contains(where: { $0.to.map { breaks(program, facts($0)) } ?? false }) {
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
            // Originals: copyleft files (dual-licensed ones too: the verdict decides). Copies
            // are looked for in every other file, those with no license statement included.
            let zone = zones.zone(of: path)
            let family = LicenseSemantics.family(of: judge.expression(zone.fileLicense))
            let isGPL = zone.fileLicense != nil && (judge.offersGPL(zone.fileLicense) || family != .permissive && family != .proprietary)
            guard isGPL || !zones.isIgnored(path),
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
            let copyLicense = fromZone.fileLicense ?? fromZone.license
            // A reference corpus is GPL code (the kernel); a file of the tree has its own license.
            if let original, !incompatible(program: copyLicense, code: original.fileLicense, use: .copy) { continue }
            report(BoundaryFinding(
                rule: "copied-code", severity: .error, fromZone: fromZone.zone,
                toZone: original?.zone ?? "reference:\(corpus)", location: match.query,
                message: "\(match.lines) lines (\(match.tokens) tokens) match \(match.reference) "
                    + "with identifiers and layout normalised",
                evidence: [EvidenceStep(match.query, "copy in \(judge.describe(copyLicense)) code"),
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
