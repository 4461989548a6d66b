// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Where in a file a license can be *stated*. A license text, notice or declaration counts
// in comments, docstrings and prose (license files, READMEs, manual pages, markup); a
// license name inside a string literal, a regular expression or an identifier of code is a
// *mention* (the program talks about licenses; the file does not state one). Each byte of
// a file gets one region. The lexers are deliberately small: they know line and block
// comments, strings and here-documents of the common languages, and a mistake only moves
// text between "stated" and "mention", never loses it.

/// What a byte of a file is, for license detection.
public enum TextRegion: UInt8, Sendable {
    /// Comment, docstring or prose: license evidence here is the file's own.
    case stated = 0
    /// Code: strings, regexes, identifiers. Evidence here is a mention.
    case code = 1
    /// Neither: `REUSE-IgnoreStart`...`REUSE-IgnoreEnd`, and comment prefixes made of letters
    /// (m4 `dnl`, batch `rem`, Fortran `C`) that would otherwise count as words.
    case ignored = 2
}

enum SourceSyntax: Equatable {
    /// Everything is stated (license files, READMEs, manual pages, markup, unknown text).
    case prose
    /// `//` and `/* */` comments, `"` and `'` strings ending at the line's end, `"""` and
    /// backquote strings spanning lines (C, C++, Java, JS, Swift, Go, Rust, JSON, ...).
    case cLike
    /// `#` comments; strings span lines; `"""`/`'''` strings are docstrings; POD and
    /// here-documents (shell, Python, Perl, Ruby, Make, YAML, TOML, ...).
    case hash
    /// m4 / autoconf: `dnl` and `#` comments.
    case m4
    /// DOS batch: `rem` and `::` comments.
    case batch
    /// Lisp, assembler, ini: `;` comments (assembler also `@`, `#`, `//`, `/* */`).
    case semicolon
    case assembler
    /// SQL, Lua, Haskell, Ada, VHDL: `--` comments.
    case dashDash
    /// TeX, Erlang, MATLAB, PostScript: `%` comments.
    case percent
    /// Fortran: `!` comments; fixed form also `C`, `c` or `*` in column 1.
    case fortran(fixedForm: Bool)
    /// roff (manual pages): prose, with `.\"` comment lines.
    case roff

    static func of(path: String?, bytes: UnsafeBufferPointer<UInt8>) -> SourceSyntax {
        guard let path else { return .prose }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var lowerName = name.lowercased()
        // `config.h.in`, `Makefile.in`: the template has the syntax of what it becomes.
        if lowerName.hasSuffix(".in") && lowerName.count > 3 { lowerName.removeLast(3) }
        if let dot = lowerName.lastIndex(of: "."), dot != lowerName.startIndex {
            let ext = String(lowerName[lowerName.index(after: dot)...])
            if let syntax = byExtension[ext] {
                if case .fortran = syntax { return .fortran(fixedForm: ["f", "for", "f77", "fpp"].contains(ext)) }
                return syntax
            }
        }
        if ["makefile", "gnumakefile", "kconfig", "kbuild", "dockerfile", "cmakelists.txt", "configure",
            "meson.build", "meson_options.txt", "rakefile", "gemfile", "build", "sconstruct", "sconscript",
            ".gitignore", ".gitattributes", ".editorconfig"].contains(lowerName)
            || lowerName.hasPrefix("makefile.") || lowerName.hasPrefix("kconfig.") {
            return .hash
        }
        // A script without an extension: its interpreter line tells.
        if bytes.count > 2 && bytes[0] == UInt8(ascii: "#") && bytes[1] == UInt8(ascii: "!") { return .hash }
        return .prose
    }

    private static let byExtension: [String: SourceSyntax] = {
        var table: [String: SourceSyntax] = [:]
        for e in ["c", "h", "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "inl", "ipp", "tcc", "m", "mm",
                  "java", "js", "mjs", "cjs", "jsx", "ts", "tsx", "swift", "go", "rs", "cs", "kt", "kts",
                  "scala", "groovy", "gradle", "dart", "php", "css", "scss", "less", "dts", "dtsi", "proto",
                  "json", "jsonc", "json5", "y", "yy", "l", "lex", "d", "zig", "v", "sv", "svh", "vala",
                  "glsl", "hlsl", "cu", "cuh", "ino", "sol", "thrift", "bpf", "lds", "modulemap", "idl"] {
            table[e] = .cLike
        }
        for e in ["sh", "bash", "zsh", "ksh", "fish", "py", "pyw", "pyi", "pl", "pm", "t", "rb", "mk", "mak",
                  "cmake", "yaml", "yml", "toml", "cfg", "conf", "awk", "sed", "tcl", "r", "nix", "ps1",
                  "psm1", "exp", "gyp", "gypi", "bzl", "bazel", "pri", "pro", "pxd", "pyx", "coffee", "cr",
                  "jl", "nim", "ex", "exs", "properties", "desktop", "service", "gitignore"] {
            table[e] = .hash
        }
        for e in ["m4", "ac"] { table[e] = .m4 }
        for e in ["bat", "cmd"] { table[e] = .batch }
        for e in ["el", "lisp", "lsp", "cl", "scm", "ss", "rkt", "clj", "cljs", "edn", "ini", "inf", "reg"] {
            table[e] = .semicolon
        }
        for e in ["s", "asm", "nasm", "inc"] { table[e] = .assembler }
        for e in ["sql", "lua", "hs", "lhs", "ada", "adb", "ads", "vhd", "vhdl", "elm", "purs", "agda"] {
            table[e] = .dashDash
        }
        for e in ["tex", "sty", "cls", "dtx", "ins", "bib", "erl", "hrl", "ps", "eps", "mat"] {
            table[e] = .percent
        }
        for e in ["f", "for", "f77", "fpp", "f90", "f95", "f03", "f08"] { table[e] = .fortran(fixedForm: false) }
        for e in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "man", "roff", "mdoc", "ms", "me", "mm", "tmac", "nroff"] {
            table[e] = .roff
        }
        return table
    }()
}

/// Splits a file into regions (one `TextRegion` raw value per byte).
enum SourceContext {
    static func regions(of bytes: UnsafeBufferPointer<UInt8>, path: String?) -> [UInt8] {
        var lexer = Lexer(bytes: bytes, syntax: SourceSyntax.of(path: path, bytes: bytes))
        lexer.run()
        ignoreReuseBlocks(bytes, &lexer.out)
        return lexer.out
    }

    static let ignoreStart = Array("reuse-ignorestart".utf8)
    static let ignoreEnd = Array("reuse-ignoreend".utf8)

    /// REUSE-IgnoreStart ... REUSE-IgnoreEnd (or the end of the file) is ignored.
    static func ignoreReuseBlocks(_ bytes: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) {
        // Locals: the loop runs once per byte of every file, and each use of a static
        // checks that it is initialised (swift_once was 3% of a first scan).
        let ignoreStart = ignoreStart, ignoreEnd = ignoreEnd
        let n = bytes.count
        var start: Int?
        // Both markers have a `-` at offset 5: only the bytes 5 before a `-` can start one.
        // `resume`: the end of the last marker found.
        var resume = 0
        var dash = 5
        while let d = ByteScan.index(of: UInt8(ascii: "-"), in: bytes, from: dash) {
            dash = d + 1
            let i = d - 5
            guard i >= resume, i + ignoreEnd.count <= n, bytes[i] | 0x20 == UInt8(ascii: "r") else { continue }
            if start == nil, matches(ignoreStart, bytes, at: i) {
                start = i
                resume = i + ignoreStart.count
            } else if let s = start, matches(ignoreEnd, bytes, at: i) {
                for k in s..<(i + ignoreEnd.count) { out[k] = TextRegion.ignored.rawValue }
                start = nil
                resume = i + ignoreEnd.count
            } else {
                continue
            }
            dash = max(dash, resume + 5)
        }
        if let s = start { for k in s..<n { out[k] = TextRegion.ignored.rawValue } }
    }

    static func matches(_ marker: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + marker.count <= bytes.count else { return false }
        for (k, m) in marker.enumerated() where bytes[i + k] | (m >= 0x61 ? 0x20 : 0) != m { return false }
        return true
    }
}

private struct Lexer {
    let bytes: UnsafeBufferPointer<UInt8>
    let syntax: SourceSyntax
    var out: [UInt8]
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>, syntax: SourceSyntax) {
        self.bytes = bytes
        self.syntax = syntax
        let initial: TextRegion = syntax == .prose || syntax == .roff ? .stated : .code
        out = [UInt8](repeating: initial.rawValue, count: bytes.count)
    }

    var n: Int { bytes.count }

    func at(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }

    func isLineStart(_ k: Int) -> Bool {
        var j = k - 1
        while j >= 0 && (bytes[j] == 0x20 || bytes[j] == 0x09) { j -= 1 }
        return j < 0 || bytes[j] == 0x0A
    }

    func atWordBoundary(_ k: Int) -> Bool {
        k == 0 || bytes[k - 1] == 0x20 || bytes[k - 1] == 0x09 || bytes[k - 1] == 0x0A || bytes[k - 1] == 0x0D
            || bytes[k - 1] == UInt8(ascii: ";") || bytes[k - 1] == UInt8(ascii: "(") || bytes[k - 1] == UInt8(ascii: ")")
    }

    /// Lower-case ASCII `word` at k followed by a non-letter.
    func word(_ w: String, at k: Int) -> Bool {
        var j = k
        for c in w.utf8 {
            guard j < n, bytes[j] | 0x20 == c else { return false }
            j += 1
        }
        let next = at(j) | 0x20
        return !(next >= 0x61 && next <= 0x7A) && !(at(j) >= 0x30 && at(j) <= 0x39) && at(j) != UInt8(ascii: "_")
    }

    mutating func mark(_ from: Int, _ to: Int, _ region: TextRegion) {
        let end = min(to, n)
        guard from < end else { return }
        out.withUnsafeMutableBufferPointer {
            UnsafeMutableBufferPointer(rebasing: $0[from..<end]).update(repeating: region.rawValue)
        }
    }

    /// From `i` to the end of the line is a comment.
    mutating func lineComment() {
        let start = i
        i = ByteScan.index(of: 0x0A, in: bytes, from: i) ?? n
        mark(start, i, .stated)
    }

    /// A block comment from `i` (at the opener of `openLength` bytes) to `close`.
    mutating func blockComment(openLength: Int, close: [UInt8]) {
        let start = i
        i += openLength
        while i < n {
            if bytes[i] == close[0] && i + close.count <= n && (0..<close.count).allSatisfy({ bytes[i + $0] == close[$0] }) {
                i += close.count
                break
            }
            i += 1
        }
        mark(start, i, .stated)
    }

    /// A string from `i` (at its quote of `quoteLength` bytes); `multiline`: it may span lines.
    mutating func string(quote: [UInt8], multiline: Bool, escapes: Bool = true, region: TextRegion = .code) {
        let start = i
        i += quote.count
        while i < n {
            let b = bytes[i]
            if escapes && b == UInt8(ascii: "\\") { i += 2; continue }
            if b == 0x0A && !multiline { break }
            if b == quote[0] && i + quote.count <= n && (0..<quote.count).allSatisfy({ bytes[i + $0] == quote[$0] }) {
                i += quote.count
                mark(start, i, region)
                return
            }
            i += 1
        }
        mark(start, i, region)
    }

    mutating func run() {
        switch syntax {
        case .prose: return
        case .roff: roff()
        case .cLike: cLike(hashLines: false)
        case .assembler: cLike(hashLines: true)
        case .hash, .m4: hash()
        case .batch: batch()
        case .semicolon: simple(marker: [UInt8(ascii: ";")])
        case .dashDash: dashDash()
        case .percent: simple(marker: [UInt8(ascii: "%")])
        case .fortran(let fixed): fortran(fixedForm: fixed)
        }
    }

    /// roff: all prose; the letters of `.\"` / `'\"` comment introducers need no care
    /// (they are punctuation), so only `.ig` blocks would matter, and those are rare.
    mutating func roff() {}

    mutating func cLike(hashLines: Bool) {
        let openers = hashLines ? Self.assemblerOpeners : Self.cLikeOpeners
        while i < n {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "/"):
                lineComment()
            case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "*"):
                blockComment(openLength: 2, close: Array("*/".utf8))
            case UInt8(ascii: "\"") where at(i + 1) == UInt8(ascii: "\"") && at(i + 2) == UInt8(ascii: "\""):
                string(quote: Array("\"\"\"".utf8), multiline: true)
            case UInt8(ascii: "\""):
                string(quote: [b], multiline: false)
            case UInt8(ascii: "'") where !hashLines:
                string(quote: [b], multiline: false)
            case UInt8(ascii: "`") where !hashLines:
                string(quote: [b], multiline: true)
            case UInt8(ascii: ";") where hashLines, UInt8(ascii: "@") where hashLines:
                lineComment()
            case UInt8(ascii: "#") where hashLines && isLineStart(i) && !preprocessorDirective(i + 1):
                lineComment()
            default:
                // Skip to the next byte that may open a comment or string (most of the code).
                i = ByteScan.index(ofAny: openers, in: bytes, from: i + 1) ?? n
            }
        }
    }

    /// The bytes `cLike` looks at (without and with `hashLines`); anything else is skipped.
    /// (`;` opens a line comment in both: the `where` of its case covers `@` only.)
    static let cLikeOpeners = ByteScan.AnyOf(Array("/\"'`".utf8))
    static let assemblerOpeners = ByteScan.AnyOf(Array("/\";@#".utf8))

    /// `#include`, `#define`, ... in assembler run through cpp are code, not comments.
    func preprocessorDirective(_ k: Int) -> Bool {
        ["include", "define", "undef", "if", "ifdef", "ifndef", "else", "elif", "endif", "error", "pragma", "line"]
            .contains { word($0, at: k) }
    }

    mutating func hash() {
        let m4 = syntax == .m4
        while i < n {
            let b = bytes[i]
            if m4 && (b == UInt8(ascii: "d") || b == UInt8(ascii: "D")) && atWordBoundary(i) && word("dnl", at: i) {
                mark(i, i + 3, .ignored)
                i += 3
                lineComment()
                continue
            }
            switch b {
            case UInt8(ascii: "#") where atWordBoundary(i):
                lineComment()
            case UInt8(ascii: "=") where !m4 && (i == 0 || bytes[i - 1] == 0x0A):
                // Perl POD (`=head1` ... `=cut`) and Ruby `=begin` ... `=end`: documentation.
                let next = at(i + 1)
                if next >= UInt8(ascii: "a") && next <= UInt8(ascii: "z") { pod() } else { i += 1 }
            case UInt8(ascii: "_") where !m4 && isLineStart(i) && (word("__end__", at: i) || word("__data__", at: i)):
                mark(i, n, .stated)
                i = n
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if !m4 && at(i + 1) == b && at(i + 2) == b {
                    string(quote: [b, b, b], multiline: true, region: .stated)  // docstring
                } else if m4 || (b == UInt8(ascii: "'") && i > 0 && isWordByte(bytes[i - 1])) {
                    i += 1  // m4 quotes are not strings; an apostrophe inside a word neither
                } else {
                    string(quote: [b], multiline: true, escapes: b == UInt8(ascii: "\""))
                }
            case UInt8(ascii: "<") where at(i + 1) == UInt8(ascii: "<") && at(i + 2) != UInt8(ascii: "<") && !m4:
                hereDocument()
            default:
                i += 1
            }
        }
    }

    func isWordByte(_ b: UInt8) -> Bool {
        let l = b | 0x20
        return (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39)
    }

    mutating func pod() {
        let start = i
        let isRuby = word("=begin", at: i)
        while i < n {
            // To the `=cut` (`=end`) line, inclusive.
            if i != start && bytes[i - 1] == 0x0A && word(isRuby ? "=end" : "=cut", at: i) {
                while i < n && bytes[i] != 0x0A { i += 1 }
                break
            }
            i += 1
        }
        mark(start, i, .stated)
    }

    /// `<<WORD`, `<<-WORD`, `<<'WORD'`, `<<"WORD"`, `<<\WORD`, `<<~WORD`: the lines up to one
    /// holding only WORD are a string.
    mutating func hereDocument() {
        var k = i + 2
        if at(k) == UInt8(ascii: "-") || at(k) == UInt8(ascii: "~") { k += 1 }
        while at(k) == 0x20 { k += 1 }
        if at(k) == UInt8(ascii: "'") || at(k) == UInt8(ascii: "\"") || at(k) == UInt8(ascii: "\\") { k += 1 }
        let wordStart = k
        while k < n && (isWordByte(bytes[k]) || bytes[k] == UInt8(ascii: "_")) { k += 1 }
        guard k > wordStart, at(wordStart) > UInt8(ascii: "9") else { i += 2; return }
        let terminator = Array(bytes[wordStart..<k])
        var line = k
        while line < n && bytes[line] != 0x0A { line += 1 }
        let bodyStart = line + 1
        var p = bodyStart
        while p < n {
            var e = p
            while e < n && bytes[e] != 0x0A { e += 1 }
            var s = p
            while s < e && (bytes[s] == 0x20 || bytes[s] == 0x09) { s += 1 }
            var t = e
            while t > s && (bytes[t - 1] == 0x20 || bytes[t - 1] == 0x0D || bytes[t - 1] == UInt8(ascii: ";")) { t -= 1 }
            if t - s == terminator.count && Array(bytes[s..<t]) == terminator { p = e; break }
            p = e + 1
        }
        // The rest of the `<<` line is ordinary code (a comment may follow); the body is a string.
        i += 2
        mark(min(bodyStart, n), min(p, n), .code)
        // Lex the opener line normally, then skip the body.
        let end = min(bodyStart, n)
        while i < end {
            if bytes[i] == UInt8(ascii: "#") && atWordBoundary(i) { lineComment(); break }
            i += 1
        }
        i = max(i, min(p, n))
    }

    mutating func batch() {
        while i < n {
            if isLineStart(i) {
                var k = i
                if at(k) == UInt8(ascii: "@") { k += 1 }
                if word("rem", at: k) {
                    mark(k, k + 3, .ignored)
                    i = k + 3
                    lineComment()
                    continue
                }
                if at(k) == UInt8(ascii: ":") && at(k + 1) == UInt8(ascii: ":") { i = k; lineComment(); continue }
            }
            if bytes[i] == UInt8(ascii: "\"") { string(quote: [bytes[i]], multiline: false, escapes: false); continue }
            i += 1
        }
    }

    mutating func simple(marker: [UInt8]) {
        while i < n {
            let b = bytes[i]
            if b == marker[0] && (i == 0 || bytes[i - 1] != UInt8(ascii: "\\")) { lineComment(); continue }
            if b == UInt8(ascii: "\"") { string(quote: [b], multiline: true); continue }
            i += 1
        }
    }

    mutating func dashDash() {
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "-") && at(i + 1) == UInt8(ascii: "-") {
                if at(i + 2) == UInt8(ascii: "[") && at(i + 3) == UInt8(ascii: "[") {
                    blockComment(openLength: 4, close: Array("]]".utf8))  // Lua
                } else {
                    lineComment()
                }
                continue
            }
            if b == UInt8(ascii: "{") && at(i + 1) == UInt8(ascii: "-") {
                blockComment(openLength: 2, close: Array("-}".utf8))  // Haskell
                continue
            }
            if b == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "*") {
                blockComment(openLength: 2, close: Array("*/".utf8))  // SQL
                continue
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                string(quote: [b], multiline: false)
                continue
            }
            i += 1
        }
    }

    mutating func fortran(fixedForm: Bool) {
        while i < n {
            let b = bytes[i]
            if fixedForm && (i == 0 || bytes[i - 1] == 0x0A)
                && (b == UInt8(ascii: "C") || b == UInt8(ascii: "c") || b == UInt8(ascii: "*")) {
                mark(i, i + 1, .ignored)
                i += 1
                lineComment()
                continue
            }
            if b == UInt8(ascii: "!") { lineComment(); continue }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { string(quote: [b], multiline: false, escapes: false); continue }
            i += 1
        }
    }
}
