// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// Splits UTF-8 text into the words that license matching compares: runs of ASCII letters
/// and digits, lower-cased, and other non-ASCII letters. Everything else (white space,
/// punctuation, comment markers, quotes, dashes, bullets, `©`) separates words, which is
/// what makes matching indifferent to reflowing, re-commenting and typography (SPDX
/// matching guidelines, sections on whitespace, case, punctuation and bullets).
/// Each word is reduced to a 64-bit FNV-1a hash of its lower-cased bytes.
struct WordScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset = 0
    /// 1-based line of the word `next()` returned last.
    private(set) var line = 1

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The next word's hash and byte offset, or nil at the end.
    mutating func next() -> (hash: UInt64, start: Int)? {
        let n = bytes.count
        while offset < n {
            let b = bytes[offset]
            if b == 0x0A { line += 1 }
            let separator = separatorLength(at: offset)
            if separator == 0 { break }
            offset += separator
        }
        guard offset < n else { return nil }
        let start = offset
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while offset < n, separatorLength(at: offset) == 0 {
            var b = bytes[offset]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3
            offset += 1
        }
        return (hash == 0 ? 1 : hash, start)
    }

    /// 0 when the byte at `i` belongs to a word, else how many bytes the separator spans.
    @inline(__always)
    private func separatorLength(at i: Int) -> Int {
        let b = bytes[i]
        if b < 0x80 {
            let lower = b | 0x20
            if (lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) { return 0 }
            return 1
        }
        // U+0080...U+00BF (no-break space, ©, «, », ·) and U+2000...U+207F (dashes,
        // typographic quotes, bullets) are punctuation; other non-ASCII is part of words.
        if b == 0xC2 { return min(2, bytes.count - i) }
        if b == 0xE2, i + 1 < bytes.count, bytes[i + 1] == 0x80 || bytes[i + 1] == 0x81 {
            return min(3, bytes.count - i)
        }
        return 0
    }
}

/// FNV-1a 64 of a byte sequence; the cache key of the database files.
func fnv1a(_ bytes: some Sequence<UInt8>, into hash: inout UInt64) {
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
}
