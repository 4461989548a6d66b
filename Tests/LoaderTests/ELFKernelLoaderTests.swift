// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory
import Loader
import XCTest

final class ELFKernelLoaderTests: XCTestCase {
    let code: [UInt8] = [0xf4, 0xeb, 0xfd, 0x90]

    func testSegmentsLoadAtPhysicalAddressesWithZeroFill() throws {
        let image = Fixtures.elf(entry: 0x200000, segments: [
            .init(physicalAddress: 0x200000, data: code, memorySize: 4),
            .init(physicalAddress: 0x300000, data: [1, 2, 3], memorySize: 0x2000),
        ])
        let memory = try Fixtures.memory()
        try memory.write([UInt8](repeating: 0xcc, count: 0x2000), at: GuestAddress(0x300000))
        guard case let .elf(file) = try KernelImage.detect(image) else { return XCTFail("not detected as ELF") }
        let entry = try KernelImage.elf(file).load(into: memory, configuration: Fixtures.configuration())
        XCTAssertEqual(entry, BootEntry(mode: .long64, entry: GuestAddress(0x200000), highestAddress: GuestAddress(0x302000)))
        XCTAssertEqual(try memory.read(at: GuestAddress(0x200000), count: 4), code)
        XCTAssertEqual(try memory.read(at: GuestAddress(0x300000), count: 3), [1, 2, 3])
        XCTAssertEqual(try memory.read(at: GuestAddress(0x300003), count: 0x1ffd), [UInt8](repeating: 0, count: 0x1ffd))
    }

    /// A segment below the caller's floor would be overwritten by the boot tables there.
    func testSegmentBelowTheKernelFloorIsRefused() throws {
        let image = Fixtures.elf(entry: 0x9000, segments: [.init(physicalAddress: 0x9000, data: code, memorySize: 4)])
        var configuration = Fixtures.configuration()
        configuration.kernelFloor = GuestAddress(0x100000)
        XCTAssertThrowsError(try KernelImage.detect(image).load(into: try Fixtures.memory(), configuration: configuration)) {
            XCTAssertEqual("\($0)".contains("p_paddr"), true, "\($0)")
            XCTAssertEqual("\($0)".contains("0x100000"), true, "\($0)")
        }
        configuration.kernelFloor = GuestAddress(0)
        XCTAssertNoThrow(try KernelImage.detect(image).load(into: try Fixtures.memory(), configuration: configuration))
    }

    func testPVHNoteGivesProtectedModeEntryAndStartInfo() throws {
        let image = Fixtures.elf(entry: 0xffff_ffff_8100_0000, segments: [.init(physicalAddress: 0x100000, data: code, memorySize: 0x1000)],
                                 notes: [("Xen", 18, Fixtures.le(UInt64(0x100002))), ("Xen", 6, Array("linux\0".utf8))])
        let memory = try Fixtures.memory()
        let initrd = [UInt8](repeating: 0xab, count: 5000)
        let configuration = Fixtures.configuration(commandLine: "console=ttyS0 quiet", initrd: initrd)
        let entry = try KernelImage.detect(image).load(into: memory, configuration: configuration)
        XCTAssertEqual(entry.mode, .protected32)
        XCTAssertEqual(entry.entry, GuestAddress(0x100002))
        XCTAssertEqual(entry.rbx, 0x6000)

        let info = GuestAddress(0x6000)
        XCTAssertEqual(try memory.load(UInt32.self, at: info), 0x336e_c578)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x6004)), 1)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x600c)), 1, "nr_modules")
        XCTAssertEqual(try memory.load(UInt64.self, at: GuestAddress(0x6018)), 0x20000, "cmdline_paddr")
        XCTAssertEqual(try memory.read(at: GuestAddress(0x20000), count: 20), Array("console=ttyS0 quiet\0".utf8))
        XCTAssertEqual(try memory.load(UInt64.self, at: GuestAddress(0x6020)), 0xe0000, "rsdp_paddr")
        let memmap = try memory.load(UInt64.self, at: GuestAddress(0x6028))
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x6030)), 3, "memmap_entries")
        XCTAssertEqual(try memory.load(UInt64.self, at: GuestAddress(memmap + 48)), 0x100000, "third entry addr")
        XCTAssertEqual(try memory.load(UInt64.self, at: GuestAddress(memmap + 56)), (64 << 20) - 0x100000)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(memmap + 24 + 16)), 2, "second entry reserved")

        XCTAssertEqual(memmap + 3 * 24, 0x6000 + UInt64(ELFKernelLoader.startInfoSize(memoryMapEntries: 3)))
        let modules = try memory.load(UInt64.self, at: GuestAddress(0x6010))
        let initrdAddress = try memory.load(UInt64.self, at: GuestAddress(modules))
        XCTAssertEqual(try memory.load(UInt64.self, at: GuestAddress(modules + 8)), 5000)
        XCTAssertEqual(initrdAddress % 4096, 0)
        XCTAssertLessThanOrEqual(initrdAddress + 5000, 64 << 20)
        XCTAssertGreaterThan(initrdAddress, (64 << 20) - 16384, "the initrd goes to the top of RAM")
        XCTAssertEqual(try memory.read(at: GuestAddress(initrdAddress), count: 5000), initrd)
    }

    func testSegmentOutsideMemoryIsRejected() throws {
        let image = Fixtures.elf(entry: 0x100000, segments: [.init(physicalAddress: 0x3ff_f000, data: code, memorySize: 0x2000)])
        XCTAssertThrowsError(try KernelImage.detect(image).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .outsideGuestMemory(
                what: "ELF program header 0 (p_paddr 0x3fff000, p_memsz 0x2000)", address: GuestAddress(0x3ff_f000), size: 0x2000))
        }
    }

    func testMalformedELFKernelsAreRejectedWithTheField() throws {
        let good = Fixtures.elf(entry: 0x100000, segments: [.init(physicalAddress: 0x100000, data: code, memorySize: 4)])
        // Truncated: the segment's bytes are cut off.
        XCTAssertThrowsError(try KernelImage.detect(Array(good.dropLast(2)))) { error in
            guard case let .elf(inner)? = error as? LoaderError else { return XCTFail("\(error)") }
            XCTAssertEqual(inner, .truncated(field: "program header 0", offset: 120, size: 4, fileSize: 122))
        }
        // Bad magic is not ELF at all.
        var badMagic = good
        badMagic[1] = 0x46
        XCTAssertThrowsError(try KernelImage.detect(badMagic)) {
            XCTAssertEqual($0 as? LoaderError, .unknownFormat(firstBytes: Array(badMagic.prefix(8))))
        }
        // filesz > memsz, no PT_LOAD, wrong machine.
        let inflated = Fixtures.elf(entry: 0x100000, segments: [.init(physicalAddress: 0x100000, data: code, memorySize: 2)])
        XCTAssertThrowsError(try KernelImage.detect(inflated).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .badField(field: "ELF program header 0 p_filesz", value: 4, expected: "at most p_memsz 0x2"))
        }
        let empty = Fixtures.elf(entry: 0x100000, segments: [])
        XCTAssertThrowsError(try KernelImage.detect(empty).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .noLoadableSegments)
        }
        let arm = Fixtures.elf(entry: 0x100000, segments: [.init(physicalAddress: 0x100000, data: code, memorySize: 4)], machine: 183)
        XCTAssertThrowsError(try KernelImage.detect(arm).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .badField(field: "ELF e_machine", value: 183, expected: "62 (x86-64)"))
        }
        // A PVH entry above 4 GiB cannot be a 32-bit entry.
        let highPVH = Fixtures.elf(entry: 0x100000, segments: [.init(physicalAddress: 0x100000, data: code, memorySize: 4)],
                                   notes: [("Xen", 18, Fixtures.le(UInt64(1) << 32))])
        XCTAssertThrowsError(try KernelImage.detect(highPVH).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .badField(field: "PVH note (XEN_ELFNOTE_PHYS32_ENTRY)", value: 1 << 32, expected: "a 32-bit address"))
        }
    }

    func testFlatImageOnlyWhenAsked() throws {
        let bytes: [UInt8] = [0xb0, 0x41, 0xe6, 0xe9, 0xf4]
        XCTAssertThrowsError(try KernelImage.detect(bytes)) {
            XCTAssertEqual($0 as? LoaderError, .unknownFormat(firstBytes: bytes))
        }
        let memory = try Fixtures.memory()
        let entry = try KernelImage.detect(bytes, flat: (GuestAddress(0x8000), .protected32))
            .load(into: memory, configuration: Fixtures.configuration())
        XCTAssertEqual(entry, BootEntry(mode: .protected32, entry: GuestAddress(0x8000), highestAddress: GuestAddress(0x8005)))
        XCTAssertEqual(try memory.read(at: GuestAddress(0x8000), count: 5), bytes)
        XCTAssertThrowsError(try FlatImageLoader.load(bytes, at: GuestAddress(64 << 20), mode: .long64, into: memory)) {
            XCTAssertEqual($0 as? LoaderError, .outsideGuestMemory(what: "flat image", address: GuestAddress(64 << 20), size: 5))
        }
    }
}
