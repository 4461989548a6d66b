// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Linux modules of a tree: Kbuild and Makefile `obj-m` / `obj-$(CONFIG_...)` lines name
// the modules, `foo-y` / `foo-objs` lines their parts (variables expanded, see
// KbuildMakefile), MODULE_LICENSE their license.
// Files with a MODULE_LICENSE that no makefile accounts for are modules of their own.

import Foundation

extension ExportAnalysis {
    /// - Parameters:
    ///   - root: the tree.
    ///   - files: the tree's files, relative to `root` (absolute paths inside it also work).
    public static func kernelModules(root: String, files: [String]) -> [KernelModule] {
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        let relative = files.map { $0.hasPrefix(rootPrefix) ? String($0.dropFirst(rootPrefix.count)) : $0 }
        let present = Set(relative)

        // Module name (with directory) -> parts (.o paths), from every makefile.
        var modules: [String: [String]] = [:]
        var composites: [String: [String]] = [:]
        for file in relative.sorted() {
            let base = (file as NSString).lastPathComponent
            guard base == "Makefile" || base == "Kbuild" else { continue }
            guard let text = readText(rootPrefix + file) else { continue }
            let directory = (file as NSString).deletingLastPathComponent
            for (name, objects) in KbuildMakefile(path: file, text: text, rootPrefix: rootPrefix).assignments {
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
            for source in module.sources {
                guard let text = readText(rootPrefix + source) else { continue }
                if let first = moduleLicenses(in: text, path: source).first {
                    module.license = first.license
                    module.licenseLocation = first.location
                    break
                }
            }
            result.append(module)
        }
        for file in relative.sorted() where file.hasSuffix(".c") && !covered.contains(file) {
            guard let text = readText(rootPrefix + file), let first = moduleLicenses(in: text, path: file).first else { continue }
            let name = String(((file as NSString).lastPathComponent).dropLast(2))
            result.append(KernelModule(name: name, sources: [file], license: first.license, licenseLocation: first.location))
        }
        return result.sorted { ($0.name, $0.sources.joined(separator: "\n")) < ($1.name, $1.sources.joined(separator: "\n")) }
    }

    /// The .c files a Kbuild makefile builds (into the kernel or a module): the kernel's
    /// build decides what is kernel code, directory by directory, not one file for the tree.
    public static func kbuildSources(root: String, files: [String]) -> Set<String> {
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        let present = Set(files)
        var sources = Set<String>()
        for file in files.sorted() {
            let base = (file as NSString).lastPathComponent
            guard base == "Makefile" || base == "Kbuild", let text = readText(rootPrefix + file) else { continue }
            let directory = (file as NSString).deletingLastPathComponent
            let makefile = KbuildMakefile(path: file, text: text, rootPrefix: rootPrefix)
            for (name, objects) in makefile.assignments where name.hasPrefix("obj-") || name.hasSuffix("-y") || name.hasSuffix("-objs") {
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
