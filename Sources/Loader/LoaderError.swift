// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import GuestMemory

/// Why a kernel image could not be loaded. Each case names the step or field and the
/// offending value.
public enum LoaderError: Error, Equatable, CustomStringConvertible {
    /// The ELF reader rejected the kernel (or the unpacked bzImage payload).
    case elf(ELFError)
    /// The image is neither ELF nor a bzImage and a flat load was not asked for.
    case unknownFormat(firstBytes: [UInt8])
    /// The kernel has no PT_LOAD segment.
    case noLoadableSegments
    /// A segment, table or blob does not fit in guest memory.
    case outsideGuestMemory(what: String, address: GuestAddress, size: UInt64)
    /// `size` bytes of `field` at file `offset` run past the end of a `fileSize`-byte image.
    case truncated(field: String, offset: UInt64, size: UInt64, fileSize: UInt64)
    /// A header field (setup header, ELF header, PVH note) has a value this loader cannot accept.
    case badField(field: String, value: UInt64, expected: String)
    /// The boot protocol version is below what the 64-bit entry needs.
    case protocolTooOld(version: UInt16, minimum: UInt16)
    case commandLineTooLong(length: Int, maximum: UInt64)
    case commandLineContainsNul
    case initrdLargerThanMemory(size: UInt64, memory: UInt64)
    /// No RAM range below `limit` (from initrd_addr_max and the memory map) holds the initrd.
    case initrdDoesNotFit(size: UInt64, limit: UInt64)
    case tooManyMemoryMapEntries(count: Int, maximum: Int)
    case unsupportedPayload(format: String)
    case decompressionFailed(reason: String)

    public var description: String {
        switch self {
        case let .elf(error):
            return "kernel: \(error)"
        case let .unknownFormat(firstBytes):
            let shown = firstBytes.map { String($0, radix: 16) }.joined(separator: " ")
            return "kernel: not an ELF64 image or a bzImage (first bytes: \(shown)); a flat binary must be asked for explicitly"
        case .noLoadableSegments:
            return "kernel: the ELF image has no PT_LOAD segment"
        case let .outsideGuestMemory(what, address, size):
            return "kernel: \(what): \(hex(size)) bytes at \(address) are outside guest memory"
        case let .truncated(field, offset, size, fileSize):
            return "kernel: \(field): offset \(hex(offset)) + size \(hex(size)) past end of image (\(hex(fileSize)) bytes)"
        case let .badField(field, value, expected):
            return "kernel: \(field) is \(hex(value)), expected \(expected)"
        case let .protocolTooOld(version, minimum):
            return "kernel: boot protocol \(Self.version(version)) is older than \(Self.version(minimum)), which the 64-bit entry needs"
        case let .commandLineTooLong(length, maximum):
            return "kernel: command line of \(length) bytes is longer than the kernel's cmdline_size \(maximum)"
        case .commandLineContainsNul:
            return "kernel: command line contains a NUL byte"
        case let .initrdLargerThanMemory(size, memory):
            return "kernel: initrd larger than memory (\(size) bytes, guest RAM \(memory) bytes)"
        case let .initrdDoesNotFit(size, limit):
            return "kernel: initrd of \(size) bytes does not fit in RAM below \(hex(limit)) above the kernel; give the guest more memory"
        case let .tooManyMemoryMapEntries(count, maximum):
            return "kernel: memory map has \(count) entries, at most \(maximum) fit"
        case let .unsupportedPayload(format):
            return "kernel: bzImage payload is \(format); only xz payloads can be unpacked by the VMM (use the kernel's own decompressor)"
        case let .decompressionFailed(reason):
            return "kernel: unpacking the bzImage xz payload failed: \(reason)"
        }
    }

    static func version(_ value: UInt16) -> String { "\(value >> 8).\(String(format2: value & 0xff))" }
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

private extension String {
    /// Two decimal digits (protocol minor versions print as 2.06, 2.12).
    init(format2 value: UInt16) { self = value < 10 ? "0\(value)" : "\(value)" }
}
