// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Built ELF binaries and what goes with them at run time: shared libraries (resolved as
// ld.so would, then mapped to their Debian packages through dpkg, or to the Swift
// toolchain), Swift packages and toolchain libraries linked statically (recognised by
// the defined symbols of their modules), each with the relationship to the binary.

import Crypto
import ELF
import Foundation
import Licensing

struct BinaryInspector {
    let root: String
    let system: SystemLayout
    let packages: [SwiftPackage]
    let detector: LicenseDetector
    /// The tree's files, to conclude a binary's license from the sources that built it.
    let files: [FileRecord]
    private var dpkg: DpkgDatabase?
    private var dpkgError: String?
    private var components: [String: Component] = [:]
    /// The binaries (shown paths) that link each toolchain component.
    private var toolchainUsers: [String: Set<String>] = [:]
    /// The "Swift version" strings each binary carries.
    private var versionStrings: [String: [String]] = [:]

    init(root: String, system: SystemLayout, packages: [SwiftPackage], detector: LicenseDetector,
         files: [FileRecord] = []) {
        self.root = root
        self.files = files
        self.system = system
        self.packages = packages
        self.detector = detector
        do {
            dpkg = try DpkgDatabase(directory: system.dpkgDirectory)
        } catch {
            dpkgError = "\(error)"
        }
    }

    mutating func inspect(_ binaries: [String], findings: inout [Finding]) -> [Component] {
        for binary in binaries { inspect(binary, findings: &findings) }
        completeToolchainComponents(findings: &findings)
        return Array(components.values)
    }

    private func shown(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    private mutating func inspect(_ given: String, findings: inout [Finding]) {
        let path = given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
        let name = shown(path)
        let bytes: [UInt8]
        do {
            bytes = try readSmallFile(path, limit: 2 << 30)
        } catch {
            findings.append(Finding(path: name, rule: "unreadable-binary", severity: .error, message: "\(error)"))
            return
        }
        // A shipped license index is data, not a program.
        if let dataVersion = LicenseDatabase.indexDataVersion(ofFile: path) {
            addLicenseIndex(name, dataVersion: dataVersion, bytes: bytes, evidence: "a compiled license index (its header states \(dataVersion))")
            return
        }
        var binary = Component(id: "binary:\(name)", kind: .binary, name: (path as NSString).lastPathComponent,
                               distribution: .distributed, checksums: Self.checksums(bytes),
                               location: name, relationships: [.init(.generatedFrom, "tree")])
        defer { components[binary.id] = binary }
        let elf: ELFFile
        do {
            elf = try ELFFile(bytes: bytes)
        } catch {
            findings.append(Finding(path: name, rule: "corrupt-elf", severity: .error, message: "not a readable ELF64 file: \(error)"))
            binary.comment = "not a readable ELF64 file; nothing it links is known"
            return
        }
        binary.fileFormat = "ELF64"
        versionStrings[name] = SwiftToolchain.versionStrings(in: bytes)
        let machine = elf.header.machine

        // Statically linked: modules whose symbols the binary defines.
        let modules = definedSwiftModules(elf, name: name, findings: &findings)
        concludeLicense(of: &binary, modules: modules, sourceFiles: sourceFileSymbols(elf))
        if modules.contains("Licensing") { relateLicenseIndex(of: &binary, path: path) }
        for package in packages where package.modules.contains(where: modules.contains) {
            binary.relationships.append(.init(.staticLink, package.component.id))
        }
        for (id, evidence) in staticToolchainLibraries(modules: modules, needed: elf.dynamic.needed) {
            addToolchain(id, distribution: .distributed, evidence: evidence, usedBy: name)
            binary.relationships.append(.init(.staticLink, id))
        }

        // Dynamically linked: the loader's search, transitively.
        let loader = DynamicLoader(system: system, machine: machine)
        var seen: [String: String?] = [:]  // library path -> component id
        var queue: [(from: String, needed: String, object: ELFFile, objectPath: String)] =
            elf.dynamic.needed.map { (binary.id, $0, elf, path) }
        while !queue.isEmpty {
            let (from, needed, object, objectPath) = queue.removeFirst()
            let origin = (resolvedPath(RawPath(objectPath)).map(\.display).value ?? objectPath as String)
            guard let library = loader.resolve(needed, rpath: object.dynamic.rpath, runpath: object.dynamic.runpath,
                                                origin: (origin as NSString).deletingLastPathComponent, machine: machine) else {
                findings.append(Finding(path: name, rule: "unresolved-library", severity: .error,
                                        message: "\(needed) (needed by \(shown(objectPath))) not found by the loader's search; \(loader.note)"))
                continue
            }
            if let known = seen[library] {
                if let id = known { link(from, to: id, binary: &binary) }
                continue
            }
            let id = libraryComponent(library, neededBy: name, findings: &findings)
            seen[library] = id
            if let id { link(from, to: id, binary: &binary) }
            if let libBytes = try? readSmallFile(library, limit: 1 << 30), let lib = try? ELFFile(bytes: libBytes) {
                queue += lib.dynamic.needed.map { (id ?? from, $0, lib, library) }
            }
        }
    }

    private static func checksums(_ bytes: [UInt8]) -> [String: String] {
        ["SHA1": hex(Insecure.SHA1.hash(data: bytes)), "SHA256": hex(SHA256.hash(data: bytes)), "SHA512": hex(SHA512.hash(data: bytes))]
    }

    /// A program with the code of Candor's license database (module Licensing) loads the
    /// compiled index at run time from where `LicenseDatabase.shippedIndexCandidates` looks:
    /// the first of those files that is an index is data the binary depends on.
    private mutating func relateLicenseIndex(of binary: inout Component, path: String) {
        let real = resolvedPath(RawPath(path)).value?.display ?? path
        for candidate in LicenseDatabase.shippedIndexCandidates(executable: real) {
            guard let dataVersion = LicenseDatabase.indexDataVersion(ofFile: candidate),
                  let bytes = try? readSmallFile(candidate, limit: 2 << 30) else { continue }
            let id = addLicenseIndex(shown(candidate), dataVersion: dataVersion, bytes: bytes,
                                     evidence: "\(binary.location ?? binary.name) defines symbols of module Licensing, "
                                         + "which loads the license index from \(shown(candidate))")
            binary.relationships.append(.init(.dependsOn, id))
            return
        }
    }

    /// The license data component of the index at `name` (shown path); the same data found
    /// twice is one component with both locations, other data a component of its own.
    @discardableResult
    private mutating func addLicenseIndex(_ name: String, dataVersion: String, bytes: [UInt8], evidence: String) -> String {
        var data = licenseDataComponent(dataVersion: dataVersion, location: name)
        data.checksums = Self.checksums(bytes)
        if let existing = components[data.id], existing.checksums != data.checksums {
            data.id += "@\(data.checksums["SHA256"]?.prefix(12) ?? "")"
        }
        if var existing = components[data.id] {
            if let location = existing.location, !location.split(separator: "\n").contains(Substring(name)) {
                existing.location = location + "\n" + name
            }
            if !(existing.comment ?? "").contains(evidence) { existing.comment = (existing.comment ?? "") + "; " + evidence }
            components[data.id] = existing
        } else {
            data.comment = (data.comment ?? "") + "; " + evidence
            components[data.id] = data
        }
        return data.id
    }

    private mutating func link(_ from: String, to id: String, binary: inout Component) {
        guard from != id else { return }
        let relation = Component.Relationship(.dynamicLink, id)
        if from == binary.id {
            if !binary.relationships.contains(relation) { binary.relationships.append(relation) }
        } else if var c = components[from], !c.relationships.contains(relation) {
            c.relationships.append(relation)
            components[from] = c
        }
    }

    /// The component of a shared library file: its Debian package or the Swift toolchain.
    private mutating func libraryComponent(_ library: String, neededBy name: String, findings: inout [Finding]) -> String? {
        let real = resolvedPath(RawPath(library)).map(\.display).value ?? library
        if let toolchain = system.swiftToolchain, case let toolchainLibs = SwiftToolchain.path("usr/lib/swift/", in: toolchain),
           library.hasPrefix(toolchainLibs) || real.hasPrefix(toolchainLibs) {
            let id = SwiftToolchain.componentID(ofLibrary: (library as NSString).lastPathComponent)
            addToolchain(id, distribution: .providedByPlatform, evidence: "\(library) linked dynamically", usedBy: name)
            return id
        }
        guard let dpkg else {
            findings.append(Finding(path: name, rule: "dpkg-database-unreadable", severity: .error,
                                    message: "cannot say which package provides \(library): \(dpkgError ?? "")"))
            return nil
        }
        guard let package = dpkg.owner(ofFile: library) else {
            findings.append(Finding(path: name, rule: "unknown-library-package", severity: .error,
                                    message: "\(library) belongs to no installed Debian package (dpkg database \(system.dpkgDirectory))"))
            return nil
        }
        let id = package.componentID
        if var existing = components[id] {
            if let location = existing.location, !location.split(separator: "\n").contains(Substring(library)) {
                existing.location = location + "\n" + library
                components[id] = existing
            }
            return id
        }
        let copyright = DebianCopyright(documentationDirectory: system.documentationDirectory, package: package.name,
                                            detector: detector)
        components[id] = Component(
            id: id, kind: .debianPackage, name: package.name, version: package.version, purl: package.purl,
            supplier: package.supplier, originators: copyright.originators.isEmpty ? nil : copyright.originators,
            downloadLocation: "https://snapshot.debian.org/package/\(package.sourceName)/\(package.sourceVersion)/",
            declaredLicense: copyright.license, copyrightText: copyright.copyrightText,
            distribution: .providedByPlatform, sourcePackage: package.sourceName, sourceVersion: package.sourceVersion,
            location: library, comment: "shared library of the platform, from dpkg; \(copyright.note)")
        return id
    }

    /// The binary's concluded license: the licenses the tree's own sources that built it
    /// conclude (REUSE: tags and annotations), found as the files of the SwiftPM targets
    /// whose symbols it defines (`Sources/<Module>/...`) and the C/C++/assembly files its
    /// `STT_FILE` symbols name (when one tree file has that name). Statically linked
    /// packages are components of their own, with their own licenses.
    private func concludeLicense(of binary: inout Component, modules: Set<String>, sourceFiles: Set<String>) {
        var used: [FileRecord] = []
        var byName: [String: [FileRecord]] = [:]
        for file in files {
            byName[(file.path as NSString).lastPathComponent, default: []].append(file)
            let parts = file.path.split(separator: "/").map(String.init)
            if let index = parts.firstIndex(of: "Sources"), index + 2 < parts.count,
               modules.contains(parts[index + 1].replacingOccurrences(of: "-", with: "_")) {
                used.append(file)
            }
        }
        for name in sourceFiles.sorted() {
            if let matches = byName[name], matches.count == 1, !used.contains(matches[0]) { used.append(matches[0]) }
        }
        let licensed = used.compactMap(\.concludedLicense)
        guard !used.isEmpty, let license = LicenseExpression.conjunction(licensed.sorted()) else {
            binary.comment = (binary.comment.map { $0 + "; " } ?? "")
                + (used.isEmpty ? "no source file of the tree found in its symbols: license not concluded"
                   : "none of its \(used.count) source files states a license: license not concluded")
            return
        }
        binary.concludedLicense = license
        let unlicensed = used.count - licensed.count
        binary.comment = (binary.comment.map { $0 + "; " } ?? "")
            + "license concluded from the \(used.count) source files of the tree that built it"
            + (unlicensed > 0 ? " (\(unlicensed) of them state no license)" : "")
    }

    /// Basenames of the source files named by `STT_FILE` symbols (C, C++, assembly).
    private func sourceFileSymbols(_ elf: ELFFile) -> Set<String> {
        guard let symbols = try? elf.symbols() else { return [] }
        var names = Set<String>()
        for s in symbols where s.type == .file && !s.name.isEmpty {
            names.insert((s.name as NSString).lastPathComponent)
        }
        return names
    }

    /// Module names in the defined Swift symbols (`$s<length><Module>...`).
    private func definedSwiftModules(_ elf: ELFFile, name: String, findings: inout [Finding]) -> Set<String> {
        let symbols: [Symbol]
        do {
            symbols = try elf.symbols()
        } catch {
            findings.append(Finding(path: name, rule: "corrupt-elf", severity: .warning,
                                    message: "symbol tables unreadable, statically linked code unknown: \(error)"))
            return []
        }
        var modules = Set<String>()
        for s in symbols where s.isDefined {
            if s.name == "swift_retain" { modules.insert("Swift") }
            guard s.name.hasPrefix("$s") else { continue }
            let digits = s.name.dropFirst(2).prefix(while: { $0.isASCII && $0.isNumber })
            guard let length = Int(digits), length > 0, length < 200 else { continue }
            let module = s.name.dropFirst(2 + digits.count).prefix(length)
            if module.count == length { modules.insert(String(module)) }
        }
        return modules
    }

    /// Toolchain libraries linked into the binary, with the evidence. A binary that uses a
    /// library dynamically still defines some of its symbols (generic specialisations,
    /// inlinable code), so a library counts as static only when its .so is not needed.
    private func staticToolchainLibraries(modules: Set<String>, needed: [String]) -> [(String, String)] {
        func needs(_ prefix: String) -> Bool { needed.contains { $0.hasPrefix(prefix) } }
        var found: [(String, String)] = []
        if modules.contains("Swift") && !needs("libswiftCore") {
            found.append(("toolchain:swift-stdlib", "defines swift_retain: Swift runtime linked statically"))
        }
        let foundation = modules.intersection(["Foundation", "FoundationEssentials", "FoundationInternationalization"])
        if !foundation.isEmpty && !needs("libFoundation") {
            found.append(("toolchain:foundation", "defines symbols of \(foundation.sorted().joined(separator: ", ")): linked statically"))
        }
        if modules.contains("Dispatch") && !needs("libdispatch") {
            found.append(("toolchain:dispatch", "defines symbols of Dispatch: linked statically"))
        }
        return found
    }

    private mutating func addToolchain(_ id: String, distribution: Component.Distribution, evidence: String, usedBy binary: String) {
        toolchainUsers[id, default: []].insert(binary)
        if var existing = components[id] {
            if distribution == .distributed { existing.distribution = .distributed }
            if !(existing.comment ?? "").contains(evidence) { existing.comment = (existing.comment ?? "") + "; " + evidence }
            components[id] = existing
            return
        }
        let name = switch id {
        case "toolchain:foundation": "Foundation"
        case "toolchain:dispatch": "Dispatch"
        default: "Swift standard library and runtime"
        }
        components[id] = Component(
            id: id, kind: .toolchainLibrary, name: name, supplier: "Organization: Swift.org",
            downloadLocation: "https://github.com/swiftlang", distribution: distribution,
            location: system.swiftToolchain, comment: evidence)
    }

    /// Version and license of the toolchain components, once every binary is inspected.
    /// The version is the one in the "Swift version" strings of the binaries that link the
    /// component; only when none has one, the toolchain's `swift --version`. Binaries built
    /// by different versions leave it unasserted, each version named. The license is the
    /// one detected in the toolchain's own license file.
    private mutating func completeToolchainComponents(findings: inout [Finding]) {
        let ids = components.values.filter { $0.kind == .toolchainLibrary }.map(\.id).sorted()
        guard !ids.isEmpty else { return }
        let (license, licenseNote) = SwiftToolchain.license(of: system.swiftToolchain, detector: detector)
        var installed: String??
        let origin = system.swiftToolchain.map { "from the Swift toolchain at \($0)" }
            ?? "no Swift toolchain found (no swift on PATH)"
        for id in ids {
            guard var component = components[id] else { continue }
            let users = (toolchainUsers[id] ?? []).sorted()
            var byVersion: [String: [String]] = [:]  // version -> the binaries whose strings say so
            for user in users {
                for string in versionStrings[user] ?? [] {
                    if let v = SwiftToolchain.version(in: string), !(byVersion[v] ?? []).contains(user) { byVersion[v, default: []].append(user) }
                }
            }
            let versionNote: String
            if byVersion.count == 1, let only = byVersion.first {
                component.version = only.key
                versionNote = "version from the \"Swift version\" string in \(only.value.joined(separator: ", "))"
            } else if byVersion.count > 1 {
                let each = byVersion.keys.sorted().map { "\($0) in \(byVersion[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
                versionNote = "the binaries' \"Swift version\" strings disagree (\(each)): version not asserted"
                findings.append(Finding(path: users.first ?? "", rule: "toolchain-version-mismatch", severity: .warning,
                                        message: "\(component.name): \(each)"))
            } else {
                if installed == nil { installed = .some(system.swiftToolchain.flatMap(SwiftToolchain.installedVersion)) }
                if let toolchain = system.swiftToolchain, let version = installed ?? nil {
                    component.version = version
                    versionNote = "no \"Swift version\" string in the binaries: version from \(toolchain)/usr/bin/swift --version"
                } else {
                    versionNote = "no \"Swift version\" string in the binaries and no toolchain's swift --version: version unknown"
                }
            }
            component.declaredLicense = license
            component.comment = [origin, versionNote, licenseNote, component.comment].compactMap { $0 }.joined(separator: "; ")
            components[id] = component
        }
    }
}

extension Result {
    var value: Success? {
        if case .success(let v) = self { return v }
        return nil
    }
}
