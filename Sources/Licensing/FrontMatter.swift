// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// The YAML subset used by ScanCode's `.LICENSE` and `.RULE` files: a `---` line, then
/// `key: value` scalars (plain or quoted), `key:` followed by `- item` lists, and
/// `key: |` / `key: >` block scalars (read and dropped: none of them is needed), then
/// `---` and the text.
struct FrontMatter {
    var scalars: [String: String] = [:]
    var lists: [String: [String]] = [:]
    var text: Substring = ""

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingOpeningMarker
        case missingClosingMarker
        case badLine(line: Int, content: String)

        var description: String {
            switch self {
            case .missingOpeningMarker: return "front matter: the file does not start with '---'"
            case .missingClosingMarker: return "front matter: no closing '---' line"
            case .badLine(let line, let content): return "front matter: line \(line): cannot read '\(content)'"
            }
        }
    }

    init(parsing source: String) throws {
        // "\r\n" is one Character in Swift, so CRLF files need it named.
        var lines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })[...]
        guard let first = lines.popFirst(), first.trimmingTrailingSpace() == "---" else {
            throw ParseError.missingOpeningMarker
        }
        var lineNumber = 1
        var currentListKey: String?
        var inBlockScalar = false
        var closed = false
        while let rawLine = lines.popFirst() {
            lineNumber += 1
            let line = rawLine.trimmingTrailingSpace()
            if line == "---" { closed = true; break }
            let indented = line.first == " " || line.first == "\t"
            if line.isEmpty { continue }
            if inBlockScalar {
                if indented { continue }
                inBlockScalar = false
            }
            if indented {
                let item = line.drop(while: { $0 == " " || $0 == "\t" })
                if item.hasPrefix("- "), let key = currentListKey {
                    lists[key, default: []].append(Self.unquote(item.dropFirst(2)))
                }
                // Other indented lines continue a multi-line plain or quoted scalar
                // (only in notes); they carry nothing Candor reads.
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError.badLine(line: lineNumber, content: String(line))
            }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " })
            currentListKey = nil
            if value.isEmpty {
                currentListKey = key
            } else if value == "|" || value == ">" || value == "|-" || value == ">-" {
                inBlockScalar = true
            } else {
                scalars[key] = Self.unquote(value)
            }
        }
        guard closed else { throw ParseError.missingClosingMarker }
        text = lines.first.map { source[$0.startIndex...] } ?? ""
    }

    func flag(_ key: String) -> Bool {
        guard let v = scalars[key]?.lowercased() else { return false }
        return v == "yes" || v == "true"
    }

    func integer(_ key: String) -> Int? { scalars[key].flatMap { Int($0) } }

    private static func unquote(_ s: Substring) -> String {
        let t = s.trimmingTrailingSpace()
        if t.count >= 2, let f = t.first, (f == "'" || f == "\""), t.last == f {
            return String(t.dropFirst().dropLast())
        }
        return String(t)
    }
}

extension Substring {
    func trimmingTrailingSpace() -> Substring {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            let c = self[before]
            guard c == " " || c == "\t" || c == "\r" else { break }
            end = before
        }
        return self[startIndex..<end]
    }
}
