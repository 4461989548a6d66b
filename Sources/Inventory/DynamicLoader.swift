// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Finds a DT_NEEDED library the way glibc's ld.so does (without LD_LIBRARY_PATH, which
// belongs to one shell, not to the release): a name with a slash is a path; else
// DT_RPATH (only when there is no DT_RUNPATH), DT_RUNPATH, /etc/ld.so.cache (or the
// directories of /etc/ld.so.conf when the cache cannot be read), then the default
// directories. `$ORIGIN` is the directory of the object that needs the library.

import Foundation

struct DynamicLoader {
    private let cache: [String: String]
    private let configuredDirectories: [String]
    private let defaultDirectories: [String]
    /// How the search path was built, for the report.
    let note: String

    init(system: SystemLayout, machine: UInt16) {
        defaultDirectories = system.defaultLibraryDirectories
        if let bytes = try? readSmallFile(system.ldSoCache), let entries = try? LdSoCache.parse(bytes) {
            var map: [String: String] = [:]
            for e in entries where e.isCompatible(machine: machine) && map[e.soname] == nil { map[e.soname] = e.path }
            cache = map
            configuredDirectories = []
            note = "libraries resolved through \(system.ldSoCache)"
        } else {
            cache = [:]
            configuredDirectories = DynamicLoader.configuredDirectories(system.ldSoConf)
            note = "\(system.ldSoCache) unreadable: libraries resolved through the directories of \(system.ldSoConf)"
        }
    }

    /// The file the loader would map for `name`, or nil.
    func resolve(_ name: String, rpath: [String], runpath: [String], origin: String, machine: UInt16) -> String? {
        if name.contains("/") {
            return DynamicLoader.isLoadable(name, machine: machine) ? name : nil
        }
        let expand = { (dir: String) in
            dir.replacingOccurrences(of: "${ORIGIN}", with: origin).replacingOccurrences(of: "$ORIGIN", with: origin)
                .replacingOccurrences(of: "${LIB}", with: "lib/x86_64-linux-gnu").replacingOccurrences(of: "$LIB", with: "lib/x86_64-linux-gnu")
                .replacingOccurrences(of: "${PLATFORM}", with: "x86_64").replacingOccurrences(of: "$PLATFORM", with: "x86_64")
        }
        let first = (runpath.isEmpty ? rpath : []) + runpath
        for dir in first.map(expand) where DynamicLoader.isLoadable("\(dir)/\(name)", machine: machine) {
            return "\(dir)/\(name)"
        }
        if let cached = cache[name], DynamicLoader.isLoadable(cached, machine: machine) { return cached }
        for dir in configuredDirectories + defaultDirectories where DynamicLoader.isLoadable("\(dir)/\(name)", machine: machine) {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// An ELF64 little-endian object for `machine` (the loader skips others and searches on).
    static func isLoadable(_ path: String, machine: UInt16) -> Bool {
        guard let stream = try? SystemFileStream(RawPath(path)) else {
            // O_NOFOLLOW refuses links; libraries are usually reached through one.
            guard case .success(let real) = resolvedPath(RawPath(path)), let s = try? SystemFileStream(real) else { return false }
            return isELF(s, machine: machine)
        }
        return isELF(stream, machine: machine)
    }

    private static func isELF(_ stream: SystemFileStream, machine: UInt16) -> Bool {
        defer { stream.close() }
        guard let h = try? stream.read(max: 20), h.count == 20 else { return false }
        return h[0] == 0x7F && h[1] == 0x45 && h[2] == 0x4C && h[3] == 0x46 && h[4] == 2 && h[5] == 1
            && (UInt16(h[18]) | UInt16(h[19]) << 8) == machine
    }

    /// Directories of ld.so.conf, following `include` globs.
    static func configuredDirectories(_ path: String, depth: Int = 0) -> [String] {
        guard depth < 8, let text = try? readTextFile(path) else { return [] }
        var dirs: [String] = []
        for raw in text.split(separator: "\n") {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            if line.hasPrefix("include ") {
                let pattern = line.dropFirst(8).trimmingCharacters(in: .whitespaces)
                let absolute = pattern.hasPrefix("/") ? pattern : (path as NSString).deletingLastPathComponent + "/" + pattern
                let dir = (absolute as NSString).deletingLastPathComponent
                let glob = Glob((absolute as NSString).lastPathComponent)
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
                for n in names where glob.matches(n) { dirs += configuredDirectories("\(dir)/\(n)", depth: depth + 1) }
            } else if line.hasPrefix("/") {
                dirs.append(line)
            }
        }
        return dirs
    }
}
