// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Code linked statically into our binaries that no manifest names (a toolchain's
// libraries, e.g. ICU inside Foundation), found from the binaries themselves: the
// copyright statements libraries embed as strings (ICU's U_COPYRIGHT_STRING, OpenSSL's
// version banner), and the license those statements name.

import Crypto
import ELF
import Foundation
import Inventory
import Licensing

struct EmbeddedCode {
    var component: Component
    var notice: String
    /// Absolute paths of the binaries that carry it.
    var binaries: [String]

    /// Printable runs of at least `minimum` bytes.
    static func strings(_ bytes: [UInt8], minimum: Int = 16) -> [String] {
        var result: [String] = []
        var start = -1
        for (index, byte) in bytes.enumerated() {
            if byte >= 0x20 && byte < 0x7f || byte == 0x09 {
                if start < 0 { start = index }
            } else {
                if start >= 0 && index - start >= minimum {
                    result.append(String(decoding: bytes[start..<index], as: UTF8.self))
                }
                start = -1
            }
        }
        if start >= 0 && bytes.count - start >= minimum { result.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return result
    }

    /// Whether the text holds the word "copyright" in any case: a cheap test before the
    /// regular expression, which a 100 MB binary's strings would otherwise all go through.
    static func mentionsCopyright(_ text: String) -> Bool {
        let word = Array("copyright".utf8)
        var matched = 0
        for byte in text.utf8 {
            let lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            matched = lower == word[matched] ? matched + 1 : (lower == word[0] ? 1 : 0)
            if matched == word.count { return true }
        }
        return false
    }

    /// A copyright statement: "Copyright", an optional (C) or ©, then a year.
    static func isStatement(_ text: String) -> Bool {
        text.range(of: #"Copyright\s*(\([Cc]\)|©)?\s*(19|20)[0-9]{2}"#, options: [.regularExpression, .caseInsensitive]) != nil
    }

    /// "Unicode, Inc. and others" from "Copyright (C) 2016 and later: Unicode, Inc. and others. License & ...".
    static func holder(_ statement: String) -> String {
        var text = statement
        if let range = text.range(of: #"^.*?Copyright\s*(\([Cc]\)|©)?\s*[0-9][0-9 ,\-]*(and later)?:?\s*"#,
                                  options: [.regularExpression, .caseInsensitive]) {
            text = String(text[range.upperBound...])
        }
        for stop in [". License", ". All rights", ". Licensed", "; ", " License & ", "  "] {
            if let range = text.range(of: stop) { text = String(text[..<range.lowerBound]) }
        }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: " .,;:"))
    }

    /// A library archive that may have been linked into the binaries, and the component that
    /// supplied it (a toolchain's static libraries).
    struct LinkInput {
        var archive: String
        var suppliedBy: Component
    }

    /// The first link input whose bytes hold one of the statements.
    static func origin(of statements: [String], in inputs: [LinkInput]) -> LinkInput? {
        inputs.first { input in
            guard let data = FileManager.default.contents(atPath: input.archive) else { return false }
            return data.withUnsafeBytes { bytes in
                statements.contains { ByteSearch.contains(bytes, Array($0.utf8)) }
            }
        }
    }

    static func find(in binaries: [String], tree: String, database: LicenseDatabase, linkInputs: [LinkInput] = []) -> [EmbeddedCode] {
        var statements: [String: Set<String>] = [:]
        for binary in binaries {
            guard let data = FileManager.default.contents(atPath: binary) else { continue }
            for string in strings([UInt8](data)) where mentionsCopyright(string) && isStatement(string) {
                statements[string.trimmingCharacters(in: .whitespaces), default: []].insert(binary)
            }
        }
        let detector = LicenseDetector(database: database)
        // One component per holder: several strings of one library name the same holder.
        var byHolder: [String: (statements: [String], binaries: Set<String>)] = [:]
        for (statement, found) in statements {
            let name = holder(statement)
            guard !name.isEmpty else { continue }
            byHolder[name, default: ([], [])].statements.append(statement)
            byHolder[name]!.binaries.formUnion(found)
        }
        return byHolder.sorted { $0.key < $1.key }.map { name, entry in
            let texts = entry.statements.sorted()
            let license = LicenseExpression.conjunction(Array(Set(texts.flatMap { detector.detect(in: $0).map(\.expression) })).sorted())
            let shown = entry.binaries.sorted().map { $0.hasPrefix(tree + "/") ? String($0.dropFirst(tree.count + 1)) : $0 }
            let digest = hex(SHA256.hash(data: Data(name.utf8)).prefix(6))
            var component = Component(
                id: "embedded:\(digest)", kind: .declared, name: "code by \(name)",
                originators: [Agent.spdx(name)],
                declaredLicense: license, concludedLicense: license, copyrightText: texts.joined(separator: "\n"),
                distribution: .distributed,
                comment: "linked into \(shown.joined(separator: ", ")): found from the copyright statement\(texts.count == 1 ? "" : "s") embedded in the binar\(shown.count == 1 ? "y" : "ies"); "
                    + (license == nil ? "no license named in them" : "license from the statement's own words"))
            // Who supplied it: the archive that carries the same statement.
            if let input = origin(of: texts, in: linkInputs) {
                let supplier = input.suppliedBy
                component.supplier = supplier.supplier
                component.version = supplier.version
                component.downloadLocation = supplier.downloadLocation
                component.comment! += "; the same statement is in \(input.archive), part of \(supplier.name)\(supplier.version.map { " \($0)" } ?? "")"
                    + (supplier.supplier.map { " supplied by \($0.replacingOccurrences(of: "Organization: ", with: "").replacingOccurrences(of: "Person: ", with: ""))" } ?? "")
            }
            var notice = "Found in \(shown.joined(separator: ", ")) (strings embedded in the binary):\n"
            notice += texts.map { "  \($0)" }.joined(separator: "\n") + "\n"
            return EmbeddedCode(component: component, notice: notice, binaries: entry.binaries.sorted())
        }
    }
}
