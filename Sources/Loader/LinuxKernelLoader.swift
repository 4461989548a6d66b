// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import GuestMemory

/// The Linux x86 64-bit boot protocol (Documentation/arch/x86/boot.rst) for a vmlinux
/// ELF and for a bzImage: loads the kernel, fills in boot_params (the "zero page") with
/// the setup header, command line, initrd, e820 map and RSDP, and enters the kernel in
/// long mode with RSI pointing at boot_params.
public enum LinuxKernelLoader {
    /// How a bzImage's compressed kernel is unpacked.
    public enum BzImageMode: Sendable {
        /// The VMM unpacks the xz payload with liblzma and loads the resulting vmlinux, as
        /// for a vmlinux. The default: ring-0 guest code is emulated on the machines we
        /// run on (about 1.2 million instructions/s, MACHINE.md), and the kernel's own
        /// decompressor did not finish in minutes there.
        case unpackPayload
        /// The protected-mode kernel is loaded at pref_address and entered at its 64-bit
        /// entry (+0x200), where the kernel's own decompressor runs.
        case kernelDecompressor
    }

    /// boot_params offsets (Documentation/arch/x86/zero-page.rst).
    enum BootParams {
        static let size = 4096
        static let acpiRSDPAddress = 0x070
        static let extRamdiskImage = 0x0c0
        static let extRamdiskSize = 0x0c4
        static let extCommandLinePointer = 0x0c8
        static let e820Entries = 0x1e8
        static let typeOfLoader = 0x210
        static let loadFlags = 0x211
        static let ramdiskImage = 0x218
        static let ramdiskSize = 0x21c
        static let heapEndPointer = 0x224
        static let commandLinePointer = 0x228
        static let e820Table = 0x2d0
        static let e820EntrySize = 20
        static let e820MaximumEntries = 128
    }

    /// The 64-bit entry of the protected-mode kernel, from its start (boot.rst).
    static let entryOffset64: UInt64 = 0x200
    /// heap_end_ptr as boot.rst suggests: the end of the setup heap (0xe000) - 0x200.
    static let heapEnd: UInt16 = 0xde00

    /// Boots a vmlinux with a default setup header; entry at e_entry (startup_64).
    public static func loadVmlinux(_ file: ELFFile, into memory: GuestMemory,
                                   configuration: BootConfiguration) throws -> BootEntry {
        try loadUnpacked(file, header: .defaultForVmlinux(), into: memory, configuration: configuration)
    }

    /// Boots a bzImage, by default by unpacking its payload in the VMM.
    public static func loadBzImage(_ image: [UInt8], header: LinuxSetupHeader, into memory: GuestMemory,
                                   configuration: BootConfiguration) throws -> BootEntry {
        switch configuration.bzImageMode {
        case .unpackPayload:
            let payload = try payload(of: image, header: header)
            let vmlinux: ELFFile
            do { vmlinux = try ELFFile(bytes: try PayloadUnpacker.unpack(payload)) } catch let error as ELFError {
                throw LoaderError.elf(error)
            }
            return try loadUnpacked(vmlinux, header: header, into: memory, configuration: configuration)
        case .kernelDecompressor:
            guard header.protectedModeOffset < image.count else {
                throw LoaderError.truncated(field: "protected-mode kernel (setup_sects \(header.setupSectors))",
                                            offset: UInt64(header.protectedModeOffset), size: 1, fileSize: UInt64(image.count))
            }
            let kernel = image[header.protectedModeOffset...]
            let address = GuestAddress(header.version >= 0x020a && header.preferredAddress != 0
                                       ? header.preferredAddress : UInt64(header.code32Start))
            // The decompressor works in place and needs init_size bytes from its start.
            let footprint = max(UInt64(header.initSize), UInt64(kernel.count))
            try memory.requireRange(at: address, size: footprint, what: "bzImage protected-mode kernel (init_size \(hex(UInt64(header.initSize))))")
            try memory.write(kernel, at: address)
            let kernelEnd = GuestAddress(address.rawValue + footprint)
            try writeBootParams(header: header, kernelEnd: kernelEnd, into: memory, configuration: configuration)
            return BootEntry(mode: .long64, entry: GuestAddress(address.rawValue + entryOffset64),
                             rsi: configuration.bootParamsAddress.rawValue, highestAddress: kernelEnd)
        }
    }

    /// The compressed vmlinux: payload_length bytes at payload_offset from the start of
    /// the protected-mode kernel.
    static func payload(of image: [UInt8], header: LinuxSetupHeader) throws -> ArraySlice<UInt8> {
        let start = UInt64(header.protectedModeOffset) + UInt64(header.payloadOffset)
        let length = UInt64(header.payloadLength)
        guard length > 0 else {
            throw LoaderError.badField(field: "setup header payload_length (0x24c)", value: 0, expected: "a non-empty payload")
        }
        guard start + length <= UInt64(image.count) else {
            throw LoaderError.truncated(field: "bzImage payload (payload_offset \(hex(UInt64(header.payloadOffset))))",
                                        offset: start, size: length, fileSize: UInt64(image.count))
        }
        return image[Int(start)..<Int(start + length)]
    }

    private static func loadUnpacked(_ file: ELFFile, header: LinuxSetupHeader, into memory: GuestMemory,
                                     configuration: BootConfiguration) throws -> BootEntry {
        let kernelEnd = try ELFKernelLoader(file: file).loadSegments(into: memory, floor: configuration.kernelFloor)
        let highest = try writeBootParams(header: header, kernelEnd: kernelEnd, into: memory, configuration: configuration)
        return BootEntry(mode: .long64, entry: GuestAddress(file.header.entry),
                         rsi: configuration.bootParamsAddress.rawValue, highestAddress: highest)
    }

    /// Writes the command line, the initrd and boot_params. Returns the highest address
    /// written (the kernel's end or the initrd's end).
    @discardableResult
    static func writeBootParams(header: LinuxSetupHeader, kernelEnd: GuestAddress, into memory: GuestMemory,
                                configuration: BootConfiguration) throws -> GuestAddress {
        let commandLineLength = configuration.commandLine.utf8.count
        guard UInt64(commandLineLength) <= UInt64(header.commandLineSize) else {
            throw LoaderError.commandLineTooLong(length: commandLineLength, maximum: UInt64(header.commandLineSize))
        }
        guard configuration.memoryMap.count <= BootParams.e820MaximumEntries else {
            throw LoaderError.tooManyMemoryMapEntries(count: configuration.memoryMap.count, maximum: BootParams.e820MaximumEntries)
        }
        try memory.placeCommandLine(configuration.commandLine, at: configuration.commandLineAddress)

        var params = [UInt8](repeating: 0, count: BootParams.size)
        params.replaceSubrange(LinuxSetupHeader.start..<(LinuxSetupHeader.start + header.bytes.count), with: header.bytes)
        params[BootParams.typeOfLoader] = 0xff  // undefined loader
        params[BootParams.loadFlags] |= LinuxSetupHeader.loadedHigh | LinuxSetupHeader.canUseHeap
        params.put(heapEnd, at: BootParams.heapEndPointer)
        let commandLine = configuration.commandLineAddress.rawValue
        params.put(UInt32(truncatingIfNeeded: commandLine), at: BootParams.commandLinePointer)
        params.put(UInt32(truncatingIfNeeded: commandLine >> 32), at: BootParams.extCommandLinePointer)
        params.put(configuration.rsdpAddress?.rawValue ?? 0, at: BootParams.acpiRSDPAddress)

        var highest = kernelEnd
        if let initrd = configuration.initrd {
            // initrd_addr_max is the highest address the initrd's last byte may have.
            let limit = UInt64(header.initrdAddressMax) + 1
            let address = try memory.placeInitrd(initrd, memoryMap: configuration.memoryMap, floor: kernelEnd, limit: limit)
            let size = UInt64(initrd.count)
            params.put(UInt32(truncatingIfNeeded: address.rawValue), at: BootParams.ramdiskImage)
            params.put(UInt32(truncatingIfNeeded: address.rawValue >> 32), at: BootParams.extRamdiskImage)
            params.put(UInt32(truncatingIfNeeded: size), at: BootParams.ramdiskSize)
            params.put(UInt32(truncatingIfNeeded: size >> 32), at: BootParams.extRamdiskSize)
            highest = max(highest, GuestAddress(address.rawValue + size))
        }

        params[BootParams.e820Entries] = UInt8(configuration.memoryMap.count)
        for (index, entry) in configuration.memoryMap.enumerated() {
            let base = BootParams.e820Table + index * BootParams.e820EntrySize
            params.put(entry.address.rawValue, at: base)
            params.put(entry.size, at: base + 8)
            params.put(entry.type.rawValue, at: base + 16)
        }
        try memory.place(params, at: configuration.bootParamsAddress, what: "boot_params")
        return highest
    }
}
