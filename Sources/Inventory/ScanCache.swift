// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Results of earlier scans, so an unchanged file is not read again. An entry is reused
// when the file's size, mtime, ctime and inode are unchanged and it was made by the same
// cache format and license database version. One JSON file per scanned root, written
// atomically; a cache that cannot be read is ignored (and rebuilt), never fatal.
//
// Default location: `$XDG_CACHE_HOME/candor`, else `$HOME/.cache/candor`: outside the
// scanned tree, so the cache neither dirties a git tree nor shows up in the scan.

import Crypto
import Foundation

struct ScanCache: Codable {
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
    }

    struct Entry: Codable {
        var key: Key
        var record: FileRecord
        var findings: [Finding]
    }

    static let format = 1

    var format: Int
    var databaseVersion: String
    var root: String
    var entries: [String: Entry]

    init(databaseVersion: String, root: String) {
        format = ScanCache.format
        self.databaseVersion = databaseVersion
        self.root = root
        entries = [:]
    }

    static func defaultDirectory() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/candor" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.cache/candor" }
        return nil
    }

    static func file(directory: String, root: String) -> String {
        let digest = hex(SHA256.hash(data: Array(root.utf8))).prefix(16)
        return "\(directory)/scan-\(digest).json"
    }

    /// The cache for `root` in `directory`, or an empty one when there is none or it does not fit.
    static func load(directory: String, root: String, databaseVersion: String) -> ScanCache {
        let empty = ScanCache(databaseVersion: databaseVersion, root: root)
        guard let bytes = try? readSmallFile(file(directory: directory, root: root), limit: 4 << 30),
              let cache = try? JSONDecoder().decode(ScanCache.self, from: Data(bytes)),
              cache.format == ScanCache.format, cache.databaseVersion == databaseVersion, cache.root == root
        else { return empty }
        return cache
    }

    func store(directory: String) throws {
        try makeDirectories(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        try writeFileAtomically(ScanCache.file(directory: directory, root: root), Array(data))
    }
}
