// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor boundaries`: runs every analysis over a scanned tree and its binaries and
// assembles the verdicts. The analyses only state facts (this file includes that header,
// this object references that symbol); each rule's verdict is in Verdicts/ (one file per
// analysis), and every license question goes to LicenseSemantics through LicenseJudge.
// This file holds the run's state: zones, crossings counted, findings reported.

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
    /// The tree's Kbuild makefiles, read once for the modules and the kernel's own sources.
    let kbuild: KbuildTree
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
        kbuild = KbuildTree(root: root, files: files, jobs: checker.options.jobs)
        modules = ExportAnalysis.kernelModules(root: root, files: files, jobs: checker.options.jobs, kbuild: kbuild)
        buildZones = Self.linuxZones(files: files, modules: modules)
        judge = LicenseJudge(unlicensed: checker.policy.unlicensed, tree: TreeLicense.find(in: checker.report),
                             exceptions: checker.policy.boundaryExceptions)
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

    /// "license X" for evidence, saying where X came from when the file only refers to
    /// another file for its license.
    func licenseEvidence(of path: String, _ license: String?) -> String {
        let text = "license \(judge.describe(license))"
        guard let reference = zones.licenses.references[path] else { return text }
        return text + " (its notice refers to \(reference.file) for the license)"
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

    static func isCFamily(_ path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        return ["c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "m", "mm"].contains(ext)
    }
}

/// Verdicts that need no state of a run.
enum CheckRunRules {
    /// A Debian package's declared license lists every file of its source package, so GPL
    /// build scripts beside an LGPL library show up in it. A library is judged GPL when its
    /// license offers a GPL license and names neither an LGPL license nor any exception.
    static func isGPLLibrary(_ license: String?) -> Bool {
        guard let expression = LicenseTerms.parse(license), LicenseSemantics.offersGPL(expression) else { return false }
        let ids = expression.licenseIDs.union(expression.exceptionIDs).map { $0.lowercased() }
        return !ids.contains { $0.hasPrefix("lgpl-") || $0.contains("exception") }
    }
}
