// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import Foundation
import GuestMemory
import Loader
import XCTest

/// Loads the real Debian kernel fetched by scripts/fetch-kernel.sh (skipped without it).
final class DebianKernelTests: XCTestCase {
    static let cache = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".cache/kernel")

    func image(_ name: String) throws -> [UInt8] {
        let path = Self.cache.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XCTSkip("\(path) is missing; run scripts/fetch-kernel.sh")
        }
        return [UInt8](data)
    }

    func testBzImagePayloadModeLoadsTheKernel() throws {
        let vmlinuz = try image("vmlinuz")
        let initrd = try image("initramfs.cpio.gz")
        guard case let .linuxBzImage(_, header) = try KernelImage.detect(vmlinuz) else { return XCTFail("not a bzImage") }
        XCTAssertGreaterThanOrEqual(header.version, 0x020c)
        let memory = try Fixtures.memory(megabytes: 512)
        let configuration = Fixtures.configuration(megabytes: 512, commandLine: "console=ttyS0 noxsave", initrd: initrd)
        let entry = try KernelImage.detect(vmlinuz).load(into: memory, configuration: configuration)
        XCTAssertEqual(entry.mode, .long64)
        XCTAssertEqual(entry.entry, GuestAddress(0x1000000), "startup_64 of the unpacked vmlinux")
        XCTAssertEqual(entry.rsi, 0x7000)
        try LinuxKernelLoaderTests.checkBootParams(memory, at: 0x7000, commandLine: "console=ttyS0 noxsave", initrd: initrd,
                                                   map: configuration.memoryMap, initrdAbove: 0x1000000)
        XCTAssertEqual(try memory.load(UInt16.self, at: GuestAddress(0x7000 + 0x206)), header.version)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x7000 + 0x238)), header.commandLineSize)

        // The loaded kernel matches the vmlinux the fetch script unpacked with xz(1).
        if let vmlinux = try? ELFFile(bytes: try image("vmlinux")) {
            let text = try XCTUnwrap(vmlinux.programHeaders.first { $0.type == ProgramHeader.typeLoad })
            let head = try vmlinux.segmentData(0).prefix(4096)
            XCTAssertEqual(try memory.read(at: GuestAddress(text.physicalAddress), count: 4096), Array(head))
        }
    }

    func testVmlinuxIsLinuxWithPVHNote() throws {
        let bytes = try image("vmlinux")
        guard case let .linuxVmlinux(file) = try KernelImage.detect(bytes) else { return XCTFail("not detected as vmlinux") }
        let text = try XCTUnwrap(file.programHeaders.first { $0.type == ProgramHeader.typeLoad })
        let pvh = try XCTUnwrap(try ELFKernelLoader(file: file).pvhEntry(), "Debian's kernel has CONFIG_PVH")
        XCTAssertTrue((text.physicalAddress..<(text.physicalAddress + text.memorySize)).contains(pvh.rawValue),
                      "the PVH entry \(pvh) lies in the kernel text")
        // Loaded as a plain ELF64 kernel, the PVH entry is used.
        let pvhMemory = try Fixtures.memory(megabytes: 256)
        let pvhEntry = try ELFKernelLoader(file: file).load(into: pvhMemory, configuration: Fixtures.configuration(megabytes: 256))
        XCTAssertEqual(pvhEntry.mode, .protected32)
        XCTAssertEqual(pvhEntry.entry, pvh)
        XCTAssertEqual(try pvhMemory.load(UInt32.self, at: GuestAddress(pvhEntry.rbx)), 0x336e_c578)

        let memory = try Fixtures.memory(megabytes: 256)
        let entry = try KernelImage.detect(bytes).load(into: memory, configuration: Fixtures.configuration(megabytes: 256))
        XCTAssertEqual(entry.entry.rawValue, file.header.entry)
        XCTAssertEqual(entry.mode, .long64)
        XCTAssertEqual(try memory.load(UInt16.self, at: GuestAddress(0x7000 + 0x1fe)), 0xaa55)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x7000 + 0x238)), 2047)
    }
}
