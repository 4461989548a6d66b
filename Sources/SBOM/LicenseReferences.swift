// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Turns the license expressions of a report into ones an SPDX validator accepts, without
// dropping anything: an id the license database does not know, or an expression that does
// not parse, becomes a `LicenseRef-` whose extracted text says what was found and where.

import Foundation

/// Collects the `LicenseRef-` ids a document uses, with where each was seen.
final class LicenseReferences {
    private let licenseText: (String) -> String?
    private var known: [String: Bool] = [:]
    /// LicenseRef id -> (what the source said, where it was seen).
    private var references: [String: (original: String, locations: Set<String>)] = [:]

    init(licenseText: @escaping (String) -> String?) {
        self.licenseText = licenseText
    }

    /// A valid SPDX expression for `expression` (or NOASSERTION/NONE kept as they are).
    func resolve(_ expression: String, foundIn location: String) -> String {
        let trimmed = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "NOASSERTION" || trimmed == "NONE" { return trimmed }
        guard let tokens = Self.tokens(of: trimmed) else {
            return reference(for: trimmed, foundIn: location)
        }
        var output: [String] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            switch token {
            case .open: output.append("(")
            case .close: output.append(")")
            case .and: output.append("AND")
            case .or: output.append("OR")
            case .with:
                // The grammar check guarantees an exception follows.
                guard case .identifier(let exception) = tokens[index + 1] else { break }
                index += 1
                if isKnown(exception) {
                    output.append("WITH")
                    output.append(exception)
                } else if let license = output.popLast() {
                    output.append(reference(for: "\(license) WITH \(exception)", foundIn: location))
                }
            case .identifier(let id):
                output.append(resolveIdentifier(id, foundIn: location))
            }
            index += 1
        }
        return output.joined(separator: " ").replacingOccurrences(of: "( ", with: "(")
            .replacingOccurrences(of: " )", with: ")")
    }

    /// The top-level terms of a resolved expression, split at AND and OR (a `WITH` pair stays
    /// whole), as SPDX 2.3 wants them in licenseInfoInFile and licenseInfoFromFiles.
    func terms(of resolved: String) -> [String] {
        if resolved == "NOASSERTION" || resolved == "NONE" { return [] }
        var terms: [String] = []
        var current: [String] = []
        for word in resolved.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
            .split(separator: " ").map(String.init) {
            if word == "AND" || word == "OR" {
                if !current.isEmpty { terms.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(word)
            }
        }
        if !current.isEmpty { terms.append(current.joined(separator: " ")) }
        return terms
    }

    /// Extracted licensing info for every LicenseRef used, sorted by id.
    func extractedLicenses() -> [SPDXDocument.ExtractedLicense] {
        references.keys.sorted().map { id in
            let entry = references[id]!
            let locations = entry.locations.sorted()
            let shown = locations.prefix(10).joined(separator: ", ")
                + (locations.count > 10 ? " and \(locations.count - 10) more" : "")
            if let text = licenseText(id), !text.isEmpty {
                return .init(licenseId: id, extractedText: text, name: Self.name(of: id), comment: "Found in: \(shown).")
            }
            let text = """
                Candor's license database has no text for "\(entry.original)". \
                It was found in: \(shown). The license terms are those stated there.
                """
            return .init(licenseId: id, extractedText: text, name: entry.original,
                         comment: "Placeholder: no license text known; see the files named in the text.")
        }
    }

    private func resolveIdentifier(_ id: String, foundIn location: String) -> String {
        if id.hasPrefix("LicenseRef-") {
            let sanitized = "LicenseRef-" + SPDXIdentifiers.sanitize(String(id.dropFirst("LicenseRef-".count)))
            record(sanitized, original: id, location: location)
            return sanitized
        }
        let base = id.hasSuffix("+") ? String(id.dropLast()) : id
        if isKnown(base) { return id }
        return reference(for: id, foundIn: location)
    }

    /// A LicenseRef standing for text the database does not know.
    private func reference(for original: String, foundIn location: String) -> String {
        let id = "LicenseRef-" + SPDXIdentifiers.sanitize(original)
        record(id, original: original, location: location)
        return id
    }

    private func record(_ id: String, original: String, location: String) {
        references[id, default: (original, [])].locations.insert(location)
    }

    private func isKnown(_ id: String) -> Bool {
        if let cached = known[id] { return cached }
        let result = licenseText(id) != nil
        known[id] = result
        return result
    }

    private static func name(of id: String) -> String {
        String(id.dropFirst("LicenseRef-".count))
    }

    enum Token: Equatable {
        case open, close, and, or, with
        case identifier(String)
    }

    /// Tokens of a well-formed expression (`term (AND|OR term)*`, term = id [WITH id] or a
    /// parenthesised expression), or nil when it is not well formed.
    static func tokens(of expression: String) -> [Token]? {
        var tokens: [Token] = []
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            switch word.uppercased() {
            case "AND": tokens.append(.and)
            case "OR": tokens.append(.or)
            case "WITH": tokens.append(.with)
            default: tokens.append(.identifier(word))
            }
            word = ""
        }
        for character in expression {
            switch character {
            case "(": flush(); tokens.append(.open)
            case ")": flush(); tokens.append(.close)
            case " ", "\t", "\n", "\r": flush()
            default: word.append(character)
            }
        }
        flush()
        // Grammar check: operands and operators alternate, parentheses balance, WITH joins
        // two identifiers.
        var expectOperand = true
        var depth = 0
        var index = 0
        while index < tokens.count {
            switch tokens[index] {
            case .open:
                guard expectOperand else { return nil }
                depth += 1
            case .close:
                guard !expectOperand, depth > 0 else { return nil }
                depth -= 1
            case .and, .or:
                guard !expectOperand else { return nil }
                expectOperand = true
            case .with:
                guard !expectOperand, index > 0, case .identifier = tokens[index - 1],
                      index + 1 < tokens.count, case .identifier = tokens[index + 1] else { return nil }
                index += 1
            case .identifier(let id):
                guard expectOperand, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.+:".contains($0)) })
                else { return nil }
                expectOperand = false
            }
            index += 1
        }
        return tokens.isEmpty || expectOperand || depth != 0 ? nil : tokens
    }
}
