// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Linux modules of a tree: Kbuild and Makefile `obj-m` / `obj-$(CONFIG_...)` lines name
// the modules, `foo-y` / `foo-objs` lines their parts (variables expanded, see
// KbuildMakefile), MODULE_LICENSE their license.
// Files with a MODULE_LICENSE that no makefile accounts for are modules of their own.

import Foundation
import Parallel

/// The Kbuild makefiles (`Makefile`, `Kbuild`) of a tree, each read once: the modules and
/// the sources built into the kernel both come from them.
public struct KbuildTree: Sendable {
    /// Makefile path (tree-relative, sorted) and its expanded assignments.
    let makefiles: [(path: String, assignments: [(String, [String])])]

    /// - Parameters:
    ///   - root: the tree; files: its files, relative to `root`; jobs: makefiles read at once.
    public init(root: String, files: [String], jobs: Int = 1) {
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        let paths = files.filter { file in
            let base = (file as NSString).lastPathComponent
            return base == "Makefile" || base == "Kbuild"
        }.sorted()
        let read = Parallel.map(paths.count, jobs: jobs) { index -> [(String, [String])]? in
            guard let text = ExportAnalysis.readText(rootPrefix + paths[index]) else { return nil }
            return KbuildMakefile(path: paths[index], text: text, rootPrefix: rootPrefix).assignments
        }
        makefiles = zip(paths, read).compactMap { path, assignments in assignments.map { (path, $0) } }
    }
}

extension ExportAnalysis {
    /// - Parameters:
    ///   - root: the tree.
    ///   - files: the tree's files, relative to `root` (absolute paths inside it also work).
    ///   - jobs: files read at once.
    ///   - kbuild: the tree's makefiles, when the caller has read them already.
    public static func kernelModules(root: String, files: [String], jobs: Int = 1, kbuild: KbuildTree? = nil) -> [KernelModule] {
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        let relative = files.map { $0.hasPrefix(rootPrefix) ? String($0.dropFirst(rootPrefix.count)) : $0 }
        let present = Set(relative)

        // Module name (with directory) -> parts (.o paths), from every makefile.
        var modules: [String: [String]] = [:]
        var composites: [String: [String]] = [:]
        for (file, assignments) in (kbuild ?? KbuildTree(root: root, files: relative, jobs: jobs)).makefiles {
            let directory = (file as NSString).deletingLastPathComponent
            for (name, objects) in assignments {
                let paths = objects.filter { $0.hasSuffix(".o") }.compactMap { join(directory, $0) }
                if name == "obj-m" || name.hasPrefix("obj-$(") {
                    for path in paths { modules[path, default: []].append(path) }
                } else if name != "obj-y", let dash = name.range(of: "-", options: .backwards) {
                    let stem = String(name[..<dash.lowerBound])
                    let suffix = name[dash.upperBound...]
                    guard suffix == "y" || suffix == "objs" || suffix == "m" || suffix.hasPrefix("$("),
                          !stem.isEmpty, !["obj", "lib", "ccflags", "asflags", "ldflags", "subdir", "always", "hostprogs",
                                           "extra", "targets", "clean", "userprogs"].contains(stem) else { continue }
                    guard let composite = join(directory, stem + ".o") else { continue }
                    composites[composite, default: []].append(contentsOf: paths)
                }
            }
        }

        // The first MODULE_LICENSE of every C file, read on every thread: the modules'
        // sources and the files no makefile accounts for are most of a kernel's C files.
        let cFiles = relative.filter { $0.hasSuffix(".c") }.sorted()
        let licenses = Parallel.map(cFiles.count, jobs: jobs) { index in firstModuleLicense(rootPrefix + cFiles[index], path: cFiles[index]) }
        var licenseOf: [String: (license: String, location: SourceLocation)] = [:]
        for (file, license) in zip(cFiles, licenses) { if let license { licenseOf[file] = license } }

        var result: [KernelModule] = []
        var covered = Set<String>()
        for (object, _) in modules.sorted(by: { $0.key < $1.key }) {
            var sources = Set<String>()
            var pending = [object]
            var visited = Set<String>()
            while let part = pending.popLast() {
                guard visited.insert(part).inserted else { continue }
                if let parts = composites[part], !parts.isEmpty {
                    pending.append(contentsOf: parts)
                } else {
                    let source = String(part.dropLast(2)) + ".c"
                    if present.contains(source) { sources.insert(source) }
                }
            }
            guard !sources.isEmpty else { continue }
            covered.formUnion(sources)
            let name = String(((object as NSString).lastPathComponent).dropLast(2))
            var module = KernelModule(name: name, sources: sources.sorted())
            if let first = module.sources.lazy.compactMap({ licenseOf[$0] }).first {
                module.license = first.license
                module.licenseLocation = first.location
            }
            result.append(module)
        }
        for file in cFiles where !covered.contains(file) {
            guard let first = licenseOf[file] else { continue }
            let name = String(((file as NSString).lastPathComponent).dropLast(2))
            result.append(KernelModule(name: name, sources: [file], license: first.license, licenseLocation: first.location))
        }
        return result.sorted { ($0.name, $0.sources.joined(separator: "\n")) < ($1.name, $1.sources.joined(separator: "\n")) }
    }

    /// The first MODULE_LICENSE of a file; the file is decoded only when it names one.
    private static func firstModuleLicense(_ fullPath: String, path: String) -> (license: String, location: SourceLocation)? {
        guard let data = FileManager.default.contents(atPath: fullPath) else { return nil }
        let named = data.withUnsafeBytes { raw in contains(raw.bindMemory(to: UInt8.self), "MODULE_LICENSE") }
        guard named else { return nil }
        return moduleLicenses(in: String(decoding: data, as: UTF8.self), path: path).first
    }

    /// The .c files a Kbuild makefile builds (into the kernel or a module): the kernel's
    /// build decides what is kernel code, directory by directory, not one file for the tree.
    public static func kbuildSources(root: String, files: [String], kbuild: KbuildTree? = nil) -> Set<String> {
        let present = Set(files)
        var sources = Set<String>()
        for (file, assignments) in (kbuild ?? KbuildTree(root: root, files: files)).makefiles {
            let directory = (file as NSString).deletingLastPathComponent
            for (name, objects) in assignments where name.hasPrefix("obj-") || name.hasSuffix("-y") || name.hasSuffix("-objs") {
                for object in objects where object.hasSuffix(".o") {
                    if let source = join(directory, String(object.dropLast(2)) + ".c"), present.contains(source) { sources.insert(source) }
                }
            }
        }
        return sources
    }

    /// An object named in a makefile, relative to the tree (`../display/x.o` resolved).
    private static func join(_ directory: String, _ path: String) -> String? {
        KbuildMakefile.normalize(directory.isEmpty ? path : directory + "/" + path)
    }

    /// File text; invalid UTF-8 is replaced rather than failing (kernel files carry Latin-1 names).
    static func readText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
