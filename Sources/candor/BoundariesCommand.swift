// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor boundaries` and `candor audit`: argument parsing and wiring only.

import ArgumentParser
import AtomicFile
import Audit
import Boundaries
import Foundation
import Inventory
import Licensing

enum FindingsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
}

/// Options of the boundary check, shared by `boundaries` and `audit`.
struct BoundaryArguments: ParsableArguments {
    @Option(help: ArgumentHelp("The policy file (default: PATH/licenses/policy.toml when it exists, else the default rules: zones from the files' licenses).", valueName: "FILE"))
    var policy: String?

    @Option(name: .customLong("compile-commands"),
            help: ArgumentHelp("A compile_commands.json giving each translation unit's flags (default: PATH/compile_commands.json, PATH/build/..., else the include graph is inferred).", valueName: "FILE"))
    var compileCommands: String?

    @Option(name: .customLong("reference"),
            help: ArgumentHelp("A directory of GPL source (e.g. an extracted linux-source-6.1) whose code must not be copied into non-GPL zones. Its fingerprint index is built once and cached. Repeatable.", valueName: "DIR"))
    var references: [String] = []

    @Flag(name: .customLong("no-clones"), help: "Skip clone detection.")
    var noClones = false

    @Flag(name: .customLong("trust-build"),
          help: "Run the tree's own build code: the compilers named in compile_commands.json (to trace includes) and Package.swift (swift package dump-package). Without it nothing of the tree runs: the manifest is read as text, depfiles the build wrote give the includes.")
    var trustBuild = false

    func loadPolicy(root: String) throws -> BoundaryPolicy {
        if let policy {
            guard FileManager.default.fileExists(atPath: policy) else { throw CommandError("--policy \(policy): no such file") }
            return try BoundaryPolicy(file: policy)
        }
        let inTree = root + "/licenses/policy.toml"
        return FileManager.default.fileExists(atPath: inTree) ? try BoundaryPolicy(file: inTree) : BoundaryPolicy()
    }

    /// Scans PATH, then checks its boundaries: what `boundaries` and `audit` both do.
    func check(_ arguments: ScanArguments) throws -> (scan: ScanReport, policy: BoundaryPolicy, report: BoundaryReport) {
        let policy = try loadPolicy(root: URL(fileURLWithPath: arguments.path).standardizedFileURL.path)
        for reference in references {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandError("--reference \(reference): not a directory")
            }
        }
        if let compileCommands, !FileManager.default.isReadableFile(atPath: compileCommands) {
            throw CommandError("--compile-commands \(compileCommands): no such readable file")
        }
        let (scan, database) = try arguments.scan()
        let env = ProcessInfo.processInfo.environment
        let cacheDirectory = arguments.cache ?? env["CANDOR_CACHE"]
            ?? (env["XDG_CACHE_HOME"].map { $0 + "/candor" } ?? (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/candor")
        var options = BoundaryCheckOptions(
            binaries: arguments.binaries, compileCommands: compileCommands, references: references, detectClones: !noClones,
            cacheDirectory: cacheDirectory, jobs: arguments.jobs, trustBuild: trustBuild)
        if isatty(STDERR_FILENO) == 1 {
            options.progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        let report = try BoundaryChecker(policy: policy, report: scan, database: database, options: options).check()
        return (scan, policy, report)
    }
}

/// Writes `data` to `path` atomically, or to standard output when `path` is nil.
func emit(_ data: Data, to path: String?) throws {
    guard let path else {
        FileHandle.standardOutput.write(data)
        return
    }
    do throws(AtomicFileError) { try AtomicFile.write(data, to: path) } catch {
        throw CommandError(error.description)
    }
}

struct BoundariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Check that code under one license meets code under another only where the policy allows.",
        discussion: """
            Zones are sets of files with one license: from licenses/policy.toml ([[zones]] by path glob, \
            SwiftPM target or binary), else each file is in the zone of its own license. Evidence of \
            crossings: C/C++ include chains (compile_commands.json or inferred), Swift target dependencies \
            and imports, objects and symbol references in the given binaries, DT_NEEDED libraries, symbols \
            exported GPL-only (CANDOR_EXPORT_GPL, EXPORT_SYMBOL_GPL and MODULE_LICENSE), and code copied \
            from GPL zones or --reference corpora. Each finding has a rule id, a severity, the zone pair, \
            file:line and the evidence chain. Exit status 1 when any finding is an error (or the check \
            could not run), else 0.
            """)

    @OptionGroup var arguments: ScanArguments
    @OptionGroup var boundary: BoundaryArguments

    @Option(help: "Output format: text, json or sarif (SARIF 2.1.0).")
    var format: FindingsFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        var failed = false
        try reportingErrors {
            let report = try boundary.check(arguments).report
            switch format {
            case .text: try emit(Data(BoundaryReportFormat.text(report).utf8), to: output)
            case .json: try emit(try BoundaryReportFormat.json(report) + Data("\n".utf8), to: output)
            case .sarif: try emit(try BoundaryReportFormat.sarif(report, toolVersion: Candor.version) + Data("\n".utf8), to: output)
            }
            failed = report.errorCount > 0
        }
        if failed { throw ExitCode.failure }
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The CI gate: scan, license policy, SPDX headers and boundaries, with a JUnit XML report.",
        discussion: """
            Runs four checks over PATH and its binaries: scan (files that could not be read, malformed tags), \
            licenses (every distributed component and every file: no license denied by [licenses] in the \
            policy, none outside its allowed list when it has one, none unknown), spdx-headers (every file \
            carries SPDX-License-Identifier and SPDX-FileCopyrightText, or a REUSE annotation giving them; \
            --exempt globs excluded) and boundaries (as `candor boundaries`). Prints failures and a summary; \
            --junit writes JUnit XML for CI, --sarif the boundary findings as SARIF 2.1.0. Exit status 1 when any check fails.
            """)

    @OptionGroup var arguments: ScanArguments
    @OptionGroup var boundary: BoundaryArguments

    @Option(help: ArgumentHelp("Write a JUnit XML report to FILE (atomically).", valueName: "FILE"))
    var junit: String?

    @Option(help: ArgumentHelp("Write the boundary findings as SARIF 2.1.0 to FILE (atomically).", valueName: "FILE"))
    var sarif: String?

    @Option(name: .customLong("exempt"), parsing: .upToNextOption,
            help: ArgumentHelp("Globs of files that need no SPDX header (e.g. 'licenses/*.txt', license texts). Repeat or list several.", valueName: "GLOB"))
    var exempt: [String] = []

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        var failed = false
        try reportingErrors {
            let (scan, policy, boundaries) = try boundary.check(arguments)
            let report = Auditor.audit(scan: scan, boundaries: boundaries, policy: policy, exempt: exempt + policy.auditExempt)
            if let junit { try JUnitReport.write(report, to: junit) }
            if let sarif { try emit(try BoundaryReportFormat.sarif(boundaries, toolVersion: Candor.version), to: sarif) }
            switch format {
            case .text: print(Auditor.text(report), terminator: "")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
            failed = !report.passed
        }
        if failed { throw ExitCode.failure }
    }
}

/// Clone detection alone, for the benchmark: no scan, no zones.
struct ClonesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clones",
        abstract: "Compare source files with reference corpora (clone detection alone, as the benchmark runs it).",
        discussion: """
            Prints one line per match, `query:first-last: reference:first-last (N tokens, M lines)`, then \
            `K matches`. Each corpus's fingerprint index is built once and cached in --cache.
            """,
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("Files or directories to check (directories: every C-family and Swift source under them).", valueName: "PATH"))
    var paths: [String]

    @Option(name: .customLong("reference"), help: ArgumentHelp("A corpus directory. Repeatable.", valueName: "DIR"))
    var references: [String]

    @Option(help: ArgumentHelp("Directory for the fingerprint indexes.", valueName: "DIR"))
    var cache: String

    @Option(help: ArgumentHelp("Files read in parallel.", valueName: "N"))
    var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    func run() throws {
        try reportingErrors {
            var query: [(path: String, text: String)] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CommandError("\(path): no such file or directory")
                }
                let files = isDirectory.boolValue ? sourceFiles(under: path) : [path]
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { throw CommandError("\(file): not readable") }
                    query.append((file, String(decoding: data, as: UTF8.self)))
                }
            }
            var count = 0
            for reference in references {
                let index = try CloneIndex.cached(
                    corpus: reference, name: URL(fileURLWithPath: reference).lastPathComponent, cacheDirectory: cache, jobs: jobs,
                    progress: { FileHandle.standardError.write(Data("\($0)\n".utf8)) })
                for match in CloneDetector().matches(query: query, in: index, jobs: jobs) {
                    print("\(match.query): \(match.reference) (\(match.tokens) tokens, \(match.lines) lines)")
                    count += 1
                }
            }
            print("\(count) matches")
        }
    }

    /// Sources under a directory, sorted; hidden directories and .build skipped, links not followed.
    private func sourceFiles(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            let full = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if let attributes = walker.fileAttributes, attributes[.type] as? FileAttributeType == .typeSymbolicLink { continue }
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
               BoundaryChecker.isSourceCode(full) {
                found.append(full)
            }
        }
        return found.sorted()
    }
}
