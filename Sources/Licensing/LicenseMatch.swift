// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// One piece of license evidence found in a file's text.
public struct LicenseMatch: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable, Comparable {
        /// An `SPDX-License-Identifier:` tag.
        case tag
        /// A full license text.
        case text
        /// A license notice ("This program is free software; ...").
        case notice
        /// A short reference ("Licensed under the MIT license", a license URL).
        case reference
        /// A declaration: `License: MIT`, `@license MIT`, a package manifest's license field,
        /// "distributed under the GNU GPL v2 with a Linking Exception".
        case declaration

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    /// Normalised SPDX license expression (`LicenseRef-...` for licenses without an SPDX id).
    public var expression: String
    public var kind: Kind
    /// 1-based, inclusive line range of the match in the file.
    public var startLine: Int
    public var endLine: Int
    /// 0...100: share of the rule's text that matched.
    public var score: Double
    /// Which rule or license text of the database matched (e.g. `mit.LICENSE`), or `tag`.
    public var rule: String
    /// For a license text that matches only partly or with changes: the license it resembles
    /// (`expression` is then a `LicenseRef-candor-modified-...` or `LicenseRef-candor-unknown`).
    public var modifiedFrom: String?
    /// For a modified text: the text of the matched lines (at most 8 KiB), for a reviewer.
    public var extractedText: String?

    public init(expression: String, kind: Kind, startLine: Int, endLine: Int, score: Double, rule: String,
                modifiedFrom: String? = nil, extractedText: String? = nil) {
        self.expression = expression
        self.kind = kind
        self.startLine = startLine
        self.endLine = endLine
        self.score = score
        self.rule = rule
        self.modifiedFrom = modifiedFrom
        self.extractedText = extractedText
    }
}
