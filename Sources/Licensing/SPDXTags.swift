// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// `SPDX-License-Identifier:` and `SPDX-FileCopyrightText:` tags in any comment style.
public enum SPDXTags {
    public struct Tag: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable { case license, copyright }
        public var kind: Kind
        /// The value, trimmed of white space, comment closers (`*/`, `-->`) and anything
        /// after a quote (a tag inside a string literal is not a tag of the file).
        public var value: String
        /// 1-based line number.
        public var line: Int

        public init(kind: Kind, value: String, line: Int) {
            self.kind = kind
            self.value = value
            self.line = line
        }
    }

    public static func extract(from text: String) -> [Tag] {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { extract(from: UnsafeBufferPointer($0)) }
    }

    static let licenseMarker = Array("spdx-license-identifier:".utf8)
    static let copyrightMarker = Array("spdx-filecopyrighttext:".utf8)

    /// The scan behind `extract`, on UTF-8 bytes; markers match case-insensitively.
    static func extract(from bytes: UnsafeBufferPointer<UInt8>) -> [Tag] {
        extractWithOffsets(from: bytes).map(\.tag)
    }

    /// Tags with the byte offset of their marker (to tell a comment's tag from a string's).
    static func extractWithOffsets(from bytes: UnsafeBufferPointer<UInt8>) -> [(tag: Tag, offset: Int)] {
        var tags: [(tag: Tag, offset: Int)] = []
        let n = bytes.count
        // Both markers have their first `-` at offset 4: only the bytes 4 before a `-` can
        // start one. `resume`: where the last tag's value ended; lines are counted up to
        // each tag found.
        var line = 1, counted = 0, resume = 0
        var dash = 4
        while let d = ByteScan.index(of: 0x2D, in: bytes, from: dash) {
            dash = d + 1
            let i = d - 4
            guard i >= resume, i + 5 < n, bytes[i] | 0x20 == 0x73 /* s */ else { continue }
            for (marker, kind) in [(licenseMarker, Tag.Kind.license), (copyrightMarker, .copyright)]
            where matches(marker, in: bytes, at: i) {
                let valueStart = i + marker.count
                var end = valueStart
                while end < n, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
                line += ByteScan.lineFeeds(in: bytes, from: counted, to: i)
                counted = i
                if let value = trimmedValue(bytes, valueStart, end) {
                    tags.append((Tag(kind: kind, value: value, line: line), i))
                }
                resume = end
                dash = max(dash, end + 4)
                break
            }
        }
        return tags
    }

    private static func matches(_ marker: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + marker.count <= bytes.count else { return false }
        for k in 0..<marker.count {
            let b = bytes[i + k]
            let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if lower != marker[k] { return false }
        }
        return true
    }

    private static func trimmedValue(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        var value = Array(bytes[start..<end])
        if let quote = value.firstIndex(where: { $0 == 0x22 || $0 == 0x27 || $0 == 0x60 }) {
            value.removeSubrange(quote...)
        }
        let closers: [[UInt8]] = [Array("*/".utf8), Array("-->".utf8)]
        var changed = true
        while changed {
            changed = false
            while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast(); changed = true }
            for closer in closers where value.count >= closer.count && Array(value.suffix(closer.count)) == closer {
                value.removeLast(closer.count)
                changed = true
            }
        }
        while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
        guard !value.isEmpty else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
