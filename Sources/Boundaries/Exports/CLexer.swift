// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A small C tokenizer, enough to find identifiers in code: comments, string and character
// literals and preprocessor lines are consumed, identifiers carry their line and a hash
// so that callers can look them up without making a String for each one. It runs over
// whole kernel subtrees, so it works on raw bytes in one pass.

struct CToken {
    enum Kind: UInt8 { case identifier, number, string, character, punctuation }
    var kind: Kind
    /// For punctuation: the character; "->" is 0x01.
    var byte: UInt8
    var start: Int32
    var end: Int32
    var line: Int32
    /// FNV-1a of an identifier's bytes.
    var hash: UInt64
}

enum CLexer {
    static let arrow: UInt8 = 0x01

    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    @inline(__always) static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || c == 0x24
    }

    @inline(__always) static func isIdentifierBody(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || (c >= 0x30 && c <= 0x39)
    }

    /// Tokens of C source text.
    static func tokens(_ text: UnsafeBufferPointer<UInt8>) -> [CToken] {
        var tokens: [CToken] = []
        tokens.reserveCapacity(text.count / 8)
        scan(text) { tokens.append($0) }
        return tokens
    }

    /// Calls `body` with each token in order, without collecting them.
    @inline(__always)
    static func scan(_ text: UnsafeBufferPointer<UInt8>, _ body: (CToken) -> Void) {
        let n = text.count
        var i = 0
        var line: Int32 = 1
        var lineStart = true  // only whitespace so far on this line
        while i < n {
            let c = text[i]
            switch c {
            case 0x0a:
                line += 1
                lineStart = true
                i += 1
            case 0x20, 0x09, 0x0d, 0x0b, 0x0c:
                i += 1
            case 0x5c where i + 1 < n && text[i + 1] == 0x0a:  // line splice
                line += 1
                i += 2
            case 0x2f where i + 1 < n && text[i + 1] == 0x2f:  // // comment (with splices)
                i = skipLineComment(text, from: i + 2, line: &line)
            case 0x2f where i + 1 < n && text[i + 1] == 0x2a:  // /* comment */
                i = skipBlockComment(text, from: i + 2, line: &line)
            case 0x23 where lineStart:  // preprocessor directive, to the end of its logical line
                i = skipDirective(text, from: i + 1, line: &line)
            case 0x22, 0x27:
                let start = i
                let startLine = line
                i = skipQuoted(text, from: i + 1, quote: c, line: &line)
                body(CToken(kind: c == 0x22 ? .string : .character, byte: c, start: Int32(start),
                            end: Int32(i), line: startLine, hash: 0))
                lineStart = false
            default:
                lineStart = false
                if isIdentifierStart(c) {
                    let start = i
                    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                    while i < n, isIdentifierBody(text[i]) {
                        hash = (hash ^ UInt64(text[i])) &* 0x0000_0100_0000_01b3
                        i += 1
                    }
                    body(CToken(kind: .identifier, byte: 0, start: Int32(start), end: Int32(i), line: line, hash: hash))
                } else if (c >= 0x30 && c <= 0x39) || (c == 0x2e && i + 1 < n && text[i + 1] >= 0x30 && text[i + 1] <= 0x39) {
                    let start = i
                    i += 1
                    while i < n {
                        let d = text[i]
                        if isIdentifierBody(d) || d == 0x2e {
                            i += 1
                        } else if d == 0x2b || d == 0x2d, text[i - 1] | 0x20 == 0x65 || text[i - 1] | 0x20 == 0x70 {
                            i += 1  // exponent sign
                        } else {
                            break
                        }
                    }
                    body(CToken(kind: .number, byte: 0, start: Int32(start), end: Int32(i), line: line, hash: 0))
                } else if c == 0x2d, i + 1 < n, text[i + 1] == 0x3e {
                    body(CToken(kind: .punctuation, byte: arrow, start: Int32(i), end: Int32(i + 2), line: line, hash: 0))
                    i += 2
                } else {
                    body(CToken(kind: .punctuation, byte: c, start: Int32(i), end: Int32(i + 1), line: line, hash: 0))
                    i += 1
                }
            }
        }
    }

    private static func skipLineComment(_ text: UnsafeBufferPointer<UInt8>, from start: Int, line: inout Int32) -> Int {
        var i = start
        while i < text.count {
            if text[i] == 0x0a {
                if i > 0, text[i - 1] == 0x5c { line += 1; i += 1; continue }  // spliced comment
                return i  // the newline itself is handled by the caller
            }
            i += 1
        }
        return i
    }

    private static func skipBlockComment(_ text: UnsafeBufferPointer<UInt8>, from start: Int, line: inout Int32) -> Int {
        var i = start
        while i < text.count {
            if text[i] == 0x0a { line += 1 }
            if text[i] == 0x2a, i + 1 < text.count, text[i + 1] == 0x2f { return i + 2 }
            i += 1
        }
        return i
    }

    /// Past the closing quote (or to the end of the line for an unterminated literal).
    private static func skipQuoted(_ text: UnsafeBufferPointer<UInt8>, from start: Int, quote: UInt8, line: inout Int32) -> Int {
        var i = start
        while i < text.count {
            let c = text[i]
            if c == quote { return i + 1 }
            if c == 0x5c {
                if i + 1 < text.count, text[i + 1] == 0x0a { line += 1 }
                i += 2
                continue
            }
            if c == 0x0a { return i }
            i += 1
        }
        return text.count
    }

    private static func skipDirective(_ text: UnsafeBufferPointer<UInt8>, from start: Int, line: inout Int32) -> Int {
        var i = start
        while i < text.count {
            let c = text[i]
            switch c {
            case 0x0a:
                return i
            case 0x5c where i + 1 < text.count && text[i + 1] == 0x0a:
                line += 1
                i += 2
            case 0x5c where i + 2 < text.count && text[i + 1] == 0x0d && text[i + 2] == 0x0a:
                line += 1
                i += 3
            case 0x2f where i + 1 < text.count && text[i + 1] == 0x2a:
                i = skipBlockComment(text, from: i + 2, line: &line)
            case 0x2f where i + 1 < text.count && text[i + 1] == 0x2f:
                return skipLineComment(text, from: i + 2, line: &line)
            case 0x22, 0x27:
                i = skipQuoted(text, from: i + 1, quote: c, line: &line)
            default:
                i += 1
            }
        }
        return i
    }
}
