// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// One file: hashes (streamed, so size does not matter), binary or text, and for text:
// SPDX tags, copyright statements and license detection. A file larger than
// `textLimit` is hashed but not read as text.

import Crypto
import Foundation
import Licensing

struct FileAnalyzer: Sendable {
    static let textLimit: UInt64 = 64 << 20
    static let binaryProbeSize = 8 << 10
    private static let chunkSize = 1 << 20

    let database: LicenseDatabase
    let detector: LicenseDetector
    let reader: FileReader

    /// The record (nil when the file could not be read) and the findings about it.
    func analyze(path: RawPath, absolute: RawPath, size: UInt64) -> (FileRecord?, [Finding]) {
        let shown = path.display
        var findings: [Finding] = []
        var sha1 = Insecure.SHA1()
        var sha256 = SHA256()
        var text: [UInt8] = []
        var total: UInt64 = 0
        let keepText = size <= FileAnalyzer.textLimit
        do {
            let stream = try reader.open(absolute)
            defer { stream.close() }
            // Chunks no larger than the file (plus one byte, to see its end) where it is small, but
            // not so small that a file which grew since it was listed is read in tiny pieces.
            let chunkSize = Int(min(UInt64(FileAnalyzer.chunkSize), max(16 << 10, size + 1)))
            while true {
                let chunk = try stream.read(max: chunkSize)
                if chunk.isEmpty { break }
                sha1.update(data: chunk)
                sha256.update(data: chunk)
                total += UInt64(chunk.count)
                if keepText || text.count < FileAnalyzer.binaryProbeSize { text += chunk }
            }
        } catch let error as FileAccessError {
            findings.append(Finding(path: shown, rule: error.isPermissionDenied ? "unreadable-file" : "read-error",
                                    severity: .error, message: error.description))
            return (nil, findings)
        } catch {
            findings.append(Finding(path: shown, rule: "read-error", severity: .error, message: "\(error)"))
            return (nil, findings)
        }
        var record = FileRecord(path: shown, size: total, sha1: hex(sha1.finalize()), sha256: hex(sha256.finalize()),
                                isBinary: FileAnalyzer.looksBinary(text.prefix(FileAnalyzer.binaryProbeSize)))
        if record.isBinary { return (record, findings) }
        if total > FileAnalyzer.textLimit || !keepText {
            findings.append(Finding(path: shown, rule: "huge-file", severity: .note,
                                    message: "\(total) bytes, over the \(FileAnalyzer.textLimit >> 20) MiB text limit: hashed, not scanned for licenses"))
            return (record, findings)
        }
        let string = String(decoding: text, as: UTF8.self)
        if string.utf8.count != text.count {
            findings.append(Finding(path: shown, rule: "invalid-utf8", severity: .note,
                                    message: "text is not valid UTF-8; scanned with invalid bytes replaced"))
        }
        analyzeText(string, bytes: text, into: &record, findings: &findings)
        return (record, findings)
    }

    private func analyzeText(_ text: String, bytes: [UInt8], into record: inout FileRecord, findings: inout [Finding]) {
        let detection = detector.analyze(text, path: record.path)
        var copyrights: [(Int, String)] = []
        // Only tags where the file states things: a tag inside a string literal is code's.
        for tag in detection.tags {
            switch tag.kind {
            case .license:
                if let e = validatedExpression(tag.value, path: record.path, line: tag.line, database: database, findings: &findings) {
                    record.licenseTags.append(e)
                }
            case .copyright:
                copyrights.append((tag.line, tag.value))
            }
        }
        copyrights += CopyrightStatements.find(in: bytes)
        var seen = Set<String>()
        record.copyrights = copyrights.sorted { $0.0 < $1.0 }.map { $0.1 }.filter { seen.insert($0).inserted }
        record.licenseMatches = detection.matches
        record.licenseMentions = detection.mentions.isEmpty ? nil : detection.mentions
        record.detectedLicense = detection.expression
        for m in detection.contradictions {
            findings.append(Finding(path: record.path, line: m.startLine, rule: "license-tag-contradicts-text", severity: .error,
                                    message: "the SPDX tag says \(record.licenseTags.joined(separator: " AND ")) but lines \(m.startLine)-\(m.endLine) are a \(m.expression) \(m.kind.rawValue)"))
        }
        for m in detection.matches where m.modifiedFrom != nil {
            findings.append(Finding(path: record.path, line: m.startLine, rule: "modified-license-text", severity: .warning,
                                    message: "lines \(m.startLine)-\(m.endLine) resemble \(m.modifiedFrom!) (\(m.score)% of its words) but differ from it: reported as \(m.expression)"))
        }
    }

    /// A NUL byte in the probe, or mostly bytes that are not UTF-8.
    static func looksBinary(_ probe: ArraySlice<UInt8>) -> Bool {
        if probe.contains(0) { return true }
        if probe.isEmpty { return false }
        var invalid = 0
        var i = probe.startIndex
        while i < probe.endIndex {
            let b = probe[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: invalid += 1; i += 1; continue
            }
            var ok = true
            for k in 1..<length {
                // A sequence cut off by the end of the probe is not held against the file.
                if i + k >= probe.endIndex { break }
                if probe[i + k] & 0xC0 != 0x80 { ok = false; break }
            }
            if ok { i += length } else { invalid += 1; i += 1 }
        }
        return invalid * 10 > probe.count  // more than 10% undecodable
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// Lower-case hex of a digest or any bytes: the one formatter of the compliance targets.
public func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    var out: [UInt8] = []
    for b in digest {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
