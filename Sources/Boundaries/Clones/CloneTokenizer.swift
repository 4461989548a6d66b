// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The normalising tokenizer behind clone detection. One tokenizer serves C, C++, Swift and
// Objective-C text: whitespace, comments and line continuations vanish, every identifier
// becomes one class (`I`) and every literal another (`L`), so a copy with renamed
// identifiers, reflowed whitespace and stripped comments gives the same token sequence as
// its original. Only C keywords keep their identity: they cannot be renamed in C code, while
// words that are keywords elsewhere (`in`, `new`, `class`, `func`) are ordinary identifiers
// in the kernel and a copier may rename them.

/// Normalised tokens of one file, with the line each token starts on (1-based).
struct CloneTokens: Equatable {
    var kinds: [UInt16] = []
    var lines: [UInt32] = []

    var count: Int { kinds.count }
}

enum CloneTokenizer {
    static let identifier: UInt16 = 1
    static let literal: UInt16 = 2

    /// C keywords (C11 plus GNU spellings): the words that stay themselves.
    static let keywords: [String] = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
        "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
        "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
        "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
        "_Complex", "_Static_assert", "_Alignof", "_Alignas", "_Atomic", "_Generic",
        "_Noreturn", "_Thread_local", "asm", "__asm__", "__attribute__", "typeof",
        "__typeof__", "__inline__", "__volatile__", "__restrict", "__extension__",
    ]

    /// Operators longer than one character, longest first (maximal munch).
    static let operators: [String] = [
        "<<=", ">>=", "...", "..<", "===", "!==", "->", "++", "--", "<<", ">>", "<=", ">=",
        "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##", "::",
        "??",
    ]

    /// Tokenizes `text`; `nestedComments` for Swift, where `/* /* */ */` is one comment.
    static func tokenize(_ text: String, nestedComments: Bool) -> CloneTokens {
        var copy = text
        return copy.withUTF8 { tokenize($0, nestedComments: nestedComments) }
    }

    /// Swift files nest block comments; C-family files do not (`/* a /* b */` ends at `*/`).
    static func nestsComments(path: String) -> Bool {
        path.hasSuffix(".swift")
    }

    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, nestedComments: Bool) -> CloneTokens {
        var out = CloneTokens()
        out.kinds.reserveCapacity(bytes.count / 5 + 16)
        out.lines.reserveCapacity(bytes.count / 5 + 16)
        guard let base = bytes.baseAddress else { return out }
        let end = bytes.count
        var i = 0
        var line: UInt32 = 1

        @inline(__always) func at(_ j: Int) -> UInt8 { j < end ? base[j] : 0 }
        @inline(__always) func emit(_ kind: UInt16, _ startLine: UInt32) {
            out.kinds.append(kind)
            out.lines.append(startLine)
        }

        while i < end {
            let c = base[i]
            switch c {
            case 0x0A: // \n
                line &+= 1
                i += 1
            case 0x20, 0x09, 0x0D, 0x0B, 0x0C:
                i += 1
            case 0x5C where at(i + 1) == 0x0A: // line continuation
                line &+= 1
                i += 2
            case 0x5C where at(i + 1) == 0x0D && at(i + 2) == 0x0A:
                line &+= 1
                i += 3
            case 0x2F where at(i + 1) == 0x2F: // line comment
                i += 2
                while i < end && base[i] != 0x0A { i += 1 }
            case 0x2F where at(i + 1) == 0x2A: // block comment
                i += 2
                var depth = 1
                while i < end {
                    let d = base[i]
                    if d == 0x0A {
                        line &+= 1
                        i += 1
                    } else if d == 0x2A && at(i + 1) == 0x2F {
                        i += 2
                        depth -= 1
                        if depth == 0 { break }
                    } else if nestedComments && d == 0x2F && at(i + 1) == 0x2A {
                        i += 2
                        depth += 1
                    } else {
                        i += 1
                    }
                }
            case 0x22: // string
                let startLine = line
                if at(i + 1) == 0x22 && at(i + 2) == 0x22 {
                    i = skipMultilineString(base, end, i + 3, hashes: 0, line: &line)
                } else {
                    i = skipQuoted(base, end, i + 1, quote: 0x22, hashes: 0, line: &line)
                }
                emit(literal, startLine)
            case 0x27: // character literal
                let startLine = line
                i = skipQuoted(base, end, i + 1, quote: 0x27, hashes: 0, line: &line)
                emit(literal, startLine)
            case 0x23 where isRawStringStart(base, end, i): // Swift raw string #"..."#
                let startLine = line
                var hashes = 0
                while at(i) == 0x23 { hashes += 1; i += 1 }
                if at(i + 1) == 0x22 && at(i + 2) == 0x22 {
                    i = skipMultilineString(base, end, i + 3, hashes: hashes, line: &line)
                } else {
                    i = skipQuoted(base, end, i + 1, quote: 0x22, hashes: hashes, line: &line)
                }
                emit(literal, startLine)
            case 0x30...0x39:
                i = skipNumber(base, end, i)
                emit(literal, line)
            case 0x2E where (0x30...0x39).contains(at(i + 1)):
                i = skipNumber(base, end, i)
                emit(literal, line)
            case 0x60: // Swift `escaped` identifier
                var j = i + 1
                while j < end && base[j] != 0x60 && base[j] != 0x0A { j += 1 }
                i = j < end && base[j] == 0x60 ? j + 1 : j
                emit(identifier, line)
            default:
                if isIdentifierStart(c) {
                    let start = i
                    i += 1
                    while i < end && isIdentifierPart(base[i]) { i += 1 }
                    emit(keywordTable.kind(base + start, i - start) ?? identifier, line)
                } else if let (kind, length) = operatorAt(base, end, i) {
                    emit(kind, line)
                    i += length
                } else {
                    emit(256 &+ UInt16(c), line)
                    i += 1
                }
            }
        }
        return out
    }

    @inline(__always) static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c == 0x24 || c >= 0x80
    }

    @inline(__always) static func isIdentifierPart(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || (c >= 0x30 && c <= 0x39)
    }

    /// `#"` or `##"`…: a Swift raw string. C has no `#"` (stringification is `#name`).
    static func isRawStringStart(_ base: UnsafePointer<UInt8>, _ end: Int, _ i: Int) -> Bool {
        var j = i
        while j < end && base[j] == 0x23 { j += 1 }
        return j < end && base[j] == 0x22
    }

    /// Skips to past the closing quote (followed by `hashes` `#`s). Plain strings and character
    /// literals end at a newline too, so an unterminated one swallows at most its own line.
    static func skipQuoted(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int, quote: UInt8,
                           hashes: Int, line: inout UInt32) -> Int {
        var i = start
        while i < end {
            let c = base[i]
            if c == 0x0A { return i }
            if c == 0x5C && hashes == 0 {
                if i + 1 < end && base[i + 1] == 0x0A { line &+= 1 }
                i += 2
                continue
            }
            i += 1
            if c == quote && closesWithHashes(base, end, i, hashes) { return i + hashes }
        }
        return end
    }

    static func skipMultilineString(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int,
                                    hashes: Int, line: inout UInt32) -> Int {
        var i = start
        while i < end {
            let c = base[i]
            if c == 0x0A {
                line &+= 1
                i += 1
            } else if c == 0x5C && hashes == 0 {
                if i + 1 < end && base[i + 1] == 0x0A { line &+= 1 }
                i += 2
            } else if c == 0x22 && i + 2 < end && base[i + 1] == 0x22 && base[i + 2] == 0x22
                        && closesWithHashes(base, end, i + 3, hashes) {
                return i + 3 + hashes
            } else {
                i += 1
            }
        }
        return end
    }

    @inline(__always) static func closesWithHashes(_ base: UnsafePointer<UInt8>, _ end: Int,
                                                   _ i: Int, _ hashes: Int) -> Bool {
        guard hashes > 0 else { return true }
        guard i + hashes <= end else { return false }
        for j in i..<(i + hashes) where base[j] != 0x23 { return false }
        return true
    }

    /// Numbers: digits, letters, `_`, `.`, and a sign after an exponent (`1e-5`, `0x1p+3`).
    static func skipNumber(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) -> Int {
        var i = start + 1
        while i < end {
            let c = base[i]
            if isIdentifierPart(c) || c == 0x2E {
                i += 1
            } else if (c == 0x2B || c == 0x2D) && isExponentMark(base[i - 1]) {
                i += 1
            } else {
                break
            }
        }
        return i
    }

    @inline(__always) static func isExponentMark(_ c: UInt8) -> Bool {
        c == 0x65 || c == 0x45 || c == 0x70 || c == 0x50
    }

    static let operatorBytes: [[UInt8]] = operators.map { Array($0.utf8) }

    static func operatorAt(_ base: UnsafePointer<UInt8>, _ end: Int, _ i: Int) -> (UInt16, Int)? {
        let c = base[i]
        // Only these characters start a multi-character operator.
        switch c {
        case 0x3C, 0x3E, 0x2E, 0x3D, 0x21, 0x2D, 0x2B, 0x26, 0x7C, 0x2A, 0x2F, 0x25, 0x5E, 0x23, 0x3A, 0x3F:
            break
        default:
            return nil
        }
        for (index, op) in operatorBytes.enumerated() where op[0] == c && i + op.count <= end {
            var same = true
            for j in 1..<op.count where base[i + j] != op[j] {
                same = false
                break
            }
            if same { return (UInt16(64 + index), op.count) }
        }
        return nil
    }

    static let keywordTable = KeywordTable(keywords, firstKind: 3)
}

/// Open-addressing table from keyword bytes to token kind: a cheap hash, no allocation per
/// identifier (the kernel has ~100 million of them).
struct KeywordTable: Sendable {
    private var slots: [(key: [UInt8], kind: UInt16)?]
    private let mask: Int
    private let maxLength: Int

    init(_ words: [String], firstKind: UInt16) {
        var size = 16
        while size < words.count * 4 { size *= 2 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
        maxLength = words.map { $0.utf8.count }.max() ?? 0
        for (index, word) in words.enumerated() {
            let bytes = Array(word.utf8)
            var slot = bytes.withUnsafeBufferPointer { KeywordTable.hash($0.baseAddress!, $0.count) } & mask
            while slots[slot] != nil { slot = (slot + 1) & mask }
            slots[slot] = (bytes, firstKind + UInt16(index))
        }
    }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt32 = 2166136261
        for j in 0..<n { h = (h ^ UInt32(p[j])) &* 16777619 }
        return Int(h ^ (h >> 15))
    }

    func kind(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt16? {
        guard n >= 2 && n <= maxLength else { return nil }
        var slot = KeywordTable.hash(p, n) & mask
        while let entry = slots[slot] {
            if entry.key.count == n {
                var same = true
                for j in 0..<n where entry.key[j] != p[j] {
                    same = false
                    break
                }
                if same { return entry.kind }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
