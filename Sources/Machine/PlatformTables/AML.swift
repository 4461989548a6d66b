// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// The few ACPI Machine Language encodings the DSDT needs (ACPI 6.5, chapter 20).
enum AML {
    /// ScopeOp PkgLength NameString TermList.
    static func scope(_ path: String, _ body: [UInt8]) -> [UInt8] {
        [0x10] + packageLength(nameString(path) + body)
    }

    /// ExtOpPrefix DeviceOp PkgLength NameSeg TermList.
    static func device(_ name: String, _ body: [UInt8]) -> [UInt8] {
        [0x5b, 0x82] + packageLength(nameString(name) + body)
    }

    /// NameOp NameString DataRefObject.
    static func name(_ name: String, _ value: [UInt8]) -> [UInt8] {
        [0x08] + nameString(name) + value
    }

    /// A NUL-terminated ASCII string (StringPrefix).
    static func string(_ text: String) -> [UInt8] {
        [0x0d] + Array(text.utf8) + [0]
    }

    /// A compressed EISA ID ("PNP0501" -> 0x0105d041): three letters of 5 bits and four
    /// hex digits, stored as a byte-swapped DWord.
    static func eisaID(_ id: String) -> [UInt8] {
        let characters = Array(id.utf8)
        precondition(characters.count == 7, "EISA ID \(id) must be 3 letters and 4 hex digits")
        var value: UInt32 = 0
        for letter in characters[0..<3] { value = value << 5 | UInt32(letter - 0x40) & 0x1f }
        let digits = UInt32(String(decoding: characters[3...], as: UTF8.self), radix: 16) ?? 0
        value = value << 16 | digits
        return [0x0c] + littleEndian(UInt64(value.byteSwapped), bytes: 4)
    }

    /// The shortest integer encoding (ZeroOp, OneOp, Byte/Word/DWord/QWordPrefix).
    static func integer(_ value: UInt64) -> [UInt8] {
        switch value {
        case 0: return [0x00]
        case 1: return [0x01]
        case ...0xff: return [0x0a] + littleEndian(value, bytes: 1)
        case ...0xffff: return [0x0b] + littleEndian(value, bytes: 2)
        case ...0xffff_ffff: return [0x0c] + littleEndian(value, bytes: 4)
        default: return [0x0e] + littleEndian(value, bytes: 8)
        }
    }

    /// PackageOp PkgLength NumElements PackageElementList.
    static func package(_ elements: [[UInt8]]) -> [UInt8] {
        [0x12] + packageLength([UInt8(elements.count)] + elements.joined())
    }

    /// BufferOp PkgLength BufferSize ByteList.
    static func buffer(_ bytes: [UInt8]) -> [UInt8] {
        [0x11] + packageLength(integer(UInt64(bytes.count)) + bytes)
    }

    /// A ResourceTemplate: the descriptors followed by an End Tag with checksum 0
    /// ("treated as if the checksum operation succeeded").
    static func resourceTemplate(_ descriptors: [[UInt8]]) -> [UInt8] {
        buffer(Array(descriptors.joined()) + [0x79, 0x00])
    }

    /// Memory32Fixed (large resource 0x86): read-write, base, length.
    static func memory32Fixed(base: UInt32, length: UInt32) -> [UInt8] {
        [0x86, 0x09, 0x00, 0x01] + littleEndian(UInt64(base), bytes: 4) + littleEndian(UInt64(length), bytes: 4)
    }

    /// I/O port range (small resource 0x47) with 16-bit decode at a fixed address.
    static func ioPorts(base: UInt16, count: UInt8) -> [UInt8] {
        [0x47, 0x01] + littleEndian(UInt64(base), bytes: 2) + littleEndian(UInt64(base), bytes: 2) + [0x01, count]
    }

    /// Extended Interrupt (large resource 0x89) with one interrupt: consumer, active-high,
    /// exclusive; edge-triggered (ISA devices) or level-triggered (virtio-mmio, whose
    /// InterruptStatus holds the line up until the driver acknowledges it).
    static func interrupt(_ number: UInt32, levelTriggered: Bool = false) -> [UInt8] {
        [0x89, 0x06, 0x00, levelTriggered ? 0b0000_0001 : 0b0000_0011, 0x01] + littleEndian(UInt64(number), bytes: 4)
    }

    /// A root-relative path ("\_SB_") or a single NameSeg; segments are 4 characters.
    static func nameString(_ path: String) -> [UInt8] {
        let bytes = Array(path.utf8)
        precondition(bytes.count == 4 || (bytes.first == 0x5c && bytes.count == 5), "AML name \(path) must be one NameSeg")
        return bytes
    }

    /// PkgLength followed by `body`: the length counts its own encoding bytes too.
    static func packageLength(_ body: [UInt8]) -> [UInt8] {
        let length = body.count
        if length + 1 < 0x40 { return [UInt8(length + 1)] + body }
        for extra in 1...3 {
            let total = length + 1 + extra
            guard total < 1 << (4 + 8 * extra) else { continue }
            var encoded = [UInt8(extra << 6) | UInt8(total & 0x0f)]
            for index in 0..<extra { encoded.append(UInt8(truncatingIfNeeded: total >> (4 + 8 * index))) }
            return encoded + body
        }
        preconditionFailure("AML package of \(length) bytes exceeds 2^28")
    }

    static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
