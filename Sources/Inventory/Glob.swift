// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Path globs as REUSE.toml, .gitignore and DEP-5 `Files:` use them. One matcher,
// with the one difference between them as a flag: whether `*` crosses `/`.

public struct Glob: Hashable, Sendable {
    let pattern: [UInt8]
    /// DEP-5: `*` matches any characters including `/`. REUSE and gitignore: not `/`.
    let starMatchesSlash: Bool

    /// Most patterns are a plain name or `*.ext`: those skip the general matcher.
    private enum Shape: Hashable, Sendable { case literal, starSuffix, general }
    private let shape: Shape
    /// More than one star can backtrack exponentially: only then are failures remembered.
    private let needsMemo: Bool

    public init(_ pattern: String, starMatchesSlash: Bool = false) {
        let bytes = Array(pattern.utf8)
        self.pattern = bytes
        self.starMatchesSlash = starMatchesSlash
        let special: Set<UInt8> = [Glob.star, Glob.question, Glob.open, Glob.backslash]
        if !bytes.contains(where: special.contains) {
            shape = .literal
        } else if bytes.first == Glob.star && !bytes.dropFirst().contains(where: special.contains) {
            shape = .starSuffix
        } else {
            shape = .general
        }
        needsMemo = bytes.filter { $0 == Glob.star }.count > 1
    }

    public func matches(_ path: String) -> Bool { matches(Array(path.utf8)) }

    func matches(_ path: [UInt8]) -> Bool {
        switch shape {
        case .literal:
            return path == pattern
        case .starSuffix:
            let suffix = pattern.dropFirst()
            guard path.count >= suffix.count, path.suffix(suffix.count).elementsEqual(suffix) else { return false }
            return starMatchesSlash || !path.dropLast(suffix.count).contains(Glob.slash)
        case .general:
            var failed = Set<Int>()
            return match(0, path, 0, &failed)
        }
    }

    private static let star = UInt8(ascii: "*"), question = UInt8(ascii: "?"), slash = UInt8(ascii: "/")
    private static let backslash = UInt8(ascii: "\\"), open = UInt8(ascii: "["), close = UInt8(ascii: "]")

    /// Backtracking with the failed (pattern, path) positions remembered, so patterns with
    /// many stars stay polynomial.
    private func match(_ pi: Int, _ s: [UInt8], _ si: Int, _ failed: inout Set<Int>) -> Bool {
        guard needsMemo else { return matchFrom(pi, s, si, &failed) }
        let state = pi * (s.count + 1) + si
        if failed.contains(state) { return false }
        if matchFrom(pi, s, si, &failed) { return true }
        failed.insert(state)
        return false
    }

    private func matchFrom(_ pi: Int, _ s: [UInt8], _ si: Int, _ failed: inout Set<Int>) -> Bool {
        var pi = pi, si = si
        while pi < pattern.count {
            let c = pattern[pi]
            if c == Glob.star {
                let isDouble = pi + 1 < pattern.count && pattern[pi + 1] == Glob.star
                if isDouble {
                    var next = pi + 2
                    // `**/` also matches no directory at all.
                    if next < pattern.count && pattern[next] == Glob.slash {
                        next += 1
                        if match(next, s, si, &failed) { return true }
                    }
                    if next >= pattern.count { return true }
                    var k = si
                    while k < s.count {
                        if match(next, s, k, &failed) { return true }
                        k += 1
                    }
                    return match(next, s, s.count, &failed)
                }
                let next = pi + 1
                var k = si
                while true {
                    if match(next, s, k, &failed) { return true }
                    if k >= s.count || (!starMatchesSlash && s[k] == Glob.slash) { return false }
                    k += 1
                }
            }
            guard si < s.count else { return false }
            switch c {
            case Glob.question:
                if !starMatchesSlash && s[si] == Glob.slash { return false }
                pi += 1; si += 1
            case Glob.open:
                guard let (matched, end) = matchClass(pi, s[si]) else {
                    if s[si] != c { return false }  // no closing bracket: a literal `[`
                    pi += 1; si += 1
                    continue
                }
                if !matched { return false }
                pi = end; si += 1
            case Glob.backslash where pi + 1 < pattern.count:
                if s[si] != pattern[pi + 1] { return false }
                pi += 2; si += 1
            default:
                if s[si] != c { return false }
                pi += 1; si += 1
            }
        }
        return si == s.count
    }

    /// A bracket expression at `pi`: whether `byte` is in it and the index after `]`.
    private func matchClass(_ pi: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = pi + 1
        var negate = false
        if i < pattern.count && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negate = true; i += 1
        }
        var matched = false
        var first = true
        while i < pattern.count {
            let c = pattern[i]
            if c == Glob.close && !first { return (matched != negate, i + 1) }
            first = false
            if i + 2 < pattern.count && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != Glob.close {
                if c <= byte && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if c == byte { matched = true }
                i += 1
            }
        }
        return nil
    }
}

/// The rules of one `.gitignore` file, applying to paths below `base`.
struct GitIgnoreRules: Sendable {
    struct Rule: Sendable {
        var glob: Glob
        var negated: Bool
        var directoryOnly: Bool
        /// A pattern without an inner `/` matches the name at any depth.
        var matchesBasename: Bool
    }

    /// Directory of the `.gitignore`, relative to the root, "" for the root.
    var base: String
    var rules: [Rule]

    init(base: String, text: String) {
        self.base = base
        var rules: [Rule] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            var negated = false
            if line.hasPrefix("!") { negated = true; line.removeFirst() }
            if line.hasPrefix("\\") { line.removeFirst() }  // `\#`, `\!`
            var directoryOnly = false
            if line.hasSuffix("/") { directoryOnly = true; line.removeLast() }
            if line.isEmpty { continue }
            let anchored = line.contains("/")
            if line.hasPrefix("/") { line.removeFirst() }
            rules.append(Rule(glob: Glob(line), negated: negated, directoryOnly: directoryOnly, matchesBasename: !anchored))
        }
        self.rules = rules
    }

    /// nil when no rule speaks about the path; else whether it is ignored (last rule wins).
    func verdict(relativePath: String, name: String, isDirectory: Bool) -> Bool? {
        let local: String
        if base.isEmpty {
            local = relativePath
        } else if relativePath.hasPrefix(base + "/") {
            local = String(relativePath.dropFirst(base.count + 1))
        } else {
            return nil
        }
        // Converted once here, not once per rule: a tree's root .gitignore meets every file.
        let nameBytes = Array(name.utf8), localBytes = Array(local.utf8)
        var verdict: Bool?
        for rule in rules {
            if rule.directoryOnly && !isDirectory { continue }
            if rule.glob.matches(rule.matchesBasename ? nameBytes : localBytes) { verdict = !rule.negated }
        }
        return verdict
    }
}
