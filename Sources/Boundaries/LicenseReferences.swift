// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Files whose only license statement points at another file of the tree: "See ../COPYING
// for licensing terms", "see the file 'LICENCE' in this directory", "See copyright notice
// in main.c". The detector can only call such a statement an unknown reference; the file
// it names states the license, and the file is under that. A name is looked up in the
// scanned tree only: as a path from the file's directory, else (a license file's name:
// COPYING, LICENSE, ...) in the nearest directory above that holds one, unless the text
// says "this directory". A name that resolves to nothing, or to a file without a license
// of its own, leaves the reference unknown.

import Foundation
import Inventory
import Licensing

enum LicenseReferences {
    /// ScanCode's key for "the license is stated somewhere else".
    static let unknownReference = "LicenseRef-scancode-unknown-license-reference"

    /// The license files' stems a bare name may be looked for above the file.
    static let licenseFileStems = ["COPYING", "LICENSE", "LICENCE", "COPYRIGHT"]

    /// File -> the license of the file its reference names, and that file, for every file
    /// of the report whose license is only an unknown reference that resolves.
    static func resolve(report: ScanReport) -> [String: (license: String, file: String)] {
        let byPath = Dictionary(report.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var resolved: [String: (license: String, file: String)] = [:]
        for record in report.files where FileLicenses.license(of: record) == unknownReference {
            let lines = record.licenseMatches.filter { $0.kind == .reference }.map { ($0.startLine, $0.endLine) }
            guard !lines.isEmpty, let text = referenceText(root: report.root, path: record.path, lines: lines) else { continue }
            let directory = (record.path as NSString).deletingLastPathComponent
            let thisDirectory = text.lowercased().contains("this directory")
            for name in referencedNames(in: text) {
                guard let target = locate(name, from: directory, searchAbove: !thisDirectory, in: byPath), target.path != record.path,
                      let license = FileLicenses.statement(of: target), license != unknownReference else { continue }
                resolved[record.path] = (license, target.path)
                break
            }
        }
        return resolved
    }

    /// The text of the lines (1-based, inclusive ranges) of a file of the tree.
    static func referenceText(root: String, path: String, lines: [(Int, Int)]) -> String? {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { return nil }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { start, end -> String in
            guard start >= 1, start <= end, start <= all.count else { return "" }
            return all[(start - 1)..<min(end, all.count)].joined(separator: " ")
        }.joined(separator: " ")
    }

    /// Words of a reference that name a file: a path, a name with an extension (`main.c`),
    /// or a license file's name; quotes and closing punctuation stripped, in text order.
    static func referencedNames(in text: String) -> [String] {
        let stripped: Set<Character> = ["'", "\"", "`", "(", ")", "[", "]", "<", ">", ",", ";", ":", ".", "*"]
        var names: [String] = []
        for word in text.split(whereSeparator: \.isWhitespace) {
            var name = Substring(word)
            while let first = name.first, stripped.contains(first), first != "." { name = name.dropFirst() }
            while let last = name.last, stripped.contains(last) { name = name.dropLast() }
            guard !name.isEmpty, !name.contains("://"), !name.contains("@") else { continue }
            let base = name.split(separator: "/").last.map(String.init) ?? ""
            let isLicenseFile = licenseFileStems.contains { base == $0 || base.hasPrefix($0 + ".") || base.hasPrefix($0 + "-") }
            let hasExtension = base.dropFirst().contains(".") && base.last != "."
            if name.contains("/") || hasExtension || isLicenseFile { names.append(String(name)) }
        }
        return names
    }

    /// The record `name` names, seen from `directory`: the path from there, else a license
    /// file's name in the nearest directory above.
    static func locate(_ name: String, from directory: String, searchAbove: Bool, in byPath: [String: FileRecord]) -> FileRecord? {
        if let record = byPath[PathText.normalize(PathText.join(directory, name))] { return record }
        let base = (name as NSString).lastPathComponent
        guard searchAbove, !name.contains("/"), licenseFileStems.contains(where: { base == $0 || base.hasPrefix($0 + ".") || base.hasPrefix($0 + "-") })
        else { return nil }
        var above = directory
        while !above.isEmpty {
            above = (above as NSString).deletingLastPathComponent
            if let record = byPath[PathText.join(above, name)] { return record }
        }
        return nil
    }
}
