// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// Bounds-checked little-endian access to a byte buffer. `check` validates a whole
/// range once (overflow-safe) and names the field on failure; the integer reads then
/// only touch validated bytes.
struct ByteReader {
    let bytes: [UInt8]

    var count: UInt64 { UInt64(bytes.count) }

    /// The range `[offset, offset+size)` as array indices, or `.truncated` naming `field`.
    func check(offset: UInt64, size: UInt64, field: @autoclosure () -> String) throws -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= count else {
            throw ELFError.truncated(field: field(), offset: offset, size: size, fileSize: count)
        }
        return Int(offset)..<Int(end)
    }

    func slice(offset: UInt64, size: UInt64, field: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        bytes[try check(offset: offset, size: size, field: field())]
    }

    func u8(_ offset: UInt64, _ field: @autoclosure () -> String) throws -> UInt8 {
        try integer(offset, field())
    }
    func u16(_ offset: UInt64, _ field: @autoclosure () -> String) throws -> UInt16 {
        try integer(offset, field())
    }
    func u32(_ offset: UInt64, _ field: @autoclosure () -> String) throws -> UInt32 {
        try integer(offset, field())
    }
    func u64(_ offset: UInt64, _ field: @autoclosure () -> String) throws -> UInt64 {
        try integer(offset, field())
    }

    private func integer<T: FixedWidthInteger>(_ offset: UInt64, _ field: @autoclosure () -> String) throws -> T {
        let range = try check(offset: offset, size: UInt64(MemoryLayout<T>.size), field: field())
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self)) }
    }
}

/// Little-endian reads from a slice whose bounds the caller has already checked.
extension ArraySlice where Element == UInt8 {
    func littleEndian<T: FixedWidthInteger>(at offset: Int, as _: T.Type = T.self) -> T {
        withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// The NUL-terminated string starting at `offset` (to the end of the slice when no
    /// NUL follows), decoded as UTF-8 with invalid sequences replaced.
    func cString(at offset: Int) -> String {
        let start = startIndex + offset
        let end = self[start...].firstIndex(of: 0) ?? endIndex
        return String(decoding: self[start..<end], as: UTF8.self)
    }
}
