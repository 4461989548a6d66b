// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Copyright statements in free text: "Copyright (C) 2020 Name", "Copyright 2019-2021 The X
// Authors", "(c) 2020 Name", "© Name", "Copyright The Linux Foundation", "Portions
// Copyright ...". A statement runs from its keyword to the end of the line, and on over the
// next lines while it is unfinished (only years so far, or a trailing "," or "and"). To
// keep license texts from counting ("the above copyright notice", "(c) You must ..."),
// "Copyright" and "(c)" must be followed by a year, or "Copyright" must open its line
// (after comment marks, or "Portions") and be followed by a name that is not one of the
// words license texts put there (notice, holder, owner, law, ...).
// `SPDX-FileCopyrightText:` tags are left to SPDXTags.

import Licensing

enum CopyrightStatements {
    /// Statements in line order, with their 1-based line numbers.
    static func find(in bytes: [UInt8]) -> [(line: Int, statement: String)] {
        bytes.withUnsafeBufferPointer { find(in: bytes, buffer: $0) }
    }

    private static func find(in bytes: [UInt8], buffer: UnsafeBufferPointer<UInt8>) -> [(line: Int, statement: String)] {
        var results: [(Int, String)] = []
        var lineNumber = 1, counted = 0
        var lastLineWithStatement = 0
        // Candidates before `resume` lie on a line already read.
        var resume = 0
        var position = 0
        let n = bytes.count
        while let k = nextKeyword(buffer, from: position) {
            position = k + 1
            let b = bytes[k]
            let isCopyright = b | 0x20 == UInt8(ascii: "c")
            // i: where the keyword is recognised ("copyright": its `o`).
            let i = isCopyright ? k + 1 : k
            if isCopyright && !hasPrefixIgnoringCase(bytes, at: i, "opyright") { continue }
            guard i >= resume else { continue }
            lineNumber += ByteScan.lineFeeds(in: buffer, from: counted, to: i)
            counted = i
            guard lineNumber != lastLineWithStatement else { continue }
            var lineStart = i
            while lineStart > 0 && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            let lineEnd = ByteScan.index(of: 0x0A, in: buffer, from: i) ?? n
            resume = lineEnd
            // "(c)" is a statement only before a year (`statement`); in code it is mostly
            // a macro argument, `isdigit(c)`: settled here without making any text.
            if b == UInt8(ascii: "(") && !digitFollows(bytes, at: i + 3, before: lineEnd) { continue }
            var start = isCopyright ? i - 1 : i
            let lead = commentStripped(bytes[lineStart..<start]).lowercased()
            let portions = lead == "portions"
            if portions, let p = findPortions(bytes, from: lineStart, to: start) { start = p }
            if var found = statement(Array(bytes[start..<lineEnd]), line: Array(bytes[lineStart..<lineEnd]),
                                     opensLine: lead.isEmpty || portions) {
                // Unfinished statements continue on the following lines (at most two).
                var next = lineEnd + 1
                var added = 0
                while added < 2 && next < n && isUnfinished(found) {
                    var e = next
                    while e < n && bytes[e] != 0x0A { e += 1 }
                    let more = commentStripped(bytes[next..<e])
                    if more.isEmpty || more.lowercased().contains("copyright") || more.count > 200 { break }
                    found += " " + more
                    added += 1
                    next = e + 1
                }
                // A year alone ("Copyright 2020") names no one.
                if namesSomeone(found) {
                    results.append((lineNumber, String(found.prefix(300)).trimmingTrailing()))
                    lastLineWithStatement = lineNumber
                }
            }
        }
        return results
    }

    /// The first index at or after `from` where "cop" or "(c)" (in any case) or "©" starts.
    /// Eight bytes at a time (most of a file holds none): a block is read byte by byte only
    /// where it has a `c` before an `o` or `)` (any case), or a `©`.
    private static func nextKeyword(_ buffer: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let n = buffer.count
        func matches(_ k: Int) -> Bool {
            let b = buffer[k]
            if k + 2 < n && b | 0x20 == UInt8(ascii: "c") && buffer[k + 1] | 0x20 == UInt8(ascii: "o")
                && buffer[k + 2] | 0x20 == UInt8(ascii: "p") { return true }
            if k + 2 < n && b == UInt8(ascii: "(") && buffer[k + 1] | 0x20 == UInt8(ascii: "c")
                && buffer[k + 2] == UInt8(ascii: ")") { return true }
            return k + 1 < n && b == 0xC2 && buffer[k + 1] == 0xA9
        }
        guard let base = buffer.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let fold = lanes &* 0x20, c = lanes &* UInt64(UInt8(ascii: "c")), o = lanes &* UInt64(UInt8(ascii: "o"))
        let close = lanes &* UInt64(UInt8(ascii: ")")), c2 = lanes &* 0xC2, a9 = lanes &* 0xA9
        var k = max(from, 0)
        while true {
            while k + 9 <= n {
                let w0 = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                let w1 = raw.loadUnaligned(fromByteOffset: k + 1, as: UInt64.self)
                let letterC = zeroLanes((w0 | fold) ^ c)
                let next = zeroLanes((w1 | fold) ^ o) | zeroLanes(w1 ^ close)
                let symbol = zeroLanes(w0 ^ c2) & zeroLanes(w1 ^ a9)
                if (letterC & next) | symbol != 0 { break }
                k += 8
            }
            // "(c)" may start one byte before the block; the block's last `c` reads 2 past it.
            let end = min(n, k + 9)
            var j = max(from, k - 1)
            while j < end {
                if matches(j) { return j }
                j += 1
            }
            if end >= n { return nil }
            k += 8
        }
    }

    /// 0x80 in each byte of `x` that is zero, 0 in the others.
    @inline(__always)
    private static func zeroLanes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// Whether the first byte from `k` that is not a space, tab or CR is an ASCII digit, or
    /// may start a non-ASCII one (what `Character.isNumber` accepts after "(c)").
    private static func digitFollows(_ bytes: [UInt8], at k: Int, before end: Int) -> Bool {
        var k = k
        while k < end && (bytes[k] == 0x20 || bytes[k] == 0x09 || bytes[k] == 0x0D) { k += 1 }
        return k < end && ((bytes[k] >= 0x30 && bytes[k] <= 0x39) || bytes[k] >= 0x80)
    }

    private static func hasPrefixIgnoringCase(_ bytes: [UInt8], at i: Int, _ word: String) -> Bool {
        var k = i
        for c in word.utf8 {
            guard k < bytes.count, bytes[k] | 0x20 == c else { return false }
            k += 1
        }
        return true
    }

    /// The text without comment marks and white space around it (`dnl`/`rem` prefixes too).
    static func commentStripped(_ bytes: ArraySlice<UInt8>) -> String {
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        for _ in 0..<2 {
            text = text.drop(while: { " \t\r*#/;!%-.\\\"'<>{}|=:@".contains($0) })
            for prefix in ["dnl ", "rem ", "REM "] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
        }
        while let last = text.last, " \t\r*/".contains(last) || (last == ">" && text.hasSuffix("-->")) { text = text.dropLast() }
        return String(text)
    }

    private static func findPortions(_ bytes: [UInt8], from: Int, to: Int) -> Int? {
        var k = to - 1
        while k > from && (bytes[k] == 0x20 || bytes[k] == 0x09) { k -= 1 }
        let s = k - 7
        guard s >= from, hasPrefixIgnoringCase(bytes, at: s, "portions") else { return nil }
        return s
    }

    /// Only years and separators so far, or a trailing comma, "and" or "by".
    private static func isUnfinished(_ statement: String) -> Bool {
        let t = statement.trimmingTrailing()
        if t.hasSuffix(",") || t.hasSuffix(" and") || t.hasSuffix(" by") { return true }
        return !namesSomeone(t)
    }

    private static func namesSomeone(_ statement: String) -> Bool {
        var rest = Substring(statement)
        for keyword in ["portions", "copyright", ":", "(c)", "©"] {
            rest = rest.drop(while: { $0 == " " })
            if rest.lowercased().hasPrefix(keyword) { rest = rest.dropFirst(keyword.count) }
        }
        rest = rest.drop(while: { $0 == " " })
        if rest.lowercased().hasPrefix("(c)") { rest = rest.dropFirst(3) }
        return rest.contains(where: { $0.isLetter })
    }

    /// Words that follow "copyright" in license texts and prose, not in statements.
    private static let notNames: Set<String> = [
        "notice", "notices", "holder", "holders", "owner", "owners", "and", "or", "law", "laws", "statement",
        "statements", "is", "of", "to", "in", "on", "for", "this", "that", "these", "license", "licence", "licenses",
        "protection", "infringement", "permission", "status", "treaty", "interest", "interests", "claim", "claims",
        "date", "line", "lines", "year", "years", "info", "information", "header", "headers", "file", "files",
        "message", "string", "text", "assignment", "disclaimer", "policy", "terms", "above", "below", "under",
        "act", "office", "applies", "remains", "as", "it", "its", "may", "must", "shall", "will", "not", "are",
        "was", "be", "with", "without", "page", "section", "field", "symbol", "sign", "character", "year>",
        "<year>", "[yyyy]", "yyyy", "<insert", "{yyyy}", "[year]", "message.", "notice.", "nor", "the", "an", "a",
    ]

    /// The statement starting at the keyword, or nil when the keyword is not a copyright statement.
    private static func statement(_ fromKeyword: [UInt8], line: [UInt8], opensLine: Bool) -> String? {
        let lineText = String(decoding: line, as: UTF8.self)
        if lineText.contains("SPDX-FileCopyrightText") || lineText.contains("SPDX-SnippetCopyrightText") { return nil }
        var text = String(decoding: fromKeyword, as: UTF8.self)
        for closer in ["*/", "-->", "\\n\"", "\""] where text.hasSuffix(closer) { text.removeLast(closer.count) }
        text = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("portions ") { rest = rest.dropFirst("portions ".count) }
        let symbols = ["(c)", "(C)", "©"]
        if rest.lowercased().hasPrefix("copyright") {
            rest = rest.dropFirst("copyright".count)
            if rest.first?.isLetter == true { return nil }  // "copyrighted", "copyrights"
            if rest.hasPrefix(":") { rest = rest.dropFirst() }
            rest = rest.drop(while: { $0 == " " })
            var hadSymbol = false
            for s in symbols where rest.hasPrefix(s) {
                rest = rest.dropFirst(s.count).drop(while: { $0 == " " })
                hadSymbol = true
            }
            if rest.first?.isNumber == true || (hadSymbol && rest.first?.isLetter == true) {
                // a year, or a symbol then a name
            } else if opensLine, rest.first?.isLetter == true || rest.first == "<" {
                // "Copyright The Linux Foundation", "Copyright the libgit2 contributors".
                let words = rest.split(separator: " ").prefix(2).map { $0.lowercased().trimmingCharacters(in: [",", ".", ":"]) }
                guard let first = words.first, !notNames.contains(first) || (first == "the" && words.count > 1 && !notNames.contains(words[1])),
                      rest.first?.isUppercase == true || first == "the" || rest.first == "<"
                else { return nil }
            } else {
                return nil
            }
        } else if rest.hasPrefix("©") {
            rest = rest.dropFirst().drop(while: { $0 == " " })
            guard rest.first?.isNumber == true || rest.first?.isLetter == true else { return nil }
        } else {
            rest = rest.dropFirst(3).drop(while: { $0 == " " })
            guard rest.first?.isNumber == true else { return nil }
        }
        return String(text.prefix(300)).trimmingTrailing()
    }
}

extension String {
    func trimmingTrailing() -> String {
        var s = self
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return s
    }
}
