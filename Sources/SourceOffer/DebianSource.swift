// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The exact Debian source package of an installed binary package: the .dsc and every file
// it lists, each checked against the .dsc's Checksums-Sha256. Fetching is behind a
// protocol so tests use a local directory; the real fetcher runs apt and keeps a cache.

import Foundation

/// Puts the .dsc of `package` at `version` and the files it lists into `directory`.
public protocol DebianSourceFetcher {
    /// Returns the file name of the .dsc inside `directory`. Throws
    /// `SourceOfferError.sourceUnavailable` when the archive no longer has that version.
    func fetch(package: String, version: String, into directory: String) throws -> String
}

/// A verified source package held in memory.
public struct DebianSourcePackage: Sendable {
    public var control: DebianSourceControl
    public var dscName: String
    /// The .dsc first, then its files in .dsc order.
    public var files: [(name: String, contents: [UInt8])]

    /// Loads the .dsc `dscName` from `directory` and checks every listed file's size and
    /// SHA-256, and that the .dsc is for `package` at `version`.
    public init(directory: String, dscName: String, package: String, version: String) throws {
        let dscPath = directory + "/" + dscName
        let dscBytes = try FileSystem.read(dscPath)
        guard let text = String(validatingUTF8Bytes: dscBytes) else { throw SourceOfferError.dsc(file: dscName, problem: "not UTF-8 text") }
        control = try DebianSourceControl(text: text, file: dscName)
        guard control.source == package, control.version == version else {
            throw SourceOfferError.dsc(file: dscName, problem: "is \(control.source) \(control.version), expected \(package) \(version)")
        }
        self.dscName = dscName
        files = [(dscName, dscBytes)]
        for entry in control.files {
            let bytes = try FileSystem.read(directory + "/" + entry.name)
            try DebianSourcePackage.check(entry, bytes)
            files.append((entry.name, bytes))
        }
    }

    static func check(_ entry: DebianSourceControl.FileEntry, _ bytes: [UInt8]) throws {
        guard UInt64(bytes.count) == entry.size else {
            throw SourceOfferError.sizeMismatch(file: entry.name, expected: entry.size, actual: UInt64(bytes.count))
        }
        let actual = FileSystem.sha256(bytes)
        guard actual == entry.sha256 else { throw SourceOfferError.checksumMismatch(file: entry.name, expected: entry.sha256, actual: actual) }
    }

    /// Where the files of `package` `version` are cached under `cacheDirectory`.
    static func cacheKey(package: String, version: String) -> String {
        "\(package)_\(version.replacingOccurrences(of: ":", with: "%3a"))"
    }

    /// Fetches through `fetcher` unless `cacheDirectory` already holds a copy that verifies;
    /// a fresh download is verified before it replaces the cache entry.
    public static func load(package: String, version: String, fetcher: DebianSourceFetcher,
                            cacheDirectory: String?) throws -> DebianSourcePackage {
        let key = cacheKey(package: package, version: version)
        if let cacheDirectory {
            let cached = cacheDirectory + "/" + key
            if let dsc = try? FileManager.default.contentsOfDirectory(atPath: cached).first(where: { $0.hasSuffix(".dsc") }),
               let package = try? DebianSourcePackage(directory: cached, dscName: dsc, package: package, version: version) {
                return package
            }
        }
        let staging = try FileSystem.temporaryDirectory("deb-src")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let dsc = try fetcher.fetch(package: package, version: version, into: staging)
        let verified = try DebianSourcePackage(directory: staging, dscName: dsc, package: package, version: version)
        if let cacheDirectory {
            try FileSystem.createDirectory(cacheDirectory)
            let target = cacheDirectory + "/" + key
            let partial = target + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
            try? FileManager.default.removeItem(atPath: partial)
            try FileSystem.createDirectory(partial)
            for file in verified.files { try FileSystem.writeAtomically(file.contents, to: partial + "/" + file.name) }
            try? FileManager.default.removeItem(atPath: target)
            if rename(partial, target) != 0 { try? FileManager.default.removeItem(atPath: partial) }
        }
        return verified
    }
}

/// Runs `apt-get source --download-only PACKAGE=VERSION` (needs a deb-src entry; `make
/// setup` adds one). apt itself checks the files against the signed archive index.
public struct AptSourceFetcher: DebianSourceFetcher {
    public init() {}

    public func fetch(package: String, version: String, into directory: String) throws -> String {
        let result = try FileSystem.run(["apt-get", "source", "--download-only", "-q", "\(package)=\(version)"], in: directory,
                                        environment: ["LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"])
        guard result.status == 0 else {
            let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("E:") }
            let reason = lines.isEmpty ? String(result.output.suffix(300)) : lines.joined(separator: "; ")
            throw SourceOfferError.sourceUnavailable(component: package, version: version,
                                                     reason: "apt-get source \(package)=\(version) failed: \(reason) (is there a deb-src entry? run make setup)")
        }
        let upstream = version.split(separator: ":", maxSplits: 1).last.map(String.init) ?? version
        let dsc = "\(package)_\(upstream).dsc"
        guard FileManager.default.fileExists(atPath: directory + "/" + dsc) else {
            throw SourceOfferError.sourceUnavailable(component: package, version: version, reason: "apt-get source did not produce \(dsc)")
        }
        return dsc
    }
}

extension DebianSourcePackage {
    /// The package's `debian/copyright` (from its `.debian.tar.*`, or from a native
    /// package's only tarball), nil when it has none.
    public func copyrightText() throws -> String? {
        guard let tarball = files.first(where: { $0.name.contains(".debian.tar.") })
            ?? files.first(where: { $0.name.contains(".tar.") }) else { return nil }
        let staging = try FileSystem.temporaryDirectory("deb-copyright")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try FileSystem.writeAtomically(tarball.contents, to: staging + "/" + tarball.name)
        let result = try FileSystem.run(["tar", "-xOf", tarball.name, "--wildcards", "debian/copyright", "*/debian/copyright"],
                                        in: staging, environment: ["LC_ALL": "C"])
        // tar reports the pattern that matched nothing; the output is the file that matched.
        guard result.output.contains("Copyright") || result.output.contains("copyright") else { return nil }
        return result.output.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("tar: ") }.joined(separator: "\n")
    }
}
