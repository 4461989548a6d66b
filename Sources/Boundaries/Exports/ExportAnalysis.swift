// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Source-level facts for the GPL-only symbol rule: which symbols a C file exports (the
// driver shim's CANDOR_EXPORT / CANDOR_EXPORT_GPL, the kernel's EXPORT_SYMBOL family),
// where code uses them, and, on a Linux tree, which files make up which module under
// which MODULE_LICENSE, judged the way modpost does.

import Foundation
import Licensing

public struct ExportedSymbol: Codable, Hashable, Sendable {
    public var symbol: String
    public var gplOnly: Bool
    public var location: SourceLocation

    public init(symbol: String, gplOnly: Bool, location: SourceLocation) {
        self.symbol = symbol
        self.gplOnly = gplOnly
        self.location = location
    }
}

public struct SymbolUse: Codable, Hashable, Sendable {
    public var symbol: String
    public var location: SourceLocation

    public init(symbol: String, location: SourceLocation) {
        self.symbol = symbol
        self.location = location
    }
}

public struct KernelModule: Codable, Hashable, Sendable {
    /// Module name: `foo` for foo.ko.
    public var name: String
    /// Tree-relative .c files making up the module, sorted.
    public var sources: [String]
    /// The MODULE_LICENSE string (the first one when there are several).
    public var license: String?
    public var licenseLocation: SourceLocation?

    public init(name: String, sources: [String], license: String? = nil, licenseLocation: SourceLocation? = nil) {
        self.name = name
        self.sources = sources
        self.license = license
        self.licenseLocation = licenseLocation
    }
}

public enum ExportAnalysis {
    /// Export macros and whether they export GPL-only.
    static let exportMacros: [String: Bool] = [
        "CANDOR_EXPORT": false, "CANDOR_EXPORT_GPL": true,
        "EXPORT_SYMBOL": false, "EXPORT_SYMBOL_GPL": true,
        "EXPORT_SYMBOL_NS": false, "EXPORT_SYMBOL_NS_GPL": true,
        "EXPORT_SYMBOL_GPL_FUTURE": true,
    ]
    private static let exportHashes: [UInt64: Bool] = Dictionary(uniqueKeysWithValues: exportMacros.map {
        (CLexer.fnv1a($0.key.utf8), $0.value)
    })
    private static let moduleLicenseHash = CLexer.fnv1a("MODULE_LICENSE".utf8)

    /// CANDOR_EXPORT(x) / CANDOR_EXPORT_GPL(x) and EXPORT_SYMBOL(x) / EXPORT_SYMBOL_GPL(x) /
    /// EXPORT_SYMBOL_NS(x, ns) / EXPORT_SYMBOL_NS_GPL(x, ns) in C source text, in order.
    public static func exports(in text: String, path: String) -> [ExportedSymbol] {
        withBytes(text) { bytes in
            guard contains(bytes, "EXPORT") else { return [] }
            let tokens = CLexer.tokens(bytes)
            var result: [ExportedSymbol] = []
            for index in tokens.indices where tokens[index].kind == .identifier {
                guard let gplOnly = exportHashes[tokens[index].hash],
                      exportMacros[string(bytes, tokens[index])] != nil,
                      index + 3 < tokens.count,
                      tokens[index + 1].kind == .punctuation, tokens[index + 1].byte == UInt8(ascii: "("),
                      tokens[index + 2].kind == .identifier,
                      tokens[index + 3].kind == .punctuation,
                      tokens[index + 3].byte == UInt8(ascii: ")") || tokens[index + 3].byte == UInt8(ascii: ",")
                else { continue }
                result.append(ExportedSymbol(symbol: string(bytes, tokens[index + 2]), gplOnly: gplOnly,
                                             location: SourceLocation(path: path, line: Int(tokens[index].line))))
            }
            return result
        }
    }

    /// Uses of any of `symbols` as identifiers in C code, in order: not in comments,
    /// strings or preprocessor lines, not as the argument of an export macro, not a member
    /// name after `.` or `->`, and not a declaration or definition of the symbol (at file
    /// scope, a name counts only after `=` in an initializer).
    /// Builds the lookup table on each call: over many files, build an `IdentifierSet`
    /// once and use `uses(of:in:path:)` with it.
    public static func uses(of symbols: Set<String>, in text: String, path: String) -> [SymbolUse] {
        uses(of: IdentifierSet(symbols), in: text, path: path)
    }

    public static func uses(of table: IdentifierSet, in text: String, path: String) -> [SymbolUse] {
        guard !table.isEmpty else { return [] }
        return withBytes(text) { bytes in
            var result: [SymbolUse] = []
            var depth = 0  // brace depth
            var afterAssignment = false  // at file scope: inside an initializer
            // The two tokens before the current one (streamed: kernel trees are large).
            var previous = CToken(kind: .punctuation, byte: UInt8(ascii: ";"), start: 0, end: 0, line: 0, hash: 0)
            var beforePrevious = previous
            CLexer.scan(bytes) { token in
                defer {
                    beforePrevious = previous
                    previous = token
                }
                if token.kind == .punctuation {
                    switch token.byte {
                    case UInt8(ascii: "{"): depth += 1
                    case UInt8(ascii: "}"):
                        depth = max(0, depth - 1)
                        if depth == 0 { afterAssignment = false }
                    case UInt8(ascii: ";"): if depth == 0 { afterAssignment = false }
                    case UInt8(ascii: "="): if depth == 0 { afterAssignment = true }
                    default: break
                    }
                    return
                }
                guard token.kind == .identifier, let symbol = table.lookup(bytes, token) else { return }
                if previous.kind == .punctuation, previous.byte == UInt8(ascii: ".") || previous.byte == CLexer.arrow { return }
                if previous.kind == .punctuation, previous.byte == UInt8(ascii: "("), beforePrevious.kind == .identifier,
                   exportHashes[beforePrevious.hash] != nil, exportMacros[string(bytes, beforePrevious)] != nil { return }
                if depth == 0 && !afterAssignment { return }  // a declarator at file scope
                result.append(SymbolUse(symbol: symbol, location: SourceLocation(path: path, line: Int(token.line))))
            }
            return result
        }
    }

    /// modpost's list (include/linux/license.h, license_is_gpl_compatible): exact strings.
    public static func isGPLCompatibleModuleLicense(_ license: String) -> Bool {
        ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"].contains(license)
    }

    /// The SPDX expression of a MODULE_LICENSE string: Licensing's reading of the strings
    /// the kernel defines (`KernelModuleLicense`), anything else a LicenseRef.
    public static func spdx(moduleLicense: String) -> String {
        if let expression = KernelModuleLicense.expression(moduleLicense) { return expression }
        return "LicenseRef-module-" + moduleLicense.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
    }

    /// Module.symvers lines (`crc<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL_GPL[<TAB>ns]`):
    /// the exports of a built kernel, as modpost reads them for out-of-tree modules.
    public static func symvers(in text: String, path: String) -> [ExportedSymbol] {
        var result: [ExportedSymbol] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4, let gplOnly = exportMacros[String(fields[3])] else { continue }
            result.append(ExportedSymbol(symbol: String(fields[1]), gplOnly: gplOnly,
                                         location: SourceLocation(path: path, line: index + 1)))
        }
        return result
    }

    /// MODULE_LICENSE("...") calls in C source text (adjacent literals concatenated).
    static func moduleLicenses(in text: String, path: String) -> [(license: String, location: SourceLocation)] {
        withBytes(text) { bytes in
            guard contains(bytes, "MODULE_LICENSE") else { return [] }
            let tokens = CLexer.tokens(bytes)
            var result: [(String, SourceLocation)] = []
            for index in tokens.indices where tokens[index].kind == .identifier && tokens[index].hash == moduleLicenseHash {
                guard string(bytes, tokens[index]) == "MODULE_LICENSE", index + 2 < tokens.count,
                      tokens[index + 1].kind == .punctuation, tokens[index + 1].byte == UInt8(ascii: "(")
                else { continue }
                var license = ""
                var next = index + 2
                while next < tokens.count, tokens[next].kind == .string {
                    license += literalContents(bytes, tokens[next])
                    next += 1
                }
                guard next > index + 2, next < tokens.count, tokens[next].byte == UInt8(ascii: ")") else { continue }
                result.append((license, SourceLocation(path: path, line: Int(tokens[index].line))))
            }
            return result
        }
    }

    // MARK: Helpers

    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }

    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ token: CToken) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)]), as: UTF8.self)
    }

    /// A string literal's contents with simple escapes resolved.
    static func literalContents(_ bytes: UnsafeBufferPointer<UInt8>, _ token: CToken) -> String {
        var start = Int(token.start) + 1
        var end = Int(token.end)
        if end > start, bytes[end - 1] == UInt8(ascii: "\"") { end -= 1 }
        var out: [UInt8] = []
        while start < end {
            var c = bytes[start]
            if c == 0x5c, start + 1 < end {
                start += 1
                switch bytes[start] {
                case UInt8(ascii: "n"): c = 0x0a
                case UInt8(ascii: "t"): c = 0x09
                default: c = bytes[start]
                }
            }
            out.append(c)
            start += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `needle` occurs in `bytes` (a cheap filter before tokenizing).
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first, pattern.count <= bytes.count, let base = bytes.baseAddress else { return false }
        var i = 0
        let last = bytes.count - pattern.count
        while i <= last {
            guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return false }
            let offset = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + offset, pattern.baseAddress!, pattern.count) == 0 { return true }
            i = offset + 1
        }
        return false
    }
}

/// Symbol names prepared for `ExportAnalysis.uses`: identifiers are looked up by hash
/// first, so most identifiers of a file never become Strings.
public struct IdentifierSet: Sendable {
    private var byHash: [UInt64: [(bytes: [UInt8], name: String)]] = [:]

    public var isEmpty: Bool { byHash.isEmpty }

    public init(_ symbols: Set<String>) {
        for symbol in symbols {
            let bytes = Array(symbol.utf8)
            byHash[CLexer.fnv1a(bytes), default: []].append((bytes, symbol))
        }
    }

    func lookup(_ text: UnsafeBufferPointer<UInt8>, _ token: CToken) -> String? {
        guard let entries = byHash[token.hash] else { return nil }
        let slice = text[Int(token.start)..<Int(token.end)]
        return entries.first { $0.bytes.elementsEqual(slice) }?.name
    }
}
