// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `import` declarations of a Swift file, with their lines: `import X`, `@testable import X`,
// `@_exported public import X`, `import struct X.Y`. Comments and string literals are
// skipped so an import in a doc comment or a test fixture string is not counted.

enum SwiftImportScanner {
    private static let modifiers: Set<Substring> = ["public", "package", "internal", "fileprivate", "private", "open"]
    private static let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var", "actor"]

    static func imports(in bytes: [UInt8]) -> [(line: Int, module: String)] {
        var result: [(line: Int, module: String)] = []
        for (line, text) in codeLines(bytes) {
            for statement in text.split(separator: ";") {
                if let module = importedModule(statement) { result.append((line, module)) }
            }
        }
        return result
    }

    /// The top-level module one statement imports, if it is an import.
    private static func importedModule(_ statement: Substring) -> String? {
        var words = statement.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })[...]
        // Attributes (`@testable`, `@_implementationOnly`, `@preconcurrency`) and access modifiers.
        while let word = words.first, word.hasPrefix("@") || modifiers.contains(word) { words = words.dropFirst() }
        guard words.first == "import" else { return nil }
        words = words.dropFirst()
        if let word = words.first, kinds.contains(word) { words = words.dropFirst() }
        guard let path = words.first else { return nil }
        let module = path.split(separator: ".").first.map(String.init) ?? ""
        guard let first = module.first, first.isLetter || first == "_" else { return nil }
        return module
    }

    /// The file's lines with comments and string literals blanked, numbered from 1.
    private static func codeLines(_ bytes: [UInt8]) -> [(Int, String)] {
        var lines: [(Int, String)] = []
        var current: [UInt8] = []
        var line = 1
        var commentDepth = 0 // Swift block comments nest
        var inString = false
        var multiline = false
        var index = 0
        func flush() {
            lines.append((line, String(decoding: current, as: UTF8.self)))
            current.removeAll(keepingCapacity: true)
            line += 1
        }
        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 0
            if byte == 0x0A { flush(); index += 1; if inString && !multiline { inString = false }; continue }
            if commentDepth > 0 {
                if byte == 0x2A, next == 0x2F { commentDepth -= 1; index += 2; current.append(0x20); continue }
                if byte == 0x2F, next == 0x2A { commentDepth += 1; index += 2; continue }
                index += 1
                continue
            }
            if inString {
                if byte == 0x5C { index += next == 0x0A ? 1 : 2; continue }
                if byte == 0x22 {
                    if multiline {
                        if next == 0x22, index + 2 < bytes.count, bytes[index + 2] == 0x22 { inString = false; index += 3; continue }
                    } else {
                        inString = false
                    }
                }
                index += 1
                continue
            }
            if byte == 0x2F, next == 0x2F {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            }
            if byte == 0x2F, next == 0x2A { commentDepth = 1; index += 2; continue }
            if byte == 0x22 {
                inString = true
                multiline = next == 0x22 && index + 2 < bytes.count && bytes[index + 2] == 0x22
                index += multiline ? 3 : 1
                current.append(0x20)
                continue
            }
            current.append(byte)
            index += 1
        }
        if !current.isEmpty { flush() }
        return lines
    }
}
