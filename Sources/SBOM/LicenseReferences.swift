// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Turns the license expressions of a report into ones an SPDX validator accepts, without
// dropping anything: an id the license database does not know, or an expression that does
// not parse, becomes a `LicenseRef-` whose extracted text says what was found and where.

import Foundation
import Licensing

/// What the license database knows about an id.
public struct KnownLicense: Hashable, Sendable {
    public var name: String
    public var text: String
    /// A license exception (only valid after WITH), not a license.
    public var isException: Bool

    public init(name: String, text: String, isException: Bool) {
        self.name = name
        self.text = text
        self.isException = isException
    }
}

/// Collects the `LicenseRef-` ids a document uses, with where each was seen.
final class LicenseReferences {
    private struct Reference {
        var original: String
        /// Why it is a reference rather than a listed id.
        var reason: String
        var locations: Set<String>
    }

    private let lookup: (String) -> KnownLicense?
    private var cache: [String: KnownLicense?] = [:]
    private var references: [String: Reference] = [:]

    init(lookup: @escaping (String) -> KnownLicense?) {
        self.lookup = lookup
    }

    /// A valid SPDX expression for `expression` (or NOASSERTION/NONE kept as they are).
    func resolve(_ expression: String, foundIn location: String) -> String {
        let trimmed = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "NOASSERTION" || trimmed == "NONE" { return trimmed }
        guard let parsed = try? LicenseExpression.parse(trimmed) else {
            return reference(for: trimmed, reason: "an expression that does not parse", foundIn: location)
        }
        return resolve(parsed, foundIn: location).description
    }

    /// The expression with every id that is not a listed license (or, after WITH, a listed
    /// exception) replaced by a LicenseRef.
    private func resolve(_ expression: LicenseExpression, foundIn location: String) -> LicenseExpression {
        switch expression {
        case let .license(id, orLater):
            return .license(id: resolveLicense(orLater ? id + "+" : id, foundIn: location), orLater: false)
        case let .with(.license(id, orLater), exception):
            return resolvePair(id, orLater: orLater, exception, foundIn: location)
        case let .with(license, exception):
            return .license(id: reference(for: "\(license) WITH \(exception)", reason: "an exception after a compound expression",
                                          foundIn: location), orLater: false)
        case let .and(operands):
            return .and(operands.map { resolve($0, foundIn: location) })
        case let .or(operands):
            return .or(operands.map { resolve($0, foundIn: location) })
        }
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
            if let known = known(id) ?? known(entry.original), !known.text.isEmpty {
                return .init(licenseId: id, extractedText: known.text, name: known.name, comment: "Found in: \(shown).")
            }
            let text = """
                Candor's license database has no text for "\(entry.original)" (\(entry.reason)). \
                It was found in: \(shown). The license terms are those stated there.
                """
            return .init(licenseId: id, extractedText: text, name: entry.original,
                         comment: "Placeholder: no license text known; see the files named in the text.")
        }
    }

    /// A license on its own: a listed license stays; anything else becomes a LicenseRef.
    private func resolveLicense(_ id: String, foundIn location: String) -> String {
        if id.hasPrefix("LicenseRef-") {
            let sanitized = "LicenseRef-" + SPDXIdentifiers.sanitize(String(id.dropFirst("LicenseRef-".count)))
            return record(sanitized, original: id, reason: "a license without an SPDX id", foundIn: location)
        }
        let base = id.hasSuffix("+") ? String(id.dropLast()) : id
        switch known(base) {
        case .some(let license) where !license.isException:
            return id
        case .some:
            return reference(for: id, reason: "a license exception used without a license", foundIn: location)
        case .none:
            return reference(for: id, reason: "not an id of the SPDX license list", foundIn: location)
        }
    }

    /// `license WITH exception`: kept when both are listed, else one LicenseRef for the pair.
    private func resolvePair(_ license: String, orLater: Bool, _ exception: String,
                             foundIn location: String) -> LicenseExpression {
        let pair = LicenseExpression.with(license: .license(id: license, orLater: orLater), exception: exception)
        if !license.hasPrefix("LicenseRef-"), !exception.hasPrefix("LicenseRef-"),
           let known = known(license), !known.isException, let addition = self.known(exception), addition.isException {
            return pair
        }
        let id = reference(for: pair.description, reason: "an exception that is not on the SPDX list", foundIn: location)
        return .license(id: id, orLater: false)
    }

    /// A LicenseRef standing for something that is not a listed id.
    private func reference(for original: String, reason: String, foundIn location: String) -> String {
        record("LicenseRef-" + SPDXIdentifiers.sanitize(original), original: original, reason: reason, foundIn: location)
    }

    private func record(_ id: String, original: String, reason: String, foundIn location: String) -> String {
        references[id, default: Reference(original: original, reason: reason, locations: [])].locations.insert(location)
        return id
    }

    private func known(_ id: String) -> KnownLicense? {
        if let cached = cache[id] { return cached }
        let result = lookup(id)
        cache[id] = result
        return result
    }
}
