// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor diff` output: text (one line per change), JSON, and Markdown for a pull-request
// comment. Markdown cells are escaped: a component name is untrusted input, and PR comments
// render inline HTML.

import Foundation

extension ReleaseDiff {
    public func text() -> String {
        var lines = ["candor diff: \(old) -> \(new)"]
        for change in changes { lines.append("\(change.kind.rawValue): \(Self.line(change))") }
        lines.append(ChangeKind.allCases.map { "\(count($0)) \($0.rawValue)" }.joined(separator: ", "))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func line(_ change: Change) -> String {
        switch change.kind {
        case .newComponent: "\(change.subject) \(change.to ?? "") (\(change.detail))"
        case .removedComponent: "\(change.subject) \(change.from ?? "") (\(change.detail))"
        case .versionChange: "\(change.subject) \(change.from ?? "none") -> \(change.to ?? "none") (\(change.detail))"
        case .licenseChange: "\(change.subject): \(change.from ?? "none") -> \(change.to ?? "none") (\(change.detail))"
        case .newCopyleft: "\(change.subject): \(change.to ?? "") (\(change.detail))"
        case .removedSource: "\(change.subject): was \(change.from ?? "") (\(change.detail))"
        case .newFinding: "\(change.to ?? ""): \(change.subject): \(change.detail)"
        }
    }

    public func json() throws -> String {
        struct Output: Encodable {
            var old: String
            var new: String
            var counts: [String: Int]
            var changes: [Change]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let counts = Dictionary(uniqueKeysWithValues: ChangeKind.allCases.map { ($0.rawValue, count($0)) })
        return String(decoding: try encoder.encode(Output(old: old, new: new, counts: counts, changes: changes)), as: UTF8.self) + "\n"
    }

    public func markdown() -> String {
        var out = "### candor diff: \(Self.cell(old)) → \(Self.cell(new))\n\n"
        if changes.isEmpty { return out + "No changes in components, licenses or findings.\n" }
        out += "| change | count |\n|---|---:|\n"
        for kind in ChangeKind.allCases where count(kind) > 0 { out += "| \(kind.title) | \(count(kind)) |\n" }
        for kind in ChangeKind.allCases where count(kind) > 0 {
            out += "\n<details\(kind == .newCopyleft || kind == .newFinding || kind == .licenseChange ? " open" : "")>"
            out += "<summary>\(kind.title) (\(count(kind)))</summary>\n\n"
            let header: String
            switch kind {
            case .newFinding: header = "| rule | location | message |\n|---|---|---|\n"
            case .newComponent, .removedComponent: header = "| component | version | license |\n|---|---|---|\n"
            default: header = "| component | before | after | note |\n|---|---|---|---|\n"
            }
            out += header
            for change in changes where change.kind == kind {
                switch kind {
                case .newFinding:
                    out += "| \(Self.cell(change.subject)) | \(Self.cell(change.to ?? "")) | \(Self.cell(change.detail)) |\n"
                case .newComponent, .removedComponent:
                    out += "| \(Self.cell(change.subject)) | \(Self.cell(change.to ?? change.from ?? "")) | \(Self.cell(change.detail)) |\n"
                default:
                    out += "| \(Self.cell(change.subject)) | \(Self.cell(change.from ?? "")) | \(Self.cell(change.to ?? "")) | \(Self.cell(change.detail)) |\n"
                }
            }
            out += "\n</details>\n"
        }
        return out
    }

    /// A table cell: HTML and Markdown specials escaped, one line.
    static func cell(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "\\|"
            case "`", "*", "_", "[", "]", "\\", "#", "!": out += "\\\(character)"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
