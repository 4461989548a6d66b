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

package enum ByteScan {
    /// The first index of `byte` in `bytes[from..<to]` (`to` nil: the end), or nil.
    @inline(__always)
    package static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? bytes.count, bytes.count)
        guard from < end, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// The first index at or after `from` where `needle` (exact bytes) starts, or nil.
    package static func index(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
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
    package static func lineFeeds(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        var count = 0, k = from
        while let hit = index(of: 0x0A, in: bytes, from: k, to: to) {
            count += 1
            k = hit + 1
        }
        return count
    }

    /// A set of up to 8 bytes, searched for 32 bytes at a time.
    package struct AnyOf: Sendable {
        private let v0, v1, v2, v3, v4, v5, v6, v7: SIMD32<UInt8>
        /// Membership bits (bit b & 63 of word b >> 6), for the bytes of a block with a hit.
        private let bits: SIMD4<UInt64>

        package init(_ members: [UInt8]) {
            precondition(!members.isEmpty && members.count <= 8)
            let m = (0..<8).map { SIMD32<UInt8>(repeating: members[min($0, members.count - 1)]) }
            (v0, v1, v2, v3, v4, v5, v6, v7) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7])
            var bits = SIMD4<UInt64>()
            for b in members { bits[Int(b >> 6)] |= 1 << UInt64(b & 63) }
            self.bits = bits
        }

        @inline(__always)
        func contains(_ b: UInt8) -> Bool { (bits[Int(b >> 6)] >> UInt64(b & 63)) & 1 != 0 }

        @inline(__always)
        func anyMember(_ v: SIMD32<UInt8>) -> Bool {
            any((v .== v0) .| (v .== v1) .| (v .== v2) .| (v .== v3) .| (v .== v4) .| (v .== v5) .| (v .== v6) .| (v .== v7))
        }
    }

    /// The first index at or after `from` whose byte is in `set`, or nil.
    package static func index(ofAny set: AnyOf, in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let n = bytes.count
        var k = max(from, 0)
        while k + 32 <= n {
            if set.anyMember(raw.loadUnaligned(fromByteOffset: k, as: SIMD32<UInt8>.self)) { break }
            k += 32
        }
        while k < n {
            if set.contains(bytes[k]) { return k }
            k += 1
        }
        return nil
    }
}
