// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory
import Loader
import XCTest

/// Hand-built kernel images for the loader tests: the smallest ELF64 and bzImage files
/// that exercise each field the loaders read.
enum Fixtures {
    struct Segment {
        var physicalAddress: UInt64
        var data: [UInt8]
        var memorySize: UInt64
    }

    /// An ELF64 x86-64 executable with the given PT_LOAD segments and notes (one PT_NOTE).
    static func elf(entry: UInt64, segments: [Segment], notes: [(name: String, type: UInt32, desc: [UInt8])] = [],
                    machine: UInt16 = 62) -> [UInt8] {
        var noteBytes: [UInt8] = []
        for note in notes {
            let name = Array(note.name.utf8) + [0]
            noteBytes += le(UInt32(name.count)) + le(UInt32(note.desc.count)) + le(note.type)
            noteBytes += padded(name) + padded(note.desc)
        }
        let headerCount = segments.count + (notes.isEmpty ? 0 : 1)
        var offset = 64 + 56 * headerCount
        var headers: [UInt8] = []
        var data: [UInt8] = []
        for segment in segments {
            headers += le(UInt32(1)) + le(UInt32(7)) + le(UInt64(offset)) + le(segment.physicalAddress)
            headers += le(segment.physicalAddress) + le(UInt64(segment.data.count)) + le(segment.memorySize) + le(UInt64(0x1000))
            data += segment.data
            offset += segment.data.count
        }
        if !notes.isEmpty {
            headers += le(UInt32(4)) + le(UInt32(4)) + le(UInt64(offset)) + le(UInt64(0)) + le(UInt64(0))
            headers += le(UInt64(noteBytes.count)) + le(UInt64(noteBytes.count)) + le(UInt64(4))
            data += noteBytes
        }
        var header: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1] + [UInt8](repeating: 0, count: 9)
        header += le(UInt16(2)) + le(machine) + le(UInt32(1)) + le(entry) + le(UInt64(64)) + le(UInt64(0))
        header += le(UInt32(0)) + le(UInt16(64)) + le(UInt16(56)) + le(UInt16(headerCount))
        header += le(UInt16(64)) + le(UInt16(0)) + le(UInt16(0))
        return header + headers + data
    }

    /// A bzImage: one setup sector with a setup header, then the protected-mode kernel
    /// `kernel`, with the payload at `payloadOffset` inside it.
    static func bzImage(version: UInt16 = 0x020f, xloadflags: UInt16 = 0x7f, commandLineSize: UInt32 = 255,
                        initrdAddressMax: UInt32 = 0x7fff_ffff, kernel: [UInt8] = [UInt8](repeating: 0x90, count: 1024),
                        payloadOffset: UInt32 = 0, payloadLength: UInt32 = 0, initSize: UInt32 = 0x10000) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 1024)
        image[0x1f1] = 1                                   // setup_sects: kernel at (1 + 1) * 512
        put(UInt16(0xaa55), at: 0x1fe, in: &image)
        image[0x200] = 0xeb
        image[0x201] = 0x6a                                // header ends at 0x26c
        put(UInt32(0x5372_6448), at: 0x202, in: &image)
        put(version, at: 0x206, in: &image)
        image[0x211] = 0x01                                // LOADED_HIGH
        put(UInt32(0x100000), at: 0x214, in: &image)       // code32_start
        put(initrdAddressMax, at: 0x22c, in: &image)
        put(UInt32(0x200000), at: 0x230, in: &image)       // kernel_alignment
        image[0x234] = 1
        put(xloadflags, at: 0x236, in: &image)
        put(commandLineSize, at: 0x238, in: &image)
        put(payloadOffset, at: 0x248, in: &image)
        put(payloadLength, at: 0x24c, in: &image)
        put(UInt64(0x1000000), at: 0x258, in: &image)      // pref_address
        put(initSize, at: 0x260, in: &image)
        return image + kernel
    }

    /// Compresses with the xz tool as the kernel build does (x86 BCJ + LZMA2, CRC32),
    /// followed by the 4-byte size the build appends.
    static func xz(_ data: [UInt8]) throws -> [UInt8] {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xz") else { throw XCTSkip("no /usr/bin/xz to build a payload") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xz")
        process.arguments = ["--format=xz", "--check=crc32", "--x86", "--lzma2=dict=1MiB", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(data))
        try input.fileHandleForWriting.close()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](compressed) + le(UInt32(data.count))
    }

    static func memory(megabytes: UInt64 = 64) throws -> GuestMemory {
        try GuestMemory(ranges: [(GuestAddress(0), megabytes << 20)])
    }

    /// A typical PC map for `megabytes` of RAM: low RAM, the BIOS hole, high RAM.
    static func memoryMap(megabytes: UInt64 = 64) -> [E820Entry] {
        [E820Entry(address: GuestAddress(0), size: 0x9fc00, type: .ram),
         E820Entry(address: GuestAddress(0x9fc00), size: 0x60400, type: .reserved),
         E820Entry(address: GuestAddress(0x100000), size: (megabytes << 20) - 0x100000, type: .ram)]
    }

    static func configuration(megabytes: UInt64 = 64, commandLine: String = "console=ttyS0", initrd: [UInt8]? = nil,
                              mode: LinuxKernelLoader.BzImageMode = .unpackPayload) -> BootConfiguration {
        BootConfiguration(memoryMap: memoryMap(megabytes: megabytes), commandLine: commandLine,
                          commandLineAddress: GuestAddress(0x20000), initrd: initrd,
                          bootParamsAddress: GuestAddress(0x7000), startInfoAddress: GuestAddress(0x6000),
                          rsdpAddress: GuestAddress(0xe0000), bzImageMode: mode)
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        bytes.replaceSubrange(offset..<(offset + MemoryLayout<T>.size), with: le(value))
    }
}
