// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Results of earlier scans, so an unchanged file is not read again. An entry is reused
// when the file's size, mtime, ctime and inode are unchanged and it was made by the same
// cache format, license database version and detector version (a changed matcher must
// not reuse old results). Per scanned root, 16 JSON files (split by
// path, so they load in parallel), each written atomically; a file that cannot be read
// is ignored (its entries are rebuilt), never fatal.
//
// Default location: `$XDG_CACHE_HOME/candor`, else `$HOME/.cache/candor`: outside the
// scanned tree, so the cache neither dirties a git tree nor shows up in the scan.

import AtomicFile
import Crypto
import Foundation
import Parallel

struct ScanCache: Codable {
    /// Stored as one string "size mtime ctime inode": decoding it is cheaper than an object.
    struct Key: Codable, Hashable {
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

        init(from decoder: Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            let parts = text.split(separator: " ")
            guard parts.count == 4, let size = UInt64(parts[0]), let modified = Int64(parts[1]),
                  let changed = Int64(parts[2]), let inode = UInt64(parts[3]) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad cache key \(text)"))
            }
            self.size = size
            modifiedNanoseconds = modified
            changedNanoseconds = changed
            self.inode = inode
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode("\(size) \(modifiedNanoseconds) \(changedNanoseconds) \(inode)")
        }
    }

    struct Entry: Codable {
        var key: Key
        var record: FileRecord
        var findings: [Finding]
    }

    static let format = 3
    /// The cache is split by path into this many files, decoded and encoded in parallel.
    static let shardCount = 16

    var format: Int
    var databaseVersion: String
    /// `LicenseDetector.version` of the detector that made the entries.
    var detectorVersion: String
    var root: String
    var entries: [String: Entry]

    init(databaseVersion: String, detectorVersion: String, root: String, entries: [String: Entry] = [:]) {
        format = ScanCache.format
        self.databaseVersion = databaseVersion
        self.detectorVersion = detectorVersion
        self.root = root
        self.entries = entries
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
        return "\(directory)/scan-\(digest)-\(index).json"
    }

    /// FNV-1a of the path: stable across runs, unlike `hashValue`.
    static func shard(of path: String) -> Int {
        var h: UInt32 = 2_166_136_261
        for b in path.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return Int(h % UInt32(shardCount))
    }

    /// The cache for `root` in `directory`; shards that are missing, unreadable or made by
    /// another format or database version contribute nothing.
    static func load(directory: String, root: String, databaseVersion: String, detectorVersion: String,
                     jobs: Int) -> ScanCache {
        let shards = Parallel.map(shardCount, jobs: jobs) { index -> [String: Entry] in
            guard let bytes = try? readSmallFile(file(directory: directory, root: root, shard: index), limit: 4 << 30),
                  let shard = try? JSONDecoder().decode(ScanCache.self, from: Data(bytes)),
                  shard.format == ScanCache.format, shard.databaseVersion == databaseVersion,
                  shard.detectorVersion == detectorVersion, shard.root == root
            else { return [:] }
            return shard.entries
        }
        var cache = ScanCache(databaseVersion: databaseVersion, detectorVersion: detectorVersion, root: root)
        for shard in shards { cache.entries.merge(shard) { a, _ in a } }
        return cache
    }

    func store(directory: String, jobs: Int) throws {
        try makeDirectories(directory)
        var split = [[String: Entry]](repeating: [:], count: ScanCache.shardCount)
        for (path, entry) in entries { split[ScanCache.shard(of: path)][path] = entry }
        let errors = Parallel.map(ScanCache.shardCount, jobs: jobs) { index -> Error? in
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let data = try encoder.encode(ScanCache(databaseVersion: databaseVersion, detectorVersion: detectorVersion, root: root,
                                                           entries: split[index]))
                try AtomicFile.write(data, to: ScanCache.file(directory: directory, root: root, shard: index))
                return nil
            } catch {
                return error
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
    }
}
