// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Textual header resolution, as the preprocessor does it: "quoted" names from the
// includer's directory first, then the search path; <angled> names from the search path;
// #include_next from the directory after the one the includer was found in.

import Foundation

/// Per-build caches every worker thread shares: file existence and parsed directives, so
/// each header is stat'ed and parsed once however many units reach it.
final class IncludeFileCache: @unchecked Sendable {
    private let existence = LockedBox([String: Bool]())
    private let parsed = LockedBox([String: Result<ParsedDirectives, DirectiveReadError>]())
    /// Whether files are parsed with their conditional directives (for ConditionWalk); off
    /// when no unit can be evaluated, so a textual walk of a large tree keeps no #defines.
    let keepsConditions: Bool

    struct DirectiveReadError: Error { var message: String }

    init(keepsConditions: Bool = false) {
        self.keepsConditions = keepsConditions
    }

    func isFile(_ path: String) -> Bool {
        if let known = existence.withLock({ $0[path] }) { return known }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        existence.withLock { $0[path] = exists }
        return exists
    }

    func directives(of path: String) -> Result<[IncludeDirective], DirectiveReadError> {
        parsedDirectives(of: path).map(\.includes)
    }

    func parsedDirectives(of path: String) -> Result<ParsedDirectives, DirectiveReadError> {
        if let known = parsed.withLock({ $0[path] }) { return known }
        let result: Result<ParsedDirectives, DirectiveReadError>
        if let data = FileManager.default.contents(atPath: path) {
            result = .success(IncludeDirectiveParser.parse([UInt8](data), conditions: keepsConditions))
        } else {
            result = .failure(DirectiveReadError(message: "cannot read file"))
        }
        parsed.withLock { $0[path] = result }
        return result
    }
}

struct HeaderResolver: Sendable {
    let search: HeaderSearchPath
    let cache: IncludeFileCache
    /// Last resort for "quoted" names: tree files by file name (absolute paths, sorted).
    let filesByName: [String: [String]]
    /// Search-path lookups by name: the answer does not depend on the includer, and a
    /// kernel-sized tree asks for the same few thousand names hundreds of thousands of times.
    private let searched = LockedBox([String: String?]())

    init(search: HeaderSearchPath, cache: IncludeFileCache, filesByName: [String: [String]]) {
        self.search = search
        self.cache = cache
        self.filesByName = filesByName
    }

    /// The absolute path `directive` in `includer` names, or nil.
    func resolve(_ directive: IncludeDirective, in includer: String) -> String? {
        let name = directive.name
        switch directive.form {
        case .computed:
            return nil
        case _ where name.hasPrefix("/"):
            return cache.isFile(PathText.normalize(name)) ? PathText.normalize(name) : nil
        case .quoted where !directive.isNext:
            let local = PathText.normalize(PathText.join(PathText.directory(of: includer), name))
            if cache.isFile(local) { return local }
            return memoized("\"" + name) { first(in: search.quote + search.angled, name) ?? uniqueSuffixMatch(name) }
        case .angled where !directive.isNext:
            return memoized("<" + name) { first(in: search.angled, name) }
        default:
            // include_next: continue after the search directory the includer came from.
            let directories = search.angled
            if let index = directories.firstIndex(where: { includer.hasPrefix($0 + "/") }) {
                return first(in: Array(directories[(index + 1)...]), name)
            }
            return first(in: directories, name, skipping: includer)
        }
    }

    private func memoized(_ key: String, _ lookup: () -> String?) -> String? {
        if let known = searched.withLock({ $0[key] }) { return known }
        let found = lookup()
        searched.withLock { $0[key] = found }
        return found
    }

    private func first(in directories: [String], _ name: String, skipping: String? = nil) -> String? {
        for directory in directories {
            let candidate = PathText.normalize(PathText.join(directory, name))
            if candidate != skipping, cache.isFile(candidate) { return candidate }
        }
        return nil
    }

    private func uniqueSuffixMatch(_ name: String) -> String? {
        let normalized = PathText.normalize(name)
        let trimmed = normalized.split(separator: "/").drop { $0 == ".." }.joined(separator: "/")
        guard !trimmed.isEmpty, let candidates = filesByName[PathText.fileName(of: trimmed)] else { return nil }
        let matches = candidates.filter { $0.hasSuffix("/" + trimmed) }
        return matches.count == 1 ? matches[0] : nil
    }
}
