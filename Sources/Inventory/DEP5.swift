// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Debian control-file paragraphs (RFC 822 style): used for the machine-readable
// copyright format (DEP-5: `.reuse/dep5`, `/usr/share/doc/PKG/copyright`) and for
// `/var/lib/dpkg/status`.

import Foundation

struct ControlParagraph {
    /// Field names lower-cased; multi-line values keep their continuation lines, with
    /// the leading space removed and " ." turned into an empty line.
    var fields: [String: String]
    /// 1-based line where the paragraph starts.
    var line: Int

    subscript(_ name: String) -> String? { fields[name.lowercased()] }
}

enum ControlFile {
    static func paragraphs(_ text: String) -> [ControlParagraph] {
        var result: [ControlParagraph] = []
        var fields: [String: String] = [:]
        var current: String?
        var start = 1
        var number = 0
        func finish() {
            if !fields.isEmpty { result.append(ControlParagraph(fields: fields, line: start)) }
            fields = [:]
            current = nil
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                finish()
                continue
            }
            if line.hasPrefix("#") { continue }
            if line.first == " " || line.first == "\t" {
                guard let name = current else { continue }
                var value = line.drop(while: { $0 == " " || $0 == "\t" })
                if value == "." { value = "" }
                fields[name, default: ""] += "\n" + value
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            if fields.isEmpty { start = number }
            let name = line[..<colon].lowercased()
            fields[name] = String(line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" }))
            current = name
        }
        finish()
        return result
    }
}

/// A DEP-5 (machine-readable debian/copyright) file: its `Files` stanzas.
struct DEP5File {
    struct Stanza {
        var patterns: [Glob]
        var copyright: [String]
        /// The first line of the `License:` field: the short name expression.
        var license: String?
        var line: Int
    }

    var stanzas: [Stanza]

    /// Whether `text` declares the machine-readable format in its header paragraph.
    static func isMachineReadable(_ text: String) -> Bool {
        guard let header = ControlFile.paragraphs(text).first, let format = header["Format"] else { return false }
        return format.contains("copyright-format") || format.contains("dep5") || format.contains("DEP-5")
    }

    init(text: String) {
        stanzas = ControlFile.paragraphs(text).compactMap { p in
            guard let files = p["Files"] else { return nil }
            let patterns = files.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
                .map { Glob(String($0.hasPrefix("./") ? $0.dropFirst(2) : $0), starMatchesSlash: true) }
            let copyright = (p["Copyright"] ?? "").split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let license = p["License"]?.split(separator: "\n", omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return Stanza(patterns: patterns, copyright: copyright, license: license, line: p.line)
        }
    }

    /// The last stanza whose patterns match `path` (DEP-5: the last match wins).
    func stanza(for path: String) -> Stanza? {
        stanzas.last { s in s.patterns.contains { $0.matches(path) } }
    }
}
