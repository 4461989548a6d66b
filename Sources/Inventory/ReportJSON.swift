// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The scan report as JSON, written straight into bytes: the same bytes as `JSONEncoder`
// with `.sortedKeys, .prettyPrinted, .withoutEscapingSlashes` (keys in byte order,
// "key" : value, two-space indent, empty containers as "[\n\n]", nil optionals left
// out), which built a Foundation value for each of a Linux tree's 78,000 files and took
// most of a re-scan's time.

import Foundation
import Licensing

public enum ReportJSON {
    /// `report` as `candor scan --format json` prints it (without the final newline).
    public static func encode(_ report: ScanReport) -> [UInt8] {
        var json = PrettyJSONWriter()
        json.beginObject()
        json.key("components")
        json.beginArray()
        for component in report.components {
            json.element()
            json.write(component)
        }
        json.endArray()
        json.key("files")
        json.beginArray()
        for file in report.files {
            json.element()
            json.write(file)
        }
        json.endArray()
        json.key("findings")
        json.beginArray()
        for finding in report.findings {
            json.element()
            json.write(finding)
        }
        json.endArray()
        json.key("root")
        json.string(report.root)
        if let symlinks = report.symlinks {
            json.key("symlinks")
            json.beginArray()
            for link in symlinks {
                json.element()
                json.beginObject()
                json.field("path", link.path)
                json.field("resolution", link.resolution.rawValue)
                json.field("target", link.target)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return json.bytes
    }
}

private extension PrettyJSONWriter {
    // Keys in byte order, as `.sortedKeys` writes them.
    mutating func write(_ file: FileRecord) {
        beginObject()
        field("copyrights", file.copyrights)
        field("detectedLicense", file.detectedLicense)
        key("isBinary")
        bool(file.isBinary)
        field("licenseMatches", file.licenseMatches)
        if let mentions = file.licenseMentions { field("licenseMentions", mentions) }
        field("licenseTags", file.licenseTags)
        field("path", file.path)
        field("reuseCopyrights", file.reuseCopyrights)
        field("reuseLicense", file.reuseLicense)
        field("reusePrecedence", file.reusePrecedence)
        field("sha1", file.sha1)
        field("sha256", file.sha256)
        key("size")
        number(String(file.size))
        endObject()
    }

    mutating func write(_ c: Component) {
        beginObject()
        key("checksums")
        beginObject()
        for algorithm in c.checksums.keys.sorted() { field(algorithm, c.checksums[algorithm]!) }
        endObject()
        field("comment", c.comment)
        field("concludedLicense", c.concludedLicense)
        field("copyrightText", c.copyrightText)
        field("declaredLicense", c.declaredLicense)
        field("distribution", c.distribution.rawValue)
        field("downloadLocation", c.downloadLocation)
        field("fileFormat", c.fileFormat)
        field("files", c.files)
        field("gitCommit", c.gitCommit)
        if let dirty = c.gitDirty {
            key("gitDirty")
            bool(dirty)
        }
        field("id", c.id)
        field("kind", c.kind.rawValue)
        field("location", c.location)
        field("name", c.name)
        if let originators = c.originators { field("originators", originators) }
        field("purl", c.purl)
        key("relationships")
        beginArray()
        for r in c.relationships {
            element()
            beginObject()
            field("kind", r.kind.rawValue)
            field("target", r.target)
            endObject()
        }
        endArray()
        field("sourcePackage", c.sourcePackage)
        field("sourceVersion", c.sourceVersion)
        field("supplier", c.supplier)
        field("version", c.version)
        endObject()
    }

    mutating func field(_ name: String, _ matches: [LicenseMatch]) {
        key(name)
        beginArray()
        for m in matches {
            element()
            beginObject()
            key("endLine")
            number(String(m.endLine))
            field("expression", m.expression)
            field("extractedText", m.extractedText)
            field("kind", m.kind.rawValue)
            field("modifiedFrom", m.modifiedFrom)
            field("rule", m.rule)
            key("score")
            double(m.score)
            key("startLine")
            number(String(m.startLine))
            endObject()
        }
        endArray()
    }

    mutating func write(_ finding: Finding) {
        beginObject()
        if let line = finding.line {
            key("line")
            number(String(line))
        }
        field("message", finding.message)
        field("path", finding.path)
        field("rule", finding.rule)
        field("severity", finding.severity.rawValue)
        endObject()
    }
}

/// Pretty-printed JSON as `JSONEncoder` writes it, built up in order: the caller gives
/// keys already sorted.
struct PrettyJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var indent = 0
    /// Per open container: nothing written into it yet.
    private var empty: [Bool] = []

    init() { bytes.reserveCapacity(1 << 20) }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts a member of the open object: `"name" : `.
    mutating func key(_ name: String) {
        element()
        string(name)
        bytes.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
    }

    /// Starts an element of the open array (or, through `key`, a member of an object).
    mutating func element() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\n"))
        }
        bytes.append(contentsOf: repeatElement(0x20, count: indent))
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Left out when nil, as `encodeIfPresent` does.
    mutating func field(_ name: String, _ value: String?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: String, _ values: [String]) {
        key(name)
        beginArray()
        for value in values {
            element()
            string(value)
        }
        endArray()
    }

    mutating func bool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

    mutating func number(_ digits: String) { bytes.append(contentsOf: digits.utf8) }

    /// As `JSONEncoder` writes a Double: its `description`, without a trailing ".0".
    mutating func double(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        number(text)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A string literal: `"` and `\` escaped, control characters as `\b \t \n \f \r` or
    /// `\u00xx`; `/` and everything else as it is.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 15)]])
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        bytes.append(UInt8(ascii: "\n"))
        indent += 2
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        indent -= 2
        empty.removeLast()
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(0x20, count: indent))
        bytes.append(bracket)
    }
}
