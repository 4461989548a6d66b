// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Builds the source-offer bundle: one deterministic .tar.xz with the source of every
// distributed component whose license asks for it, the written offer, the license texts,
// the third-party notices and MANIFEST.json. A linear recipe; any step that fails stops
// the build and nothing is written.

import Foundation
import Inventory

public struct BundleRequest {
    /// The source tree (inside a git repository) whose HEAD commit is released.
    public var tree: String
    public var release: ReleaseDescription
    public var policy: SourceObligationPolicy
    /// Components of the release (from `Scanner.scan(root:).components`); repository parts
    /// come from `release.parts`.
    public var components: [Inventory.Component]
    /// Shipped binaries given explicitly; one whose file name matches a part's binary
    /// replaces that binary's default path, others are recorded as `otherBinaries`.
    public var binaries: [String]
    public var allowDirty: Bool
    /// Timestamp for every archive entry; nil: `SOURCE_DATE_EPOCH`, else the commit time.
    public var sourceDateEpoch: Int?
    /// Downloaded Debian source packages are kept here (git-ignored `.cache/` by default).
    public var cacheDirectory: String?
    /// License text by SPDX id, consulted after the tree's `licenses/<id>.txt`.
    public var licenseText: (String) -> String?
    /// Files recorded in the bundle beside the sources (install scripts, Package.resolved).
    public var additionalFiles: [AdditionalFile] = []
    /// Notice text per component id (its own license files, the copyright lines found in
    /// its sources or binaries), printed with that component in the notices.
    public var componentNotices: [String: String] = [:]
    /// Ids of components whose source goes into the bundle whatever their own license:
    /// sources a shipped copyleft binary was built using (Debian's Built-Using).
    public var requiredSources: Set<String> = []
    /// Compressed archives are remembered here by the SHA-256 of their uncompressed bytes
    /// (nil: always compress).
    public var archiveCacheDirectory: String?

    public struct AdditionalFile: Sendable {
        /// Path inside the bundle, e.g. `install/scripts/fetch-kernel.sh`.
        public var path: String
        public var contents: [UInt8]
        public var executable: Bool
        public init(path: String, contents: [UInt8], executable: Bool = false) {
            self.path = path
            self.contents = contents
            self.executable = executable
        }
    }

    public init(tree: String, release: ReleaseDescription, policy: SourceObligationPolicy,
                components: [Inventory.Component], binaries: [String] = [], allowDirty: Bool = false,
                sourceDateEpoch: Int? = nil, cacheDirectory: String? = nil,
                licenseText: @escaping (String) -> String? = { _ in nil }) {
        self.tree = tree
        self.release = release
        self.policy = policy
        self.components = components
        self.binaries = binaries
        self.allowDirty = allowDirty
        self.sourceDateEpoch = sourceDateEpoch
        self.cacheDirectory = cacheDirectory
        self.licenseText = licenseText
    }
}

extension BundleRequest {
    /// The defaults `candor bundle` uses: the given release file, the policy `<tree>/licenses/policy.toml` and the
    /// download cache `<tree>/.cache/debian-sources`.
    public init(tree: String, releaseFile: String, components: [Inventory.Component], binaries: [String] = [],
                allowDirty: Bool = false, licenseText: @escaping (String) -> String? = { _ in nil }) throws {
        self.init(tree: tree, release: try ReleaseDescription(file: releaseFile),
                  policy: try SourceObligationPolicy(policyFile: tree + "/licenses/policy.toml"), components: components,
                  binaries: binaries, allowDirty: allowDirty, cacheDirectory: tree + "/.cache/debian-sources",
                  licenseText: licenseText)
    }
}

public struct BundleResult: Sendable {
    /// Path of the written archive.
    public var archive: String
    public var sha256: String
    public var size: Int
    public var manifest: BundleManifest
    /// What the bundle says accompanies the binaries: the components its offer covers,
    /// the license texts by SPDX id and the third-party notices.
    public var covered: [WrittenOffer.Covered] = []
    public var licenseTexts: [String: String] = [:]
    public var notices: String = ""
}

public enum SourceOfferBundle {
    /// `candor-0.1.0-source`: the archive's top directory and, with `.tar.xz`, its file name.
    public static func baseName(_ release: ReleaseDescription) -> String {
        let product = release.product.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return "\(String(product))-\(release.version)-source"
    }

    /// The tree's changes against its commit (what `build` refuses without `allowDirty`),
    /// so a caller can stop before any expensive step.
    public static func uncommittedPaths(tree: String) throws -> [String] {
        try GitRepository(path: URL(fileURLWithPath: tree).standardizedFileURL.path).uncommittedPaths()
    }

    /// Builds the bundle and writes it atomically into `outputDirectory`.
    public static func build(_ request: BundleRequest, into outputDirectory: String,
                             fetcher: DebianSourceFetcher = AptSourceFetcher()) throws -> BundleResult {
        let archive = try archiveBytes(request, fetcher: fetcher)
        try FileSystem.createDirectory(outputDirectory)
        let path = outputDirectory + "/" + baseName(request.release) + ".tar.xz"
        try FileSystem.writeAtomically(archive.bytes, to: path)
        return BundleResult(archive: path, sha256: FileSystem.sha256(archive.bytes), size: archive.bytes.count, manifest: archive.manifest,
                            covered: archive.covered, licenseTexts: archive.licenseTexts, notices: archive.notices)
    }

    static func archiveBytes(_ request: BundleRequest, fetcher: DebianSourceFetcher) throws
        -> (bytes: [UInt8], manifest: BundleManifest, covered: [WrittenOffer.Covered], licenseTexts: [String: String], notices: String) {
        let release = request.release
        let tree = URL(fileURLWithPath: request.tree).standardizedFileURL.path

        // 1. The released commit, and whether the tree matches it.
        let repository = try GitRepository(path: tree)
        let dirty = try repository.uncommittedPaths()
        if !dirty.isEmpty && !request.allowDirty { throw SourceOfferError.dirtyTree(paths: dirty) }
        let epoch = try request.sourceDateEpoch ?? environmentEpoch() ?? repository.commitTime
        // Compare real paths: libgit2 reports the work directory with symbolic links resolved.
        let realTree = URL(fileURLWithPath: tree).resolvingSymlinksInPath().path
        let workdir = URL(fileURLWithPath: repository.workdir).resolvingSymlinksInPath().path
        guard realTree == workdir || realTree.hasPrefix(workdir + "/") else {
            throw SourceOfferError.git(step: "locate \(tree) in the repository", message: "outside the work directory \(workdir)")
        }
        let treePrefix = realTree == workdir ? "" : String(realTree.dropFirst(workdir.count + 1)) + "/"

        var files: [String: TarEntry] = [:]
        var manifestComponents: [BundleManifest.Component] = []
        var covered: [WrittenOffer.Covered] = []
        var licenseUsers: [String: String] = [:]
        func add(_ path: String, _ contents: [UInt8], executable: Bool = false) {
            files[path] = TarEntry(path: path, executable: executable, contents: contents)
        }
        func useLicenses(_ expression: String, by user: String) throws {
            for id in try SourceObligationPolicy.ids(in: expression, component: user) where licenseUsers[id] == nil {
                licenseUsers[id] = user
            }
        }
        let explicitBinaries = Dictionary(request.binaries.map { (URL(fileURLWithPath: $0).lastPathComponent, $0) }) { first, _ in first }
        var claimedBinaries = Set<String>()

        // 2. Parts of this repository: exported from the commit, with their build recipe.
        for part in release.parts.sorted(by: { $0.name < $1.name }) {
            guard try request.policy.requiresSource(part.license, component: part.name) else { continue }
            try useLicenses(part.license, by: part.name)
            let directory = "components/\(part.name)"
            var partFiles: [String] = []
            for source in part.sources {
                guard let exported = try repository.files(under: treePrefix + source) else {
                    throw SourceOfferError.sourcePathNotInCommit(part: part.name, path: source, commit: repository.commitID)
                }
                for file in exported {
                    let path = "\(directory)/source/\(file.path.dropFirst(treePrefix.count))"
                    add(path, file.contents, executable: file.executable)
                    partFiles.append(path)
                }
            }
            var binaries: [BundleManifest.Binary] = []
            for built in part.binaries {
                let name = URL(fileURLWithPath: built).lastPathComponent
                let shipped = explicitBinaries[name] ?? tree + "/" + built
                if explicitBinaries[name] != nil { claimedBinaries.insert(name) }
                guard FileManager.default.fileExists(atPath: shipped) else { throw SourceOfferError.missingBinary(owner: "part \(part.name)", path: shipped) }
                binaries.append(.init(path: shipped.hasPrefix(tree + "/") ? String(shipped.dropFirst(tree.count + 1)) : shipped,
                                      sha256: FileSystem.sha256(try FileSystem.read(shipped)), builtPath: built))
            }
            let tools = part.toolchain.map { toolVersion($0, in: tree) }
            add("\(directory)/BUILDING.txt", Array(buildingText(part, commit: repository.commitID, tools: tools, binaries: binaries).utf8))
            partFiles.append("\(directory)/BUILDING.txt")
            manifestComponents.append(.init(name: part.name, version: release.version, license: part.license, origin: .repository,
                                            directory: directory, files: partFiles.sorted(), binaries: binaries,
                                            commit: repository.commitID, sourceRoot: "\(directory)/source", build: part.build,
                                            toolchain: tools))
            covered.append(.init(name: part.name, version: release.version, license: part.license))
        }

        // 3. Third-party components: source for the copyleft ones, notices for the rest.
        // A component the release file says ships must be in the list, or its source
        // would silently be missing.
        for shipped in release.shipped where !request.components.contains(where: { $0.name == shipped.component && $0.distribution == .distributed }) {
            throw SourceOfferError.unknownOrigin(component: shipped.component, version: nil,
                                                 reason: "the release file ships its binaries (\(shipped.binaries.joined(separator: ", "))) but no distributed component of that name was found; declare it in \(release.componentsFile ?? "the components file")")
        }
        var notices: [Inventory.Component] = []
        for component in request.components.sorted(by: { $0.id < $1.id }) where component.distribution == .distributed {
            let required = request.requiredSources.contains(component.id)
            let license = component.concludedLicense ?? component.declaredLicense ?? "NOASSERTION"
            let known = license != "NOASSERTION" && license != "NONE"
            guard known || required else {
                // No license determined: still named in the notices, with what is known.
                if component.kind != .sourceTree && component.kind != .binary { notices.append(component) }
                continue
            }
            let obligated = try required || request.policy.requiresSource(license, component: component.name)
            switch component.kind {
            case .sourceTree:
                continue // our own code: its copyleft parts are release.parts
            case .binary:
                let name = URL(fileURLWithPath: component.location ?? component.name).lastPathComponent
                if obligated && !release.parts.contains(where: { $0.binaries.contains { URL(fileURLWithPath: $0).lastPathComponent == name } }) {
                    throw SourceOfferError.unknownOrigin(component: component.name, version: component.version,
                                                         reason: "a shipped binary under \(license) that no [[part]] of the release file builds")
                }
                continue
            default:
                break
            }
            if known { try useLicenses(license, by: component.name) }
            // Every third-party component's notices go with the binaries, copyleft ones too
            // (GPL-2.0 §1 asks to keep their copyright notices intact).
            notices.append(component)
            guard obligated else { continue }
            guard let sourcePackage = component.sourcePackage else {
                throw SourceOfferError.unknownOrigin(component: component.name, version: component.version,
                                                     reason: "no origin for its source (neither a Debian source package nor a [[part]] of this repository)")
            }
            guard let sourceVersion = component.sourceVersion else {
                throw SourceOfferError.unknownOrigin(component: component.name, version: component.version,
                                                     reason: "Debian source package \(sourcePackage) without a version")
            }
            let package: DebianSourcePackage
            do {
                package = try DebianSourcePackage.load(package: sourcePackage, version: sourceVersion, fetcher: fetcher,
                                                       cacheDirectory: request.cacheDirectory)
            } catch SourceOfferError.sourceUnavailable(_, _, let reason) {
                throw SourceOfferError.sourceUnavailable(component: component.name, version: sourceVersion, reason: reason)
            }
            let directory = "components/\(component.name)"
            for file in package.files { add("\(directory)/\(file.name)", file.contents) }
            var binaries: [BundleManifest.Binary] = []
            for path in release.shipped.filter({ $0.component == component.name }).flatMap(\.binaries) {
                let full = path.hasPrefix("/") ? path : tree + "/" + path
                guard FileManager.default.fileExists(atPath: full) else { throw SourceOfferError.missingBinary(owner: "component \(component.name)", path: full) }
                binaries.append(.init(path: path, sha256: FileSystem.sha256(try FileSystem.read(full)), builtPath: nil))
            }
            manifestComponents.append(.init(name: component.name, version: component.version, license: license, origin: .debian,
                                            directory: directory, files: package.files.map { "\(directory)/\($0.name)" }.sorted(),
                                            binaries: binaries, commit: nil, sourceRoot: nil, build: nil, toolchain: nil,
                                            sourcePackage: sourcePackage, sourceVersion: sourceVersion, dsc: package.dscName))
            covered.append(.init(name: component.name, version: "\(component.version ?? sourceVersion), from Debian source package \(sourcePackage) \(sourceVersion)", license: license))
        }

        // 4. License texts, notices, the offer texts.
        var licenseTexts: [String: String] = [:]
        for (id, user) in licenseUsers.sorted(by: { $0.key < $1.key }) {
            guard let text = licenseText(id, tree: tree, fallback: request.licenseText) else {
                throw SourceOfferError.missingLicenseText(license: id, neededBy: user)
            }
            licenseTexts[id] = text
            add("licenses/\(id).txt", Array(text.utf8))
        }
        for file in request.additionalFiles { add(file.path, file.contents, executable: file.executable) }
        let noticesFile = noticesText(notices, tree: tree, licenseTexts: licenseTexts, extra: request.componentNotices)
        add("THIRD-PARTY-NOTICES.txt", Array(noticesFile.utf8))
        let bundleName = baseName(release) + ".tar.xz"
        add("WRITTEN-OFFER.txt", Array(WrittenOffer.offer(release: release, covered: covered, bundleName: bundleName).utf8))
        add("SOURCE-ACCOMPANIES-BINARIES.txt", Array(WrittenOffer.accompanying(release: release, covered: covered, bundleName: bundleName).utf8))

        var otherBinaries: [BundleManifest.Binary] = []
        for path in request.binaries.sorted() where !claimedBinaries.contains(URL(fileURLWithPath: path).lastPathComponent) {
            guard FileManager.default.fileExists(atPath: path) else { throw SourceOfferError.missingBinary(owner: "--binary", path: path) }
            otherBinaries.append(.init(path: path, sha256: FileSystem.sha256(try FileSystem.read(path)), builtPath: nil))
        }

        // 5. The manifest over every file, then the archive.
        let manifest = BundleManifest(
            format: BundleManifest.formatName, product: release.product, version: release.version, releaseDate: release.date,
            offerValidUntil: release.offerValidUntil, commit: repository.commitID, dirtyTree: !dirty.isEmpty,
            dirtyPaths: dirty, sourceDateEpoch: epoch, components: manifestComponents, otherBinaries: otherBinaries,
            licenses: licenseTexts.keys.sorted(),
            files: files.values.sorted { $0.path < $1.path }.map {
                .init(path: $0.path, size: UInt64($0.contents.count), sha256: FileSystem.sha256($0.contents))
            })
        add("MANIFEST.json", manifest.encoded())
        let root = baseName(release)
        var entries = files.values.map { TarEntry(path: "\(root)/\($0.path)", executable: $0.executable, contents: $0.contents) }
        var directories = Set<String>()
        for entry in entries {
            var parts = entry.path.split(separator: "/").dropLast()
            while !parts.isEmpty { directories.insert(parts.joined(separator: "/")); parts = parts.dropLast() }
        }
        entries += directories.map { TarEntry(path: $0, kind: .directory) }
        let tar = try TarWriter.archive(entries, mtime: epoch)
        return (try XZ.compress(tar, cacheDirectory: request.archiveCacheDirectory), manifest, covered, licenseTexts, noticesFile)
    }

    static func environmentEpoch() throws -> Int? {
        guard let value = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] else { return nil }
        guard let epoch = Int(value), epoch >= 0 else {
            throw SourceOfferError.io(path: "SOURCE_DATE_EPOCH", message: "\"\(value)\" is not a non-negative integer")
        }
        return epoch
    }

    /// First output line of a toolchain command such as `gcc --version`.
    static func toolVersion(_ command: String, in directory: String) -> BundleManifest.Tool {
        let arguments = command.split(separator: " ").map(String.init)
        guard let result = try? FileSystem.run(arguments, in: directory, environment: ["LC_ALL": "C"]), result.status == 0,
              let line = result.output.split(separator: "\n").first else {
            return .init(command: command, version: "unavailable")
        }
        return .init(command: command, version: String(line))
    }

    /// The tree's own `licenses/<id>.txt` first (the texts the project ships), then the
    /// caller's database, then Debian's common-licenses.
    static func licenseText(_ id: String, tree: String, fallback: (String) -> String?) -> String? {
        if let text = try? FileSystem.readText("\(tree)/licenses/\(id).txt") { return text }
        if let text = fallback(id) { return text }
        let common: [String: String] = [
            "GPL-2.0-only": "GPL-2", "GPL-2.0-or-later": "GPL-2", "GPL-3.0-only": "GPL-3", "GPL-3.0-or-later": "GPL-3",
            "LGPL-2.0-only": "LGPL-2", "LGPL-2.0-or-later": "LGPL-2", "LGPL-2.1-only": "LGPL-2.1", "LGPL-2.1-or-later": "LGPL-2.1",
            "LGPL-3.0-only": "LGPL-3", "LGPL-3.0-or-later": "LGPL-3", "Apache-2.0": "Apache-2.0", "MPL-2.0": "MPL-2.0",
            "CC0-1.0": "CC0-1.0", "Artistic-1.0-Perl": "Artistic", "GFDL-1.3-only": "GFDL-1.3",
        ]
        return common[id].flatMap { try? FileSystem.readText("/usr/share/common-licenses/\($0)") }
    }

    static func buildingText(_ part: ReleaseDescription.Part, commit: String, tools: [BundleManifest.Tool],
                             binaries: [BundleManifest.Binary]) -> String {
        """
        HOW TO BUILD \(part.name)

        The files under source/ are exported from the repository at commit
        \(commit), laid out as in the repository. From the source/ directory run:

            \(part.build.joined(separator: " "))

        It produces:
        \(binaries.map { "    \($0.builtPath ?? $0.path)  (shipped SHA-256 \($0.sha256))" }.joined(separator: "\n"))

        Built with:
        \(tools.map { "    \($0.command): \($0.version)" }.joined(separator: "\n"))

        License: \(part.license)

        """
    }

    /// Names, versions, licenses and copyright lines of the permissive components, their
    /// NOTICE files (Apache-2.0 §4(d)), and the text of each license once.
    static func noticesText(_ components: [Inventory.Component], tree: String, licenseTexts: [String: String],
                            extra: [String: String] = [:]) -> String {
        var text = "THIRD-PARTY NOTICES\n\nThis release includes the following third-party components.\n"
        var used = Set<String>()
        if components.isEmpty { text += "\n(none)\n" }
        for component in components {
            let license = component.concludedLicense ?? component.declaredLicense ?? "NOASSERTION"
            text += "\n" + String(repeating: "-", count: 72) + "\n\(component.name)\(component.version.map { " \($0)" } ?? "")\n"
            text += "License: \(license)\n"
            if let location = component.downloadLocation { text += "Source: \(location)\n" }
            if let copyright = component.copyrightText, !copyright.isEmpty, copyright != "NOASSERTION" {
                text += "Copyright:\n" + copyright.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n") + "\n"
            }
            if let more = extra[component.id], !more.isEmpty {
                text += "\n" + more + (more.hasSuffix("\n") ? "" : "\n")
            }
            if let notice = noticeFile(for: component, tree: tree) {
                text += "\nNOTICE file of \(component.name):\n\n\(notice)\(notice.hasSuffix("\n") ? "" : "\n")"
            }
            used.formUnion((try? SourceObligationPolicy.ids(in: license, component: component.name)) ?? [])
        }
        for id in used.sorted() {
            guard let license = licenseTexts[id] else { continue }
            text += "\n" + String(repeating: "=", count: 72) + "\nLicense text: \(id)\n\n\(license)\(license.hasSuffix("\n") ? "" : "\n")"
        }
        return text
    }

    /// A NOTICE file shipped with the component's source: a SwiftPM checkout under
    /// `.build/checkouts/` (named like the package identity, case aside), or the
    /// component's location when it is a directory.
    static func noticeFile(for component: Inventory.Component, tree: String) -> String? {
        let checkouts = "\(tree)/.build/checkouts"
        var directories = ((try? FileManager.default.contentsOfDirectory(atPath: checkouts)) ?? [])
            .filter { $0.lowercased() == component.name.lowercased() }.sorted().map { "\(checkouts)/\($0)" }
        if let location = component.location { directories.append(location.hasPrefix("/") ? location : "\(tree)/\(location)") }
        for directory in directories {
            for name in ["NOTICE", "NOTICE.txt", "NOTICE.md"] {
                if let text = try? FileSystem.readText("\(directory)/\(name)") { return text }
            }
        }
        return nil
    }
}
