// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// Little-endian writer for the compiled index and the scan cache: plain numbers and
/// length-prefixed arrays and strings, so that loading is a handful of memory copies.
public struct BinaryWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write<T: FixedWidthInteger>(array: [T]) {
        write(UInt64(array.count))
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    public mutating func write(string: String) {
        var string = string
        string.withUTF8 { utf8 in
            write(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Strings joined by NUL, which none of them contains.
    public mutating func write(strings: [String]) {
        write(string: strings.joined(separator: "\0"))
        write(UInt64(strings.count))
    }
}

/// Bounds-checked reader for what `BinaryWriter` wrote; a short or damaged file is an error.
public struct BinaryReader {
    public struct Truncated: Error {
        public init() {}
    }
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw Truncated() }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { target in
            bytes.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + size]))
            }
        }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readArray<T: FixedWidthInteger>(of _: T.Type = T.self) throws -> [T] {
        let count64: UInt64 = try read()
        let size = MemoryLayout<T>.stride
        guard count64 <= UInt64((bytes.count - offset) / size) else { throw Truncated() }
        let count = Int(count64)
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count * size]))
            }
            initialized = count
        }
        offset += count * size
        #if _endian(big)
        return result.map { T(littleEndian: $0) }
        #else
        return result
        #endif
    }

    /// Decoded straight from the buffer, without an intermediate array.
    public mutating func readString() throws -> String {
        let count64: UInt64 = try read()
        guard count64 <= UInt64(bytes.count - offset) else { throw Truncated() }
        let start = offset
        offset += Int(count64)
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<offset]), as: UTF8.self) }
    }

    public mutating func readStrings() throws -> [String] {
        let joined = try readArray(of: UInt8.self)
        let count: UInt64 = try read()
        if count == 0 { return [] }
        // Split on bytes: splitting a String by Character is far slower for the texts.
        let parts = joined.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == count else { throw Truncated() }
        return parts.map { String(decoding: $0, as: UTF8.self) }
    }
}
