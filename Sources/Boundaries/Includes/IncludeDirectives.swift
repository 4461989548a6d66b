// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The #include directives of one C/C++ file, read textually: comments and `#if 0` regions
// are skipped, every other conditional branch is followed (we cannot know the macros, so
// we over-approximate rather than miss an include).

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

enum IncludeDirectiveParser {
    /// Parses `bytes` (any encoding; directives are ASCII) into directives in line order.
    static func parse(_ bytes: [UInt8]) -> [IncludeDirective] {
        var result: [IncludeDirective] = []
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
            guard let directive = Directive(logical) else { continue }
            switch directive.name {
            case "if":
                stack.append((live, !directive.isFalse))
            case "ifdef", "ifndef":
                stack.append((live, true))
            case "elif":
                if !stack.isEmpty { stack[stack.count - 1].branchLive = !directive.isFalse }
            case "else":
                if !stack.isEmpty { stack[stack.count - 1].branchLive = true }
            case "endif":
                if !stack.isEmpty { stack.removeLast() }
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
                result.append(IncludeDirective(line: startLine, spelled: spelled, form: form,
                                               isNext: directive.name == "include_next"))
            default:
                break
            }
        }
        return result
    }

    /// A preprocessing directive line split into its name and operand.
    private struct Directive {
        var name: String
        var operand: String

        init?(_ line: [UInt8]) {
            var index = 0
            while index < line.count, line[index] == 0x20 || line[index] == 0x09 || line[index] == 0x0D { index += 1 }
            guard index < line.count, line[index] == 0x23 else { return nil }
            index += 1
            while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
            let nameStart = index
            while index < line.count, (line[index] >= 0x61 && line[index] <= 0x7A) || line[index] == 0x5F { index += 1 }
            guard index > nameStart else { return nil }
            name = String(decoding: line[nameStart..<index], as: UTF8.self)
            operand = String(decoding: line[index...], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// `#if 0` / `#elif (0)`: a branch that is never compiled.
        var isFalse: Bool {
            var text = Substring(operand)
            while text.hasPrefix("("), text.hasSuffix(")") {
                text = text.dropFirst().dropLast()
                text = Substring(text.trimmingCharacters(in: .whitespaces))
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
