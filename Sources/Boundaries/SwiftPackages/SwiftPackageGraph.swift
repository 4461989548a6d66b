// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The Swift side of a tree: each package's targets, their dependencies, their `import`s,
// and which C modules a Swift target pulls in. The manifest is read as text (ManifestReader)
// unless the tree is trusted; then SwiftPM evaluates it (`swift package dump-package`).

import Foundation
import Processes

public struct SwiftTarget: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case regular, executable, test, systemLibrary, plugin, macro, binary }

    public var name: String
    public var kind: Kind
    /// Tree-relative directory.
    public var path: String
    /// Has C, C++, Objective-C or assembly sources.
    public var isC: Bool
    /// In-package target names.
    public var targetDependencies: [String]
    /// "Product@package".
    public var productDependencies: [String]
    /// Tree-relative files.
    public var sources: [String]
    /// Tree-relative module.modulemap of a system library target.
    public var moduleMap: String?
    /// Tree-relative public header directory of a C target.
    public var publicHeaders: String?
    /// The pkg-config name of a system library target (its -I flags locate its headers).
    public var pkgConfig: String?

    public init(name: String, kind: Kind, path: String, isC: Bool, targetDependencies: [String], productDependencies: [String],
                sources: [String], moduleMap: String?, publicHeaders: String?, pkgConfig: String? = nil) {
        self.name = name
        self.kind = kind
        self.path = path
        self.isC = isC
        self.targetDependencies = targetDependencies
        self.productDependencies = productDependencies
        self.sources = sources
        self.moduleMap = moduleMap
        self.publicHeaders = publicHeaders
        self.pkgConfig = pkgConfig
    }
}

/// One `import` in a Swift file.
public struct SwiftImport: Codable, Hashable, Sendable {
    public var file: String
    public var line: Int
    /// The top-level module: `import struct Foundation.Data` imports `Foundation`.
    public var module: String

    public init(file: String, line: Int, module: String) {
        self.file = file
        self.line = line
        self.module = module
    }
}

public struct SwiftPackageGraph: Codable, Sendable {
    /// Tree-relative ("" for the root).
    public var packageDirectory: String
    public var name: String
    /// Sorted by name.
    public var targets: [SwiftTarget]
    /// Every import in the targets' Swift files, sorted by file and line.
    public var imports: [SwiftImport]
    public var problems: [AnalysisProblem]

    public init(packageDirectory: String, name: String, targets: [SwiftTarget], imports: [SwiftImport], problems: [AnalysisProblem]) {
        self.packageDirectory = packageDirectory
        self.name = name
        self.targets = targets
        self.imports = imports
        self.problems = problems
    }

    static let cSourceExtensions: Set<String> = ["c", "cc", "cpp", "cxx", "c++", "m", "mm", "S", "s"]
    static let sourceExtensions: Set<String> = cSourceExtensions.union(["swift", "h", "hh", "hpp", "hxx", "inc", "modulemap"])

    /// Loads the package whose Package.swift is in `packageDirectory` (tree-relative).
    /// A manifest SwiftPM cannot read gives a graph with no targets and a problem.
    /// Without `trustBuild` the manifest is read as text (ManifestReader), never run;
    /// with it SwiftPM evaluates it (`swift package dump-package` runs the manifest).
    public static func load(root: String, packageDirectory: String, trustBuild: Bool = false) throws -> SwiftPackageGraph {
        let tree = TreeRoot(root)
        let directory = PathText.normalize(PathText.join(tree.path, packageDirectory))
        let relative = packageDirectory.isEmpty || packageDirectory == "." ? "" : PathText.normalize(packageDirectory)
        let manifest = relative.isEmpty ? "Package.swift" : relative + "/Package.swift"
        var graph = SwiftPackageGraph(packageDirectory: relative, name: PathText.fileName(of: directory), targets: [], imports: [], problems: [])
        func fail(_ message: String) -> SwiftPackageGraph {
            graph.problems.append(AnalysisProblem(SourceLocation(path: manifest), message))
            return graph
        }
        let json: [String: Any]
        if trustBuild {
            guard let dumped = dumpPackage(directory: directory, fail: { graph.problems.append(AnalysisProblem(SourceLocation(path: manifest), $0)) })
            else { return graph }
            json = dumped
        } else {
            guard let data = FileManager.default.contents(atPath: PathText.join(directory, "Package.swift")) else {
                return fail("cannot read the manifest")
            }
            let read = ManifestReader.read(String(decoding: data, as: UTF8.self))
            for problem in read.problems {
                graph.problems.append(AnalysisProblem(SourceLocation(path: manifest, line: problem.line), problem.message))
            }
            json = ["name": read.name as Any, "targets": read.targets]
        }
        graph.name = json["name"] as? String ?? graph.name
        let entries = json["targets"] as? [[String: Any]] ?? []
        let names = Set(entries.compactMap { $0["name"] as? String })
        for entry in entries {
            guard let target = makeTarget(entry, targetNames: names, tree: tree, packageDirectory: relative) else { continue }
            graph.targets.append(target)
        }
        graph.targets.sort { $0.name < $1.name }
        for target in graph.targets {
            for source in target.sources where PathText.fileExtension(of: source) == "swift" {
                guard let data = FileManager.default.contents(atPath: tree.absolute(source)) else {
                    graph.problems.append(AnalysisProblem(SourceLocation(path: source), "cannot read file"))
                    continue
                }
                graph.imports += SwiftImportScanner.imports(in: [UInt8](data)).map { SwiftImport(file: source, line: $0.line, module: $0.module) }
            }
        }
        graph.imports.sort { ($0.file, $0.line, $0.module) < ($1.file, $1.line, $1.module) }
        graph.problems.sort()
        return graph
    }

    /// SwiftPM's reading of the manifest: runs the manifest (only with --trust-build).
    private static func dumpPackage(directory: String, fail: (String) -> Void) -> [String: Any]? {
        guard let swift = ExternalProcess.locate("swift") else {
            fail("swift not found on PATH: cannot read the manifest")
            return nil
        }
        let output: ProcessRunner.Output
        do {
            // A scratch path of our own: the package's .build may be locked by a running
            // `swift build` or `swift test`, and dump-package would wait for it.
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("candor-dump-package").path
            output = try ProcessRunner.run(swift, ["package", "dump-package", "--package-path", directory, "--scratch-path", scratch],
                                             directory: directory, timeout: 120)
        } catch {
            fail("cannot run swift package dump-package: \(error.localizedDescription)")
            return nil
        }
        guard output.status == 0 else {
            let lines = output.standardError.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            fail("swift package dump-package failed: \(lines.first { $0.contains("error") } ?? lines.first ?? "exit status \(output.status)")")
            return nil
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any] else {
            fail("swift package dump-package printed no JSON manifest")
            return nil
        }
        return json
    }

    /// Finds the Package.swift files of the tree (not under SwiftPM's own `.build` or
    /// `checkouts`, nor hidden directories) and loads each. Anything else a project wants
    /// left out (test fixtures, say) goes into its policy's `[boundaries] ignore`.
    public static func loadAll(root: String, files: [String]?, trustBuild: Bool = false) -> [SwiftPackageGraph] {
        let tree = TreeRoot(root)
        let all = files ?? TreeFiles.walk(tree.path)
        let skipped: Set<Substring> = [".build", "checkouts"]
        let directories = all.map { PathText.normalize($0) }
            .filter { PathText.fileName(of: $0) == "Package.swift" }
            .filter { !$0.split(separator: "/").contains { skipped.contains($0) || $0.hasPrefix(".") } }
            .map { PathText.directory(of: $0) }
            .sorted()
        return directories.compactMap { try? load(root: tree.path, packageDirectory: $0, trustBuild: trustBuild) }
    }

    /// The target whose directory holds `path` (tree-relative), the innermost one; a source
    /// file the manifest excludes belongs to no target.
    public func target(containing path: String) -> SwiftTarget? {
        let path = PathText.normalize(path)
        let isSource = Self.sourceExtensions.contains(PathText.fileExtension(of: path))
        return targets.filter { path == $0.path || path.hasPrefix($0.path + "/") }
            .max { $0.path.count < $1.path.count }
            .flatMap { !isSource || $0.sources.contains(path) ? $0 : nil }
    }

    /// The C modules (targets with C sources or a module map) `target` reaches through
    /// target dependencies and imports of in-package modules, each with the chain of target
    /// names from `target` to it, sorted by module.
    public func cModules(reachableFrom target: String) -> [(module: String, chain: [String])] {
        let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var importsByTarget: [String: [String]] = [:]
        for item in imports {
            guard let owner = self.target(containing: item.file), byName[item.module] != nil, item.module != owner.name else { continue }
            if !(importsByTarget[owner.name]?.contains(item.module) ?? false) { importsByTarget[owner.name, default: []].append(item.module) }
        }
        var chains: [String: [String]] = [target: [target]]
        var queue = [target]
        var head = 0
        while head < queue.count {
            let current = queue[head]
            head += 1
            let next = (byName[current]?.targetDependencies ?? []) + (importsByTarget[current] ?? []).sorted()
            for name in next where chains[name] == nil && byName[name] != nil {
                chains[name] = chains[current]! + [name]
                queue.append(name)
            }
        }
        return chains.compactMap { name, chain -> (module: String, chain: [String])? in
            guard name != target, let module = byName[name], module.isC || module.moduleMap != nil else { return nil }
            return (name, chain)
        }.sorted { $0.module < $1.module }
    }

    private static func makeTarget(_ entry: [String: Any], targetNames: Set<String>, tree: TreeRoot, packageDirectory: String) -> SwiftTarget? {
        guard let name = entry["name"] as? String else { return nil }
        let kind: SwiftTarget.Kind
        switch entry["type"] as? String {
        case "executable": kind = .executable
        case "test": kind = .test
        case "system": kind = .systemLibrary
        case "plugin": kind = .plugin
        case "macro": kind = .macro
        case "binary": kind = .binary
        default: kind = .regular
        }
        var targetDependencies: [String] = []
        var productDependencies: [String] = []
        for dependency in entry["dependencies"] as? [[String: Any]] ?? [] {
            if let byName = dependency["byName"] as? [Any], let dependencyName = byName.first as? String {
                // A bare name is a target of this package, or else a product named like its package.
                if targetNames.contains(dependencyName) { targetDependencies.append(dependencyName) }
                else { productDependencies.append("\(dependencyName)@\(dependencyName)") }
            } else if let target = dependency["target"] as? [Any], let dependencyName = target.first as? String {
                targetDependencies.append(dependencyName)
            } else if let product = dependency["product"] as? [Any], let productName = product.first as? String {
                let package = product.count > 1 ? (product[1] as? String ?? productName) : productName
                productDependencies.append("\(productName)@\(package)")
            }
        }
        let packageRoot = packageDirectory
        let path: String
        if let explicit = entry["path"] as? String {
            path = PathText.normalize(PathText.join(packageRoot, explicit))
        } else {
            let parents: [String]
            switch kind {
            case .test: parents = ["Tests", "Sources", "Source", "src", "srcs"]
            case .plugin: parents = ["Plugins"]
            default: parents = ["Sources", "Source", "src", "srcs"]
            }
            let candidates = parents.map { PathText.join(packageRoot, $0 + "/" + name) }
            path = candidates.first { isDirectory(tree.absolute($0)) } ?? candidates[0]
        }
        let excluded = (entry["exclude"] as? [String] ?? []).map { PathText.normalize(PathText.join(path, $0)) }
        var roots = [path]
        if let explicitSources = entry["sources"] as? [String] {
            roots = explicitSources.map { PathText.normalize(PathText.join(path, $0)) }
        }
        var sources: [String] = []
        for sourceRoot in roots {
            let absolute = tree.absolute(sourceRoot)
            let found = isDirectory(absolute) ? TreeFiles.walk(absolute).map { PathText.join(sourceRoot, $0) }
                : (FileManager.default.fileExists(atPath: absolute) ? [sourceRoot] : [])
            sources += found.filter { file in
                sourceExtensions.contains(PathText.fileExtension(of: file))
                    && !excluded.contains { file == $0 || file.hasPrefix($0 + "/") }
            }
        }
        sources = Array(Set(sources)).sorted()
        let hasCSources = sources.contains { cSourceExtensions.contains(PathText.fileExtension(of: $0)) }
        let hasSwift = sources.contains { PathText.fileExtension(of: $0) == "swift" }
        let hasHeaders = sources.contains { ModuleMapReader.isHeader($0) }
        let isC = kind != .systemLibrary && kind != .binary && (hasCSources || (!hasSwift && hasHeaders))
        var moduleMap: String?
        if kind == .systemLibrary {
            let candidate = PathText.join(path, "module.modulemap")
            if FileManager.default.fileExists(atPath: tree.absolute(candidate)) { moduleMap = candidate }
        }
        var publicHeaders: String?
        if isC {
            let candidate = PathText.normalize(PathText.join(path, entry["publicHeadersPath"] as? String ?? "include"))
            if isDirectory(tree.absolute(candidate)) { publicHeaders = candidate }
        }
        return SwiftTarget(name: name, kind: kind, path: path, isC: isC, targetDependencies: targetDependencies,
                           productDependencies: productDependencies, sources: sources, moduleMap: moduleMap, publicHeaders: publicHeaders,
                           pkgConfig: entry["pkgConfig"] as? String)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
