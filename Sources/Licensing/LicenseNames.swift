// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// License *names* as people write them in declarations ("GNU GPLv2+", "GPL v2 with a
// Linking Exception", "BSD-3-clause", "MIT License", "Apache License, Version 2.0") turned
// into SPDX expressions. Unknown names give nil: a declaration we cannot read is not
// turned into a guess.

extension LicenseDatabase {
    /// The SPDX expression a license name or list of names stands for, or nil.
    public func expression(forName raw: String) -> String? {
        var name = raw.trimmingCharacters(in: [" ", "\t", "\r", "\"", "'", "`", ",", ";", ".", "*", "(", ")", "[", "]", "<", ">"])
        if name.isEmpty || name.count > 120 { return nil }
        // An SPDX expression whose ids are all known (`MIT OR Apache-2.0`, `GPL-2.0+`).
        if let parsed = try? LicenseExpression.parse(name), unknownIDs(in: parsed).isEmpty,
           !parsed.licenseIDs.contains(where: { $0.lowercased().hasPrefix("licenseref-") }) {
            let normalized = parsed.normalized
            if normalized.licenseIDs.allSatisfy({ license(spdxID: $0)?.isException != true }) {
                return normalized.description
            }
        }
        name = name.replacingOccurrences(of: "\t", with: " ")
        // A choice or a combination of names.
        let lower = " " + name.lowercased() + " "
        for (separator, joiner) in [(" or ", " OR "), (" and ", " AND "), (" / ", " OR ")] where lower.contains(separator) {
            let parts = lower.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count > 1, !parts.contains(where: \.isEmpty) else { continue }
            // "or later" / "or any later version" belong to the name before them.
            if separator == " or " && parts.dropFirst().contains(where: { $0.hasPrefix("later") || $0.hasPrefix("any later")
                || $0.hasPrefix("(at your option)") || $0.hasPrefix("at your option") || $0.hasPrefix("newer") }) { break }
            let converted = parts.map { singleName($0) }
            guard converted.allSatisfy({ $0 != nil }) else { return nil }
            let unique = converted.compactMap { $0 }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if unique.count == 1 { return unique[0] }
            return unique.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: joiner)
        }
        return singleName(name.lowercased())
    }

    /// One license name (lower-case), possibly with an exception.
    func singleName(_ text: String) -> String? {
        var s = " " + text.replacingOccurrences(of: ",", with: " ").replacingOccurrences(of: "_", with: " ") + " "
        s = s.split(separator: " ").joined(separator: " ")
        // "X with Y exception"
        if let range = s.range(of: " with ") {
            let base = String(s[..<range.lowerBound])
            let exceptionText = String(s[range.upperBound...])
            guard let license = singleName(base), !license.contains(" "), let exception = exceptionID(exceptionText, base: license) else {
                return nil
            }
            return "\(license) WITH \(exception)"
        }
        if let gpl = gnuLicense(s) { return gpl }
        let key = s.replacingOccurrences(of: "the ", with: "").replacingOccurrences(of: " license", with: "")
            .replacingOccurrences(of: " licence", with: "").trimmingCharacters(in: .whitespaces)
        if let known = Self.commonNames[key] { return known }
        // ScanCode's key (`bsd-new`) or full name (`MIT License`) of a license, not an exception.
        for candidate in [s, key, key.replacingOccurrences(of: " ", with: "-")] {
            if let info = license(spdxID: "LicenseRef-scancode-" + candidate) ?? license(named: candidate), !info.isException {
                return info.spdxID
            }
        }
        return nil
    }

    private static let commonNames: [String: String] = [
        "mit": "MIT", "expat": "MIT", "mit/x11": "MIT", "x11": "X11", "isc": "ISC", "zlib": "Zlib",
        "zlib/libpng": "Zlib", "bsd": "LicenseRef-scancode-bsd-unspecified",
        "new bsd": "BSD-3-Clause", "3-clause bsd": "BSD-3-Clause", "bsd 3-clause": "BSD-3-Clause",
        "bsd-3-clause": "BSD-3-Clause", "modified bsd": "BSD-3-Clause", "revised bsd": "BSD-3-Clause",
        "simplified bsd": "BSD-2-Clause", "2-clause bsd": "BSD-2-Clause", "bsd 2-clause": "BSD-2-Clause",
        "bsd-2-clause": "BSD-2-Clause", "freebsd": "BSD-2-Clause", "bsd-4-clause": "BSD-4-Clause",
        "apache": "Apache-2.0", "apache 2": "Apache-2.0", "apache 2.0": "Apache-2.0", "apache-2": "Apache-2.0",
        "apache version 2.0": "Apache-2.0", "apache v2": "Apache-2.0", "apache-2.0": "Apache-2.0",
        "asl 2.0": "Apache-2.0", "mpl 2.0": "MPL-2.0", "mpl-2.0": "MPL-2.0", "mozilla public 2.0": "MPL-2.0",
        "mpl 1.1": "MPL-1.1", "public domain": "LicenseRef-scancode-public-domain",
        "public-domain": "LicenseRef-scancode-public-domain", "in public domain": "LicenseRef-scancode-public-domain",
        "artistic": "Artistic-1.0-Perl", "artistic 2.0": "Artistic-2.0", "perl": "Artistic-1.0-Perl OR GPL-1.0-or-later",
        "same as perl": "Artistic-1.0-Perl OR GPL-1.0-or-later", "psf": "PSF-2.0", "python": "PSF-2.0",
        "unlicense": "Unlicense", "cc0": "CC0-1.0", "cc0 1.0": "CC0-1.0", "wtfpl": "WTFPL", "boost": "BSL-1.0",
        "boost software": "BSL-1.0", "0bsd": "0BSD", "curl": "curl", "openssl": "OpenSSL", "ofl": "OFL-1.1",
        "sil open font": "OFL-1.1", "unicode": "Unicode-DFS-2016",
    ]

    /// GPL, LGPL, AGPL and GFDL in their many spellings: "GNU GPLv2+", "GPL-2+", "GNU General
    /// Public License version 2 or later", "LGPL v2.1", "GPL (any version)".
    private func gnuLicense(_ s: String) -> String? {
        var t = s.replacingOccurrences(of: "gnu ", with: " ")
        let families: [(String, String)] = [
            ("affero general public", "AGPL"), ("lesser general public", "LGPL"), ("library general public", "LGPL"),
            ("free documentation", "GFDL"), ("general public", "GPL"), ("agpl", "AGPL"), ("lgpl", "LGPL"),
            ("gfdl", "GFDL"), ("fdl", "GFDL"), ("gpl", "GPL"),
        ]
        var family: String?
        for (needle, id) in families {
            if let range = t.range(of: needle) {
                family = id
                t = t.replacingCharacters(in: range, with: " ")
                break
            }
        }
        guard let family else { return nil }
        // Left over must be only version words: nothing else may hide in the name.
        let orLater = t.contains("+") || t.contains("or later") || t.contains("any later") || t.contains("or newer")
            || t.contains("or greater") || t.contains("and later")
        var version = ""
        var scalars = Array(t)
        for (k, c) in scalars.enumerated() where c.isNumber {
            var j = k
            while j < scalars.count && (scalars[j].isNumber || (scalars[j] == "." && j + 1 < scalars.count && scalars[j + 1].isNumber)) {
                j += 1
            }
            version = String(scalars[k..<j])
            scalars = Array(scalars[j...])
            break
        }
        let rest = String(scalars).replacingOccurrences(of: version, with: " ")
        let allowed: Set<String> = ["v", "version", "license", "licence", "the", "or", "later", "any", "(at", "your",
                                    "option)", "at", "option", "+", "only", "newer", "greater", "and", "(", ")", "of", "-",
                                    "published", "by", "free", "software", "foundation", "vers", "ver", "licenses",
                                    "licences", "as", "terms"]
        for word in (t.replacingOccurrences(of: version, with: " ") + rest)
            .replacingOccurrences(of: "+", with: " + ").replacingOccurrences(of: "-", with: " ")
            .split(separator: " ") {
            let w = String(word).trimmingCharacters(in: ["(", ")", ":"])
            if w.isEmpty || allowed.contains(w) || (w.hasPrefix("v") && w.dropFirst().allSatisfy { $0.isNumber || $0 == "." }) { continue }
            if w.allSatisfy({ $0.isNumber || $0 == "." }) { continue }
            return nil
        }
        if version.isEmpty {
            // No version: "any version" in SPDX's terms.
            return family == "GFDL" ? nil : "\(family)-\(family == "LGPL" ? "2.0" : "1.0")-or-later"
        }
        if !version.contains(".") { version += ".0" }
        let id = "\(family)-\(version)-\(orLater ? "or-later" : "only")"
        return isKnown(spdxID: id) ? id : nil
    }

    private func exceptionID(_ text: String, base: String) -> String? {
        let t = text.replacingOccurrences(of: "a ", with: "").replacingOccurrences(of: "the ", with: "")
        let table: [(String, String)] = [
            ("linking exception", base.hasPrefix("LGPL") ? "LGPL-3.0-linking-exception" : "GCC-exception-2.0"),
            ("classpath", "Classpath-exception-2.0"), ("gcc runtime", "GCC-exception-3.1"), ("gcc", "GCC-exception-2.0"),
            ("autoconf", "Autoconf-exception-2.0"), ("bison", "Bison-exception-2.2"), ("font", "Font-exception-2.0"),
            ("openssl", "LicenseRef-scancode-openssl-exception-gpl-2.0"), ("syscall", "Linux-syscall-note"),
            ("libtool", "Libtool-exception"), ("llvm", "LLVM-exception"),
        ]
        for (needle, id) in table where t.contains(needle) {
            return id.hasPrefix("LicenseRef-") ? (isKnown(spdxID: id) ? license(spdxID: id)?.spdxID : nil) : id
        }
        return nil
    }
}
