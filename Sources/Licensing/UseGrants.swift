// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Grants of a use of the text elsewhere: "Any part of this program may be used in documents
// licensed under the GNU Free Documentation License, Version 1.1 or any later version".
// Such a sentence names a license, and ScanCode has notice rules for it, but it lets the
// code be quoted in documentation under that license; it does not license the file. The
// detector reports it as a mention.

enum UseGrants {
    /// Verbs of the use granted ("may be used in", "may be included in").
    private static let uses = ["used in ", "included in ", "quoted in ", "reproduced in ", "incorporated in ",
                               "incorporated into ", "included into ", "copied into ", "copied in "]
    /// What the text may be used in: documents, not programs.
    private static let places = ["document", "documentation", "manual", "book", "tutorial"]
    /// Verbs that tie the place to its license ("documents licensed under ...").
    private static let ties = ["licensed under", "licenced under", "distributed under", "released under",
                               "published under", "covered by", "under the terms of", "under the"]
    /// Words of a statement about the file's own terms; a grant's lines must hold none of
    /// them outside the grant sentence.
    private static let statementWords = ["licen", "permission", "permitted", "redistribut", "terms", "copyleft",
                                         "free software", "public domain", "warranty"]

    /// Whether `text` (the lines of one match, comment punctuation included) grants only a
    /// use of the text in documents under a license: a sentence of it is such a grant and
    /// no other sentence states terms.
    static func isDocumentUseGrant(_ text: String) -> Bool {
        let flat = text.split(whereSeparator: \.isNewline)
            .map { Declarations.stripCommentLead(String($0)) }
            .joined(separator: " ")
            .lowercased()
            .split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        guard flat.contains("document") || flat.contains("manual") || flat.contains("book")
            || flat.contains("tutorial") else { return false }
        var granted = false
        for sentence in sentences(flat) {
            if isGrantSentence(sentence) {
                granted = true
            } else if statementWords.contains(where: { sentence.contains($0) }) {
                return false
            }
        }
        return granted
    }

    /// "... (may|can) be <use> [any] <place>[s] <tie> <license>": the use comes before the
    /// place, and the tie after it, with few words between.
    static func isGrantSentence(_ sentence: String) -> Bool {
        guard sentence.contains("may be ") || sentence.contains("can be ") || sentence.contains("is permitted") else {
            return false
        }
        for use in uses {
            guard let u = sentence.range(of: use) else { continue }
            let afterUse = sentence[u.upperBound...]
            let words = afterUse.split(separator: " ")
            // The place within the next four words ("in any GFDL documents", "in documentation").
            guard let p = words.prefix(4).firstIndex(where: { word in places.contains { word.hasPrefix($0) } }) else {
                continue
            }
            let afterPlace = words[(p + 1)...].prefix(6).joined(separator: " ")
            if ties.contains(where: { afterPlace.hasPrefix($0) || afterPlace.contains(" " + $0) }) { return true }
            // The license named before the place ("used in GFDL documents").
            if words.prefix(p).contains(where: { $0.contains("fdl") || $0.contains("licen") }) { return true }
        }
        return false
    }

    /// Sentences: split at ". ", "; " and a final ".".
    private static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var previous: Character = " "
        for c in text {
            if c == " " && (previous == "." || previous == ";") {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
            previous = c
        }
        if !current.isEmpty { out.append(current) }
        return out.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
