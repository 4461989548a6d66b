// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Reads a Package.swift without running it: a manifest is a Swift program, and a tool
// pointed at a supplier's tree must not execute the supplier's code. The common
// declarative shape (`Package(name:targets:)` with `.target(name:dependencies:path:...)`
// calls whose arguments are literals) is read; whatever needs evaluation (a variable, a
// condition, string interpolation) is reported with its line instead of guessed.

import Foundation

enum ManifestReader {
    /// The manifest in the shape `swift package dump-package` prints (the keys
    /// `SwiftPackageGraph` reads), and what could not be read, by line.
    struct Result {
        var name: String?
        var targets: [[String: Any]] = []
        var problems: [(line: Int, message: String)] = []
    }

    static let targetKinds: [String: String] = [
        "target": "regular", "executableTarget": "executable", "testTarget": "test", "systemLibrary": "system",
        "plugin": "plugin", "macro": "macro", "binaryTarget": "binary",
    ]

    static func read(_ text: String) -> Result {
        let tokens = ManifestTokenizer.tokens(text)
        var result = Result()
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            // `Package(name: "X", ...)`: the package's name.
            if case .identifier("Package") = token.kind, index + 1 < tokens.count, tokens[index + 1].kind == .punct("("),
               result.name == nil {
                var cursor = index + 2
                if let (label, value) = argument(tokens, &cursor), label == "name", case .string(let name) = value {
                    result.name = name
                }
            }
            // `.target(` and its kin, at any depth outside another target's arguments.
            if token.kind == .punct("."), index + 2 < tokens.count, case .identifier(let member) = tokens[index + 1].kind,
               let kind = targetKinds[member], tokens[index + 2].kind == .punct("(") {
                var cursor = index + 3
                let line = tokens[index + 1].line
                var entry: [String: Any] = ["type": kind]
                var unreadable: [String] = []
                while cursor < tokens.count, tokens[cursor].kind != .punct(")") {
                    let before = cursor
                    guard let (label, value) = argument(tokens, &cursor) else { break }
                    if cursor == before { cursor += 1 }  // a stray `]`: never loop in place
                    switch (label, value) {
                    case ("name", .string(let text)), ("path", .string(let text)), ("publicHeadersPath", .string(let text)),
                         ("pkgConfig", .string(let text)):
                        entry[label!] = text
                    case ("exclude", .array(let items)), ("sources", .array(let items)):
                        let strings = items.compactMap { item -> String? in if case .string(let s) = item { return s } else { return nil } }
                        if strings.count != items.count { unreadable.append(label!) }
                        entry[label!] = strings
                    case ("dependencies", .array(let items)):
                        var dependencies: [[String: Any]] = []
                        for item in items {
                            if let dependency = Self.dependency(item) { dependencies.append(dependency) } else { unreadable.append("a dependency") }
                        }
                        entry["dependencies"] = dependencies
                    case (let label?, .unreadable(let text)) where ["path", "exclude", "sources", "dependencies"].contains(label):
                        unreadable.append("\(label): \(text)")
                    default:
                        break  // settings, resources, conditions: not needed for the graph
                    }
                }
                if entry["name"] == nil {
                    result.problems.append((line, "a .\(member)(...) without a literal name: cannot read it without running the manifest"))
                } else {
                    result.targets.append(entry)
                }
                for what in unreadable {
                    result.problems.append((line, "target \(entry["name"] as? String ?? "?"): cannot read \(what) without running the manifest (--trust-build runs it)"))
                }
                index = cursor + 1
                continue
            }
            index += 1
        }
        if result.name == nil {
            result.problems.append((1, "no Package(name: \"...\") with a literal name"))
        }
        return result
    }

    indirect enum Value {
        case string(String)
        case array([Value])
        /// `.target(name: "x")`, `.product(name: "p", package: "q")`, `.byName(name: "x")`.
        case call(String, [String: Value])
        case unreadable(String)
    }

    /// One `label: value` (or a bare value) of an argument list; leaves `cursor` after the
    /// value's trailing comma. Nil at the closing parenthesis or the end.
    static func argument(_ tokens: [ManifestToken], _ cursor: inout Int) -> (String?, Value)? {
        guard cursor < tokens.count, tokens[cursor].kind != .punct(")") else { return nil }
        var label: String?
        if case .identifier(let name) = tokens[cursor].kind, cursor + 1 < tokens.count, tokens[cursor + 1].kind == .punct(":") {
            label = name
            cursor += 2
        }
        let value = Self.value(tokens, &cursor)
        if cursor < tokens.count, tokens[cursor].kind == .punct(",") { cursor += 1 }
        return (label, value)
    }

    /// A value up to the next `,`, `)` or `]` at its own depth.
    static func value(_ tokens: [ManifestToken], _ cursor: inout Int) -> Value {
        let start = cursor
        guard cursor < tokens.count else { return .unreadable("end of file") }
        switch tokens[cursor].kind {
        case .string(let text) where !text.contains("\\("):
            cursor += 1
            if atEnd(tokens, cursor) { return .string(text) }
        case .punct("["):
            cursor += 1
            var items: [Value] = []
            while cursor < tokens.count, tokens[cursor].kind != .punct("]") {
                let before = cursor
                items.append(value(tokens, &cursor))
                if cursor < tokens.count, tokens[cursor].kind == .punct(",") { cursor += 1 }
                if cursor == before { cursor += 1 }  // a stray `)`: never loop in place
            }
            cursor += 1
            if atEnd(tokens, cursor) { return .array(items) }
        case .punct("."):
            if cursor + 2 < tokens.count, case .identifier(let member) = tokens[cursor + 1].kind, tokens[cursor + 2].kind == .punct("(") {
                cursor += 3
                var arguments: [String: Value] = [:]
                var before = cursor
                while let (label, argument) = argument(tokens, &cursor) {
                    arguments[label ?? "_\(arguments.count)"] = argument
                    if cursor == before { cursor += 1 }  // a stray `]`: never loop in place
                    before = cursor
                }
                cursor += 1
                if atEnd(tokens, cursor) { return .call(member, arguments) }
            }
        default:
            break
        }
        // Anything else (a variable, an operator, interpolation): skip to the end of the value.
        cursor = start
        var depth = 0
        var text = ""
        while cursor < tokens.count {
            let kind = tokens[cursor].kind
            if depth == 0, kind == .punct(",") || kind == .punct(")") || kind == .punct("]") { break }
            if kind == .punct("(") || kind == .punct("[") { depth += 1 }
            if kind == .punct(")") || kind == .punct("]") { depth -= 1 }
            if text.count < 40 { text += tokens[cursor].text }
            cursor += 1
        }
        return .unreadable(text)
    }

    private static func atEnd(_ tokens: [ManifestToken], _ cursor: Int) -> Bool {
        cursor >= tokens.count || [.punct(","), .punct(")"), .punct("]")].contains(tokens[cursor].kind)
    }

    /// A dependency in dump-package's shape: byName, target or product.
    static func dependency(_ value: Value) -> [String: Any]? {
        switch value {
        case .string(let name): return ["byName": [name]]
        case .call("target", let arguments):
            guard case .string(let name)? = arguments["name"] else { return nil }
            return ["target": [name]]
        case .call("byName", let arguments):
            guard case .string(let name)? = arguments["name"] else { return nil }
            return ["byName": [name]]
        case .call("product", let arguments):
            guard case .string(let name)? = arguments["name"] else { return nil }
            if case .string(let package)? = arguments["package"] { return ["product": [name, package]] }
            return ["product": [name]]
        default:
            return nil
        }
    }
}

struct ManifestToken {
    enum Kind: Equatable {
        case identifier(String)
        case string(String)
        case punct(Character)
        case other
    }

    var kind: Kind
    var line: Int
    var text: String
}

/// Swift tokens enough for a manifest: identifiers, string literals (escapes kept as
/// written, so interpolation stays visible), punctuation; comments skipped.
enum ManifestTokenizer {
    static func tokens(_ text: String) -> [ManifestToken] {
        let chars = Array(text.unicodeScalars)
        var result: [ManifestToken] = []
        var index = 0
        var line = 1
        while index < chars.count {
            let c = chars[index]
            if c == "\n" { line += 1; index += 1; continue }
            if c == " " || c == "\t" || c == "\r" { index += 1; continue }
            if c == "/", index + 1 < chars.count, chars[index + 1] == "/" {
                while index < chars.count, chars[index] != "\n" { index += 1 }
                continue
            }
            if c == "/", index + 1 < chars.count, chars[index + 1] == "*" {
                index += 2
                while index + 1 < chars.count, !(chars[index] == "*" && chars[index + 1] == "/") {
                    if chars[index] == "\n" { line += 1 }
                    index += 1
                }
                index += 2
                continue
            }
            if c == "\"" {
                let start = line
                var value = ""
                index += 1
                while index < chars.count, chars[index] != "\"", chars[index] != "\n" {
                    if chars[index] == "\\", index + 1 < chars.count {
                        value.unicodeScalars.append(chars[index])
                        index += 1
                    }
                    value.unicodeScalars.append(chars[index])
                    index += 1
                }
                index += 1
                result.append(ManifestToken(kind: .string(value), line: start, text: "\"\(value)\""))
                continue
            }
            if c.properties.isAlphabetic || c == "_" {
                var name = ""
                while index < chars.count, chars[index].properties.isAlphabetic || chars[index] == "_"
                        || ("0"..."9").contains(chars[index]) {
                    name.unicodeScalars.append(chars[index])
                    index += 1
                }
                result.append(ManifestToken(kind: .identifier(name), line: line, text: name))
                continue
            }
            let character = Character(c)
            result.append(ManifestToken(kind: "()[],:.".contains(character) ? .punct(character) : .other, line: line,
                                        text: String(character)))
            index += 1
        }
        return result
    }
}
