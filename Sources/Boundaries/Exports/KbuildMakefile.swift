// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Reads a Kbuild makefile the way make would for the lines that name objects: variables
// (`=`, `:=`, `+=`, `?=`), `$(VAR)` references, `$(addprefix)` / `$(addsuffix)`, and
// `include` of other makefiles of the tree. amdgpu builds its display code as
// `amdgpu-y += $(AMD_DISPLAY_FILES)`, filled by included makefiles; without this its files
// would not be seen in their module. Conditionals are not evaluated (every branch counts,
// as a tree read without a .config must), and nothing runs: `$(shell ...)` is empty.

import Foundation

struct KbuildMakefile {
    /// (variable, expanded words) of every assignment, in order, included makefiles inline.
    private(set) var assignments: [(String, [String])] = []
    private var variables: [String: (value: String, recursive: Bool)] = [:]
    private let root: String
    private var included: Set<String> = []

    /// - Parameters:
    ///   - path: the makefile, relative to `rootPrefix` (which ends in "/").
    ///   - text: its text.
    init(path: String, text: String, rootPrefix: String) {
        root = rootPrefix
        let directory = (path as NSString).deletingLastPathComponent
        // Kbuild's own variables: object paths are relative to the makefile's directory.
        variables["srctree"] = (".", false)
        variables["src"] = (directory, false)
        variables["obj"] = (directory, false)
        included.insert(path)
        read(text, depth: 0)
    }

    /// `a/b/../c` -> `a/c`; leading `./` dropped. Nil when it leaves the tree.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    private mutating func read(_ text: String, depth: Int) {
        var logical = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            if line.hasSuffix("\\") {
                logical += line.dropLast() + " "
                continue
            }
            logical += line
            let statement = logical
            logical = ""
            // Recipe lines run commands; they name no objects.
            if statement.hasPrefix("\t") { continue }
            let trimmed = statement.trimmingCharacters(in: .whitespaces)
            if let rest = Self.includeArguments(trimmed) {
                guard depth < 8 else { continue }
                for word in expand(rest).split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                    guard let path = Self.normalize(String(word)), included.insert(path).inserted,
                          let data = FileManager.default.contents(atPath: root + path) else { continue }
                    read(String(decoding: data, as: UTF8.self), depth: depth + 1)
                }
                continue
            }
            guard let equals = statement.firstIndex(of: "=") else { continue }
            var name = statement[..<equals]
            var kind: Character = "="
            if let last = name.last, last == "+" || last == ":" || last == "?" || last == "!" {
                kind = last
                name = name.dropLast()
                // `::=` is `:=`.
                if kind == ":", name.last == ":" { name = name.dropLast() }
            }
            let words = name.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // `export VAR = ...`, `override VAR := ...`.
            guard let last = words.last, words.count == 1 || (words.count == 2 && ["export", "override"].contains(words[0]))
            else { continue }
            let variable = expandName(String(last))
            let raw = String(statement[statement.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            switch kind {
            case "!":
                // A shell command: not run.
                variables[variable] = ("", false)
            case "?":
                if variables[variable] == nil { variables[variable] = (raw, true) }
            case ":":
                variables[variable] = (expand(raw), false)
            case "+":
                if let known = variables[variable] {
                    let added = known.recursive ? raw : expand(raw)
                    variables[variable] = (known.value.isEmpty ? added : known.value + " " + added, known.recursive)
                } else {
                    variables[variable] = (raw, true)
                }
            default:
                variables[variable] = (raw, true)
            }
            let value = expand(raw).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            assignments.append((variable, value))
        }
    }

    private static func includeArguments(_ line: String) -> String? {
        for keyword in ["include ", "-include ", "sinclude "] where line.hasPrefix(keyword) {
            return String(line.dropFirst(keyword.count))
        }
        return nil
    }

    /// A variable's name may itself hold references (`obj-$(CONFIG_FOO)`): only the ones
    /// this makefile defines are expanded, so config symbols stay visible to the reader.
    private func expandName(_ name: String) -> String {
        guard name.contains("$") else { return name }
        var result = ""
        var index = name.startIndex
        while index < name.endIndex {
            if name[index] == "$", let (reference, end) = Self.reference(in: name, at: index),
               variables[reference] != nil {
                result += expand(reference, depth: 1, variable: true)
                index = end
            } else {
                result.append(name[index])
                index = name.index(after: index)
            }
        }
        return result
    }

    func expand(_ text: String) -> String { expand(text, depth: 0, variable: false) }

    /// Expands `text`, or the variable named `text` when `variable`.
    private func expand(_ text: String, depth: Int, variable: Bool) -> String {
        guard depth < 16 else { return "" }
        if variable {
            guard let known = variables[text] else { return "" }
            return known.recursive ? expand(known.value, depth: depth + 1, variable: false) : known.value
        }
        guard text.contains("$") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            guard next < text.endIndex else { break }
            if text[next] == "$" {
                result.append("$")
                index = text.index(after: next)
                continue
            }
            guard let (reference, end) = Self.reference(in: text, at: index) else {
                index = text.index(after: next)
                continue
            }
            index = end
            if let space = reference.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                let function = String(reference[..<space])
                let arguments = Self.splitArguments(String(reference[reference.index(after: space)...]))
                    .map { expand($0, depth: depth + 1, variable: false) }
                result += Self.call(function, arguments)
            } else {
                result += expand(expand(reference, depth: depth + 1, variable: false), depth: depth + 1, variable: true)
            }
        }
        return result
    }

    /// The reference starting at the `$` at `index`: its inside and the index after it.
    private static func reference(in text: String, at index: String.Index) -> (String, String.Index)? {
        let open = text.index(after: index)
        guard open < text.endIndex else { return nil }
        let opener = text[open]
        guard opener == "(" || opener == "{" else {
            return (String(opener), text.index(after: open))
        }
        let closer: Character = opener == "(" ? ")" : "}"
        var level = 0
        var cursor = text.index(after: open)
        while cursor < text.endIndex {
            let character = text[cursor]
            if character == opener { level += 1 }
            if character == closer {
                if level == 0 { return (String(text[text.index(after: open)..<cursor]), text.index(after: cursor)) }
                level -= 1
            }
            cursor = text.index(after: cursor)
        }
        return nil
    }

    /// Arguments of a function call, split at the commas outside nested references.
    private static func splitArguments(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var level = 0
        for character in text {
            if character == "(" || character == "{" { level += 1 }
            if character == ")" || character == "}" { level -= 1 }
            if character == ",", level == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    /// The functions that build object lists; any other (`shell`, `if`, `filter`) is empty.
    private static func call(_ function: String, _ arguments: [String]) -> String {
        guard arguments.count == 2 else { return "" }
        let words = arguments[1].split(whereSeparator: { $0 == " " || $0 == "\t" })
        switch function {
        case "addprefix": return words.map { arguments[0] + $0 }.joined(separator: " ")
        case "addsuffix": return words.map { $0 + arguments[0] }.joined(separator: " ")
        default: return ""
        }
    }
}
