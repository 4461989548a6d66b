// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Finding a byte string inside a binary of a hundred megabytes: memchr finds each
// candidate first byte, memcmp checks the rest (Foundation's Data.range(of:) compares
// byte by byte and is many times slower on such inputs).

#if canImport(Glibc)
import Glibc
#endif

public enum ByteSearch {
    /// Whether `needle` occurs in `bytes`; an empty needle occurs everywhere.
    public static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        firstOffset(of: needle, in: bytes) != nil
    }

    /// The offset of the first occurrence of `needle` in `bytes` at or after `start`.
    public static func firstOffset(of needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard let first = needle.first else { return start }
        guard let base = bytes.baseAddress, bytes.count >= needle.count else { return nil }
        var offset = start
        let last = bytes.count - needle.count
        while offset <= last, let hit = memchr(base + offset, Int32(first), last - offset + 1) {
            let position = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + position, needle, needle.count) == 0 { return position }
            offset = position + 1
        }
        return nil
    }
}
