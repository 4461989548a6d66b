// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import AtomicFile
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the database knows about one license or exception.
public struct LicenseInfo: Hashable, Sendable {
    /// ScanCode's key (`gpl-2.0-plus`).
    public var key: String
    /// SPDX id, or `LicenseRef-scancode-<key>` for licenses not on the SPDX list.
    public var spdxID: String
    /// Other ids naming the same license, deprecated SPDX ids among them (`GPL-2.0+`).
    public var otherSPDXIDs: [String]
    public var name: String
    /// ScanCode's category: Permissive, Copyleft, Copyleft Limited, Proprietary Free, ...
    public var category: String
    public var isException: Bool
    public var isDeprecated: Bool
    /// As recorded by ScanCode (an OSI key or OSI URL in the license's data).
    public var isOSIApproved: Bool
    public var homepage: String?
    /// The license text (empty for a few ScanCode entries that have none).
    public var text: String
}

/// Why the database could not be loaded.
public enum LicenseDatabaseError: Error, Equatable, CustomStringConvertible {
    case dataNotFound(searched: [String])
    case unreadableFile(path: String)
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .dataNotFound(let searched):
            return "license database: no compiled index and no licensedcode data found (looked in \(searched.joined(separator: ", "))); "
                + "install candor with its share/candor/licenses.index (make install), pass --license-data DIR, or set CANDOR_LICENSE_DATA"
        case .unreadableFile(let path):
            return "license database: cannot read \(path)"
        case .badFile(let path, let reason):
            return "license database: \(path): \(reason)"
        }
    }
}

/// ScanCode's license knowledge base (licensedcode-data), compiled once into a cached index.
public final class LicenseDatabase: Sendable {
    /// `licensedcode-data 32.1.0`.
    public let dataVersion: String
    /// Where the data came from.
    public let dataDirectory: String
    let licenses: [LicenseInfo]
    /// Index into `licenses` by lower-cased SPDX id, other id and `LicenseRef-scancode-<key>`.
    private let byID: [String: Int]
    /// Index into `licenses` by lower-cased full name ("mit license"), licenses before exceptions.
    private let byName: [String: Int]
    let index: RuleIndex

    /// The CC-BY-4.0 credit the data asks for, to go into SBOMs that list it.
    public var attribution: String {
        """
        \(dataVersion): license texts and detection rules from ScanCode's licensedcode data.
        Copyright (c) nexB Inc. and others. All rights reserved.
        ScanCode is a trademark of nexB Inc.
        SPDX-License-\("Identifier"): CC-BY-4.0
        See https://creativecommons.org/licenses/by/4.0/legalcode for the license text.
        See https://github.com/nexB/scancode-toolkit for support or download.
        """
    }

    /// Where a compiled index that ships with the tool is looked for, relative to the
    /// running executable (`/proc/self/exe`): beside it (`.build/release/`, or the binary
    /// and the index copied together into one directory) and in `../share/candor/`
    /// (`make install PREFIX=...`).
    public static let shippedIndexName = "licenses.index"

    public static func shippedIndexCandidates(executable: String? = currentExecutable()) -> [String] {
        guard let executable else { return [] }
        let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        return [directory.appendingPathComponent(shippedIndexName).path,
                directory.deletingLastPathComponent().appendingPathComponent("share/candor/\(shippedIndexName)").path]
    }

    /// The running executable with symbolic links resolved, so a link in `PATH` still finds
    /// the index beside the real file.
    public static func currentExecutable() -> String? {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return CommandLine.arguments.first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    /// Loads the license database. In order: `dataDirectory` (the `--license-data`
    /// option), else `$CANDOR_LICENSE_DATA` (both are licensedcode data directories,
    /// compiled once into the cache); else the index that ships with the tool
    /// (`shippedIndexCandidates`); else `.venv/lib/python3*/site-packages/licensedcode/data`
    /// in the current directory or an ancestor (a development checkout after `make setup`).
    /// `cacheDirectory` defaults to `$CANDOR_CACHE`, else `<repo>/.cache/candor`, else
    /// `$XDG_CACHE_HOME/candor` (or `~/.cache/candor`).
    public static func load(dataDirectory: String? = nil, cacheDirectory: String? = nil,
                            executable: String? = currentExecutable()) throws -> LicenseDatabase {
        try LazyLicenseDatabase.locate(dataDirectory: dataDirectory, cacheDirectory: cacheDirectory,
                                       executable: executable).database()
    }

    /// Where a database is read from, found before it is read.
    enum Source: Sendable {
        /// A compiled index (the one that ships with the tool).
        case index(path: String)
        /// A licensedcode data directory, compiled once into `cacheFile` in `cache`.
        case data(directory: String, cache: String, cacheFile: String, key: UInt64)

        var path: String {
            switch self {
            case .index(let path): return path
            case .data(let directory, _, _, _): return directory
            }
        }
    }

    /// The source `load(dataDirectory:cacheDirectory:executable:)` reads, in its order, and
    /// the data version it will state, read from an index's header or the data's wheel
    /// metadata (not from the index itself).
    static func locate(dataDirectory: String?, cacheDirectory: String?,
                       executable: String?) throws -> (source: Source, dataVersion: String) {
        let environment = ProcessInfo.processInfo.environment
        var searched: [String] = []
        if dataDirectory == nil, environment["CANDOR_LICENSE_DATA"] == nil {
            for candidate in shippedIndexCandidates(executable: executable) {
                searched.append(candidate)
                guard FileManager.default.fileExists(atPath: candidate) else { continue }
                guard FileManager.default.isReadableFile(atPath: candidate) else {
                    throw LicenseDatabaseError.unreadableFile(path: candidate)
                }
                guard let header = indexHeader(ofFile: candidate), header.format == formatVersion else {
                    throw LicenseDatabaseError.badFile(path: candidate, reason: notAnIndex)
                }
                return (.index(path: candidate), header.dataVersion)
            }
        }
        let data = try dataDirectory ?? environment["CANDOR_LICENSE_DATA"] ?? findDataDirectory(searchedBefore: searched)
        let cache = cacheDirectory ?? environment["CANDOR_CACHE"] ?? defaultCacheDirectory(data: data)
        let key = try dataKey(data)
        let cacheFile = "\(cache)/licenses-\(String(key, radix: 16)).index"
        return (.data(directory: data, cache: cache, cacheFile: cacheFile, key: key), version(of: data))
    }

    /// Reads (or compiles, then caches) the database of `source`.
    static func load(_ source: Source) throws -> LicenseDatabase {
        switch source {
        case .index(let path):
            return try load(index: path)
        case .data(let data, let cache, let cacheFile, let key):
            if let cached = readWholeFile(cacheFile),
               let database = try? LicenseDatabase(cache: cached, key: key, dataDirectory: data) {
                return database
            }
            let database = try LicenseDatabase(compiling: data)
            // A cache that cannot be written only costs the next run a compile.
            try? database.writeCache(to: cache, file: cacheFile, key: key)
            return database
        }
    }

    private static let notAnIndex = "not a compiled license index of this candor version (rebuild it with `candor license-index`)"

    /// Loads a compiled index written by `writeIndex(to:)` (the one that ships with the tool).
    public static func load(index path: String) throws -> LicenseDatabase {
        guard let bytes = readWholeFile(path) else { throw LicenseDatabaseError.unreadableFile(path: path) }
        do {
            return try LicenseDatabase(cache: bytes, key: nil, dataDirectory: path)
        } catch {
            throw LicenseDatabaseError.badFile(path: path, reason: notAnIndex)
        }
    }

    /// The data version (`licensedcode-data 32.1.0`) a compiled index file (what
    /// `writeIndex(to:)` writes) states in its header; nil when `path` is not one. Reads
    /// only the header, so any index of any format version is recognised.
    public static func indexDataVersion(ofFile path: String) -> String? {
        indexHeader(ofFile: path)?.dataVersion
    }

    /// The format version, data key and data version a compiled index's header states; nil
    /// when `path` is not one.
    static func indexHeader(ofFile path: String) -> (format: UInt32, key: UInt64, dataVersion: String)? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let header = try? file.read(upToCount: magic.count + 4 + 8 + 8 + 256) else { return nil }
        var reader = BinaryReader([UInt8](header))
        do {
            for b in magic where try reader.read(UInt8.self) != b { return nil }
            let format = try reader.read(UInt32.self)
            let key = try reader.read(UInt64.self)
            let version = try reader.readString()
            return version.hasPrefix("licensedcode-data") ? (format, key, version) : nil
        } catch {
            return nil
        }
    }

    /// The whole file read straight into one array: the index is ~90 MB, and reading it as
    /// `Data` and copying that into an array cost a re-scan a tenth of a second.
    private static func readWholeFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 0 else { return nil }
        let size = Int(st.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let n = read(fd, buffer.baseAddress! + initialized, size - initialized)
                if n > 0 { initialized += n } else if n < 0 && errno == EINTR { continue } else { failed = n < 0; break }
            }
        }
        // A file that shrank while it was read is cut short: the reader rejects it.
        return failed ? nil : bytes
    }

    /// Writes the compiled index to `path` atomically, to ship beside the executable.
    public func writeIndex(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard (try? writeCache(to: directory, file: url.path, key: 0, pruneOthers: false)) != nil,
              FileManager.default.fileExists(atPath: url.path) else {
            throw LicenseDatabaseError.badFile(path: path, reason: "cannot write the index")
        }
    }

    /// True when the id names a license or exception in the database (case-insensitive;
    /// deprecated SPDX ids and `LicenseRef-scancode-<key>` included).
    public func isKnown(spdxID: String) -> Bool { byID[spdxID.lowercased()] != nil }

    public func license(spdxID: String) -> LicenseInfo? {
        byID[spdxID.lowercased()].map { licenses[$0] }
    }

    /// The license whose full name is `name` (case-insensitive), if any.
    public func license(named name: String) -> LicenseInfo? {
        byName[name.lowercased()].map { licenses[$0] }
    }

    /// Ids of the expression that the database does not know, sorted. `LicenseRef-` ids
    /// other than ScanCode's and `DocumentRef-` ids are the document's own, so not checked.
    public func unknownIDs(in expression: LicenseExpression) -> [String] {
        let ids = expression.licenseIDs.union(expression.exceptionIDs)
        return ids.filter { id in
            let lower = id.lowercased()
            if lower.hasPrefix("documentref-") { return false }
            if lower.hasPrefix("licenseref-") && !lower.hasPrefix("licenseref-scancode-") { return false }
            return !isKnown(spdxID: id)
        }.sorted()
    }

    // MARK: - Compiling

    private init(compiling data: String) throws {
        let licensesDirectory = data + "/licenses"
        let files = try Self.listFiles(licensesDirectory, suffix: ".LICENSE")
        var licenses: [LicenseInfo] = []
        var rules: [RuleSource] = []
        var spdxByKey: [String: String] = [:]
        var licenseTexts: [(name: String, matter: FrontMatter)] = []
        for file in files {
            let path = licensesDirectory + "/" + file
            let matter = try Self.readFrontMatter(path)
            guard let key = matter.scalars["key"] else {
                throw LicenseDatabaseError.badFile(path: path, reason: "no 'key'")
            }
            let spdx = matter.scalars["spdx_license_key"] ?? "LicenseRef-scancode-" + key
            spdxByKey[key] = spdx
            let text = String(matter.text).trimmingCharacters(in: .whitespacesAndNewlines)
            licenses.append(LicenseInfo(
                key: key, spdxID: spdx,
                otherSPDXIDs: matter.lists["other_spdx_license_keys"] ?? [],
                name: matter.scalars["name"] ?? key,
                category: matter.scalars["category"] ?? "Unstated License",
                isException: matter.flag("is_exception"),
                isDeprecated: matter.flag("is_deprecated"),
                isOSIApproved: matter.scalars["osi_license_key"] != nil || matter.scalars["osi_url"] != nil,
                homepage: matter.scalars["homepage_url"],
                text: text))
            licenseTexts.append((file, matter))
        }
        for (file, matter) in licenseTexts
        where !matter.flag("is_deprecated") && !matter.flag("is_unknown") && !matter.flag("is_generic") {
            guard let key = matter.scalars["key"], let spdx = spdxByKey[key] else { continue }
            rules.append(RuleSource(name: file, expression: spdx, kind: .text,
                                    minimumCoverage: matter.integer("minimum_coverage"),
                                    isContinuous: false, text: matter.text))
        }

        let rulesDirectory = data + "/rules"
        for file in try Self.listFiles(rulesDirectory, suffix: ".RULE") {
            let path = rulesDirectory + "/" + file
            let matter = try Self.readFrontMatter(path)
            if matter.flag("is_deprecated") || matter.flag("is_license_intro") || matter.flag("is_license_clue") {
                continue
            }
            let kind: RuleSource.Kind
            var expression = ""
            if matter.flag("is_false_positive") {
                kind = .falsePositive
            } else {
                guard let scancode = matter.scalars["license_expression"] else {
                    throw LicenseDatabaseError.badFile(path: path, reason: "no 'license_expression'")
                }
                expression = Self.spdxExpression(scancode, spdxByKey: spdxByKey)
                kind = matter.flag("is_license_text") ? .text : matter.flag("is_license_notice") ? .notice : .reference
            }
            rules.append(RuleSource(name: file, expression: expression, kind: kind,
                                    minimumCoverage: matter.integer("minimum_coverage"),
                                    isContinuous: matter.flag("is_continuous"), text: matter.text))
        }

        self.dataDirectory = data
        self.dataVersion = Self.version(of: data)
        self.licenses = licenses
        let ids = Self.idTable(licenses)
        self.byID = ids
        LicenseSemantics.dataCategories.record(ids.mapValues { licenses[$0].category })
        self.byName = Self.nameTable(licenses)
        self.index = RuleIndex(rules: rules)
    }

    /// ScanCode keys to SPDX ids; operators upper-cased; unknown keys as ScanCode refs.
    static func spdxExpression(_ scancode: String, spdxByKey: [String: String]) -> String {
        var out = ""
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            switch word.lowercased() {
            case "and", "or", "with": out += word.uppercased()
            default: out += spdxByKey[word] ?? "LicenseRef-scancode-" + word
            }
            word = ""
        }
        for c in scancode {
            if c == "(" || c == ")" || c == " " { flush(); out.append(c) } else { word.append(c) }
        }
        flush()
        return out
    }

    private static func nameTable(_ licenses: [LicenseInfo]) -> [String: Int] {
        var table: [String: Int] = [:]
        for (i, license) in licenses.enumerated() where !license.isDeprecated {
            let key = license.name.lowercased()
            if let j = table[key], !licenses[j].isException { continue }
            table[key] = i
        }
        return table
    }

    private static func idTable(_ licenses: [LicenseInfo]) -> [String: Int] {
        var table: [String: Int] = [:]
        for (i, license) in licenses.enumerated() {
            table["licenseref-scancode-" + license.key.lowercased()] = i
            for other in license.otherSPDXIDs where table[other.lowercased()] == nil { table[other.lowercased()] = i }
        }
        // Primary ids win over other ids that happen to collide.
        for (i, license) in licenses.enumerated() { table[license.spdxID.lowercased()] = i }
        return table
    }

    private static func readFrontMatter(_ path: String) throws -> FrontMatter {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LicenseDatabaseError.unreadableFile(path: path)
        }
        do {
            return try FrontMatter(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw LicenseDatabaseError.badFile(path: path, reason: "\(error)")
        }
    }

    private static func listFiles(_ directory: String, suffix: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw LicenseDatabaseError.unreadableFile(path: directory)
        }
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    // MARK: - Locating data and cache

    private static func findDataDirectory(searchedBefore: [String]) throws -> String {
        var searched = searchedBefore
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        while true {
            let lib = (directory.path == "/" ? "" : directory.path) + "/.venv/lib"
            searched.append(lib)
            let pythons = ((try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? [])
                .filter { $0.hasPrefix("python3") }.sorted()
            for python in pythons {
                let data = "\(lib)/\(python)/site-packages/licensedcode/data"
                if FileManager.default.fileExists(atPath: data + "/licenses") { return data }
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        throw LicenseDatabaseError.dataNotFound(searched: searched)
    }

    /// `<repo>/.cache/candor` when the data is in a repository's `.venv`, else the user cache.
    private static func defaultCacheDirectory(data: String) -> String {
        if let range = data.range(of: "/.venv/lib/") {
            return String(data[..<range.lowerBound]) + "/.cache/candor"
        }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/candor" }
        return NSHomeDirectory() + "/.cache/candor"
    }

    /// The installed distribution's metadata directory beside `licensedcode/`.
    private static func distInfo(_ data: String) -> String? {
        let sitePackages = URL(fileURLWithPath: data).deletingLastPathComponent().deletingLastPathComponent().path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sitePackages)) ?? []
        return names.filter { $0.hasPrefix("licensedcode_data-") && $0.hasSuffix(".dist-info") }
            .sorted().last.map { sitePackages + "/" + $0 }
    }

    private static func version(of data: String) -> String {
        guard let info = distInfo(data) else { return "licensedcode-data (version unknown)" }
        let name = URL(fileURLWithPath: info).lastPathComponent
        let version = name.dropFirst("licensedcode_data-".count).dropLast(".dist-info".count)
        return "licensedcode-data \(version)"
    }

    static let formatVersion: UInt32 = 1

    /// Hash of the wheel's RECORD (names, sizes and hashes of every file), or of the data
    /// files' names, sizes and modification times when there is no RECORD.
    private static func dataKey(_ data: String) throws -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        fnv1a(withUnsafeBytes(of: formatVersion.littleEndian) { Array($0) }, into: &hash)
        fnv1a(data.utf8, into: &hash)
        if let info = distInfo(data), let record = FileManager.default.contents(atPath: info + "/RECORD") {
            fnv1a(record, into: &hash)
            return hash
        }
        for sub in ["licenses", "rules"] {
            let directory = data + "/" + sub
            for name in try listFiles(directory, suffix: "") {
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
                let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
                let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                fnv1a("\(sub)/\(name) \(size) \(mtime)\n".utf8, into: &hash)
            }
        }
        return hash
    }

    // MARK: - Cache file

    private static let magic = Array("CANDORLI".utf8)

    private func writeCache(to directory: String, file: String, key: UInt64, pruneOthers: Bool = true) throws {
        var writer = BinaryWriter()
        for b in Self.magic { writer.write(b) }
        writer.write(Self.formatVersion)
        writer.write(key)
        writer.write(string: dataVersion)
        writer.write(strings: licenses.map(\.key))
        writer.write(strings: licenses.map(\.spdxID))
        writer.write(strings: licenses.map { $0.otherSPDXIDs.joined(separator: "\n") })
        writer.write(strings: licenses.map(\.name))
        writer.write(strings: licenses.map(\.category))
        writer.write(strings: licenses.map { $0.homepage ?? "" })
        writer.write(strings: licenses.map(\.text))
        writer.write(array: licenses.map { license -> UInt8 in
            (license.isException ? 1 : 0) | (license.isDeprecated ? 2 : 0) | (license.isOSIApproved ? 4 : 0)
        })
        index.write(to: &writer)

        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(writer.bytes, to: file)
        guard pruneOthers else { return }
        // Older indexes of other data versions are dead weight.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix("licenses-") && name.hasSuffix(".index") && directory + "/" + name != file {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// `key` nil: any data key (a shipped index, compiled elsewhere).
    private init(cache bytes: [UInt8], key: UInt64?, dataDirectory: String) throws {
        var reader = BinaryReader(bytes)
        for b in Self.magic where try reader.read(UInt8.self) != b { throw BinaryReader.Truncated() }
        guard try reader.read(UInt32.self) == Self.formatVersion, case let stored = try reader.read(UInt64.self),
              key == nil || stored == key else {
            throw BinaryReader.Truncated()
        }
        dataVersion = try reader.readString()
        let keys = try reader.readStrings()
        let ids = try reader.readStrings()
        let others = try reader.readStrings()
        let names = try reader.readStrings()
        let categories = try reader.readStrings()
        let homepages = try reader.readStrings()
        let texts = try reader.readStrings()
        let flags = try reader.readArray(of: UInt8.self)
        let n = keys.count
        guard [ids, others, names, categories, homepages, texts].allSatisfy({ $0.count == n }), flags.count == n else {
            throw BinaryReader.Truncated()
        }
        let loaded = (0..<n).map { i in
            LicenseInfo(key: keys[i], spdxID: ids[i],
                        otherSPDXIDs: others[i].isEmpty ? [] : others[i].components(separatedBy: "\n"),
                        name: names[i], category: categories[i],
                        isException: flags[i] & 1 != 0, isDeprecated: flags[i] & 2 != 0,
                        isOSIApproved: flags[i] & 4 != 0,
                        homepage: homepages[i].isEmpty ? nil : homepages[i], text: texts[i])
        }
        licenses = loaded
        index = try RuleIndex(reading: &reader)
        guard reader.isAtEnd else { throw BinaryReader.Truncated() }
        self.dataDirectory = dataDirectory
        let table = Self.idTable(loaded)
        byID = table
        LicenseSemantics.dataCategories.record(table.mapValues { loaded[$0].category })
        byName = Self.nameTable(loaded)
    }
}
