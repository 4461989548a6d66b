// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Where headers are searched when the tree has no compile_commands.json: the tree's own
// include/ directories (with the kernel's layout for a Linux-like tree), and for a SwiftPM
// C target its own public header directory plus those of the C targets it depends on,
// which is what SwiftPM passes with -I.

import Foundation
import Processes

struct InferredLayout {
    let tree: TreeRoot
    let packages: [SwiftPackageGraph]
    /// Tree-relative include directories every unit searches, in order.
    let globalDirectories: [String]
    /// A kernel tree: built with -nostdinc, so only the compiler's own headers are searched.
    let isLinuxLike: Bool

    init(tree: TreeRoot, files: [String], packages: [SwiftPackageGraph]) {
        self.tree = tree
        self.packages = packages
        var directories = Set<String>()
        for file in files {
            var directory = PathText.directory(of: file)
            while !directory.isEmpty, directories.insert(directory).inserted {
                directory = PathText.directory(of: directory)
            }
        }
        let targetPaths = packages.flatMap { $0.targets.map(\.path) }
        func insideTarget(_ path: String) -> Bool {
            targetPaths.contains { !$0.isEmpty && (path == $0 || path.hasPrefix($0 + "/")) }
        }
        var ordered: [String] = []
        // The kernel's own layout (what its Makefile passes with -I), when the tree is one.
        isLinuxLike = files.contains("Kbuild") && directories.contains("include/linux") && directories.contains("arch")
        if isLinuxLike {
            for directory in ["arch/x86/include", "arch/x86/include/generated", "include",
                              "arch/x86/include/uapi", "arch/x86/include/generated/uapi", "include/uapi", "include/generated/uapi"] {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: tree.absolute(directory), isDirectory: &isDirectory), isDirectory.boolValue {
                    ordered.append(directory)
                }
            }
        }
        let others = directories.filter { PathText.fileName(of: $0) == "include" && !insideTarget($0) && !ordered.contains($0) }
            .sorted { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
        globalDirectories = ordered + others
    }

    /// The compiler's header directories; for a kernel tree only its freestanding headers
    /// (stdarg.h, stddef.h), as the kernel's `-nostdinc -isystem $(cc -print-file-name=include)`.
    func systemDirectories(cPlusPlus: Bool) -> [String] {
        let all = SystemIncludeDirectories.directories(cPlusPlus: cPlusPlus)
        guard isLinuxLike else { return all }
        return all.filter { $0.contains("/gcc/") || $0.contains("/clang/") }
    }

    func target(containing path: String) -> SwiftTarget? {
        located(containing: path)?.target
    }

    private func located(containing path: String) -> (package: SwiftPackageGraph, target: SwiftTarget)? {
        var best: (package: SwiftPackageGraph, target: SwiftTarget)?
        for package in packages {
            if let target = package.target(containing: path), target.path.count > (best?.target.path.count ?? -1) {
                best = (package, target)
            }
        }
        return best
    }

    /// The target's public headers, then those of the C targets it depends on, then the
    /// tree's include directories.
    func searchDirectories(for target: SwiftTarget?) -> [String] {
        guard let target, let package = packages.first(where: { $0.targets.contains(target) }) else { return globalDirectories }
        var result: [String] = []
        var seen: Set<String> = [target.name]
        var queue = [target]
        var head = 0
        while head < queue.count {
            let current = queue[head]
            head += 1
            if let headers = current.publicHeaders, !result.contains(headers) { result.append(headers) }
            if let name = current.pkgConfig {
                for directory in PkgConfig.includeDirectories(name) where !result.contains(directory) { result.append(directory) }
            }
            for name in current.targetDependencies where seen.insert(name).inserted {
                if let dependency = package.targets.first(where: { $0.name == name }) { queue.append(dependency) }
            }
        }
        return result + globalDirectories.filter { !result.contains($0) }
    }

    /// Headers a Clang module map exposes to Swift, with their target: a system library's
    /// module.modulemap headers, a C target's custom module map, umbrella header or
    /// umbrella directory (include/).
    func moduleHeaders() -> [(header: String, target: SwiftTarget)] {
        var result: [(header: String, target: SwiftTarget)] = []
        for package in packages {
            for target in package.targets {
                if let moduleMap = target.moduleMap {
                    for header in ModuleMapReader.headers(moduleMap: tree.absolute(moduleMap)) {
                        result.append((tree.display(header), target))
                    }
                } else if target.isC, let include = target.publicHeaders {
                    let custom = tree.absolute(include + "/module.modulemap")
                    let umbrella = include + "/" + target.name + ".h"
                    if FileManager.default.fileExists(atPath: custom) {
                        for header in ModuleMapReader.headers(moduleMap: custom) { result.append((tree.display(header), target)) }
                    } else if target.sources.contains(umbrella) {
                        result.append((umbrella, target))
                    } else {
                        for source in target.sources where source.hasPrefix(include + "/") && ModuleMapReader.isHeader(source) {
                            result.append((source, target))
                        }
                    }
                }
            }
        }
        return result.sorted { $0.header < $1.header }
    }
}

/// `pkg-config --cflags-only-I NAME`: where SwiftPM finds a system library's headers.
enum PkgConfig {
    private static let cache = LockedBox([String: [String]]())

    static func includeDirectories(_ name: String) -> [String] {
        if let known = cache.withLock({ $0[name] }) { return known }
        var directories: [String] = []
        if let tool = ExternalProcess.locate("pkg-config"),
           let output = try? ProcessRunner.run(tool, ["--cflags-only-I", name], directory: nil), output.status == 0 {
            directories = output.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\n" })
                .filter { $0.hasPrefix("-I") }.map { PathText.normalize(String($0.dropFirst(2))) }
        }
        cache.withLock { $0[name] = directories }
        return directories
    }
}

/// The headers a module.modulemap names (`header`, `umbrella header`, `umbrella` dirs),
/// excluded headers left out.
enum ModuleMapReader {
    static func isHeader(_ path: String) -> Bool {
        ["h", "hh", "hpp", "hxx", "H"].contains(PathText.fileExtension(of: path))
    }

    static func headers(moduleMap: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: moduleMap) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                guard let comment = line.range(of: "//") else { return line }
                return line[..<comment.lowerBound]
            }
            .joined(separator: " ")
        let directory = PathText.directory(of: moduleMap)
        var result: [String] = []
        // Tokens: words and quoted strings; a string's meaning comes from the words before it.
        var words: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" {
                let start = text.index(after: index)
                guard let end = text[start...].firstIndex(of: "\"") else { break }
                let value = String(text[start..<end])
                let path = PathText.normalize(PathText.join(directory, value))
                if words.last == "header", !words.dropLast().contains("exclude") {
                    result.append(path)
                } else if words.last == "umbrella" {
                    result += headers(under: path)
                }
                words = []
                index = text.index(after: end)
            } else if character.isLetter || character == "_" {
                var end = index
                while end < text.endIndex, text[end].isLetter || text[end].isNumber || text[end] == "_" { end = text.index(after: end) }
                words.append(String(text[index..<end]))
                index = end
            } else {
                if character == "{" || character == "}" || character == "\n" { words = [] }
                index = text.index(after: index)
            }
        }
        return Array(Set(result)).sorted()
    }

    private static func headers(under directory: String) -> [String] {
        TreeFiles.walk(directory).filter(isHeader).map { PathText.join(directory, $0) }
    }
}
