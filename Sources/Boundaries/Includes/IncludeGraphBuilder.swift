// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Builds the include graph of a tree: translation units from compile_commands.json when
// the tree has one (resolved by the entry's own compiler where it runs), otherwise every
// C/C++ source with an inferred search path; then every reachable header is followed,
// down to the system headers, each parsed once. A unit of the database reads only the
// includes its depfile lists or, without one, the branches its flags select (ConditionWalk).

import Foundation
import Parallel

public enum IncludeGraphBuilder {
    static let sourceExtensions: Set<String> = ["c", "cc", "cpp", "cxx", "c++", "m", "mm", "S"]
    static let cPlusPlusExtensions: Set<String> = ["cc", "cpp", "cxx", "c++", "mm"]

    /// root: the tree; files: tree-relative paths of the tree's files (walked when nil);
    /// compileCommands: an explicit compile_commands.json, else root/compile_commands.json,
    /// root/build/compile_commands.json or root/.build/*/compile_commands.json; with none
    /// the units and flags are inferred.
    /// trustBuild: run each entry's compiler (`-E -H`) to learn which header each directive
    /// opened. Without it nothing of the tree runs: compile_commands.json is data, and a
    /// depfile the tree's build already wrote (`-MD`, `-MF`) says which headers a unit read.
    public static func build(root: String, files: [String]?, compileCommands: String?, jobs: Int,
                             trustBuild: Bool = false) throws -> IncludeGraph {
        let tree = TreeRoot(root)
        var problems: [AnalysisProblem] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: tree.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return IncludeGraph(units: [], edges: [:], problems: [AnalysisProblem(SourceLocation(path: root), "not a directory")])
        }
        let treeFiles = (files ?? TreeFiles.walk(tree.path)).map { PathText.normalize($0) }.sorted()
        let databasePath = compileCommands.map { PathText.normalize(PathText.join(tree.path, $0)) } ?? findDatabase(tree)
        let cache = IncludeFileCache(keepsConditions: databasePath != nil)
        var filesByName: [String: [String]] = [:]
        for file in treeFiles { filesByName[PathText.fileName(of: file), default: []].append(tree.absolute(file)) }

        let packages = treeFiles.contains { PathText.fileName(of: $0) == "Package.swift" }
            ? SwiftPackageGraph.loadAll(root: tree.path, files: treeFiles, trustBuild: trustBuild) : []
        let layout = InferredLayout(tree: tree, files: treeFiles, packages: packages)

        var plans: [UnitPlan] = []
        var traced: [String: ResolvedDirectives] = [:]
        // Unit source -> every file its compilation read, where a depfile says so.
        var compiled: [String: Set<String>] = [:]
        var usedDatabase = false
        if let database = databasePath {
            let display = tree.display(database)
            do {
                let loaded = try CompileCommands.load(path: database, displayPath: display)
                usedDatabase = true
                problems += loaded.problems
                var seen = Set<String>()
                let commands = loaded.commands.filter { seen.insert($0.file).inserted }
                for command in commands {
                    let cPlusPlus = cPlusPlusExtensions.contains(PathText.fileExtension(of: command.file))
                    let search = CompileCommands.searchPath(arguments: command.arguments, directory: command.directory, isCPlusPlus: cPlusPlus)
                    let source = tree.display(command.file)
                    plans.append(UnitPlan(source: command.file,
                                          unit: TranslationUnit(source: source, target: layout.target(containing: source)?.name, arguments: command.arguments),
                                          search: search,
                                          macros: MacroTable.initial(arguments: command.arguments, isCPlusPlus: cPlusPlus,
                                                                     isAssembler: PathText.fileExtension(of: command.file) == "S")))
                }
                let results = LockedBox([(String, Result<(resolved: ResolvedDirectives, error: String?), Error>)]())
                for command in commands where !trustBuild {
                    guard let depfile = Depfile.path(of: command) else { continue }
                    switch Depfile.read(depfile, directory: command.directory) {
                    case .success(let read):
                        compiled[command.file] = read.union([command.file])
                        traced[command.file] = Depfile.resolve(source: command.file, read: read, cache: cache)
                    case .failure(let problem):
                        problems.append(AnalysisProblem(SourceLocation(path: tree.display(depfile)), problem.message))
                    }
                }
                Parallel.forEach(trustBuild ? commands.count : 0, jobs: jobs) { index in
                    let command = commands[index]
                    let result = Result { try CompilerTrace.run(command, cache: cache) }
                    results.withLock { $0.append((command.file, result)) }
                }
                for (file, result) in results.value {
                    switch result {
                    case .success(let trace):
                        traced[file] = trace.resolved
                        if let error = trace.error {
                            problems.append(AnalysisProblem(SourceLocation(path: tree.display(file)), "the compiler stopped (\(error)); includes it did not reach are resolved textually"))
                        }
                    case .failure(let error):
                        var message = "\(error)"
                        if case CompilerTrace.Failure.cannotRun(let reason) = error { message = reason }
                        problems.append(AnalysisProblem(SourceLocation(path: tree.display(file)), "\(message); includes resolved textually from \(display)"))
                    }
                }
            } catch CompileCommands.LoadError.problem(let problem) {
                problems.append(problem)
            }
        }
        // No usable database: every C/C++ source of the tree is a unit. Units of one target
        // and language share one search path and one argument list (a kernel's 33,000 units
        // each searching 150 directories would otherwise hold 5 million path strings).
        if !usedDatabase {
            var inferred: [String: (arguments: [String], search: HeaderSearchPath)] = [:]
            for file in treeFiles where sourceExtensions.contains(PathText.fileExtension(of: file)) {
                let target = layout.target(containing: file)
                let cPlusPlus = cPlusPlusExtensions.contains(PathText.fileExtension(of: file))
                let key = "\(cPlusPlus)\u{0}\(target?.path ?? "")\u{0}\(target?.name ?? "")"
                let made = inferred[key] ?? {
                    let directories = layout.searchDirectories(for: target)
                    return (directories.map { "-I" + $0 },
                            HeaderSearchPath(quote: [], angled: directories.map(tree.absolute) + layout.systemDirectories(cPlusPlus: cPlusPlus)))
                }()
                inferred[key] = made
                plans.append(UnitPlan(source: tree.absolute(file),
                                      unit: TranslationUnit(source: file, target: target?.name, arguments: made.arguments),
                                      search: made.search))
            }
        }
        // Module map headers: Swift imports them without any .c file including them.
        var planned = Set(plans.map(\.unit.source))
        for (header, target) in layout.moduleHeaders() where !planned.contains(header) {
            planned.insert(header)
            let directories = layout.searchDirectories(for: target)
            plans.append(UnitPlan(source: tree.absolute(header),
                                  unit: TranslationUnit(source: header, target: target.name, arguments: directories.map { "-I" + $0 }),
                                  search: HeaderSearchPath(quote: [], angled: directories.map(tree.absolute) + layout.systemDirectories(cPlusPlus: false))))
        }
        plans.sort { $0.unit.source < $1.unit.source }
        for index in plans.indices where compiled[plans[index].source] != nil { plans[index].unit.evidence = .depfile }

        // Units that search the same path share one walk.
        var groups: [HeaderSearchPath: [UnitPlan]] = [:]
        var order: [HeaderSearchPath] = []
        for plan in plans {
            if groups[plan.search] == nil { order.append(plan.search) }
            groups[plan.search, default: []].append(plan)
        }
        var edges: [String: [IncludeEdge]] = [:]
        var untaken: [String: [String: Set<Int>]] = [:]
        var evidence: [String: IncludeEvidence] = [:]
        for search in order {
            let group = groups[search]!
            var resolved: ResolvedDirectives = [:]
            for plan in group {
                for (includer, lines) in traced[plan.source] ?? [:] {
                    resolved[includer, default: [:]].merge(lines) { first, _ in first }
                }
            }
            // Where every unit of the group has a depfile, only the headers they read are followed.
            let read = group.allSatisfy { compiled[$0.source] != nil }
                ? group.reduce(into: Set<String>()) { $0.formUnion(compiled[$1.source]!) } : nil
            let resolver = HeaderResolver(search: search, cache: cache, filesByName: filesByName)
            // Units of the database without a depfile: their #if conditions, evaluated.
            let evaluated = group.filter { $0.macros != nil && compiled[$0.source] == nil }
            let conditions = LockedBox([String: UnitConditions]())
            Parallel.forEach(evaluated.count, jobs: jobs) { index in
                let plan = evaluated[index]
                let walk = ConditionWalk(tree: tree, resolver: resolver, traced: resolved)
                let result = walk.run(source: plan.source, forced: search.forcedIncludes, macros: plan.macros!)
                conditions.withLock { $0[plan.source] = result }
            }
            let evaluations = conditions.value
            var taken: [String: Set<Int>]? = nil
            for plan in evaluated {
                let result = evaluations[plan.source]!
                problems += result.problems
                if let failure = result.failure {
                    evidence[plan.unit.source] = .textual(reason: "conditions not evaluated: \(failure)")
                } else {
                    evidence[plan.unit.source] = .conditionsEvaluated(undecided: result.undecided)
                }
            }
            // Where every unit of the group was evaluated, only the includes some unit takes are edges.
            if !evaluated.isEmpty, evaluated.count == group.count, evaluated.allSatisfy({ evaluations[$0.source]!.failure == nil }) {
                taken = [:]
                for plan in evaluated {
                    for (file, lines) in evaluations[plan.source]!.taken { taken![file, default: []].formUnion(lines) }
                }
            }
            let walk = IncludeWalk(tree: tree, resolver: resolver, traced: resolved, compiled: read, taken: taken, jobs: jobs)
            let result = walk.run(from: group.map(\.source))
            for (includer, list) in result.edges where edges[includer] == nil { edges[includer] = list }
            problems += result.problems
            // What each evaluated unit does not take of the edges other units gave its files.
            for plan in evaluated {
                let result = evaluations[plan.source]!
                guard result.failure == nil else { continue }
                var skipped: [String: Set<Int>] = [:]
                for (file, lines) in result.untaken {
                    let includer = tree.display(file)
                    let present = Set((edges[includer] ?? []).map(\.line)).intersection(lines)
                    if !present.isEmpty { skipped[includer] = present }
                }
                if !skipped.isEmpty { untaken[plan.unit.source] = skipped }
            }
            // A unit with a depfile in a group that also has others: the edges to files its
            // compilation did not read are not its own.
            if read == nil {
                for plan in group {
                    guard let files = compiled[plan.source] else { continue }
                    let readFiles = Set(files.map(tree.display))
                    var skipped: [String: Set<Int>] = [:]
                    var seen: Set<String> = [plan.unit.source]
                    var queue = [plan.unit.source]
                    while let file = queue.popLast() {
                        for edge in edges[file] ?? [] {
                            guard let target = edge.to else { continue }
                            if !readFiles.contains(target) {
                                skipped[file, default: []].insert(edge.line)
                            } else if seen.insert(target).inserted {
                                queue.append(target)
                            }
                        }
                    }
                    if !skipped.isEmpty { untaken[plan.unit.source] = skipped }
                }
            }
        }
        for index in plans.indices {
            if let known = evidence[plans[index].unit.source] { plans[index].unit.evidence = known }
        }
        return IncludeGraph(units: plans.map(\.unit), edges: edges, problems: Array(Set(problems)).sorted(), untaken: untaken)
    }

    struct UnitPlan {
        var source: String // absolute
        var unit: TranslationUnit
        var search: HeaderSearchPath
        /// The macros the unit's command line starts with; nil when there is no command.
        var macros: MacroTable? = nil
    }

    static func findDatabase(_ tree: TreeRoot) -> String? {
        for candidate in ["compile_commands.json", "build/compile_commands.json"] {
            let path = tree.absolute(candidate)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        let build = tree.absolute(".build")
        let children = (try? FileManager.default.contentsOfDirectory(atPath: build)) ?? []
        for child in children.sorted() {
            let path = build + "/" + child + "/compile_commands.json"
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }
}

/// Follows includes breadth-first from a set of sources, one level at a time in parallel.
struct IncludeWalk {
    let tree: TreeRoot
    let resolver: HeaderResolver
    let traced: ResolvedDirectives
    /// The files the units' compilations read (from depfiles); nil: follow every directive.
    var compiled: Set<String>? = nil
    /// Includer -> lines of the includes the units' evaluated conditions take; nil: all.
    var taken: [String: Set<Int>]? = nil
    let jobs: Int

    func run(from sources: [String]) -> (edges: [String: [IncludeEdge]], problems: [AnalysisProblem]) {
        let sourceSet = Set(sources)
        var visited = sourceSet
        var frontier = sources
        var edges: [String: [IncludeEdge]] = [:]
        var problems: [AnalysisProblem] = []
        while !frontier.isEmpty {
            let results = LockedBox([Int: (edges: [IncludeEdge], targets: [String], problems: [AnalysisProblem])]())
            let files = frontier
            Parallel.forEach(files.count, jobs: jobs) { index in
                let result = visit(files[index], isSource: sourceSet.contains(files[index]))
                results.withLock { $0[index] = result }
            }
            let collected = results.value
            frontier = []
            for index in files.indices {
                guard let result = collected[index] else { continue }
                edges[tree.display(files[index])] = result.edges
                problems += result.problems
                for target in result.targets where visited.insert(target).inserted { frontier.append(target) }
            }
        }
        return (edges, problems)
    }

    private func visit(_ file: String, isSource: Bool) -> (edges: [IncludeEdge], targets: [String], problems: [AnalysisProblem]) {
        let from = tree.display(file)
        var edges: [IncludeEdge] = []
        var targets: [String] = []
        var problems: [AnalysisProblem] = []
        if isSource {
            // `-include x.h` on the command line acts as a first line of the source.
            for forced in resolver.search.forcedIncludes {
                edges.append(IncludeEdge(from: from, line: 0, spelled: "-include \(tree.display(forced))", to: tree.display(forced)))
                targets.append(forced)
            }
        }
        switch resolver.cache.directives(of: file) {
        case .failure(let error):
            problems.append(AnalysisProblem(SourceLocation(path: from), error.message))
        case .success(let directives):
            for directive in directives {
                // In a branch of #if that no unit's flags select.
                if let taken, !(taken[file]?.contains(directive.line) ?? false) { continue }
                let header = traced[file]?[directive.line] ?? resolver.resolve(directive, in: file)
                // Not read by the compilation (a branch of #if it did not take).
                if let compiled, let header, !compiled.contains(header) { continue }
                edges.append(IncludeEdge(from: from, line: directive.line, spelled: directive.spelled, to: header.map(tree.display)))
                if let header {
                    targets.append(header)
                } else if directive.form == .quoted, tree.contains(file) {
                    problems.append(AnalysisProblem(SourceLocation(path: from, line: directive.line), "cannot find the header \(directive.spelled)"))
                }
            }
        }
        return (edges, targets, problems)
    }
}

/// Walks a tree when the caller has no file list: regular files, hidden directories
/// skipped, symbolic links not followed (so a link loop cannot trap the walk).
enum TreeFiles {
    static func walk(_ root: String) -> [String] {
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = PathText.join(root, relative)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                var status = stat()
                guard lstat(PathText.join(root, child), &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: pending.append(child)
                case S_IFREG: result.append(child)
                default: continue
                }
            }
        }
        return result.sorted()
    }
}
