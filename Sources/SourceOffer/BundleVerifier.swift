// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor bundle verify`: refuses hostile archives, checks MANIFEST.json against every
// file, checks each Debian source package against its .dsc, and rebuilds every repository
// part from the bundle alone in a fresh temporary directory: the rebuilt binaries must
// equal the shipped ones byte for byte, or the source does not correspond.
// The rebuild runs the bundle's own build scripts: verify only bundles you would build.

import Foundation

public struct BundleVerification: Codable, Sendable, CustomStringConvertible {
    public struct RebuiltBinary: Codable, Equatable, Sendable {
        public var part: String
        public var path: String
        public var sha256: String
    }
    public var manifest: BundleManifest
    /// Files whose SHA-256 matched the manifest.
    public var checkedFiles: Int
    /// `.dsc` files whose listed files all matched.
    public var checkedSourcePackages: [String]
    public var rebuilt: [RebuiltBinary]
    /// Tool versions that differ from those recorded (a rebuild may differ because of them).
    public var toolchainDifferences: [String]

    /// What `candor bundle verify` prints on success (`--format text`).
    public var description: String {
        var lines = ["\(manifest.product) \(manifest.version) source bundle (commit \(manifest.commit)\(manifest.dirtyTree ? ", built from a dirty tree" : "")): ok",
                     "  \(checkedFiles) files match MANIFEST.json"]
        lines += checkedSourcePackages.map { "  \($0): every listed file matches its SHA-256" }
        lines += rebuilt.map { "  \($0.part): rebuilt \($0.path) equals the shipped binary (SHA-256 \($0.sha256))" }
        lines += toolchainDifferences.map { "  note: toolchain differs: \($0)" }
        return lines.joined(separator: "\n")
    }
}

public enum BundleVerifier {
    public static func verify(archive path: String, rebuild: Bool = true) throws -> BundleVerification {
        let entries = try TarReader.entries(try XZ.decompress(try FileSystem.read(path)))

        // One top directory holding everything.
        guard let first = entries.first, let root = first.path.split(separator: "/").first.map(String.init) else {
            throw SourceOfferError.manifest(problem: "the archive is empty")
        }
        var files: [String: TarEntry] = [:]
        for entry in entries {
            guard entry.path == root || entry.path.hasPrefix(root + "/") else {
                throw SourceOfferError.hostileEntry(path: entry.path, problem: "outside the bundle's top directory \(root)/")
            }
            if entry.kind == .file { files[String(entry.path.dropFirst(root.count + 1))] = entry }
        }
        guard let manifestEntry = files.removeValue(forKey: "MANIFEST.json") else {
            throw SourceOfferError.manifest(problem: "missing from \(root)/")
        }
        let manifest = try BundleManifest.decode(manifestEntry.contents)

        // Every file listed, every listed file present, every checksum equal.
        var listed = Set<String>()
        for file in manifest.files {
            guard listed.insert(file.path).inserted else { throw SourceOfferError.manifest(problem: "\(file.path) is listed twice") }
            guard let entry = files[file.path] else {
                throw SourceOfferError.manifest(problem: "\(file.path) is listed but missing from the archive")
            }
            let actual = FileSystem.sha256(entry.contents)
            guard actual == file.sha256 else { throw SourceOfferError.checksumMismatch(file: "\(root)/\(file.path)", expected: file.sha256, actual: actual) }
            guard UInt64(entry.contents.count) == file.size else {
                throw SourceOfferError.sizeMismatch(file: "\(root)/\(file.path)", expected: file.size, actual: UInt64(entry.contents.count))
            }
        }
        if let extra = files.keys.sorted().first(where: { !listed.contains($0) }) {
            throw SourceOfferError.manifest(problem: "\(root)/\(extra) is in the archive but not listed")
        }
        for component in manifest.components {
            for file in component.files where !listed.contains(file) {
                throw SourceOfferError.manifest(problem: "component \(component.name): file \(file) is not in the file list")
            }
        }

        // Debian source packages against their .dsc.
        var sourcePackages: [String] = []
        for component in manifest.components where component.origin == .debian {
            guard let dsc = component.dsc, let dscEntry = files["\(component.directory)/\(dsc)"] else {
                throw SourceOfferError.manifest(problem: "component \(component.name): its .dsc is missing")
            }
            let control = try DebianSourceControl(text: String(decoding: dscEntry.contents, as: UTF8.self), file: "\(component.directory)/\(dsc)")
            guard control.source == component.sourcePackage, control.version == component.sourceVersion else {
                throw SourceOfferError.dsc(file: "\(component.directory)/\(dsc)",
                                           problem: "is \(control.source) \(control.version), manifest says \(component.sourcePackage ?? "?") \(component.sourceVersion ?? "?")")
            }
            for entry in control.files {
                guard let file = files["\(component.directory)/\(entry.name)"] else {
                    throw SourceOfferError.dsc(file: "\(component.directory)/\(dsc)", problem: "lists \(entry.name), which the bundle lacks")
                }
                do { try DebianSourcePackage.check(entry, file.contents) } catch SourceOfferError.checksumMismatch(_, let expected, let actual) {
                    throw SourceOfferError.checksumMismatch(file: "\(root)/\(component.directory)/\(entry.name) (per \(dsc))", expected: expected, actual: actual)
                }
            }
            sourcePackages.append("\(component.directory)/\(dsc)")
        }

        // Rebuild the repository parts from the bundle alone.
        var rebuilt: [BundleVerification.RebuiltBinary] = []
        var toolchainDifferences: [String] = []
        if rebuild {
            for component in manifest.components where component.origin == .repository {
                let result = try rebuildPart(component, files: files)
                rebuilt += result.binaries
                toolchainDifferences += result.toolchainDifferences
            }
        }
        return BundleVerification(manifest: manifest, checkedFiles: manifest.files.count, checkedSourcePackages: sourcePackages,
                                  rebuilt: rebuilt, toolchainDifferences: toolchainDifferences)
    }

    static func rebuildPart(_ component: BundleManifest.Component, files: [String: TarEntry]) throws
        -> (binaries: [BundleVerification.RebuiltBinary], toolchainDifferences: [String]) {
        guard let sourceRoot = component.sourceRoot, let build = component.build, !build.isEmpty else {
            throw SourceOfferError.manifest(problem: "component \(component.name): repository part without sourceRoot or build command")
        }
        let workspace = try FileSystem.temporaryDirectory("rebuild-\(component.name)")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        for (path, entry) in files where path.hasPrefix(sourceRoot + "/") {
            let target = workspace + "/" + path.dropFirst(sourceRoot.count + 1)
            try FileSystem.createDirectory(URL(fileURLWithPath: target).deletingLastPathComponent().path)
            try FileSystem.writeAtomically(entry.contents, to: target)
            if entry.executable { chmod(target, 0o755) }
        }
        let result = try FileSystem.run(build, in: workspace)
        guard result.status == 0 else {
            throw SourceOfferError.rebuild(part: component.name,
                                           problem: "\(build.joined(separator: " ")) exited with status \(result.status): \(result.output.suffix(600))")
        }
        var binaries: [BundleVerification.RebuiltBinary] = []
        for binary in component.binaries {
            guard let builtPath = binary.builtPath else { continue }
            do { try TarPath.validate(builtPath) } catch {
                throw SourceOfferError.manifest(problem: "component \(component.name): builtPath \"\(builtPath)\" leaves the build directory")
            }
            guard let bytes = try? FileSystem.read(workspace + "/" + builtPath) else {
                throw SourceOfferError.rebuild(part: component.name, problem: "the build did not produce \(builtPath)")
            }
            let sha = FileSystem.sha256(bytes)
            guard sha == binary.sha256 else {
                throw SourceOfferError.rebuiltBinaryDiffers(part: component.name, binary: builtPath, shipped: binary.sha256, rebuilt: sha)
            }
            binaries.append(.init(part: component.name, path: builtPath, sha256: sha))
        }
        let differences = (component.toolchain ?? []).compactMap { tool -> String? in
            let here = SourceOfferBundle.toolVersion(tool.command, in: workspace)
            return here.version == tool.version ? nil : "\(tool.command): bundle built with \"\(tool.version)\", here \"\(here.version)\""
        }
        return (binaries, differences)
    }
}
