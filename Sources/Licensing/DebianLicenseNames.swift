// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Debian's short license names (copyright-format 1.0, "License specification": `GPL-2+`,
// `LGPL-2.1`, `BSD-3-clause`, `Expat`, `GPL-2+ with Font exception`, `A or B, and C`) as
// SPDX expressions. Only the Debian vocabulary lives here: the field is rewritten into
// SPDX syntax and read by `LicenseExpression.parse`, its names become SPDX ids, and
// `normalized` does the rest (`GPL-2+` -> `GPL-2.0+` -> `GPL-2.0-or-later`).

public enum DebianLicenseNames {
    /// A License field's first line as an SPDX expression. Names SPDX does not list become
    /// `LicenseRef-Debian-<name>`, and so does a license with an exception SPDX does not
    /// list (`LicenseRef-Debian-GPL-2--with-OpenSSL-exception`): SPDX 2.3 has no
    /// user-defined exceptions. A field SPDX syntax cannot hold is one LicenseRef.
    public static func expression(_ field: String) -> String {
        let line = field.split(separator: "\n").first.map(String.init) ?? ""
        // `A or B, and C` is (A or B) and C: each comma starts a group, joined by the
        // `and` or `or` that follows the comma (and when there is none).
        var text = ""
        for (k, group) in line.split(separator: ",").enumerated() {
            var words = group.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            var joiner = "AND"
            if k > 0, let first = words.first?.lowercased(), first == "and" || first == "or" {
                joiner = first.uppercased()
                words.removeFirst()
            }
            guard !words.isEmpty else { continue }
            let group = spdxSyntax(words)
            text = text.isEmpty ? "(\(group))" : "(\(text)) \(joiner) (\(group))"
        }
        guard let parsed = try? LicenseExpression.parse(text) else {
            return reference(line.trimmingCharacters(in: .whitespaces))
        }
        return converted(parsed).normalized.description
    }

    /// One group's words in SPDX syntax: `and`/`or` as operators, `with X exception` as
    /// `WITH <id>` (or folded into the name before it), every other word a name the parser
    /// takes as one id.
    private static func spdxSyntax(_ words: [String]) -> String {
        func isOperator(_ word: String) -> Bool { ["and", "or"].contains(word.lowercased()) }
        var out: [String] = []
        var k = 0
        while k < words.count {
            if words[k].lowercased() == "with", let name = out.last, name != "AND", name != "OR" {
                var end = k + 1
                while end < words.count && !isOperator(words[end]) { end += 1 }
                let phrase = words[(k + 1)..<end].joined(separator: "-").lowercased()
                if let exception = exceptions[phrase] {
                    out += ["WITH", exception]
                } else {
                    out[out.count - 1] = reference(([name] + words[k..<end]).joined(separator: "-"))
                }
                k = end
                continue
            }
            out.append(isOperator(words[k]) ? words[k].uppercased() : idSafe(words[k]))
            k += 1
        }
        return out.joined(separator: " ")
    }

    /// Debian's exception names (`with Font exception`) whose SPDX exception is certain.
    private static let exceptions: [String: String] = [
        "font-exception": "Font-exception-2.0", "autoconf-exception": "Autoconf-exception-2.0",
        "classpath-exception": "Classpath-exception-2.0", "gcc-exception": "GCC-exception-3.1",
    ]

    /// Debian names that are not SPDX ids, or not the same license under the same id.
    private static let names: [String: String] = [
        "expat": "MIT", "artistic": "Artistic-1.0-Perl", "cc0": "CC0-1.0", "psf-2": "PSF-2.0",
        // "Perl: Versions of the Artistic license and GPL as used by Perl" (copyright-format 1.0).
        "perl": "Artistic-1.0-Perl OR GPL-1.0-or-later",
        "zope-1.1": "ZPL-1.1", "zope-2.0": "ZPL-2.0", "zope-2.1": "ZPL-2.1",
    ]

    /// Families whose Debian names carry a bare version (`GPL-2`, `LGPL-2.1`, `GFDL-NIV-1.3`).
    private static let versioned: [(prefix: String, family: String)] = [
        ("gfdl-niv", "GFDL"), ("gfdl", "GFDL"), ("agpl", "AGPL"), ("lgpl", "LGPL"), ("gpl", "GPL"),
    ]

    private static func converted(_ expression: LicenseExpression) -> LicenseExpression {
        switch expression {
        case .license(let id, let orLater):
            return license(id, orLater: orLater)
        case .with(.license(let id, let orLater), let exception):
            let base = license(id, orLater: orLater)
            if case .license = base { return .with(license: base, exception: exception) }
            return .license(id: reference("\(id)\(orLater ? "+" : "")-with-\(exception)"), orLater: false)
        case .with(let base, let exception):
            return .with(license: converted(base), exception: exception)
        case .and(let operands):
            return .and(operands.map(converted))
        case .or(let operands):
            return .or(operands.map(converted))
        }
    }

    /// One Debian name as SPDX: `GPL-2` -> `GPL-2.0` (deprecated, replaced by `normalized`),
    /// `GFDL-NIV-1.3` -> `GFDL-1.3-no-invariants-only`, an SPDX id as itself, else a LicenseRef.
    private static func license(_ id: String, orLater: Bool) -> LicenseExpression {
        let lower = id.lowercased()
        if lower.hasPrefix("licenseref-") { return .license(id: id, orLater: orLater) }
        if let spdx = names[lower], let parsed = try? LicenseExpression.parse(spdx) {
            if orLater, case .license(let spdxID, _) = parsed { return .license(id: spdxID, orLater: true) }
            return parsed
        }
        for (prefix, family) in versioned where lower.hasPrefix(prefix + "-") {
            var version = String(lower.dropFirst(prefix.count + 1))
            guard !version.isEmpty, version.allSatisfy({ $0.isNumber || $0 == "." }) else { continue }
            if !version.contains(".") { version += ".0" }
            let spdx = prefix == "gfdl-niv"
                ? "GFDL-\(version)-no-invariants-\(orLater ? "or-later" : "only")"
                : "\(family)-\(version)"
            guard isSPDX(spdx) else { break }
            return .license(id: spdx, orLater: orLater && prefix != "gfdl-niv")
        }
        if isSPDX(id) { return .license(id: id, orLater: orLater) }
        return .license(id: reference(id + (orLater ? "+" : "")), orLater: false)
    }

    private static func isSPDX(_ id: String) -> Bool {
        let lower = id.lowercased()
        return SPDXIdentifiers.canonical[lower] != nil || SPDXIdentifiers.deprecated[lower] != nil
    }

    /// A word the expression parser reads as one id: characters an SPDX id may not hold
    /// become `-`; a `+` stays only at the end, where it means "or later".
    private static func idSafe(_ word: String) -> String {
        let characters = Array(word)
        return String(characters.enumerated().map { k, c -> Character in
            if c.isASCII && (c.isLetter || c.isNumber) || c == "." || c == "-" { return c }
            return c == "+" && k == characters.count - 1 ? c : "-"
        })
    }

    /// `LicenseRef-Debian-<name>`, the name in SPDX id characters.
    static func reference(_ name: String) -> String {
        "LicenseRef-Debian-" + name.map { $0.isASCII && ($0.isLetter || $0.isNumber) || $0 == "." || $0 == "-" ? String($0) : "-" }.joined()
    }
}
