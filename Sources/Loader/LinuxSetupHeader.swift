// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// The setup header of a bzImage (Linux Documentation/arch/x86/boot.rst), checked for
/// what the 64-bit boot protocol needs. Offsets are those inside the image, which are
/// also the offsets inside boot_params.
public struct LinuxSetupHeader: Equatable, Sendable {
    /// The header bytes from 0x1f1 to its end (0x202 + the byte at 0x201), as the kernel
    /// built them; copied into boot_params before the loader fills in its own fields.
    public var bytes: [UInt8]

    static let start = 0x1f1
    /// boot_params has room for the header up to 0x290 (then edd_mbr_sig_buffer).
    static let end = 0x290
    /// 2.12 introduced xloadflags, which says whether the 64-bit entry exists.
    public static let minimumVersion: UInt16 = 0x020c

    static let loadedHigh: UInt8 = 0x01
    static let canUseHeap: UInt8 = 0x80
    static let kernel64: UInt16 = 0x0001

    /// Parses and checks the header of a bzImage.
    public init(image: [UInt8]) throws {
        guard image.count >= 0x202 else {
            throw LoaderError.truncated(field: "setup header", offset: UInt64(Self.start), size: UInt64(0x202 - Self.start),
                                        fileSize: UInt64(image.count))
        }
        let end = min(0x202 + Int(image[0x201]), Self.end)
        guard image.count >= end else {
            throw LoaderError.truncated(field: "setup header", offset: UInt64(Self.start), size: UInt64(end - Self.start),
                                        fileSize: UInt64(image.count))
        }
        bytes = Array(image[Self.start..<end])
        guard bootFlag == 0xaa55 else {
            throw LoaderError.badField(field: "setup header boot_flag (0x1fe)", value: UInt64(bootFlag), expected: "0xaa55")
        }
        guard magic == 0x5372_6448 else {
            throw LoaderError.badField(field: "setup header header (0x202)", value: UInt64(magic), expected: "\"HdrS\" (0x53726448)")
        }
        guard version >= Self.minimumVersion else {
            throw LoaderError.protocolTooOld(version: version, minimum: Self.minimumVersion)
        }
        guard xloadflags & Self.kernel64 != 0 else {
            throw LoaderError.badField(field: "setup header xloadflags (0x236)", value: UInt64(xloadflags),
                                             expected: "XLF_KERNEL_64 (bit 0) set: the kernel has no 64-bit entry")
        }
        let kernelOffset = protectedModeOffset
        guard kernelOffset < image.count else {
            throw LoaderError.truncated(field: "protected-mode kernel (setup_sects \(bytes[0]))", offset: UInt64(kernelOffset),
                                        size: 1, fileSize: UInt64(image.count))
        }
    }

    /// The header a vmlinux is booted with: what a bzImage of the same protocol would
    /// carry, with the limits of the x86-64 kernel (COMMAND_LINE_SIZE 2048).
    public static func defaultForVmlinux() -> LinuxSetupHeader {
        var header = LinuxSetupHeader(bytes: [UInt8](repeating: 0, count: 0x26c - start))
        header.set(UInt16(0xaa55), at: 0x1fe)
        header.set(UInt32(0x5372_6448), at: 0x202)
        header.set(UInt16(0x020f), at: 0x206)
        header.set(UInt32(0x7fff_ffff), at: 0x22c)        // initrd_addr_max
        header.set(UInt32(0x0100_0000), at: 0x230)        // kernel_alignment
        header.set(Self.kernel64, at: 0x236)              // xloadflags
        header.set(UInt32(2047), at: 0x238)               // cmdline_size
        return header
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    // Fields read by the loader (offsets as in boot.rst).
    public var setupSectors: UInt8 { bytes[0] }
    public var bootFlag: UInt16 { field(at: 0x1fe) }
    public var magic: UInt32 { field(at: 0x202) }
    public var version: UInt16 { field(at: 0x206) }
    public var loadFlags: UInt8 { field(at: 0x211) }
    public var code32Start: UInt32 { field(at: 0x214) }
    public var initrdAddressMax: UInt32 { field(at: 0x22c) }
    public var kernelAlignment: UInt32 { field(at: 0x230) }
    public var xloadflags: UInt16 { field(at: 0x236) }
    public var commandLineSize: UInt32 { field(at: 0x238) }
    public var payloadOffset: UInt32 { field(at: 0x248) }
    public var payloadLength: UInt32 { field(at: 0x24c) }
    public var preferredAddress: UInt64 { field(at: 0x258) }
    public var initSize: UInt32 { field(at: 0x260) }

    /// Where the protected-mode kernel starts in the image: (setup_sects + 1) * 512,
    /// with setup_sects 0 meaning 4.
    public var protectedModeOffset: Int { (Int(setupSectors == 0 ? 4 : setupSectors) + 1) * 512 }

    /// Reads a little-endian field at its boot_params offset; 0 when the (older) header
    /// ends before it.
    func field<T: FixedWidthInteger>(at offset: Int) -> T {
        let index = offset - Self.start
        guard index >= 0, index + MemoryLayout<T>.size <= bytes.count else { return 0 }
        var value: T = 0
        for byte in bytes[index..<(index + MemoryLayout<T>.size)].reversed() { value = value << 8 | T(byte) }
        return value
    }

    /// Writes a little-endian field at its boot_params offset, growing the header if needed.
    mutating func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        let index = offset - Self.start
        let size = MemoryLayout<T>.size
        if bytes.count < index + size { bytes += [UInt8](repeating: 0, count: index + size - bytes.count) }
        for byte in 0..<size { bytes[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }
}
