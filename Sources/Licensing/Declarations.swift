// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Short license declarations, too short for the rule index (rules under four words are
// left out there): `License: MIT`, `@license MIT`, "distributed under the GNU GPL v2 with
// a Linking Exception", "Igor Pavlov : Public domain", and the license fields of package
// manifests (package.json, Cargo.toml, PKG-INFO/METADATA, setup.cfg, setup.py, pom.xml,
// .spec, .gemspec, R's DESCRIPTION, debian/copyright). A declaration counts only where the
// file states things (comments, prose) or in a manifest's field; its value must name a
// license `LicenseDatabase.expression(forName:)` knows.

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
        var lines: [(number: Int, stated: String, raw: String)] = []
        var start = 0
        var number = 1
        let n = bytes.count
        while start <= n {
            var end = start
            while end < n && bytes[end] != 0x0A { end += 1 }
            if end - start <= 400 {
                var stated: [UInt8] = []
                stated.reserveCapacity(end - start)
                var any = false
                for k in start..<end {
                    if regions[k] == TextRegion.stated.rawValue { stated.append(bytes[k]); any = true } else { stated.append(0x20) }
                }
                let raw = manifest != nil ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) : ""
                if any || manifest != nil {
                    lines.append((number, any ? String(decoding: stated, as: UTF8.self) : "", raw))
                }
            } else {
                lines.append((number, "", ""))
            }
            number += 1
            start = end + 1
        }
        var inPOMLicense = false
        for (k, line) in lines.enumerated() {
            var value: String?
            var endLine = line.number
            if let manifest, let v = manifestValue(line.raw, manifest, inPOMLicense: &inPOMLicense) {
                value = v
            } else if !line.stated.isEmpty {
                let text = stripCommentLead(line.stated)
                let lower = text.lowercased()
                if let v = fieldValue(text, lower) {
                    value = v
                } else if lower.hasSuffix(": public domain") || lower.hasSuffix(": public domain.") {
                    value = "public domain"
                } else if let v = underPhrase(text, lower, next: k + 1 < lines.count && lines[k + 1].number == line.number + 1
                                                ? stripCommentLead(lines[k + 1].stated) : "", usedNext: &endLine, line: line.number) {
                    value = v
                }
            }
            guard let value, let expression = database.expression(forName: value) else { continue }
            results.append(LicenseMatch(expression: expression, kind: .declaration, startLine: line.number, endLine: endLine,
                                        score: 100, rule: "declaration"))
        }
        return results
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
