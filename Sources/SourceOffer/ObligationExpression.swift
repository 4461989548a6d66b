// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// SPDX license expressions as far as the source obligation needs them: ids, WITH, AND,
// OR and parentheses (no database: unknown ids are fine, they simply oblige nothing).

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
