// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The #include directives of one C/C++ file, read textually: comments and `#if 0` regions
// are skipped, every other conditional branch is followed (without the unit's macros we
// over-approximate rather than miss an include). The same pass can also keep the
// conditional, #define and #undef directives in order, for ConditionWalk to evaluate the
// branches with a unit's flags.

import Foundation

/// One `#include`, `#include_next` or `#import` directive as written.
struct IncludeDirective: Hashable, Sendable {
    enum Form: Hashable, Sendable { case quoted, angled, computed }

    var line: Int
    /// With delimiters: `<linux/kvm.h>`, `"b.h"`, or the macro text of a computed include.
    var spelled: String
    var form: Form
    var isNext: Bool

    /// The name between the delimiters (the whole text for a computed include).
    var name: String {
        form == .computed ? spelled : String(spelled.dropFirst().dropLast())
    }
}

/// One directive that decides which includes a compilation reads, in file order.
struct ConditionalDirective: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case ifExpression(String)
        case ifdef(String)
        case ifndef(String)
        case elif(String)
        /// C23 `#elifdef X` (negated: `#elifndef X`).
        case elifdef(String, negated: Bool)
        case elseBranch
        case endif
        /// body nil: function-like, or too long to be a number worth evaluating.
        case define(String, body: String?)
        case undef(String)
        /// `includes[index]` of the same parse.
        case include(Int)
        case pragmaOnce
    }

    var line: Int
    var kind: Kind
}

/// A file's directives: the includes (outside `#if 0`) and, when asked for, every directive
/// that conditions them.
struct ParsedDirectives: Sendable {
    var includes: [IncludeDirective] = []
    /// Empty unless parsed with `conditions: true`.
    var conditions: [ConditionalDirective] = []
    /// `X` when the file is wrapped in `#ifndef X` / `#define X` ... `#endif` and nothing else.
    var guardMacro: String?
}

enum IncludeDirectiveParser {
    /// A #define body longer than this is kept as "value unknown": #if expressions use short
    /// numeric macros, and a kernel tree has millions of long ones.
    static let longestKeptBody = 160

    /// Parses `bytes` (any encoding; directives are ASCII) into directives in line order.
    static func parse(_ bytes: [UInt8]) -> [IncludeDirective] {
        parse(bytes, conditions: false).includes
    }

    /// The includes and, with `conditions`, the conditional directives around them.
    static func parse(_ bytes: [UInt8], conditions keepConditions: Bool) -> ParsedDirectives {
        var result: [IncludeDirective] = []
        var conditions: [ConditionalDirective] = []
        // Conditional stack: for each open #if, whether its enclosing region is live and
        // whether the current branch is live.
        var stack: [(parentLive: Bool, branchLive: Bool)] = []
        var live: Bool { stack.last.map { $0.parentLive && $0.branchLive } ?? true }

        var index = 0
        var lineNumber = 1
        var inBlockComment = false
        let count = bytes.count
        var logical: [UInt8] = []
        logical.reserveCapacity(256)

        while index < count {
            // Fast paths (most of a kernel is neither directive nor comment): skip a whole
            // block comment, or a plain line with no '#' in front, no '/' and no continuation.
            if inBlockComment {
                guard let close = Self.find(0x2A, 0x2F, in: bytes, from: index) else {
                    index = count
                    break
                }
                lineNumber += Self.newlines(in: bytes, from: index, to: close)
                index = close + 2
                inBlockComment = false
            } else {
                let end = Self.find(0x0A, in: bytes, from: index) ?? count
                var first = index
                while first < end, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
                let continues = end > index && (bytes[end - 1] == 0x5C || (bytes[end - 1] == 0x0D && end - 1 > index && bytes[end - 2] == 0x5C))
                if first == end || (bytes[first] != 0x23 && bytes[first] != 0x2F), !continues {
                    // Not a directive: only a block comment opened on it matters.
                    if let opened = Self.blockCommentOpening(in: bytes, from: index, to: end) {
                        index = opened
                        inBlockComment = true
                    } else {
                        index = end + 1
                        lineNumber += 1
                    }
                    continue
                }
            }
            // One logical line: physical lines joined at backslash-newline, comments blanked.
            let startLine = lineNumber
            logical.removeAll(keepingCapacity: true)
            var quote: UInt8 = 0
            while index < count {
                let byte = bytes[index]
                if byte == 0x0A { // newline ends the logical line
                    index += 1
                    lineNumber += 1
                    break
                }
                if byte == 0x5C, index + 1 < count, bytes[index + 1] == 0x0A || (bytes[index + 1] == 0x0D && index + 2 < count && bytes[index + 2] == 0x0A) {
                    index += bytes[index + 1] == 0x0D ? 3 : 2
                    lineNumber += 1
                    continue
                }
                if inBlockComment {
                    if byte == 0x2A, index + 1 < count, bytes[index + 1] == 0x2F {
                        inBlockComment = false
                        logical.append(0x20)
                        index += 2
                    } else {
                        index += 1
                    }
                    continue
                }
                if quote != 0 {
                    logical.append(byte)
                    if byte == 0x5C, index + 1 < count, bytes[index + 1] != 0x0A {
                        logical.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    if byte == quote { quote = 0 }
                    index += 1
                    continue
                }
                if byte == 0x2F, index + 1 < count {
                    if bytes[index + 1] == 0x2A {
                        inBlockComment = true
                        index += 2
                        continue
                    }
                    if bytes[index + 1] == 0x2F {
                        // Line comment: skip to the end of the logical line (it may continue).
                        index += 2
                        while index < count, bytes[index] != 0x0A {
                            if bytes[index] == 0x5C, index + 1 < count, bytes[index + 1] == 0x0A {
                                lineNumber += 1
                                index += 2
                                continue
                            }
                            index += 1
                        }
                        continue
                    }
                }
                // Only a directive's quotes matter; an apostrophe in `#error don't` or in
                // ordinary code must not swallow the rest of the line's comment handling.
                if byte == 0x22, logical.firstNonSpace == 0x23 { quote = byte }
                logical.append(byte)
                index += 1
            }
            guard let directive = Directive(logical, conditions: keepConditions) else { continue }
            func keep(_ kind: ConditionalDirective.Kind) {
                if keepConditions { conditions.append(ConditionalDirective(line: startLine, kind: kind)) }
            }
            switch directive.name {
            case "if":
                stack.append((live, !directive.isFalse))
                keep(.ifExpression(directive.operand))
            case "ifdef", "ifndef":
                stack.append((live, true))
                let name = directive.identifier
                keep(directive.name == "ifdef" ? .ifdef(name) : .ifndef(name))
            case "elif":
                if !stack.isEmpty { stack[stack.count - 1].branchLive = !directive.isFalse }
                keep(.elif(directive.operand))
            case "elifdef", "elifndef":
                if !stack.isEmpty { stack[stack.count - 1].branchLive = true }
                keep(.elifdef(directive.identifier, negated: directive.name == "elifndef"))
            case "else":
                if !stack.isEmpty { stack[stack.count - 1].branchLive = true }
                keep(.elseBranch)
            case "endif":
                if !stack.isEmpty { stack.removeLast() }
                keep(.endif)
            case "define" where keepConditions:
                let name = directive.identifier
                guard !name.isEmpty else { break }
                var rest = directive.operand.utf8.dropFirst(name.utf8.count)
                if rest.first == 0x28 { keep(.define(name, body: nil)); break } // NAME( : function-like
                while let first = rest.first, first == 0x20 || first == 0x09 { rest = rest.dropFirst() }
                keep(.define(name, body: rest.count <= longestKeptBody ? String(decoding: rest, as: UTF8.self) : nil))
            case "undef" where keepConditions:
                keep(.undef(directive.identifier))
            case "pragma" where keepConditions:
                if directive.operand == "once" { keep(.pragmaOnce) }
            case "include", "include_next", "import":
                guard live else { break }
                let operand = directive.operand
                guard let first = operand.first else { break }
                var form = IncludeDirective.Form.computed
                var spelled = operand
                if first == "<", let close = operand.firstIndex(of: ">") {
                    form = .angled
                    spelled = String(operand[...close])
                } else if first == "\"", let close = operand.dropFirst().firstIndex(of: "\"") {
                    form = .quoted
                    spelled = String(operand[...close])
                }
                keep(.include(result.count))
                result.append(IncludeDirective(line: startLine, spelled: spelled, form: form,
                                               isNext: directive.name == "include_next"))
            default:
                break
            }
        }
        return ParsedDirectives(includes: result, conditions: conditions, guardMacro: guardMacro(of: conditions))
    }

    /// The include-guard idiom: the first directive `#ifndef X`, the second `#define X`, and
    /// the `#endif` closing the first the last directive.
    static func guardMacro(of conditions: [ConditionalDirective]) -> String? {
        guard conditions.count >= 3, case .ifndef(let name) = conditions[0].kind, !name.isEmpty,
              case .define(name, _) = conditions[1].kind, case .endif = conditions[conditions.count - 1].kind else { return nil }
        var depth = 0
        for (index, directive) in conditions.enumerated() {
            switch directive.kind {
            case .ifExpression, .ifdef, .ifndef: depth += 1
            case .endif:
                depth -= 1
                if depth == 0 { return index == conditions.count - 1 ? name : nil }
            default: break
            }
        }
        return nil
    }

    /// Where a block comment left open at the end of the code line `bytes[from..<to]` starts
    /// (just after its `/*`), or nil. Comments closed on the line, `//` comments and `/*`
    /// inside a string literal do not count.
    private static func blockCommentOpening(in bytes: [UInt8], from: Int, to end: Int) -> Int? {
        var scan = from
        while let slash = find(0x2F, in: bytes, from: scan, to: end) {
            let next: UInt8 = slash + 1 < end ? bytes[slash + 1] : 0
            if next == 0x2A, !insideString(bytes, from: from, to: slash) {
                guard let close = find(0x2A, 0x2F, in: bytes, from: slash + 2), close + 1 < end else { return slash + 2 }
                scan = close + 2
                continue
            }
            if next == 0x2F, !insideString(bytes, from: from, to: slash) { return nil }
            scan = slash + 1
        }
        return nil
    }

    /// Whether `bytes[to]` is inside a "string" that starts on the same line (an odd number
    /// of unescaped double quotes before it, not counting the character literal '"').
    private static func insideString(_ bytes: [UInt8], from: Int, to: Int) -> Bool {
        var quotes = 0
        var index = from
        while let quote = find(0x22, in: bytes, from: index, to: to) {
            let escaped = quote > from && bytes[quote - 1] == 0x5C
            let character = quote > from && bytes[quote - 1] == 0x27 && quote + 1 < bytes.count && bytes[quote + 1] == 0x27
            if !escaped && !character { quotes += 1 }
            index = quote + 1
        }
        return quotes % 2 == 1
    }

    /// The index of `byte` in `bytes[from..<to]` (memchr, so it is fast even unoptimized).
    private static func find(_ byte: UInt8, in bytes: [UInt8], from: Int, to: Int? = nil) -> Int? {
        let end = to ?? bytes.count
        guard from < end else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            guard let found = memchr(base + from, Int32(byte), end - from) else { return nil }
            return UnsafeRawPointer(found) - base
        }
    }

    /// The index of the two-byte sequence `first second` at or after `from`.
    private static func find(_ first: UInt8, _ second: UInt8, in bytes: [UInt8], from: Int) -> Int? {
        var start = from
        while let index = find(first, in: bytes, from: start) {
            if index + 1 < bytes.count, bytes[index + 1] == second { return index }
            start = index + 1
        }
        return nil
    }

    private static func newlines(in bytes: [UInt8], from: Int, to: Int) -> Int {
        var total = 0
        var start = from
        while let index = find(0x0A, in: bytes, from: start, to: to) {
            total += 1
            start = index + 1
        }
        return total
    }

    /// A preprocessing directive line split into its name and operand.
    private struct Directive {
        var name: String
        var operand: String

        init?(_ line: [UInt8], conditions: Bool) {
            var index = 0
            while index < line.count, line[index] == 0x20 || line[index] == 0x09 || line[index] == 0x0D { index += 1 }
            guard index < line.count, line[index] == 0x23 else { return nil }
            index += 1
            while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
            let nameStart = index
            while index < line.count, (line[index] >= 0x61 && line[index] <= 0x7A) || line[index] == 0x5F { index += 1 }
            guard index > nameStart else { return nil }
            name = String(decoding: line[nameStart..<index], as: UTF8.self)
            // Only conditionals and includes need their operand; #define lines are many.
            let needed = ["if", "elif", "include", "include_next", "import"].contains(name)
                || (conditions && ["ifdef", "ifndef", "elifdef", "elifndef", "define", "undef", "pragma"].contains(name))
            guard needed else {
                operand = ""
                return
            }
            var end = line.count
            while index < end, Self.isSpace(line[index]) { index += 1 }
            while end > index, Self.isSpace(line[end - 1]) { end -= 1 }
            operand = String(decoding: line[index..<end], as: UTF8.self)
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A || byte == 0x0B || byte == 0x0C
        }

        /// The identifier the operand starts with (`#ifdef X`, `#define X 1`); empty if none.
        var identifier: String {
            let bytes = operand.utf8
            let end = bytes.firstIndex { !($0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x24) } ?? bytes.endIndex
            guard end != bytes.startIndex, let first = bytes.first, !(first >= 0x30 && first <= 0x39) else { return "" }
            return String(decoding: bytes[..<end], as: UTF8.self)
        }

        /// `#if 0` / `#elif (0)`: a branch that is never compiled.
        var isFalse: Bool {
            var text = Substring(operand)
            while text.hasPrefix("("), text.hasSuffix(")") {
                text = text.dropFirst().dropLast()
                while text.first == " " || text.first == "\t" { text = text.dropFirst() }
                while text.last == " " || text.last == "\t" { text = text.dropLast() }
            }
            return text == "0"
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate var firstNonSpace: UInt8? {
        first { $0 != 0x20 && $0 != 0x09 }
    }
}
