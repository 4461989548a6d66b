// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import GuestMemory

/// Loads an ELF64 kernel: PT_LOAD segments at their physical addresses. With a PVH
/// note (XEN_ELFNOTE_PHYS32_ENTRY) the kernel is entered in 32-bit protected mode with
/// an hvm_start_info; without one, in long mode at e_entry.
public struct ELFKernelLoader {
    public let file: ELFFile

    /// XEN_ELFNOTE_PHYS32_ENTRY, in a note named "Xen".
    static let pvhNoteType: UInt32 = 18

    /// Bytes the PVH start info block takes at `BootConfiguration.startInfoAddress`.
    public static func startInfoSize(memoryMapEntries: Int) -> Int {
        PVHStartInfo.memoryMapOffset + PVHStartInfo.memoryMapEntrySize * memoryMapEntries
    }

    public init(file: ELFFile) throws {
        guard file.header.machine == ELFHeader.machineX86_64 else {
            throw LoaderError.badField(field: "ELF e_machine", value: UInt64(file.header.machine), expected: "62 (x86-64)")
        }
        self.file = file
    }

    /// The PVH 32-bit entry point, if the image has one.
    public func pvhEntry() throws -> GuestAddress? {
        let notes: [Note]
        do { notes = try file.notes() } catch let error as ELFError { throw LoaderError.elf(error) }
        guard let note = notes.first(where: { $0.name == "Xen" && $0.type == Self.pvhNoteType }) else { return nil }
        // Linux writes the entry as a pointer-sized value; only its low 32 bits may be set.
        guard note.desc.count == 4 || note.desc.count == 8 else {
            throw LoaderError.badField(field: "PVH note (XEN_ELFNOTE_PHYS32_ENTRY) size", value: UInt64(note.desc.count),
                                             expected: "4 or 8 bytes")
        }
        let value = note.desc.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard value <= UInt64(UInt32.max) else {
            throw LoaderError.badField(field: "PVH note (XEN_ELFNOTE_PHYS32_ENTRY)", value: value, expected: "a 32-bit address")
        }
        return GuestAddress(value)
    }

    public func load(into memory: GuestMemory, configuration: BootConfiguration) throws -> BootEntry {
        let kernelEnd = try loadSegments(into: memory, floor: configuration.kernelFloor)
        guard let entry = try pvhEntry() else {
            return BootEntry(mode: .long64, entry: GuestAddress(file.header.entry), highestAddress: kernelEnd)
        }
        try memory.placeCommandLine(configuration.commandLine, at: configuration.commandLineAddress)
        var module: (address: GuestAddress, size: UInt64)?
        var highest = kernelEnd
        if let initrd = configuration.initrd {
            let address = try memory.placeInitrd(initrd, memoryMap: configuration.memoryMap, floor: kernelEnd,
                                                 limit: PVHStartInfo.addressLimit)
            module = (address, UInt64(initrd.count))
            highest = max(highest, GuestAddress(address.rawValue + UInt64(initrd.count)))
        }
        let startInfo = PVHStartInfo(commandLineAddress: configuration.commandLineAddress, rsdpAddress: configuration.rsdpAddress,
                                     memoryMap: configuration.memoryMap, module: module)
        try memory.place(startInfo.bytes(at: configuration.startInfoAddress), at: configuration.startInfoAddress,
                         what: "PVH start info")
        return BootEntry(mode: .protected32, entry: entry, rbx: configuration.startInfoAddress.rawValue, highestAddress: highest)
    }

    /// Copies every PT_LOAD segment to p_paddr and zero-fills memsz beyond filesz.
    /// Returns the end of the highest segment. No segment may start below `floor`.
    func loadSegments(into memory: GuestMemory, floor: GuestAddress = GuestAddress(0)) throws -> GuestAddress {
        var end: UInt64 = 0
        var loaded = 0
        for (index, segment) in file.programHeaders.enumerated() where segment.type == ProgramHeader.typeLoad {
            let what = "ELF program header \(index) (p_paddr \(hex(segment.physicalAddress)), p_memsz \(hex(segment.memorySize)))"
            guard segment.fileSize <= segment.memorySize else {
                throw LoaderError.badField(field: "ELF program header \(index) p_filesz", value: segment.fileSize,
                                                 expected: "at most p_memsz \(hex(segment.memorySize))")
            }
            guard segment.physicalAddress >= floor.rawValue || segment.memorySize == 0 else {
                throw LoaderError.badField(field: "ELF program header \(index) p_paddr", value: segment.physicalAddress,
                                           expected: "at least \(floor), where the boot tables below end")
            }
            let address = GuestAddress(segment.physicalAddress)
            try memory.requireRange(at: address, size: segment.memorySize, what: what)
            let data: ArraySlice<UInt8>
            do { data = try file.segmentData(index) } catch let error as ELFError { throw LoaderError.elf(error) }
            try memory.write(data, at: address)
            try memory.fill(zeroesAt: GuestAddress(segment.physicalAddress + segment.fileSize),
                            length: segment.memorySize - segment.fileSize)
            end = max(end, segment.physicalAddress + segment.memorySize)
            loaded += 1
        }
        guard loaded > 0 else { throw LoaderError.noLoadableSegments }
        return GuestAddress(end)
    }
}

/// The PVH hvm_start_info (version 1) block: the start info, then one module-list
/// entry for the initrd, then the memory map (xen/include/public/arch-x86/hvm/start_info.h).
struct PVHStartInfo {
    var commandLineAddress: GuestAddress
    var rsdpAddress: GuestAddress?
    var memoryMap: [E820Entry]
    var module: (address: GuestAddress, size: UInt64)?

    static let magic: UInt32 = 0x336e_c578
    static let moduleListOffset = 64
    static let memoryMapOffset = 96
    static let memoryMapEntrySize = 24
    /// The entry runs with paging off, so everything it is given lies below 4 GiB.
    static let addressLimit: UInt64 = 1 << 32

    func bytes(at address: GuestAddress) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.memoryMapOffset + Self.memoryMapEntrySize * memoryMap.count)
        bytes.put(Self.magic, at: 0)
        bytes.put(UInt32(1), at: 4)                                  // version
        bytes.put(UInt32(module == nil ? 0 : 1), at: 12)             // nr_modules
        if module != nil { bytes.put(address.rawValue + UInt64(Self.moduleListOffset), at: 16) }
        bytes.put(commandLineAddress.rawValue, at: 24)
        bytes.put(rsdpAddress?.rawValue ?? 0, at: 32)
        bytes.put(address.rawValue + UInt64(Self.memoryMapOffset), at: 40)
        bytes.put(UInt32(memoryMap.count), at: 48)
        if let module {
            bytes.put(module.address.rawValue, at: Self.moduleListOffset)
            bytes.put(module.size, at: Self.moduleListOffset + 8)
        }
        for (index, entry) in memoryMap.enumerated() {
            let base = Self.memoryMapOffset + index * Self.memoryMapEntrySize
            bytes.put(entry.address.rawValue, at: base)
            bytes.put(entry.size, at: base + 8)
            bytes.put(entry.type.rawValue, at: base + 16)
        }
        return bytes
    }
}

extension Array where Element == UInt8 {
    /// Little-endian store into a buffer the caller sized.
    mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        for byte in 0..<MemoryLayout<T>.size { self[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }
}
