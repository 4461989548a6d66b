// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Listing a reference corpus (an extracted source tree) and running work on `jobs` threads.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct CorpusFile: Hashable {
    var relativePath: String
    var size: Int64
    var modified: Int64 // nanoseconds since the epoch
}

enum CorpusFiles {
    /// Extensions of the C-family sources a corpus is indexed from (assembler is left out: its
    /// tokens share nothing with C).
    static let extensions: Set<String> = ["c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "swift", "m", "mm"]

    static func isSource(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(String(name[name.index(after: dot)...]))
    }

    /// Regular source files under `root`, sorted by path. Symbolic links are not followed (no
    /// loops, no file counted twice); `.git` and other hidden directories are skipped.
    static func list(root: String) throws -> [CorpusFile] {
        var rootInfo = stat()
        guard stat(root, &rootInfo) == 0, (rootInfo.st_mode & S_IFMT) == S_IFDIR else {
            throw CloneIndexError.corpusUnreadable(path: root, reason: String(cString: strerror(errno)))
        }
        var result: [CorpusFile] = []
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root + "/" + relative
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name.hasPrefix(".") { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    pending.append(path)
                case S_IFREG where isSource(name):
                    let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
                    result.append(CorpusFile(relativePath: path, size: Int64(info.st_size), modified: nanoseconds))
                default:
                    continue
                }
            }
        }
        result.sort { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
        return result
    }
}
