// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Which licenses require the complete corresponding source when a work is distributed in
// binary form: the `[source-obligations]` table of licenses/policy.toml.

import TOMLKit

public struct SourceObligationPolicy: Sendable {
    /// SPDX license ids, compared case-insensitively.
    public var licenses: Set<String>

    public init(licenses: Set<String>) {
        self.licenses = Set(licenses.map { $0.lowercased() })
    }

    public init(policyFile path: String) throws {
        let text: String
        do { text = try FileSystem.readText(path) } catch {
            throw SourceOfferError.policyFile(path: path, problem: "\(error)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw SourceOfferError.policyFile(path: path, problem: "\(error)")
        }
        guard let list = table["source-obligations"]?.table?["licenses"]?.array else {
            throw SourceOfferError.policyFile(path: path, problem: "needs [source-obligations] with licenses = [\"GPL-2.0-only\", ...]")
        }
        var ids: Set<String> = []
        for (index, item) in list.enumerated() {
            guard let id = item.string, !id.isEmpty else {
                throw SourceOfferError.policyFile(path: path, problem: "source-obligations.licenses[\(index)] is not a license id string")
            }
            ids.insert(id)
        }
        self.init(licenses: ids)
    }

    /// Whether distributing a binary under `expression` obliges us to provide its source.
    /// `A OR B` obliges only if every choice does (the recipient may take either);
    /// `A AND B` if any part does; `X WITH exception` as X does.
    public func requiresSource(_ expression: String, component: String) throws -> Bool {
        var parser = ExpressionParser(tokens: try ExpressionParser.tokens(expression, component: component),
                                      expression: expression, component: component)
        let node = try parser.parse()
        return node.obliges { licenses.contains($0.lowercased()) }
    }

    /// The license and exception ids named in `expression`, sorted.
    public static func ids(in expression: String, component: String) throws -> [String] {
        var parser = ExpressionParser(tokens: try ExpressionParser.tokens(expression, component: component),
                                      expression: expression, component: component)
        return Array(try parser.parse().ids).sorted()
    }
}

/// A small SPDX expression reader: only what the obligation rule needs.
struct ExpressionParser {
    indirect enum Node {
        case license(String, exception: String?)
        case and([Node]), or([Node])

        func obliges(_ isObligating: (String) -> Bool) -> Bool {
            switch self {
            case let .license(id, _): return isObligating(id)
            case let .and(parts): return parts.contains { $0.obliges(isObligating) }
            case let .or(parts): return parts.allSatisfy { $0.obliges(isObligating) }
            }
        }

        var ids: Set<String> {
            switch self {
            case let .license(id, exception): return exception.map { [id, $0] } ?? [id]
            case let .and(parts), let .or(parts): return parts.reduce(into: []) { $0.formUnion($1.ids) }
            }
        }
    }

    var tokens: [String]
    var position = 0
    let expression: String
    let component: String

    static func tokens(_ s: String, component: String) throws -> [String] {
        var tokens: [String] = []
        var current = ""
        for c in s {
            if c == "(" || c == ")" || c == " " || c == "\t" || c == "\n" {
                if !current.isEmpty { tokens.append(current); current = "" }
                if c == "(" || c == ")" { tokens.append(String(c)) }
            } else if c.isLetter || c.isNumber || c == "-" || c == "." || c == "+" || c == ":" {
                current.append(c)
            } else {
                throw SourceOfferError.licenseExpression(component: component, expression: s, problem: "unexpected character \"\(c)\"")
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    mutating func parse() throws -> Node {
        let node = try parseOr(depth: 0)
        if position < tokens.count { throw fail("unexpected \"\(tokens[position])\"") }
        return node
    }

    private func fail(_ problem: String) -> SourceOfferError {
        .licenseExpression(component: component, expression: expression, problem: problem)
    }

    private mutating func parseOr(depth: Int) throws -> Node {
        guard depth < 64 else { throw fail("nested too deeply") }
        var parts = [try parseAnd(depth: depth)]
        while position < tokens.count, tokens[position].uppercased() == "OR" {
            position += 1
            parts.append(try parseAnd(depth: depth))
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    private mutating func parseAnd(depth: Int) throws -> Node {
        var parts = [try parseAtom(depth: depth)]
        while position < tokens.count, tokens[position].uppercased() == "AND" {
            position += 1
            parts.append(try parseAtom(depth: depth))
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private mutating func parseAtom(depth: Int) throws -> Node {
        guard position < tokens.count else { throw fail("expression ends where a license was expected") }
        let token = tokens[position]
        position += 1
        if token == "(" {
            let inner = try parseOr(depth: depth + 1)
            guard position < tokens.count, tokens[position] == ")" else { throw fail("missing \")\"") }
            position += 1
            return inner
        }
        guard !["AND", "OR", "WITH", ")"].contains(token.uppercased()) else { throw fail("unexpected \"\(token)\"") }
        if position < tokens.count, tokens[position].uppercased() == "WITH" {
            guard position + 1 < tokens.count else { throw fail("WITH without an exception") }
            let exception = tokens[position + 1]
            position += 2
            return .license(token, exception: exception)
        }
        return .license(token, exception: nil)
    }
}
