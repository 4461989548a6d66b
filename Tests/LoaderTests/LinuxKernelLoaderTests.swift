// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory
import Loader
import XCTest

final class LinuxKernelLoaderTests: XCTestCase {
    /// A vmlinux stand-in: an ELF with a "Linux" note and a segment at 16 MiB.
    static let vmlinux = Fixtures.elf(entry: 0x1000000, segments: [
        .init(physicalAddress: 0x1000000, data: [0xf4, 0xeb, 0xfd], memorySize: 0x3000),
    ], notes: [("Linux", 0x100, Array("6.1.0\0".utf8))])

    func testVmlinuxBootParams() throws {
        let memory = try Fixtures.memory()
        let initrd = [UInt8](repeating: 0x5a, count: 10_000)
        let configuration = Fixtures.configuration(commandLine: "console=ttyS0 noxsave", initrd: initrd)
        guard case .linuxVmlinux = try KernelImage.detect(Self.vmlinux) else { return XCTFail("not detected as vmlinux") }
        let entry = try KernelImage.detect(Self.vmlinux).load(into: memory, configuration: configuration)
        XCTAssertEqual(entry.mode, .long64)
        XCTAssertEqual(entry.entry, GuestAddress(0x1000000))
        XCTAssertEqual(entry.rsi, 0x7000)
        try Self.checkBootParams(memory, at: 0x7000, commandLine: "console=ttyS0 noxsave", initrd: initrd,
                                 map: configuration.memoryMap, initrdAbove: 0x1003000)
        XCTAssertEqual(try memory.load(UInt16.self, at: GuestAddress(0x7000 + 0x1fe)), 0xaa55)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x7000 + 0x202)), 0x5372_6448)
        XCTAssertEqual(try memory.read(at: GuestAddress(0x1000000), count: 3), [0xf4, 0xeb, 0xfd])
    }

    /// The checks every Linux load must pass, whichever image it came from.
    static func checkBootParams(_ memory: GuestMemory, at base: UInt64, commandLine: String, initrd: [UInt8]?,
                                map: [E820Entry], initrdAbove: UInt64) throws {
        func load<T: FixedWidthInteger>(_ offset: UInt64, _: T.Type) throws -> T { try memory.load(T.self, at: GuestAddress(base + offset)) }
        XCTAssertEqual(try load(0x210, UInt8.self), 0xff, "type_of_loader")
        XCTAssertEqual(try load(0x211, UInt8.self) & 0x81, 0x81, "loadflags LOADED_HIGH | CAN_USE_HEAP")
        XCTAssertEqual(try load(0x070, UInt64.self), 0xe0000, "acpi_rsdp_addr")
        let commandLinePointer = UInt64(try load(0x228, UInt32.self)) | UInt64(try load(0x0c8, UInt32.self)) << 32
        XCTAssertEqual(try memory.read(at: GuestAddress(commandLinePointer), count: commandLine.utf8.count + 1),
                       Array(commandLine.utf8) + [0])
        XCTAssertEqual(Int(try load(0x1e8, UInt8.self)), map.count, "e820_entries")
        for (index, entry) in map.enumerated() {
            let offset = 0x2d0 + UInt64(index) * 20
            XCTAssertEqual(try load(offset, UInt64.self), entry.address.rawValue)
            XCTAssertEqual(try load(offset + 8, UInt64.self), entry.size)
            XCTAssertEqual(try load(offset + 16, UInt32.self), entry.type.rawValue)
        }
        let initrdAddress = UInt64(try load(0x218, UInt32.self)) | UInt64(try load(0x0c0, UInt32.self)) << 32
        let initrdSize = UInt64(try load(0x21c, UInt32.self)) | UInt64(try load(0x0c4, UInt32.self)) << 32
        if let initrd {
            XCTAssertEqual(initrdSize, UInt64(initrd.count))
            XCTAssertEqual(initrdAddress % 4096, 0)
            XCTAssertGreaterThanOrEqual(initrdAddress, initrdAbove)
            XCTAssertLessThanOrEqual(initrdAddress + initrdSize, UInt64(try load(0x22c, UInt32.self)) + 1, "below initrd_addr_max")
            XCTAssertEqual(try memory.read(at: GuestAddress(initrdAddress), count: initrd.count), initrd)
        } else {
            XCTAssertEqual(initrdAddress, 0)
            XCTAssertEqual(initrdSize, 0)
        }
    }

    func testBzImagePayloadModeUnpacksAndUsesTheImageHeader() throws {
        let payload = try Fixtures.xz(Self.vmlinux)
        let image = Fixtures.bzImage(commandLineSize: 100, kernel: [UInt8](repeating: 0x90, count: 0x40) + payload,
                                     payloadOffset: 0x40, payloadLength: UInt32(payload.count))
        guard case let .linuxBzImage(_, header) = try KernelImage.detect(image) else { return XCTFail("not a bzImage") }
        XCTAssertEqual(header.version, 0x020f)
        XCTAssertEqual(header.protectedModeOffset, 1024)
        let memory = try Fixtures.memory()
        let entry = try KernelImage.detect(image).load(into: memory, configuration: Fixtures.configuration(initrd: [1, 2, 3]))
        XCTAssertEqual(entry.mode, .long64)
        XCTAssertEqual(entry.entry, GuestAddress(0x1000000), "the unpacked vmlinux's entry")
        XCTAssertEqual(try memory.read(at: GuestAddress(0x1000000), count: 3), [0xf4, 0xeb, 0xfd])
        try Self.checkBootParams(memory, at: 0x7000, commandLine: "console=ttyS0", initrd: [1, 2, 3],
                                 map: Fixtures.memoryMap(), initrdAbove: 0x1003000)
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x7000 + 0x238)), 100, "the image's cmdline_size")
        XCTAssertEqual(try memory.load(UInt32.self, at: GuestAddress(0x7000 + 0x260)), 0x10000, "the image's init_size")
    }

    func testBzImageKernelDecompressorMode() throws {
        let kernel = (0..<2048).map { UInt8(truncatingIfNeeded: $0) }
        let image = Fixtures.bzImage(kernel: kernel, initSize: 0x40000)
        let memory = try Fixtures.memory()
        let entry = try KernelImage.detect(image).load(into: memory, configuration: Fixtures.configuration(mode: .kernelDecompressor))
        XCTAssertEqual(entry, BootEntry(mode: .long64, entry: GuestAddress(0x1000200), rsi: 0x7000,
                                        highestAddress: GuestAddress(0x1040000)))
        XCTAssertEqual(try memory.read(at: GuestAddress(0x1000000), count: kernel.count), kernel)
        try Self.checkBootParams(memory, at: 0x7000, commandLine: "console=ttyS0", initrd: nil,
                                 map: Fixtures.memoryMap(), initrdAbove: 0)
    }

    func testSetupHeaderErrors() throws {
        func rejects(_ image: [UInt8], _ expected: LoaderError, line: UInt = #line) {
            XCTAssertThrowsError(try LinuxSetupHeader(image: image), line: line) { error in
                XCTAssertEqual(error as? LoaderError, expected, line: line)
            }
        }
        rejects(Fixtures.bzImage(version: 0x0206), .protocolTooOld(version: 0x0206, minimum: 0x020c))
        XCTAssertEqual(LoaderError.protocolTooOld(version: 0x0206, minimum: 0x020c).description,
                       "kernel: boot protocol 2.06 is older than 2.12, which the 64-bit entry needs")
        rejects(Fixtures.bzImage(xloadflags: 0x2e), .badField(field: "setup header xloadflags (0x236)", value: 0x2e,
                                                              expected: "XLF_KERNEL_64 (bit 0) set: the kernel has no 64-bit entry"))
        var badFlag = Fixtures.bzImage()
        badFlag[0x1fe] = 0
        rejects(badFlag, .badField(field: "setup header boot_flag (0x1fe)", value: 0xaa00, expected: "0xaa55"))
        rejects(Array(Fixtures.bzImage().prefix(0x230)), .truncated(field: "setup header", offset: 0x1f1, size: 0x7b, fileSize: 0x230))
        rejects(Array(Fixtures.bzImage().prefix(1024)), .truncated(field: "protected-mode kernel (setup_sects 1)", offset: 1024,
                                                                    size: 1, fileSize: 1024))
        // Every prefix either parses or throws.
        let image = Fixtures.bzImage()
        for length in 0..<image.count { _ = try? LinuxSetupHeader(image: Array(image.prefix(length))) }
    }

    func testCommandLineTooLong() throws {
        let image = Fixtures.bzImage(commandLineSize: 10)
        let memory = try Fixtures.memory()
        let configuration = Fixtures.configuration(commandLine: "console=ttyS0", mode: .kernelDecompressor)
        XCTAssertThrowsError(try KernelImage.detect(image).load(into: memory, configuration: configuration)) {
            XCTAssertEqual($0 as? LoaderError, .commandLineTooLong(length: 13, maximum: 10))
        }
        // Exactly cmdline_size bytes (without the NUL) is allowed.
        let fits = Fixtures.configuration(commandLine: "0123456789", mode: .kernelDecompressor)
        XCTAssertNoThrow(try KernelImage.detect(image).load(into: memory, configuration: fits))
    }

    func testInitrdTooLargeOrAboveLimit() throws {
        let memory = try Fixtures.memory(megabytes: 32)
        let huge = Fixtures.configuration(megabytes: 32, initrd: [UInt8](repeating: 0, count: 33 << 20))
        XCTAssertThrowsError(try KernelImage.detect(Self.vmlinux).load(into: memory, configuration: huge)) {
            XCTAssertEqual($0 as? LoaderError, .initrdLargerThanMemory(size: 33 << 20, memory: 32 << 20))
            XCTAssertEqual("\($0)", "kernel: initrd larger than memory (34603008 bytes, guest RAM 33554432 bytes)")
        }
        // Fits in RAM but not between the kernel's end (16 MiB + 12 KiB) and the end of RAM.
        let tooBig = Fixtures.configuration(megabytes: 32, initrd: [UInt8](repeating: 0, count: 16 << 20))
        XCTAssertThrowsError(try KernelImage.detect(Self.vmlinux).load(into: memory, configuration: tooBig)) {
            XCTAssertEqual($0 as? LoaderError, .initrdDoesNotFit(size: 16 << 20, limit: 0x8000_0000))
        }
        // initrd_addr_max below the kernel leaves no room either.
        let image = Fixtures.bzImage(initrdAddressMax: 0xff_ffff)
        let small = Fixtures.configuration(megabytes: 32, initrd: [1], mode: .kernelDecompressor)
        XCTAssertThrowsError(try KernelImage.detect(image).load(into: memory, configuration: small)) {
            XCTAssertEqual($0 as? LoaderError, .initrdDoesNotFit(size: 1, limit: 0x100_0000))
        }
    }

    func testBadPayloads() throws {
        let gzip = Fixtures.bzImage(kernel: [0x1f, 0x8b, 8, 0] + [UInt8](repeating: 0, count: 60), payloadOffset: 0, payloadLength: 64)
        XCTAssertThrowsError(try KernelImage.detect(gzip).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .unsupportedPayload(format: "gzip"))
        }
        let payload = try Fixtures.xz(Self.vmlinux)
        let truncated = Fixtures.bzImage(kernel: Array(payload.prefix(payload.count / 2)), payloadLength: UInt32(payload.count / 2))
        XCTAssertThrowsError(try KernelImage.detect(truncated).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .decompressionFailed(reason: "the xz stream is truncated"))
        }
        let pastEnd = Fixtures.bzImage(kernel: payload, payloadOffset: 16, payloadLength: UInt32(payload.count))
        XCTAssertThrowsError(try KernelImage.detect(pastEnd).load(into: try Fixtures.memory(), configuration: Fixtures.configuration())) {
            XCTAssertEqual($0 as? LoaderError, .truncated(field: "bzImage payload (payload_offset 0x10)", offset: 1040,
                                                          size: UInt64(payload.count), fileSize: UInt64(1024 + payload.count)))
        }
    }
}
