// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// REUSE information given to files from outside them: `REUSE.toml` annotations (REUSE
// 3.2, including nested REUSE.toml files, whose paths are relative to their directory)
// and the older `.reuse/dep5`. Within one REUSE.toml the last matching annotation wins;
// between files the one closest to the file wins, unless an outer one says `override`.
// The annotation's `precedence` (closest, aggregate, override) is recorded on the file.

import Foundation
import Licensing
import TOMLKit

struct ReuseAnnotations {
    struct Annotation {
        var paths: [Glob]
        var precedence: String
        var license: String?
        var copyrights: [String]
    }

    /// The annotations of each REUSE.toml, by its directory ("" for the root), outermost first.
    var tomlFiles: [(base: String, annotations: [Annotation])] = []
    var dep5: DEP5File?

    /// Whether the tree has REUSE annotations for `load` to read: REUSE.toml files or `.reuse/dep5`.
    static func present(root: String, tomlFiles: [String]) -> Bool {
        !tomlFiles.isEmpty || fileExists(root + "/" + dep5Path)
    }

    private static let dep5Path = ".reuse/dep5"

    /// Reads the REUSE.toml files (paths relative to `root`) and `.reuse/dep5` if present;
    /// problems become findings.
    static func load(root: String, tomlFiles: [String], database: LicenseDatabase, findings: inout [Finding]) -> ReuseAnnotations {
        var result = ReuseAnnotations()
        let ordered = tomlFiles.sorted { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
        for file in ordered {
            let base = file == "REUSE.toml" ? "" : String(file.dropLast("/REUSE.toml".count))
            do {
                let annotations = try parseTOML(try readTextFile(root + "/" + file), path: file, database: database, findings: &findings)
                result.tomlFiles.append((base, annotations))
            } catch let error as TOMLParseError {
                findings.append(Finding(path: file, line: error.source.begin.line, rule: "malformed-reuse-toml",
                                        severity: .error, message: error.description))
            } catch {
                findings.append(Finding(path: file, rule: "unreadable-file", severity: .error, message: "\(error)"))
            }
        }
        if fileExists(root + "/" + dep5Path) {
            do {
                let text = try readTextFile(root + "/" + dep5Path)
                let dep5 = DEP5File(text: text)
                for stanza in dep5.stanzas {
                    if let license = stanza.license {
                        _ = validatedExpression(license, path: ".reuse/dep5", line: stanza.line, database: database, findings: &findings)
                    }
                }
                result.dep5 = dep5
            } catch {
                findings.append(Finding(path: ".reuse/dep5", rule: "unreadable-file", severity: .error, message: "\(error)"))
            }
        }
        return result
    }

    private static func parseTOML(_ text: String, path: String, database: LicenseDatabase, findings: inout [Finding]) throws -> [Annotation] {
        let table = try TOMLTable(string: text)
        if let version = table["version"]?.int, version != 1 {
            findings.append(Finding(path: path, rule: "unsupported-reuse-toml-version", severity: .warning,
                                    message: "version \(version); only version 1 is known, reading it as version 1"))
        }
        guard let list = table["annotations"]?.array else { return [] }
        var annotations: [Annotation] = []
        for (index, item) in list.enumerated() {
            let here = "annotations[\(index)]"
            guard let entry = item.table else {
                findings.append(Finding(path: path, rule: "malformed-reuse-toml", severity: .error,
                                        message: "\(here) is not a table"))
                continue
            }
            let paths = strings(entry["path"])
            if paths.isEmpty {
                findings.append(Finding(path: path, rule: "malformed-reuse-toml", severity: .error,
                                        message: "\(here).path is missing or not a string or array of strings"))
                continue
            }
            let precedence = entry["precedence"]?.string ?? "closest"
            guard ["closest", "aggregate", "override"].contains(precedence) else {
                findings.append(Finding(path: path, rule: "malformed-reuse-toml", severity: .error,
                                        message: "\(here).precedence is \"\(precedence)\"; expected closest, aggregate or override"))
                continue
            }
            let licenses = strings(entry["SPDX-License-Identifier"])
            var license: String?
            if !licenses.isEmpty {
                let joined = licenses.count == 1 ? licenses[0] : licenses.map { "(\($0))" }.joined(separator: " AND ")
                license = validatedExpression(joined, path: path, line: nil, database: database, findings: &findings)
            }
            annotations.append(Annotation(paths: paths.map { Glob($0) }, precedence: precedence, license: license,
                                          copyrights: strings(entry["SPDX-FileCopyrightText"])))
        }
        return annotations
    }

    private static func strings(_ value: TOMLValueConvertible?) -> [String] {
        guard let value else { return [] }
        if let s = value.string { return [s] }
        return value.array?.compactMap { $0.string } ?? []
    }

    /// Applies the annotations to a scanned file.
    func apply(to record: inout FileRecord) {
        var matches: [Annotation] = []
        for (base, annotations) in tomlFiles {
            guard base.isEmpty || record.path.hasPrefix(base + "/") else { continue }
            let local = base.isEmpty ? record.path : String(record.path.dropFirst(base.count + 1))
            if let a = annotations.last(where: { a in a.paths.contains { $0.matches(local) } }) { matches.append(a) }
        }
        if let annotation = matches.first(where: { $0.precedence == "override" }) ?? matches.last {
            record.reuseLicense = annotation.license
            record.reuseCopyrights = annotation.copyrights
            record.reusePrecedence = annotation.precedence
            if annotation.precedence == "closest" {
                // The file's own information is closer: the annotation fills only what is missing.
                if !record.licenseTags.isEmpty { record.reuseLicense = nil }
                if !record.copyrights.isEmpty { record.reuseCopyrights = [] }
            }
        } else if let stanza = dep5?.stanza(for: record.path) {
            record.reuseLicense = stanza.license.flatMap { try? LicenseExpression.parse($0).normalized.description }
            record.reuseCopyrights = stanza.copyright
            record.reusePrecedence = "aggregate"
        }
    }
}

/// Parses and normalises an SPDX expression found at `path:line`; a malformed expression or
/// an id the database does not know becomes a finding. Returns the normalised expression,
/// or nil when it does not parse.
func validatedExpression(_ value: String, path: String, line: Int?, database: LicenseDatabase,
                         findings: inout [Finding]) -> String? {
    let expression: LicenseExpression
    do {
        expression = try LicenseExpression.parse(value)
    } catch {
        findings.append(Finding(path: path, line: line, rule: "malformed-license-expression", severity: .error,
                                message: "\"\(value)\": \(error)"))
        return nil
    }
    for id in database.unknownIDs(in: expression) {
        findings.append(Finding(path: path, line: line, rule: "unknown-license-id", severity: .error,
                                message: "\"\(id)\" in \"\(value)\" is not an SPDX license or exception id"))
    }
    return expression.normalized.description
}
