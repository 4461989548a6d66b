// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A Debian binary package (.deb) of an exact version: downloaded with `apt-get download`
// into a cache, its control fields (Source, Built-Using) and its files. It answers two
// questions of a release: is the shipped file really that package's file, and which other
// sources went into it (Built-Using, Static-Built-Using).

import Foundation

public struct DebianBinaryPackage: Sendable {
    /// A source package named by `Built-Using` or `Static-Built-Using` (Debian Policy §7.8).
    public struct SourceReference: Equatable, Hashable, Sendable {
        public var package: String
        public var version: String
        /// The control field that named it.
        public var field: String
    }

    public var path: String
    public var package: String
    public var version: String
    public var architecture: String
    /// The source package and version it was built from (`Source:` defaults to the
    /// package name and version; `Source: name (version)` for binNMUs).
    public var sourcePackage: String
    public var sourceVersion: String
    public var builtUsing: [SourceReference]

    /// Reads the control fields of the .deb at `path`.
    public init(path: String) throws {
        let result = try FileSystem.run(["dpkg-deb", "--field", path], in: "/", environment: ["LC_ALL": "C"])
        guard result.status == 0 else {
            throw SourceOfferError.io(path: path, message: "not a readable .deb: \(result.output.split(separator: "\n").first ?? "")")
        }
        var fields: [String: String] = [:]
        var last: String?
        for line in result.output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", let key = last {
                fields[key, default: ""] += "\n" + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let key = String(line[..<colon]).lowercased()
                fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = key
            }
        }
        guard let package = fields["package"], let version = fields["version"] else {
            throw SourceOfferError.io(path: path, message: "control file without Package or Version")
        }
        self.path = path
        self.package = package
        self.version = version
        architecture = fields["architecture"] ?? "all"
        (sourcePackage, sourceVersion) = Self.source(fields["source"], package: package, version: version)
        builtUsing = try ["built-using", "static-built-using"].flatMap { key in
            try Self.references(fields[key] ?? "", field: key == "built-using" ? "Built-Using" : "Static-Built-Using", deb: path)
        }
    }

    static func source(_ field: String?, package: String, version: String) -> (String, String) {
        guard let field, !field.isEmpty else { return (package, version) }
        let parts = field.split(separator: " ", maxSplits: 1)
        let name = String(parts[0])
        if parts.count == 2 {
            let inner = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            if !inner.isEmpty { return (name, inner) }
        }
        return (name, version)
    }

    /// `glibc (= 2.36-9+deb12u14), gcc-12 (= 12.2.0-14)`: only exact versions identify a source.
    static func references(_ value: String, field: String, deb: String) throws -> [SourceReference] {
        try value.split(separator: ",").compactMap { item in
            let text = item.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return nil }
            guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else {
                throw SourceOfferError.io(path: deb, message: "\(field): \"\(text)\" has no exact version")
            }
            let name = text[..<open].trimmingCharacters(in: .whitespaces)
            let relation = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            guard relation.hasPrefix("="), !name.isEmpty else {
                throw SourceOfferError.io(path: deb, message: "\(field): \"\(text)\" is not NAME (= VERSION)")
            }
            return SourceReference(package: name, version: relation.dropFirst().trimmingCharacters(in: .whitespaces), field: field)
        }
    }

    /// The .deb of `package` `version` (for the host's architecture unless given), from
    /// `cacheDirectory` or downloaded there with `apt-get download`.
    public static func fetch(package: String, version: String, architecture: String? = nil,
                             cacheDirectory: String) throws -> DebianBinaryPackage {
        let qualified = architecture.map { "\(package):\($0)" } ?? package
        let key = "\(package)_\(version.replacingOccurrences(of: ":", with: "%3a"))"
        try FileSystem.createDirectory(cacheDirectory)
        func cached() -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory)) ?? []
            return names.filter { $0.hasPrefix(key + "_") && $0.hasSuffix(".deb") }.sorted().first.map { cacheDirectory + "/" + $0 }
        }
        if let path = cached(), let deb = try? DebianBinaryPackage(path: path), deb.version == version { return deb }
        // Download into a private directory, then move: a half-downloaded file never looks cached.
        let staging = try FileSystem.temporaryDirectory("deb")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let result = try FileSystem.run(["apt-get", "download", "-q", "\(qualified)=\(version)"], in: staging,
                                        environment: ["LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"])
        let downloaded = ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).filter { $0.hasSuffix(".deb") }
        guard result.status == 0, let name = downloaded.first else {
            let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("E:") }
            throw SourceOfferError.sourceUnavailable(
                component: package, version: version,
                reason: "apt-get download \(qualified)=\(version) failed: \(errors.isEmpty ? String(result.output.suffix(200)) : errors.joined(separator: "; "))")
        }
        let target = cacheDirectory + "/" + name
        if rename(staging + "/" + name, target) != 0 {
            throw SourceOfferError.io(path: target, message: "cannot move the download into the cache: \(String(cString: strerror(errno)))")
        }
        let deb = try DebianBinaryPackage(path: target)
        guard deb.package == package, deb.version == version else {
            throw SourceOfferError.io(path: target, message: "is \(deb.package) \(deb.version), expected \(package) \(version)")
        }
        return deb
    }

    /// The contents of the regular file at `pathInPackage` (e.g. `/bin/busybox`).
    public func file(_ pathInPackage: String) throws -> [UInt8] {
        let member = "." + (pathInPackage.hasPrefix("/") ? pathInPackage : "/" + pathInPackage)
        let staging = try FileSystem.temporaryDirectory("deb-file")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let result = try FileSystem.run(["sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" \"$3\"", "sh", path, staging, member],
                                        in: staging, environment: ["LC_ALL": "C"])
        guard result.status == 0 else {
            throw SourceOfferError.io(path: path, message: "has no file \(pathInPackage)")
        }
        return try FileSystem.read(staging + "/" + member)
    }

    /// Throws unless the file at `shipped` is byte-identical to `pathInPackage` of this package.
    public func checkIdentical(shipped: String, pathInPackage: String) throws {
        let expected = try file(pathInPackage)
        let actual = try FileSystem.read(shipped)
        guard expected == actual else {
            throw SourceOfferError.shippedFileDiffers(path: shipped, package: "\(package) \(version)", packagePath: pathInPackage,
                                                       expected: FileSystem.sha256(expected), actual: FileSystem.sha256(actual))
        }
    }
}
