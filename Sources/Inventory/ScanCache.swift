// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Results of earlier scans, so an unchanged file is not read again. An entry is reused
// when the file's size, mtime, ctime and inode are unchanged and it was made by the same
// cache format, license database version and detector version (a changed matcher must
// not reuse old results). Per scanned root, 16 files (split by path, so they load in
// parallel), each written atomically. A file that cannot be read, is cut short, fails its
// checksum or was made by another format, database, detector or root is ignored (its
// entries are rebuilt), never fatal.
//
// A shard is binary, not JSON: decoding 78,000 records with JSONDecoder took seconds,
// which made a re-scan of an unchanged Linux tree slow. Layout (little-endian, strings
// and lists length-prefixed, see `BinaryWriter`):
//
//     "CANDORSC" format:u32 databaseVersion detectorVersion root count:u64 entry*  sha256(all before):32
//
// Default location: `$XDG_CACHE_HOME/candor`, else `$HOME/.cache/candor`: outside the
// scanned tree, so the cache neither dirties a git tree nor shows up in the scan.

import AtomicFile
import Crypto
import Foundation
import Licensing
import Parallel

struct ScanCache {
    struct Key: Hashable {
        var size: UInt64
        var modifiedNanoseconds: Int64
        var changedNanoseconds: Int64
        var inode: UInt64

        init(_ st: FileStatus) {
            size = st.size
            modifiedNanoseconds = st.modifiedNanoseconds
            changedNanoseconds = st.changedNanoseconds
            inode = st.inode
        }

        init(size: UInt64, modifiedNanoseconds: Int64, changedNanoseconds: Int64, inode: UInt64) {
            self.size = size
            self.modifiedNanoseconds = modifiedNanoseconds
            self.changedNanoseconds = changedNanoseconds
            self.inode = inode
        }
    }

    struct Entry: Hashable {
        var key: Key
        /// The file's record before REUSE annotations apply; `record.path` is the entry's path.
        var record: FileRecord
        var findings: [Finding]
    }

    /// Format 4: binary shards (format 3 was JSON).
    static let format: UInt32 = 4
    static let magic = Array("CANDORSC".utf8)
    private static let digestSize = 32
    /// The cache is split by path into this many files, decoded and encoded in parallel.
    static let shardCount = 16

    let databaseVersion: String
    /// `LicenseDetector.version` of the detector that made the entries.
    let detectorVersion: String
    let root: String
    /// Entries by `shard(of: path)`, then by path: looked up where they were loaded, never merged.
    private(set) var shards: [[String: Entry]]

    init(databaseVersion: String, detectorVersion: String, root: String) {
        self.databaseVersion = databaseVersion
        self.detectorVersion = detectorVersion
        self.root = root
        shards = [[String: Entry]](repeating: [:], count: ScanCache.shardCount)
    }

    var count: Int { shards.reduce(0) { $0 + $1.count } }

    subscript(path: String) -> Entry? { shards[ScanCache.shard(of: path)][path] }

    /// Replaces every entry; the records' paths are the keys.
    mutating func replaceEntries(_ entries: [Entry]) {
        shards = [[String: Entry]](repeating: [:], count: ScanCache.shardCount)
        for entry in entries { shards[ScanCache.shard(of: entry.record.path)][entry.record.path] = entry }
    }

    static func defaultDirectory() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/candor" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.cache/candor" }
        return nil
    }

    /// The shard file `index` of the cache for `root`.
    static func file(directory: String, root: String, shard index: Int) -> String {
        let digest = hex(SHA256.hash(data: Array(root.utf8))).prefix(16)
        return "\(directory)/scan-\(digest)-\(index).bin"
    }

    /// FNV-1a of the path: stable across runs, unlike `hashValue`.
    static func shard(of path: String) -> Int {
        var h: UInt32 = 2_166_136_261
        for b in path.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return Int(h % UInt32(shardCount))
    }

    /// The cache for `root` in `directory`; shards that are missing, unreadable, damaged or
    /// made by another format, database or detector version contribute nothing.
    static func load(directory: String, root: String, databaseVersion: String, detectorVersion: String,
                     jobs: Int) -> ScanCache {
        let empty = ScanCache(databaseVersion: databaseVersion, detectorVersion: detectorVersion, root: root)
        var cache = empty
        cache.shards = Parallel.map(shardCount, jobs: jobs) { index -> [String: Entry] in
            guard let bytes = try? readSmallFile(file(directory: directory, root: root, shard: index), limit: 4 << 30) else {
                return [:]
            }
            return empty.decode(shard: bytes) ?? [:]
        }
        return cache
    }

    func store(directory: String, jobs: Int) throws {
        try makeDirectories(directory)
        let errors = Parallel.map(ScanCache.shardCount, jobs: jobs) { index -> Error? in
            do {
                let path = ScanCache.file(directory: directory, root: root, shard: index)
                try AtomicFile.write(encode(shard: shards[index]), to: path)
                // The JSON shard of format 3 beside it is dead weight.
                unlink(String(path.dropLast(".bin".count)) + ".json")
                return nil
            } catch {
                return error
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
    }

    // MARK: - Shard files

    /// One shard file's bytes, entries sorted by path so equal caches give equal files.
    func encode(shard entries: [String: Entry]) -> [UInt8] {
        var writer = BinaryWriter()
        for b in ScanCache.magic { writer.write(b) }
        writer.write(ScanCache.format)
        writer.write(string: databaseVersion)
        writer.write(string: detectorVersion)
        writer.write(string: root)
        writer.write(UInt64(entries.count))
        for path in entries.keys.sorted() { writer.write(entry: entries[path]!) }
        var bytes = writer.bytes
        bytes += SHA256.hash(data: bytes)
        return bytes
    }

    /// The entries of a shard file, or nil when it is damaged or was not made for this
    /// cache (format, database version, detector version, root).
    func decode(shard bytes: [UInt8]) -> [String: Entry]? {
        let headerSize = ScanCache.magic.count + MemoryLayout<UInt32>.size
        guard bytes.count >= headerSize + ScanCache.digestSize,
              bytes.starts(with: ScanCache.magic) else { return nil }
        let body = bytes.count - ScanCache.digestSize
        var hash = SHA256()
        bytes.withUnsafeBytes { hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        guard hash.finalize().elementsEqual(bytes[body...]) else { return nil }
        var reader = BinaryReader(Array(bytes[ScanCache.magic.count..<body]))
        do {
            guard try reader.read(UInt32.self) == ScanCache.format,
                  try reader.readString() == databaseVersion,
                  try reader.readString() == detectorVersion,
                  try reader.readString() == root else { return nil }
            let count = try reader.read(UInt64.self)
            // Every entry takes far more than 8 bytes: a larger count is damage, not a reason to allocate.
            guard count <= UInt64(bytes.count / 8) else { return nil }
            var entries = [String: Entry](minimumCapacity: Int(count))
            for _ in 0..<count {
                let entry = try reader.readEntry()
                entries[entry.record.path] = entry
            }
            return reader.isAtEnd ? entries : nil
        } catch {
            return nil
        }
    }
}

// MARK: - Entry encoding

private struct BadCacheValue: Error {}

private extension BinaryWriter {
    mutating func write(entry: ScanCache.Entry) {
        let r = entry.record
        write(string: r.path)
        write(entry.key.size)
        write(entry.key.modifiedNanoseconds)
        write(entry.key.changedNanoseconds)
        write(entry.key.inode)
        write(r.size)
        write(string: r.sha1)
        write(string: r.sha256)
        write(UInt8(r.isBinary ? 1 : 0))
        write(list: r.licenseTags)
        write(list: r.copyrights)
        write(matches: r.licenseMatches)
        write(UInt8(r.licenseMentions == nil ? 0 : 1))
        if let mentions = r.licenseMentions { write(matches: mentions) }
        write(optional: r.detectedLicense)
        write(optional: r.reuseLicense)
        write(list: r.reuseCopyrights)
        write(optional: r.reusePrecedence)
        write(UInt64(entry.findings.count))
        for f in entry.findings {
            write(string: f.path)
            write(UInt8(f.line == nil ? 0 : 1))
            write(Int64(f.line ?? 0))
            write(string: f.rule)
            write(string: f.severity.rawValue)
            write(string: f.message)
        }
    }

    mutating func write(list: [String]) {
        write(UInt64(list.count))
        for s in list { write(string: s) }
    }

    mutating func write(optional: String?) {
        write(UInt8(optional == nil ? 0 : 1))
        if let optional { write(string: optional) }
    }

    mutating func write(matches: [LicenseMatch]) {
        write(UInt64(matches.count))
        for m in matches {
            write(string: m.expression)
            write(string: m.kind.rawValue)
            write(Int64(m.startLine))
            write(Int64(m.endLine))
            write(m.score.bitPattern)
            write(string: m.rule)
            write(optional: m.modifiedFrom)
            write(optional: m.extractedText)
        }
    }
}

private extension BinaryReader {
    mutating func readEntry() throws -> ScanCache.Entry {
        let path = try readString()
        let key = ScanCache.Key(size: try read(), modifiedNanoseconds: try read(), changedNanoseconds: try read(), inode: try read())
        var record = FileRecord(path: path, size: try read(), sha1: try readString(), sha256: try readString(),
                                isBinary: try readFlag())
        record.licenseTags = try readList()
        record.copyrights = try readList()
        record.licenseMatches = try readMatches()
        record.licenseMentions = try readFlag() ? try readMatches() : nil
        record.detectedLicense = try readOptional()
        record.reuseLicense = try readOptional()
        record.reuseCopyrights = try readList()
        record.reusePrecedence = try readOptional()
        var findings: [Finding] = []
        for _ in 0..<(try readCount()) {
            let path = try readString()
            let hasLine = try readFlag()
            let line = try read(Int64.self)
            let rule = try readString()
            guard let severity = Finding.Severity(rawValue: try readString()) else { throw BadCacheValue() }
            findings.append(Finding(path: path, line: hasLine ? Int(line) : nil, rule: rule, severity: severity,
                                    message: try readString()))
        }
        return ScanCache.Entry(key: key, record: record, findings: findings)
    }

    mutating func readFlag() throws -> Bool {
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        default: throw BadCacheValue()
        }
    }

    /// A list's length: one beyond 2^32 is damage; a smaller false one runs into the end of the data.
    mutating func readCount() throws -> Int {
        let count = try read(UInt64.self)
        guard count <= 1 << 32 else { throw BadCacheValue() }
        return Int(count)
    }

    mutating func readList() throws -> [String] {
        let count = try readCount()
        var list: [String] = []
        for _ in 0..<count { list.append(try readString()) }
        return list
    }

    mutating func readOptional() throws -> String? {
        try readFlag() ? try readString() : nil
    }

    mutating func readMatches() throws -> [LicenseMatch] {
        let count = try readCount()
        var matches: [LicenseMatch] = []
        for _ in 0..<count {
            let expression = try readString()
            guard let kind = LicenseMatch.Kind(rawValue: try readString()) else { throw BadCacheValue() }
            matches.append(LicenseMatch(expression: expression, kind: kind, startLine: Int(try read(Int64.self)),
                                        endLine: Int(try read(Int64.self)), score: Double(bitPattern: try read()),
                                        rule: try readString(), modifiedFrom: try readOptional(),
                                        extractedText: try readOptional()))
        }
        return matches
    }
}
