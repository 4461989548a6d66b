// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// glibc's `/etc/ld.so.cache` in the "glibc-ld.so.cache1.1" format (also found after an
/// old "ld.so-1.7.0" table).
enum LdSoCache {
    struct Entry {
        var flags: Int32
        var soname: String
        var path: String

        /// FLAG_ELF_LIBC6 with FLAG_X8664_LIB64 for x86-64; other machines: any libc6 entry.
        func isCompatible(machine: UInt16) -> Bool {
            if machine == 62 { return flags & 0xFFFF == 0x0303 }
            return flags & 0xFF == 0x03
        }
    }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    private static let magic = Array("glibc-ld.so.cache1.1".utf8)

    static func parse(_ bytes: [UInt8]) throws -> [Entry] {
        guard let start = find(magic, in: bytes) else { throw FormatError(description: "ld.so.cache: no glibc-ld.so.cache1.1 header") }
        func u32(_ at: Int) throws -> UInt32 {
            guard at >= 0, at + 4 <= bytes.count else { throw FormatError(description: "ld.so.cache: truncated at offset \(at)") }
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func string(_ at: UInt32) throws -> String {
            // Offsets count from the start of the new-format table.
            let begin = start + Int(at)
            guard begin < bytes.count else { throw FormatError(description: "ld.so.cache: string offset \(at) out of range") }
            guard let end = bytes[begin...].firstIndex(of: 0) else { throw FormatError(description: "ld.so.cache: unterminated string at \(at)") }
            return String(decoding: bytes[begin..<end], as: UTF8.self)
        }
        let count = Int(try u32(start + 20))
        let headerSize = 48, entrySize = 24
        guard count <= (bytes.count - start) / entrySize else {
            throw FormatError(description: "ld.so.cache: \(count) entries do not fit in \(bytes.count) bytes")
        }
        var entries: [Entry] = []
        for i in 0..<count {
            let at = start + headerSize + i * entrySize
            let flags = Int32(bitPattern: try u32(at))
            entries.append(Entry(flags: flags, soname: try string(try u32(at + 4)), path: try string(try u32(at + 8))))
        }
        return entries
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}
