// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Byte searches for the passes that look for a rare marker in every file (SPDX tags,
// REUSE-Ignore blocks, MODULE_LICENSE, line ends): memchr skips the bytes between
// candidates many bytes at a time, where a loop over each byte was a few percent of a
// first scan per pass.

#if canImport(Glibc)
import Glibc
#endif

enum ByteScan {
    /// The first index of `byte` in `bytes[from..<to]` (`to` nil: the end), or nil.
    @inline(__always)
    static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? bytes.count, bytes.count)
        guard from < end, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// The first index at or after `from` where `needle` (exact bytes) starts, or nil.
    static func index(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, let base = bytes.baseAddress else { return nil }
        let last = bytes.count - needle.count
        var offset = from
        while offset <= last, let hit = index(of: first, in: bytes, from: offset, to: last + 1) {
            if memcmp(base + hit, needle, needle.count) == 0 { return hit }
            offset = hit + 1
        }
        return nil
    }

    /// How many line feeds `bytes[from..<to]` holds.
    static func lineFeeds(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        var count = 0, k = from
        while let hit = index(of: 0x0A, in: bytes, from: k, to: to) {
            count += 1
            k = hit + 1
        }
        return count
    }
}
