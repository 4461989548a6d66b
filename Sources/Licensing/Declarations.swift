// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Short license declarations, too short for the rule index (rules under four words are
// left out there): `License: MIT`, `@license MIT`, "distributed under the GNU GPL v2 with
// a Linking Exception", "Igor Pavlov : Public domain", and the license fields of package
// manifests (package.json, Cargo.toml, PKG-INFO/METADATA, setup.cfg, setup.py, pom.xml,
// .spec, .gemspec, R's DESCRIPTION, debian/copyright). A declaration counts only where the
// file states things (comments, prose) or in a manifest's field; its value must name a
// license `LicenseDatabase.expression(forName:)` knows. The one declaration made in code is
// a Linux module's `MODULE_LICENSE("...")` call (`moduleLicenses`, `KernelModuleLicense`).

enum Declarations {
    enum Manifest { case json, toml, keyValue, pythonCall, xml, gemspec }

    static func manifest(path: String?) -> Manifest? {
        guard let path else { return nil }
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        switch name {
        case "package.json", "composer.json", "bower.json": return .json
        case "cargo.toml", "pyproject.toml": return .toml
        case "setup.cfg", "pkg-info", "metadata", "description", "copyright": return .keyValue
        case "setup.py": return .pythonCall
        case "pom.xml": return .xml
        default:
            if name.hasSuffix(".spec") || name.hasSuffix(".nuspec") { return name.hasSuffix(".spec") ? .keyValue : .xml }
            if name.hasSuffix(".gemspec") { return .gemspec }
            if name.hasSuffix(".podspec") { return .gemspec }
            return nil
        }
    }

    /// Declarations in line order. `regions` has one TextRegion per byte.
    static func find(_ bytes: UnsafeBufferPointer<UInt8>, regions: [UInt8], path: String?,
                     database: LicenseDatabase) -> [LicenseMatch] {
        let manifest = manifest(path: path)
        var results: [LicenseMatch] = []
        // Line ranges; text is made only for lines that may hold a declaration.
        var ranges: [(start: Int, end: Int)] = []
        var start = 0
        let n = bytes.count
        while start <= n {
            let end = ByteScan.index(of: 0x0A, in: bytes, from: start) ?? n
            ranges.append((start, end))
            start = end + 1
        }
        // Whether a line holds a stated byte (`stated(k)` is empty without one).
        func hasStated(_ range: (start: Int, end: Int)) -> Bool {
            regions.withUnsafeBufferPointer {
                ByteScan.index(of: TextRegion.stated.rawValue, in: $0, from: range.start, to: range.end) != nil
            }
        }
        func stated(_ k: Int) -> String {
            guard k < ranges.count else { return "" }
            let (a, b) = ranges[k]
            guard b - a <= 400 else { return "" }
            var out: [UInt8] = []
            out.reserveCapacity(b - a)
            var any = false
            for i in a..<b {
                if regions[i] == TextRegion.stated.rawValue { out.append(bytes[i]); any = true } else { out.append(0x20) }
            }
            return any ? String(decoding: out, as: UTF8.self) : ""
        }
        var inPOMLicense = false
        for (k, range) in ranges.enumerated() {
            let number = k + 1
            var value: String?
            var endLine = number
            if let manifest {
                let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range.start..<range.end]), as: UTF8.self)
                value = manifestValue(raw, manifest, inPOMLicense: &inPOMLicense)
            }
            if value == nil && range.end - range.start <= 400 && hasStated(range) && mayDeclare(bytes, range.start, range.end) {
                let line = stated(k)
                if !line.isEmpty {
                    let text = stripCommentLead(line)
                    let lower = text.lowercased()
                    if let v = fieldValue(text, lower) {
                        value = v
                    } else if lower.hasSuffix(": public domain") || lower.hasSuffix(": public domain.") {
                        value = "public domain"
                    } else if let v = underPhrase(text, lower, next: stripCommentLead(stated(k + 1)), usedNext: &endLine, line: number) {
                        value = v
                    }
                }
            }
            guard let value, let expression = database.expression(forName: value) else { continue }
            results.append(LicenseMatch(expression: expression, kind: .declaration, startLine: number, endLine: endLine,
                                        score: 100, rule: "declaration"))
        }
        return results
    }

    /// A cheap test before any text is made: "licen" or " under " or "public domain" in the line.
    static func mayDeclare(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i + 5 <= end {
            let b = bytes[i] | 0x20
            if b == UInt8(ascii: "l"), bytes[i + 1] | 0x20 == UInt8(ascii: "i"), bytes[i + 2] | 0x20 == UInt8(ascii: "c"),
               bytes[i + 3] | 0x20 == UInt8(ascii: "e"), bytes[i + 4] | 0x20 == UInt8(ascii: "n") { return true }
            if b == UInt8(ascii: "u"), bytes[i + 1] | 0x20 == UInt8(ascii: "n"), bytes[i + 2] | 0x20 == UInt8(ascii: "d"),
               bytes[i + 3] | 0x20 == UInt8(ascii: "e"), bytes[i + 4] | 0x20 == UInt8(ascii: "r") { return true }
            if b == UInt8(ascii: "p"), bytes[i + 1] | 0x20 == UInt8(ascii: "u"), bytes[i + 2] | 0x20 == UInt8(ascii: "b"),
               bytes[i + 3] | 0x20 == UInt8(ascii: "l"), bytes[i + 4] | 0x20 == UInt8(ascii: "i") { return true }
            i += 1
        }
        return false
    }

    /// Leading white space and comment punctuation (`*`, `#`, `//`, `;`, `!`, `%`, `.\"`, `--`).
    static func stripCommentLead(_ s: String) -> String {
        var t = Substring(s)
        while let c = t.first, " \t*#/;!%-.\\\"'<>{}|=:".contains(c) {
            t = t.dropFirst()
        }
        var text = String(t)
        for closer in ["*/", "-->", "\"\"\"", "\r"] where text.hasSuffix(closer) { text.removeLast(closer.count) }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// `License: X`, `Licence: X`, `License-Expression: X`, `@license X`.
    static func fieldValue(_ text: String, _ lower: String) -> String? {
        for key in ["license-expression:", "license:", "licence:", "licenses:", "@license ", "@licence ", ":license:"]
        where lower.hasPrefix(key) {
            let v = String(text.dropFirst(key.count)).trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }
        return nil
    }

    /// "... (distributed|licensed|released|available) under [the terms of] [the] NAME." with NAME
    /// possibly running onto the next line.
    static func underPhrase(_ text: String, _ lower: String, next: String, usedNext: inout Int, line: Int) -> String? {
        // Every verb ends in "under ": a line without it (most) needs no search.
        guard lower.utf8.count >= 6, containsUnder(lower) else { return nil }
        for verb in ["distributed under ", "licensed under ", "licenced under ", "released under ", "available under "] {
            guard let range = lower.range(of: verb) else { continue }
            var rest = String(text[range.upperBound...])
            var joined = false
            if !containsSentenceEnd(rest) && !next.isEmpty {
                rest += " " + next
                joined = true
            }
            var value = Substring(rest)
            for lead in ["the terms of ", "the terms of the ", "terms of ", "the "] where value.lowercased().hasPrefix(lead) {
                value = value.dropFirst(lead.count)
            }
            if let end = sentenceEnd(value) { value = value[..<end] }
            guard !value.isEmpty else { return nil }
            if joined { usedNext = line + 1 }
            return String(value)
        }
        return nil
    }

    private static let under = Array("under ".utf8)

    private static func containsUnder(_ lower: String) -> Bool {
        var lower = lower
        let under = under
        return lower.withUTF8 { ByteScan.index(of: under, in: $0, from: 0) != nil }
    }

    private static func containsSentenceEnd(_ s: String) -> Bool { sentenceEnd(Substring(s)) != nil }

    /// Where the name ends: ". " or a final ".", ";", "(", ":" or " - ".
    private static func sentenceEnd(_ s: Substring) -> Substring.Index? {
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            let next = s.index(after: i)
            if c == ";" || c == "(" || c == ":" || c == "\"" { return i }
            if c == "." && (next == s.endIndex || s[next] == " ") { return i }
            i = next
        }
        return nil
    }

    /// The license field of a manifest line, if it is one.
    static func manifestValue(_ raw: String, _ kind: Manifest, inPOMLicense: inout Bool) -> String? {
        let line = raw.trimmingCharacters(in: .whitespaces)
        let lower = line.lowercased()
        func afterSeparator(_ s: String, _ separators: Set<Character>) -> String? {
            guard let i = s.firstIndex(where: { separators.contains($0) }) else { return nil }
            var v = s[s.index(after: i)...].trimmingCharacters(in: .whitespaces)
            if v.hasPrefix("{") {  // pyproject: license = { text = "MIT" }
                guard let eq = v.firstIndex(of: "=") else { return nil }
                v = String(v[v.index(after: eq)...]).trimmingCharacters(in: [" ", "}"])
            }
            v = v.trimmingCharacters(in: [" ", ",", "\""])
            if v.hasPrefix("[") { return nil }
            return v.isEmpty ? nil : v
        }
        switch kind {
        case .json:
            if lower.hasPrefix("\"license\"") || lower.hasPrefix("\"type\"") { return afterSeparator(line, [":"]) }
        case .toml:
            if lower.hasPrefix("license ") || lower.hasPrefix("license=") { return afterSeparator(line, ["="]) }
        case .keyValue:
            if lower.hasPrefix("classifier: license ::") || lower.hasPrefix("license ::") {
                return line.components(separatedBy: "::").last?.trimmingCharacters(in: .whitespaces)
            }
            if lower.hasPrefix("license:") || lower.hasPrefix("license-expression:") { return afterSeparator(line, [":"]) }
            if lower.hasPrefix("license ") || lower.hasPrefix("license=") { return afterSeparator(line, ["="]) }
        case .pythonCall:
            if lower.hasPrefix("license=") || lower.hasPrefix("license =") {
                return afterSeparator(line, ["="]).map { $0.trimmingCharacters(in: ["'", "\"", ",", " ", ")"]) }
            }
        case .gemspec:
            if lower.contains(".license =") || lower.contains(".license=") {
                return afterSeparator(line, ["="]).map { $0.trimmingCharacters(in: ["'", "\"", " "]) }
            }
        case .xml:
            if lower.hasPrefix("<license>") { inPOMLicense = true }
            if lower.hasPrefix("</license>") { inPOMLicense = false }
            for tag in ["<license>", "<name>"] where lower.hasPrefix(tag) && (tag == "<license>" || inPOMLicense) {
                let close = "</" + tag.dropFirst()
                guard let end = lower.range(of: close) else { continue }
                let v = line[line.index(line.startIndex, offsetBy: tag.count)..<end.lowerBound]
                if !v.isEmpty { return String(v) }
            }
        }
        return nil
    }
}

extension Declarations {
    /// One `MODULE_LICENSE("...")` call of a Linux module source.
    struct ModuleLicense {
        /// `kind` .declaration, `rule` the call as seen (`MODULE_LICENSE("GPL")`).
        var match: LicenseMatch
        /// The call is the file's declaration: a C source or header, the macro name in code
        /// and first on its line (after white space and comments), as the kernel writes it at
        /// file scope. Anywhere else (a comment, a string literal, a test fixture in another
        /// language, documentation) it is a mention.
        var isLive: Bool
    }

    /// Every `MODULE_LICENSE(` followed by string literals (adjacent ones joined, as the C
    /// compiler does) and `)`, whose string the kernel defines (`KernelModuleLicense`).
    /// `regions` has one TextRegion per byte; ignored regions are skipped.
    static func moduleLicenses(_ bytes: UnsafeBufferPointer<UInt8>, regions: [UInt8], path: String?) -> [ModuleLicense] {
        let lowerPath = path?.lowercased() ?? ""
        let isCSource = lowerPath.hasSuffix(".c") || lowerPath.hasSuffix(".h")
        let name = Array("MODULE_LICENSE".utf8)
        let n = bytes.count
        let code = TextRegion.code.rawValue
        var results: [ModuleLicense] = []
        // Line numbers are counted only as far as a candidate needs them.
        var line = 1, counted = 0, lineStart = 0
        func advance(to offset: Int) {
            while counted < offset {
                if bytes[counted] == 0x0A { line += 1; lineStart = counted + 1 }
                counted += 1
            }
        }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        func isIdentifier(_ b: UInt8) -> Bool {
            let lower = b | 0x20
            return (lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_")
        }
        var i = 0
        while let found = ByteScan.index(of: name, in: bytes, from: i) {
            i = found
            guard i == 0 || !isIdentifier(bytes[i - 1]), regions[i] != TextRegion.ignored.rawValue else {
                i += 1
                continue
            }
            var j = i + name.count
            while j < n && isSpace(bytes[j]) { j += 1 }
            guard j < n, bytes[j] == UInt8(ascii: "(") else { i += 1; continue }
            j += 1
            var value: [UInt8] = []
            var literals = 0
            var wellFormed = true
            while wellFormed {
                while j < n && isSpace(bytes[j]) { j += 1 }
                guard j < n, bytes[j] == UInt8(ascii: "\"") else { break }
                j += 1
                while j < n && bytes[j] != UInt8(ascii: "\"") && bytes[j] != 0x0A {
                    if bytes[j] == UInt8(ascii: "\\") {
                        // Only \" and \\ are resolved; other escapes name no license the kernel defines.
                        guard j + 1 < n, bytes[j + 1] == UInt8(ascii: "\"") || bytes[j + 1] == UInt8(ascii: "\\") else {
                            wellFormed = false
                            break
                        }
                        j += 1
                    }
                    value.append(bytes[j])
                    j += 1
                }
                guard wellFormed, j < n, bytes[j] == UInt8(ascii: "\"") else { wellFormed = false; break }
                j += 1
                literals += 1
            }
            while j < n && isSpace(bytes[j]) { j += 1 }
            guard wellFormed, literals > 0, j < n, bytes[j] == UInt8(ascii: ")") else { i += 1; continue }
            let string = String(decoding: value, as: UTF8.self)
            guard let expression = KernelModuleLicense.expression(string) else { i = j + 1; continue }
            advance(to: i)
            let startLine = line
            let live = isCSource && regions[i] == code && (lineStart..<i).allSatisfy {
                regions[$0] != code || bytes[$0] == 0x20 || bytes[$0] == 0x09
            }
            advance(to: j)
            let quoted = string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            let match = LicenseMatch(expression: expression, kind: .declaration, startLine: startLine, endLine: line,
                                     score: 100, rule: "MODULE_LICENSE(\"\(quoted)\")")
            results.append(ModuleLicense(match: match, isLive: live))
            i = j + 1
        }
        return results
    }

    /// Whether a match is a MODULE_LICENSE declaration (see `moduleLicenses`).
    static func isModuleLicense(_ match: LicenseMatch) -> Bool {
        match.kind == .declaration && match.rule.hasPrefix("MODULE_LICENSE(")
    }
}
