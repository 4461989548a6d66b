// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The value of an `#if` / `#elif` expression under a unit's macros, in three values: true,
// false, or undecided when it depends on something we do not know (`__has_include`, a
// function-like macro, a macro whose definition was itself conditional). An undecided
// condition makes the caller follow every branch, so an include is never dropped on a guess.

/// What a unit's preprocessor knows of one macro name at a point of the walk.
enum MacroDefinition: Hashable, Sendable {
    /// An object-like macro and its replacement text.
    case object(String)
    /// Defined, value unknown: function-like, or a body too long to keep.
    case opaque
    /// Maybe defined: its #define or #undef sat in a branch we could not decide.
    case uncertain
}

/// The macros of one unit, changing as its files are walked.
struct MacroTable: Sendable {
    var definitions: [String: MacroDefinition] = [:]

    subscript(name: String) -> MacroDefinition? {
        get { definitions[name] }
        set { definitions[name] = newValue }
    }

    /// The compiler's own macros that commonly choose includes, as GCC and Clang predefine
    /// them for x86-64 Linux (the platform Candor checks). The real compilers predefine
    /// hundreds; we keep the few that pick headers, and make the rest of the compiler's
    /// namespace undecided (`isCompilerNamespace`) rather than guess them as 0.
    static func predefined(cPlusPlus: Bool, assembler: Bool = false) -> MacroTable {
        var table = MacroTable()
        table["__STDC__"] = .object("1")
        table["__GNUC__"] = .object("12")
        table["__x86_64__"] = .object("1")
        table["__x86_64"] = .object("1")
        table["__linux__"] = .object("1")
        table["__linux"] = .object("1")
        table["__unix__"] = .object("1")
        if cPlusPlus {
            table["__cplusplus"] = .object("201703L")
            // In a C++ #if, `true` and `false` are the values, not unknown names (0).
            table["true"] = .object("1")
            table["false"] = .object("0")
        }
        if assembler { table["__ASSEMBLER__"] = .object("1") }
        return table
    }

    /// Names the compiler predefines in families we do not model (`__GNUC_MINOR__`,
    /// `__SIZEOF_LONG__`, `__clang_major__`...): unknown, not 0, when no flag or #define set them.
    static func isCompilerNamespace(_ name: String) -> Bool {
        // Every family starts with an underscore; most names of a program do not. The few
        // prefixes that can match are those with the same first letter after the underscores.
        guard name.utf8.first == 0x5F, let letter = name.utf8.first(where: { $0 != 0x5F }),
              let candidates = compilerPrefixes[letter] else { return false }
        return candidates.contains { name.hasPrefix($0) }
    }

    /// By the first byte after the leading underscores.
    private static let compilerPrefixes: [UInt8: [String]] = Dictionary(grouping: [
        "__GNUC_", "__clang", "__SIZEOF_", "__BYTE_ORDER", "__ORDER_", "__STDC_", "__OPTIMIZE", "__SANITIZE",
        "__LP64", "_LP64", "__CHAR_BIT", "__INT", "__UINT", "__LONG", "__SCHAR", "__SHRT", "__WCHAR",
        "__PTRDIFF", "__SIZE_", "__FLT", "__DBL", "__LDBL", "__GCC_", "__VERSION__", "__ELF__", "__PIC__", "__pic__",
        "__PIE__", "__pie__", "__SSE", "__AVX", "__MMX", "__i386", "__amd64", "__aarch64", "__arm", "__riscv",
        "__powerpc", "__APPLE", "__MACH", "_WIN", "__MINGW", "__CYGWIN", "__FreeBSD", "__NetBSD", "__OpenBSD",
        // `#ifdef __has_include` is true on current compilers, false on old ones.
        "__has_", "__building_module",
    ]) { $0.utf8.first { $0 != 0x5F }! }

    /// The macro table a compile command starts with: the predefined macros, then its `-D`
    /// and `-U` options in command-line order. C++ by the source's extension or `-x c++`;
    /// assembler (`.S`, `-x assembler-with-cpp`) defines `__ASSEMBLER__`.
    static func initial(arguments: [String], isCPlusPlus extensionSaysCPlusPlus: Bool, isAssembler extensionSaysAssembler: Bool = false) -> MacroTable {
        var cPlusPlus = extensionSaysCPlusPlus
        var assembler = extensionSaysAssembler
        var changes: [(name: String, value: MacroDefinition?)] = []
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            func value(of option: String) -> String? {
                guard argument.hasPrefix(option) else { return nil }
                if argument.count > option.count { return String(argument.dropFirst(option.count)) }
                guard index < arguments.count else { return nil }
                index += 1
                return arguments[index - 1]
            }
            if let language = value(of: "-x") {
                cPlusPlus = language.hasPrefix("c++") || language.hasPrefix("objective-c++")
                assembler = language == "assembler-with-cpp"
            } else if let definition = value(of: "-D") {
                // NAME, NAME=VALUE (`-DX` is `X 1`), or NAME(args)=body.
                let parts = definition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                if let open = name.firstIndex(of: "(") {
                    changes.append((String(name[..<open]), .opaque))
                } else {
                    changes.append((name, .object(parts.count > 1 ? String(parts[1]) : "1")))
                }
            } else if let name = value(of: "-U") {
                changes.append((name, nil))
            }
        }
        var table = predefined(cPlusPlus: cPlusPlus, assembler: assembler)
        for change in changes { table[change.name] = change.value }
        return table
    }
}

enum ConditionExpression {
    enum Outcome: Equatable, Sendable {
        case decided(Bool)
        /// Depends on something not known without running the compiler.
        case undecided
        /// Not a valid expression, or one the compiler would reject (division by zero).
        case invalid(String)
    }

    /// Macro expansions nested deeper than this are given up (a macro that expands to
    /// itself stops at once, as in C; this bounds long chains).
    static let expansionDepthLimit = 64
    /// Parentheses and unary operators nested deeper than this are given up.
    static let nestingLimit = 256
    /// Tokens after expansion beyond this are given up (macros that double at each level).
    static let tokenLimit = 100_000

    static func evaluate(_ text: String, macros: MacroTable) -> Outcome {
        var tokens: [Token] = []
        var failure: String?
        expand(Array(text.utf8), macros: macros, depth: 0, hidden: [], into: &tokens, failure: &failure)
        if let failure { return .invalid(failure) }
        var parser = Parser(tokens: tokens)
        let value = parser.conditional(evaluated: true)
        if let error = parser.error { return .invalid(error) }
        if parser.position < tokens.count { return .invalid("unexpected \(tokens[parser.position]) in #if expression") }
        guard let value else { return .undecided }
        return .decided(value != 0)
    }

    // MARK: Tokens and macro expansion

    enum Token: Equatable, CustomStringConvertible {
        case number(Int64)
        /// An operator or parenthesis.
        case punctuator(String)
        /// A value we cannot know.
        case unknown

        var description: String {
            switch self {
            case .number(let value): return "\(value)"
            case .punctuator(let text): return "'\(text)'"
            case .unknown: return "an unknown value"
            }
        }
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        byte == 0x5F || byte == 0x24 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Tokens of `text` with macros replaced; `defined X` is resolved before expansion.
    private static func expand(_ text: [UInt8], macros: MacroTable, depth: Int, hidden: Set<String>,
                               into tokens: inout [Token], failure: inout String?) {
        guard depth <= expansionDepthLimit else {
            failure = "macro expansion nested deeper than \(expansionDepthLimit) levels"
            return
        }
        var index = 0
        let count = text.count
        func skipSpace() { while index < count, text[index] == 0x20 || text[index] == 0x09 || text[index] == 0x0D { index += 1 } }
        func identifier() -> String? {
            skipSpace()
            guard index < count, isIdentifierByte(text[index]), !isDigit(text[index]) else { return nil }
            let start = index
            while index < count, isIdentifierByte(text[index]) { index += 1 }
            return String(decoding: text[start..<index], as: UTF8.self)
        }
        /// Skips a parenthesized argument list (nested parentheses), if one follows.
        func skipArguments() -> Bool {
            skipSpace()
            guard index < count, text[index] == 0x28 else { return false }
            var level = 0
            while index < count {
                if text[index] == 0x28 { level += 1 }
                if text[index] == 0x29 { level -= 1; if level == 0 { index += 1; return true } }
                index += 1
            }
            return true
        }
        while failure == nil, index < count {
            guard tokens.count <= tokenLimit else { failure = "#if expression longer than \(tokenLimit) tokens after expansion"; return }
            skipSpace()
            guard index < count else { break }
            let byte = text[index]
            if isDigit(byte) || (byte == 0x2E && index + 1 < count && isDigit(text[index + 1])) {
                let start = index
                while index < count, isIdentifierByte(text[index]) || text[index] == 0x2E
                    || ((text[index] == 0x2B || text[index] == 0x2D) && (text[index - 1] | 0x20 == 0x65 || text[index - 1] | 0x20 == 0x70)) {
                    index += 1
                }
                guard let value = integer(text[start..<index]) else {
                    failure = "bad or too large number \(String(decoding: text[start..<index], as: UTF8.self)) in #if expression"
                    return
                }
                tokens.append(.number(value))
                continue
            }
            if byte == 0x27 { // character constant: 'a', '\n', '\0'
                var end = index + 1
                while end < count, text[end] != 0x27 { end += text[end] == 0x5C ? 2 : 1 }
                guard end < count, end > index + 1 else { failure = "bad character constant in #if expression"; return }
                let body = text[(index + 1)..<end]
                var value = Int64(body.last ?? 0)
                if body.first == 0x5C, body.count == 2 {
                    let escapes: [UInt8: Int64] = [0x6E: 10, 0x74: 9, 0x72: 13, 0x30: 0, 0x5C: 92, 0x27: 39, 0x22: 34, 0x61: 7, 0x62: 8, 0x66: 12, 0x76: 11]
                    value = escapes[body.last!] ?? value
                } else if body.count != 1 {
                    tokens.append(.unknown)
                    index = end + 1
                    continue
                }
                tokens.append(.number(value))
                index = end + 1
                continue
            }
            if let name = identifier() {
                if name == "defined" {
                    skipSpace()
                    let parenthesized = index < count && text[index] == 0x28
                    if parenthesized { index += 1 }
                    guard let operand = identifier() else { failure = "'defined' without a macro name"; return }
                    if parenthesized {
                        skipSpace()
                        guard index < count, text[index] == 0x29 else { failure = "'defined(' without ')'"; return }
                        index += 1
                    }
                    switch macros[operand] {
                    case .object, .opaque: tokens.append(.number(1))
                    case .uncertain: tokens.append(.unknown)
                    case nil: tokens.append(MacroTable.isCompilerNamespace(operand) ? .unknown : .number(0))
                    }
                    continue
                }
                if name.hasPrefix("__has_") || name == "__building_module" {
                    // __has_include(<x.h>), __has_attribute(x), __has_builtin(x)...: the compiler knows.
                    _ = skipArguments()
                    tokens.append(.unknown)
                    continue
                }
                if hidden.contains(name) { tokens.append(.number(0)); continue } // a macro inside its own expansion
                switch macros[name] {
                case .object(let body):
                    expand(Array(body.utf8), macros: macros, depth: depth + 1, hidden: hidden.union([name]), into: &tokens, failure: &failure)
                case .opaque, .uncertain:
                    _ = skipArguments()
                    tokens.append(.unknown)
                case nil:
                    if MacroTable.isCompilerNamespace(name) || skipArguments() {
                        // A compiler macro we do not model, or an undefined name called like a function.
                        tokens.append(.unknown)
                    } else {
                        tokens.append(.number(0)) // C: any other identifier left is 0
                    }
                }
                continue
            }
            guard let punctuator = punctuator(text, at: index) else {
                failure = "unexpected character '\(String(decoding: [byte], as: UTF8.self))' in #if expression"
                return
            }
            tokens.append(.punctuator(punctuator))
            index += punctuator.utf8.count
        }
    }

    /// The operator or parenthesis at `text[index]`, the longest that matches.
    private static func punctuator(_ text: [UInt8], at index: Int) -> String? {
        let next: UInt8 = index + 1 < text.count ? text[index + 1] : 0
        switch (text[index], next) {
        case (0x3C, 0x3C): return "<<"
        case (0x3E, 0x3E): return ">>"
        case (0x3C, 0x3D): return "<="
        case (0x3E, 0x3D): return ">="
        case (0x3D, 0x3D): return "=="
        case (0x21, 0x3D): return "!="
        case (0x26, 0x26): return "&&"
        case (0x7C, 0x7C): return "||"
        default: break
        }
        switch text[index] {
        case 0x21: return "!"
        case 0x7E: return "~"
        case 0x2A: return "*"
        case 0x2F: return "/"
        case 0x25: return "%"
        case 0x2B: return "+"
        case 0x2D: return "-"
        case 0x3C: return "<"
        case 0x3E: return ">"
        case 0x26: return "&"
        case 0x5E: return "^"
        case 0x7C: return "|"
        case 0x3F: return "?"
        case 0x3A: return ":"
        case 0x28: return "("
        case 0x29: return ")"
        case 0x2C: return ","
        default: return nil
        }
    }

    /// An integer literal with an optional `u`/`l` suffix: decimal, 0x hex, 0b binary, octal;
    /// nil when malformed or beyond 64 bits. `'` digit separators are not expected in #if.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var digits = bytes
        while let last = digits.last, last | 0x20 == 0x75 || last | 0x20 == 0x6C { digits = digits.dropLast() }
        guard !digits.isEmpty else { return nil }
        var radix: UInt64 = 10
        if digits.count > 1, digits.first == 0x30 {
            let marker = digits[digits.startIndex + 1] | 0x20
            if marker == 0x78 { radix = 16; digits = digits.dropFirst(2) }
            else if marker == 0x62 { radix = 2; digits = digits.dropFirst(2) }
            else { radix = 8; digits = digits.dropFirst() }
            guard !digits.isEmpty else { return nil }
        }
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt64
            switch byte {
            case 0x30...0x39: digit = UInt64(byte - 0x30)
            case 0x61...0x66: digit = UInt64(byte - 0x61 + 10)
            case 0x41...0x46: digit = UInt64(byte - 0x41 + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (multiplied, overflow) = value.multipliedReportingOverflow(by: radix)
            let (added, overflow2) = multiplied.addingReportingOverflow(digit)
            guard !overflow, !overflow2 else { return nil }
            value = added
        }
        // Values past Int64.max are unsigned in C; keep their bits (comparisons may differ).
        return Int64(bitPattern: value)
    }

    // MARK: Evaluation

    /// Precedence climbing over the expanded tokens. A nil value is unknown; `evaluated`
    /// false inside the unevaluated side of `&&`, `||` and `?:`, where C reports no errors.
    private struct Parser {
        let tokens: [Token]
        var position = 0
        var error: String?
        var nesting = 0

        init(tokens: [Token]) { self.tokens = tokens }

        private static let binary: [String: Int] = [
            "*": 10, "/": 10, "%": 10, "+": 9, "-": 9, "<<": 8, ">>": 8,
            "<": 7, ">": 7, "<=": 7, ">=": 7, "==": 6, "!=": 6, "&": 5, "^": 4, "|": 3, "&&": 2, "||": 1,
        ]

        private mutating func fail(_ message: String) {
            if error == nil { error = message }
        }

        private func peek() -> Token? { position < tokens.count ? tokens[position] : nil }

        mutating func conditional(evaluated: Bool) -> Int64? {
            nesting += 1
            defer { nesting -= 1 }
            guard nesting <= ConditionExpression.nestingLimit else { fail("#if expression nested too deeply"); return nil }
            let condition = binary(0, evaluated: evaluated)
            guard peek() == .punctuator("?") else { return condition }
            position += 1
            let first = conditional(evaluated: evaluated && condition != 0)
            guard peek() == .punctuator(":") else { fail("'?' without ':' in #if expression"); return nil }
            position += 1
            let second = conditional(evaluated: evaluated && condition != nil && condition == 0)
            guard let condition else { return first == second ? first : nil }
            return condition != 0 ? first : second
        }

        private mutating func binary(_ minimum: Int, evaluated: Bool) -> Int64? {
            var left = unary(evaluated: evaluated)
            while error == nil, case .punctuator(let op)? = peek(), let precedence = Self.binary[op], precedence > minimum {
                position += 1
                switch op {
                case "&&":
                    let right = binary(precedence, evaluated: evaluated && left != 0)
                    if left == 0 || right == 0 { left = 0 } else if left != nil, right != nil { left = 1 } else { left = nil }
                case "||":
                    let right = binary(precedence, evaluated: evaluated && (left == nil || left == 0))
                    if (left ?? 0) != 0 || (right ?? 0) != 0 { left = 1 } else if left != nil, right != nil { left = 0 } else { left = nil }
                default:
                    let right = binary(precedence, evaluated: evaluated)
                    left = apply(op, left, right, evaluated: evaluated)
                }
            }
            return left
        }

        private mutating func apply(_ op: String, _ left: Int64?, _ right: Int64?, evaluated: Bool) -> Int64? {
            guard let a = left, let b = right else { return nil }
            switch op {
            case "*": return a &* b
            case "/", "%":
                guard b != 0 else {
                    if evaluated { fail("division by zero in #if expression") }
                    return nil
                }
                if a == .min && b == -1 { return op == "/" ? a : 0 }
                return op == "/" ? a / b : a % b
            case "+": return a &+ b
            case "-": return a &- b
            case "<<", ">>":
                guard b >= 0, b < 64 else { return nil } // undefined in C: do not guess
                return op == "<<" ? a << b : a >> b
            case "<": return a < b ? 1 : 0
            case ">": return a > b ? 1 : 0
            case "<=": return a <= b ? 1 : 0
            case ">=": return a >= b ? 1 : 0
            case "==": return a == b ? 1 : 0
            case "!=": return a != b ? 1 : 0
            case "&": return a & b
            case "^": return a ^ b
            default: return a | b
            }
        }

        private mutating func unary(evaluated: Bool) -> Int64? {
            nesting += 1
            defer { nesting -= 1 }
            guard nesting <= ConditionExpression.nestingLimit else { fail("#if expression nested too deeply"); return nil }
            guard let token = peek() else { fail("#if expression ends early"); return nil }
            position += 1
            switch token {
            case .number(let value): return value
            case .unknown: return nil
            case .punctuator("("):
                let value = conditional(evaluated: evaluated)
                guard peek() == .punctuator(")") else { fail("'(' without ')' in #if expression"); return nil }
                position += 1
                return value
            case .punctuator("!"): return unary(evaluated: evaluated).map { $0 == 0 ? 1 : 0 }
            case .punctuator("~"): return unary(evaluated: evaluated).map { ~$0 }
            case .punctuator("-"): return unary(evaluated: evaluated).map { 0 &- $0 }
            case .punctuator("+"): return unary(evaluated: evaluated)
            default:
                fail("unexpected \(token) in #if expression")
                return nil
            }
        }
    }
}
