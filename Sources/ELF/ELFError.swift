// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// Why an ELF file or `ar` archive was rejected. Every case names the field that was
/// wrong and carries the offending value, so a message says what to look at.
public enum ELFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first four bytes are not 0x7f 'E' 'L' 'F'.
    case badMagic
    /// EI_CLASS is not ELFCLASS64 (2).
    case unsupportedClass(UInt8)
    /// EI_DATA is not ELFDATA2LSB (1).
    case unsupportedByteOrder(UInt8)
    /// `size` bytes of `field` at `offset` do not fit in a file of `fileSize` bytes
    /// (or the sum overflows 64 bits).
    case truncated(field: String, offset: UInt64, size: UInt64, fileSize: UInt64)
    /// A table's entry size is smaller than the structure it must hold.
    case badEntrySize(field: String, size: UInt64, minimum: UInt64)
    /// An index into a string table, section table or similar is out of range.
    case badIndex(field: String, index: UInt64, count: UInt64)
    /// A value is inconsistent in some other way (e.g. a note's name runs past its segment).
    case badValue(field: String, value: UInt64, reason: String)
    /// The archive does not start with "!<arch>\n" (thin archives are not supported).
    case badArchiveMagic
    /// A member header of an `ar` archive is malformed.
    case badArchiveMember(index: Int, field: String, value: String)

    public var description: String {
        switch self {
        case .badMagic:
            return "ELF: bad magic: the file does not start with 0x7f 'E' 'L' 'F'"
        case let .unsupportedClass(value):
            return "ELF: EI_CLASS \(value) is not supported (only ELFCLASS64 = 2)"
        case let .unsupportedByteOrder(value):
            return "ELF: EI_DATA \(value) is not supported (only little-endian ELFDATA2LSB = 1)"
        case let .truncated(field, offset, size, fileSize):
            return "ELF: \(field): offset \(hex(offset)) + size \(hex(size)) past end of file (\(hex(fileSize)) bytes)"
        case let .badEntrySize(field, size, minimum):
            return "ELF: \(field): entry size \(hex(size)) is smaller than \(hex(minimum))"
        case let .badIndex(field, index, count):
            return "ELF: \(field): index \(index) out of range (\(count) entries)"
        case let .badValue(field, value, reason):
            return "ELF: \(field): value \(hex(value)) \(reason)"
        case .badArchiveMagic:
            return "ar: bad magic: the file does not start with \"!<arch>\\n\""
        case let .badArchiveMember(index, field, value):
            return "ar: member \(index): bad \(field) \(value.debugDescription)"
        }
    }
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
