// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// An SPDX license expression (SPDX 2.3, Annex D): license ids, `+`, `WITH` exceptions,
/// `AND`, `OR` and parentheses. Precedence: WITH > AND > OR; operators are case-insensitive.
public indirect enum LicenseExpression: Hashable, Sendable, CustomStringConvertible {
    /// A license id (`MIT`, `LicenseRef-x`, `DocumentRef-d:LicenseRef-x`); `orLater` is a trailing `+`.
    case license(id: String, orLater: Bool)
    /// A license with an exception (`GPL-2.0-only WITH Linux-syscall-note`).
    case with(license: LicenseExpression, exception: String)
    /// Two or more operands, all required.
    case and([LicenseExpression])
    /// Two or more operands, one of which applies.
    case or([LicenseExpression])

    /// Parses `text`; errors name the offending token and its 1-based column.
    public static func parse(_ text: String) throws -> LicenseExpression {
        var parser = try ExpressionParser(text)
        return try parser.parseWhole()
    }

    /// Deprecated ids replaced as the SPDX license list says (`GPL-2.0+` -> `GPL-2.0-or-later`,
    /// `GPL-2.0` -> `GPL-2.0-only`, `GPL-2.0-with-classpath-exception` -> `GPL-2.0-only WITH
    /// Classpath-exception-2.0`, `StandardML-NJ` -> `SMLNJ`, see `SPDXIdentifiers.deprecated`),
    /// known ids in their canonical case, nested AND/OR flattened. A `+` after any other id
    /// stays (`MPL-1.1+`).
    public var normalized: LicenseExpression {
        switch self {
        case .license(let id, let orLater):
            return Self.normalizedLicense(id: id, orLater: orLater)
        case .with(let license, let exception):
            var normalizedLicense = license.normalized
            if case .license(let id, let orLater) = license, case .with = normalizedLicense {
                // A deprecated `-with-...-exception` id under another WITH cannot carry both.
                normalizedLicense = .license(id: Self.canonicalID(id), orLater: orLater)
            }
            return .with(license: normalizedLicense, exception: Self.normalizedException(exception))
        case .and(let operands):
            return .and(operands.flatMap { op -> [LicenseExpression] in
                let normalizedOperand = op.normalized
                if case .and(let inner) = normalizedOperand { return inner }
                return [normalizedOperand]
            })
        case .or(let operands):
            return .or(operands.flatMap { op -> [LicenseExpression] in
                let normalizedOperand = op.normalized
                if case .or(let inner) = normalizedOperand { return inner }
                return [normalizedOperand]
            })
        }
    }

    /// The same expression with repeated operands of an AND or OR left out (`A OR B OR A`
    /// -> `A OR B`), and an AND or OR of one operand replaced by that operand.
    public var deduplicated: LicenseExpression {
        func unique(_ operands: [LicenseExpression]) -> [LicenseExpression] {
            operands.map(\.deduplicated).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        }
        switch self {
        case .license: return self
        case .with(let license, let exception): return .with(license: license.deduplicated, exception: exception)
        case .and(let operands):
            let u = unique(operands)
            return u.count == 1 ? u[0] : .and(u)
        case .or(let operands):
            let u = unique(operands)
            return u.count == 1 ? u[0] : .or(u)
        }
    }

    /// `A AND B` of the distinct expressions in order, compound ones parenthesised; nil
    /// when there are none.
    public static func conjunction(_ expressions: [String]) -> String? {
        var unique: [String] = []
        for expression in expressions where !unique.contains(expression) { unique.append(expression) }
        if unique.count <= 1 { return unique.first }
        return unique.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " AND ")
    }

    /// Every license id in the expression (without `+`), exceptions excluded.
    public var licenseIDs: Set<String> {
        switch self {
        case .license(let id, _): return [id]
        case .with(let license, _): return license.licenseIDs
        case .and(let operands), .or(let operands):
            return operands.reduce(into: Set<String>()) { $0.formUnion($1.licenseIDs) }
        }
    }

    /// Every exception id used after `WITH`.
    public var exceptionIDs: Set<String> {
        switch self {
        case .license: return []
        case .with(let license, let exception): return license.exceptionIDs.union([exception])
        case .and(let operands), .or(let operands):
            return operands.reduce(into: Set<String>()) { $0.formUnion($1.exceptionIDs) }
        }
    }

    public var description: String {
        switch self {
        case .license(let id, let orLater):
            return orLater ? id + "+" : id
        case .with(let license, let exception):
            return "\(license) WITH \(exception)"
        case .and(let operands):
            return operands.map { op -> String in
                if case .or = op { return "(\(op))" }
                return op.description
            }.joined(separator: " AND ")
        case .or(let operands):
            return operands.map(\.description).joined(separator: " OR ")
        }
    }

    static func canonicalID(_ id: String) -> String {
        let lower = id.lowercased()
        if let known = SPDXIdentifiers.canonical[lower] { return known }
        if lower.hasPrefix("licenseref-") { return "LicenseRef-" + id.dropFirst(11) }
        if lower.hasPrefix("documentref-"), let colon = id.firstIndex(of: ":") {
            let document = "DocumentRef-" + id[id.index(id.startIndex, offsetBy: 12)..<colon]
            return document + ":" + canonicalID(String(id[id.index(after: colon)...]))
        }
        return id
    }

    /// A deprecated exception id (`Nokia-Qt-exception-1.1`) replaced, others in canonical case.
    private static func normalizedException(_ id: String) -> String {
        if let replacement = SPDXIdentifiers.deprecated[id.lowercased()], !replacement.contains(" ") { return replacement }
        return canonicalID(id)
    }

    private static func normalizedLicense(id: String, orLater: Bool) -> LicenseExpression {
        let lower = id.lowercased()
        if orLater, let replacement = SPDXIdentifiers.deprecated[lower + "+"],
           let parsed = try? parse(replacement) {
            return parsed
        }
        if let replacement = SPDXIdentifiers.deprecated[lower], let parsed = try? parse(replacement) {
            if orLater, case .license(let newID, _) = parsed { return .license(id: newID, orLater: true) }
            return parsed
        }
        return .license(id: canonicalID(id), orLater: orLater)
    }
}

/// Why an expression could not be parsed; `column` is 1-based, in characters.
public enum ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalidCharacter(Character, column: Int)
    case unexpectedToken(String, column: Int)
    case unknownOperator(String, column: Int)
    case unbalancedParenthesis(column: Int)
    case unexpectedEnd(expected: String, column: Int)

    public var description: String {
        switch self {
        case .empty:
            return "license expression: empty"
        case .invalidCharacter(let c, let column):
            return "license expression: invalid character '\(c)' at column \(column)"
        case .unexpectedToken(let token, let column):
            return "license expression: unexpected '\(token)' at column \(column)"
        case .unknownOperator(let token, let column):
            return "license expression: unknown operator '\(token)' at column \(column); expected AND, OR or WITH"
        case .unbalancedParenthesis(let column):
            return "license expression: unbalanced parenthesis at column \(column)"
        case .unexpectedEnd(let expected, let column):
            return "license expression: expected \(expected) at column \(column), found the end"
        }
    }
}

/// Recursive descent over the tokens of one expression.
private struct ExpressionParser {
    enum Kind: Equatable { case open, close, word, plus }
    struct Token { var kind: Kind; var text: String; var column: Int }

    private var tokens: [Token] = []
    private var position = 0
    private let endColumn: Int

    init(_ text: String) throws {
        var column = 0
        var word = ""
        var wordColumn = 0
        func flush(_ tokens: inout [Token]) {
            if !word.isEmpty { tokens.append(Token(kind: .word, text: word, column: wordColumn)) }
            word = ""
        }
        for c in text {
            column += 1
            if c.isLetter && c.isASCII || c.isNumber && c.isASCII || c == "-" || c == "." || c == ":" {
                if word.isEmpty { wordColumn = column }
                word.append(c)
                continue
            }
            flush(&tokens)
            switch c {
            case "(": tokens.append(Token(kind: .open, text: "(", column: column))
            case ")": tokens.append(Token(kind: .close, text: ")", column: column))
            case "+": tokens.append(Token(kind: .plus, text: "+", column: column))
            case " ", "\t", "\n", "\r": break
            default: throw ExpressionError.invalidCharacter(c, column: column)
            }
        }
        flush(&tokens)
        endColumn = column + 1
        if tokens.isEmpty { throw ExpressionError.empty }
    }

    mutating func parseWhole() throws -> LicenseExpression {
        let expression = try parseOr()
        if let token = peek() {
            if token.kind == .close { throw ExpressionError.unbalancedParenthesis(column: token.column) }
            if token.kind == .word && operatorName(token) == nil {
                throw ExpressionError.unknownOperator(token.text, column: token.column)
            }
            throw ExpressionError.unexpectedToken(token.text, column: token.column)
        }
        return expression
    }

    private func peek() -> Token? { position < tokens.count ? tokens[position] : nil }

    private func operatorName(_ token: Token) -> String? {
        guard token.kind == .word else { return nil }
        let upper = token.text.uppercased()
        return upper == "AND" || upper == "OR" || upper == "WITH" ? upper : nil
    }

    private mutating func parseOr() throws -> LicenseExpression {
        var operands = [try parseAnd()]
        while let token = peek(), operatorName(token) == "OR" {
            position += 1
            operands.append(try parseAnd())
        }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    private mutating func parseAnd() throws -> LicenseExpression {
        var operands = [try parseWith()]
        while let token = peek(), operatorName(token) == "AND" {
            position += 1
            operands.append(try parseWith())
        }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    private mutating func parseWith() throws -> LicenseExpression {
        let license = try parsePrimary()
        guard let token = peek(), operatorName(token) == "WITH" else { return license }
        position += 1
        guard let exception = peek() else {
            throw ExpressionError.unexpectedEnd(expected: "an exception id after 'WITH'", column: endColumn)
        }
        guard exception.kind == .word, operatorName(exception) == nil else {
            throw ExpressionError.unexpectedToken(exception.text, column: exception.column)
        }
        position += 1
        if case .license = license {
            return .with(license: license, exception: exception.text)
        }
        throw ExpressionError.unexpectedToken(token.text, column: token.column)
    }

    private mutating func parsePrimary() throws -> LicenseExpression {
        guard let token = peek() else {
            throw ExpressionError.unexpectedEnd(expected: "a license id", column: endColumn)
        }
        switch token.kind {
        case .open:
            position += 1
            let inner = try parseOr()
            guard let close = peek() else { throw ExpressionError.unbalancedParenthesis(column: token.column) }
            guard close.kind == .close else {
                if operatorName(close) == nil && close.kind == .word {
                    throw ExpressionError.unknownOperator(close.text, column: close.column)
                }
                throw ExpressionError.unexpectedToken(close.text, column: close.column)
            }
            position += 1
            return inner
        case .close:
            throw ExpressionError.unbalancedParenthesis(column: token.column)
        case .plus:
            throw ExpressionError.unexpectedToken(token.text, column: token.column)
        case .word:
            if operatorName(token) != nil {
                throw ExpressionError.unexpectedToken(token.text, column: token.column)
            }
            position += 1
            var orLater = false
            if let next = peek(), next.kind == .plus {
                position += 1
                orLater = true
            }
            return .license(id: token.text, orLater: orLater)
        }
    }
}
