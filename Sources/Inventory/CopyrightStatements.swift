// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Copyright statements in free text: "Copyright (C) 2020 Name", "Copyright 2019-2021 The X
// Authors", "(c) 2020 Name", "© Name". A statement runs from its keyword to the end of the
// line. To keep license texts from counting ("the above copyright notice", "(c) You must
// ..."), "Copyright" and "(c)" must be followed by a year, and "Copyright" may carry
// "(c)"/"©" or a colon before it. `SPDX-FileCopyrightText:` tags are left to SPDXTags.

enum CopyrightStatements {
    /// Statements in line order, with their 1-based line numbers.
    static func find(in bytes: [UInt8]) -> [(line: Int, statement: String)] {
        var results: [(Int, String)] = []
        var lineStart = 0
        var lineNumber = 1
        var lastLineWithStatement = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A {
                lineNumber += 1
                lineStart = i + 1
                i += 1
                continue
            }
            var candidate = false
            if (b == UInt8(ascii: "o") || b == UInt8(ascii: "O")) && i > 0 && (bytes[i - 1] | 0x20) == UInt8(ascii: "c")
                && hasPrefixIgnoringCase(bytes, at: i, "opyright") {
                candidate = true
            } else if b == UInt8(ascii: "(") && i + 2 < n && (bytes[i + 1] | 0x20) == UInt8(ascii: "c") && bytes[i + 2] == UInt8(ascii: ")") {
                candidate = true
            } else if b == 0xC2 && i + 1 < n && bytes[i + 1] == 0xA9 {
                candidate = true
            }
            if candidate && lineNumber != lastLineWithStatement {
                var lineEnd = i
                while lineEnd < n && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                let start = b == UInt8(ascii: "o") || b == UInt8(ascii: "O") ? i - 1 : i
                if let statement = statement(Array(bytes[start..<lineEnd]), line: Array(bytes[lineStart..<lineEnd])) {
                    results.append((lineNumber, statement))
                    lastLineWithStatement = lineNumber
                }
                i = lineEnd
                continue
            }
            i += 1
        }
        return results
    }

    private static func hasPrefixIgnoringCase(_ bytes: [UInt8], at i: Int, _ word: String) -> Bool {
        var k = i
        for c in word.utf8 {
            guard k < bytes.count, bytes[k] | 0x20 == c else { return false }
            k += 1
        }
        return true
    }

    /// The statement starting at the keyword, or nil when the keyword is not a copyright statement.
    private static func statement(_ fromKeyword: [UInt8], line: [UInt8]) -> String? {
        let lineText = String(decoding: line, as: UTF8.self)
        if lineText.contains("SPDX-FileCopyrightText") || lineText.contains("SPDX-SnippetCopyrightText") { return nil }
        var text = String(decoding: fromKeyword, as: UTF8.self)
        for closer in ["*/", "-->", "\\n\"", "\""] where text.hasSuffix(closer) { text.removeLast(closer.count) }
        text = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        var rest = Substring(text)
        let symbols = ["(c)", "(C)", "©"]
        if rest.lowercased().hasPrefix("copyright") {
            rest = rest.dropFirst("copyright".count)
            if rest.hasPrefix(":") { rest = rest.dropFirst() }
            rest = rest.drop(while: { $0 == " " })
            var hadSymbol = false
            for s in symbols where rest.hasPrefix(s) {
                rest = rest.dropFirst(s.count).drop(while: { $0 == " " })
                hadSymbol = true
            }
            guard rest.first?.isNumber == true || (hadSymbol && rest.first?.isLetter == true) else { return nil }
        } else if rest.hasPrefix("©") {
            rest = rest.dropFirst().drop(while: { $0 == " " })
            guard rest.first?.isNumber == true || rest.first?.isLetter == true else { return nil }
        } else {
            rest = rest.dropFirst(3).drop(while: { $0 == " " })
            guard rest.first?.isNumber == true else { return nil }
        }
        // A year alone ("Copyright 2020") names no one; and keep statements to one line's worth.
        guard rest.contains(where: { $0.isLetter }) else { return nil }
        return String(text.prefix(300)).trimmingTrailing()
    }
}

extension String {
    func trimmingTrailing() -> String {
        var s = self
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return s
    }
}
