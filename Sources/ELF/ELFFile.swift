// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// An ELF64 little-endian file held in memory. Parsing checks every offset and size
/// against the file with overflow-safe arithmetic and throws `ELFError`; no input traps.
public struct ELFFile: Sendable {
    public let bytes: [UInt8]
    public var header: ELFHeader
    public var programHeaders: [ProgramHeader]
    public var sections: [Section]
    /// The PT_INTERP path (e.g. "/lib64/ld-linux-x86-64.so.2"), nil for static files.
    public var interpreter: String?
    public var dynamic: DynamicInfo

    static let programHeaderSize: UInt64 = 56
    static let sectionHeaderSize: UInt64 = 64
    static let symbolSize: UInt64 = 24
    static let dynamicEntrySize: UInt64 = 16

    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let reader = ByteReader(bytes: bytes)
        header = try Self.parseHeader(reader)
        sections = try Self.parseSections(reader, header: &header)
        programHeaders = try Self.parseProgramHeaders(reader, header: header)
        interpreter = nil
        dynamic = DynamicInfo()
        interpreter = try parseInterpreter(reader)
        dynamic = try parseDynamic(reader)
    }

    /// The bytes of a section; empty for SHT_NOBITS (.bss).
    public func sectionData(_ section: Section) throws -> ArraySlice<UInt8> {
        if section.type == Section.typeNoBits { return [] }
        return try ByteReader(bytes: bytes).slice(offset: section.offset, size: section.size,
                                                  field: "section \(section.index) (\(section.name)) data")
    }

    /// The file bytes of a segment (p_offset, p_filesz).
    public func segmentData(_ index: Int) throws -> ArraySlice<UInt8> {
        guard programHeaders.indices.contains(index) else {
            throw ELFError.badIndex(field: "program header", index: UInt64(index), count: UInt64(programHeaders.count))
        }
        let segment = programHeaders[index]
        return try ByteReader(bytes: bytes).slice(offset: segment.offset, size: segment.fileSize,
                                                  field: "program header \(index) data")
    }

    /// The first section with this name.
    public func section(named name: String) -> Section? { sections.first { $0.name == name } }

    // MARK: Header and tables

    private static func parseHeader(_ r: ByteReader) throws -> ELFHeader {
        guard r.count >= 4, r.bytes[0] == 0x7f, r.bytes[1] == 0x45, r.bytes[2] == 0x4c, r.bytes[3] == 0x46 else {
            throw ELFError.badMagic
        }
        let elfClass = try r.u8(4, "e_ident[EI_CLASS]")
        guard elfClass == 2 else { throw ELFError.unsupportedClass(elfClass) }
        let data = try r.u8(5, "e_ident[EI_DATA]")
        guard data == 1 else { throw ELFError.unsupportedByteOrder(data) }
        _ = try r.check(offset: 0, size: 64, field: "ELF header")
        return ELFHeader(
            osABI: try r.u8(7, "e_ident[EI_OSABI]"),
            abiVersion: try r.u8(8, "e_ident[EI_ABIVERSION]"),
            type: try r.u16(16, "e_type"),
            machine: try r.u16(18, "e_machine"),
            version: try r.u32(20, "e_version"),
            entry: try r.u64(24, "e_entry"),
            programHeaderOffset: try r.u64(32, "e_phoff"),
            sectionHeaderOffset: try r.u64(40, "e_shoff"),
            flags: try r.u32(48, "e_flags"),
            headerSize: try r.u16(52, "e_ehsize"),
            programHeaderEntrySize: try r.u16(54, "e_phentsize"),
            programHeaderCount: UInt64(try r.u16(56, "e_phnum")),
            sectionHeaderEntrySize: try r.u16(58, "e_shentsize"),
            sectionHeaderCount: UInt64(try r.u16(60, "e_shnum")),
            sectionNameTableIndex: UInt64(try r.u16(62, "e_shstrndx")))
    }

    /// Validates that `count` entries of `entrySize` bytes at `offset` lie in the file.
    private static func checkTable(_ r: ByteReader, name: String, offset: UInt64, count: UInt64,
                                   entrySize: UInt64, minimum: UInt64) throws {
        guard count > 0 else { return }
        guard entrySize >= minimum else {
            throw ELFError.badEntrySize(field: name, size: entrySize, minimum: minimum)
        }
        let (size, overflow) = count.multipliedReportingOverflow(by: entrySize)
        guard !overflow else {
            throw ELFError.truncated(field: "\(name) (\(count) entries)", offset: offset, size: .max, fileSize: r.count)
        }
        _ = try r.check(offset: offset, size: size, field: "\(name) (\(count) entries)")
    }

    private static func parseProgramHeaders(_ r: ByteReader, header: ELFHeader) throws -> [ProgramHeader] {
        let entrySize = UInt64(header.programHeaderEntrySize)
        try checkTable(r, name: "program header table", offset: header.programHeaderOffset,
                       count: header.programHeaderCount, entrySize: entrySize, minimum: programHeaderSize)
        return try (0..<header.programHeaderCount).map { index in
            let base = header.programHeaderOffset + index * entrySize
            let field = "program header \(index)"
            let segment = ProgramHeader(
                type: try r.u32(base, field), flags: try r.u32(base + 4, field),
                offset: try r.u64(base + 8, field), virtualAddress: try r.u64(base + 16, field),
                physicalAddress: try r.u64(base + 24, field), fileSize: try r.u64(base + 32, field),
                memorySize: try r.u64(base + 40, field), alignment: try r.u64(base + 48, field))
            if segment.type != 0 {  // PT_NULL entries may hold anything
                _ = try r.check(offset: segment.offset, size: segment.fileSize, field: field)
            }
            return segment
        }
    }

    /// Parses the section headers and their names. Extended numbering (e_shnum 0,
    /// e_shstrndx SHN_XINDEX, e_phnum PN_XNUM) keeps the real values in section 0; they
    /// are written back into `header` so it reports real counts.
    private static func parseSections(_ r: ByteReader, header: inout ELFHeader) throws -> [Section] {
        let offset = header.sectionHeaderOffset
        guard offset != 0 else {
            header.sectionHeaderCount = 0
            return []
        }
        let entrySize = UInt64(header.sectionHeaderEntrySize)
        if header.sectionHeaderCount == 0 || header.sectionNameTableIndex == 0xffff || header.programHeaderCount == 0xffff {
            try checkTable(r, name: "section header table", offset: offset, count: 1,
                           entrySize: entrySize, minimum: sectionHeaderSize)
            if header.sectionHeaderCount == 0 {
                header.sectionHeaderCount = try r.u64(offset + 32, "section 0 sh_size (section count)")
            }
            if header.sectionNameTableIndex == 0xffff {
                header.sectionNameTableIndex = UInt64(try r.u32(offset + 40, "section 0 sh_link (name table index)"))
            }
            if header.programHeaderCount == 0xffff {
                header.programHeaderCount = UInt64(try r.u32(offset + 44, "section 0 sh_info (program header count)"))
            }
        }
        let count = header.sectionHeaderCount
        let nameIndex = header.sectionNameTableIndex
        try checkTable(r, name: "section header table", offset: offset, count: count,
                       entrySize: entrySize, minimum: sectionHeaderSize)
        var nameOffsets: [UInt32] = []
        var sections = try (0..<count).map { index -> Section in
            let base = offset + index * entrySize
            let field = "section header \(index)"
            nameOffsets.append(try r.u32(base, field))
            return Section(
                index: Int(index), name: "",
                type: try r.u32(base + 4, field), flags: try r.u64(base + 8, field),
                address: try r.u64(base + 16, field), offset: try r.u64(base + 24, field),
                size: try r.u64(base + 32, field), link: try r.u32(base + 40, field),
                info: try r.u32(base + 44, field), alignment: try r.u64(base + 48, field),
                entrySize: try r.u64(base + 56, field))
        }
        if nameIndex != 0, !sections.isEmpty {
            guard nameIndex < count else {
                throw ELFError.badIndex(field: "e_shstrndx", index: nameIndex, count: count)
            }
            let table = sections[Int(nameIndex)]
            let names = try r.slice(offset: table.offset, size: table.size, field: "section name table (section \(nameIndex))")
            for index in sections.indices {
                let nameOffset = nameOffsets[index]
                if nameOffset == 0 && names.isEmpty { continue }
                guard nameOffset < names.count else {
                    throw ELFError.badIndex(field: "section \(index) sh_name", index: UInt64(nameOffset), count: UInt64(names.count))
                }
                sections[index].name = names.cString(at: Int(nameOffset))
            }
        }
        return sections
    }

    // MARK: Interpreter and dynamic section

    private func parseInterpreter(_ r: ByteReader) throws -> String? {
        guard let index = programHeaders.firstIndex(where: { $0.type == ProgramHeader.typeInterpreter }) else { return nil }
        let data = try segmentData(index)
        return data.cString(at: 0)
    }

    private func parseDynamic(_ r: ByteReader) throws -> DynamicInfo {
        let entries: ArraySlice<UInt8>
        let strings: ArraySlice<UInt8>
        if let section = sections.first(where: { $0.type == Section.typeDynamic }) {
            entries = try sectionData(section)
            guard Int(section.link) < sections.count else {
                throw ELFError.badIndex(field: "section \(section.index) (\(section.name)) sh_link", index: UInt64(section.link), count: UInt64(sections.count))
            }
            strings = try sectionData(sections[Int(section.link)])
        } else if let index = programHeaders.firstIndex(where: { $0.type == ProgramHeader.typeDynamic }) {
            // No section headers (stripped): find the string table through DT_STRTAB/DT_STRSZ.
            entries = try segmentData(index)
            var address: UInt64?
            var size: UInt64?
            for (tag, value) in Self.dynamicEntries(entries) {
                if tag == 5 { address = value }
                if tag == 10 { size = value }
            }
            guard let address, let size else { return DynamicInfo() }
            strings = try slice(atVirtualAddress: address, size: size, field: "DT_STRTAB")
        } else {
            return DynamicInfo()
        }
        var info = DynamicInfo()
        for (tag, value) in Self.dynamicEntries(entries) where [1, 14, 15, 29].contains(tag) {
            guard value < UInt64(strings.count) else {
                throw ELFError.badIndex(field: "dynamic entry tag \(tag) string", index: value, count: UInt64(strings.count))
            }
            let string = strings.cString(at: Int(value))
            switch tag {
            case 1: info.needed.append(string)
            case 14: info.soname = string
            case 15: info.rpath = string.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            default: info.runpath = string.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            }
        }
        return info
    }

    /// (d_tag, d_val) pairs up to DT_NULL or the end of the data.
    private static func dynamicEntries(_ data: ArraySlice<UInt8>) -> [(UInt64, UInt64)] {
        var result: [(UInt64, UInt64)] = []
        var offset = 0
        while offset + Int(dynamicEntrySize) <= data.count {
            let tag: UInt64 = data.littleEndian(at: offset)
            if tag == 0 { break }
            result.append((tag, data.littleEndian(at: offset + 8)))
            offset += Int(dynamicEntrySize)
        }
        return result
    }

    /// File bytes backing `[address, address+size)` of a PT_LOAD segment's image.
    func slice(atVirtualAddress address: UInt64, size: UInt64, field: String) throws -> ArraySlice<UInt8> {
        for segment in programHeaders where segment.type == ProgramHeader.typeLoad {
            guard address >= segment.virtualAddress else { continue }
            let delta = address - segment.virtualAddress
            guard delta < segment.fileSize, size <= segment.fileSize - delta else { continue }
            return try ByteReader(bytes: bytes).slice(offset: segment.offset + delta, size: size, field: field)
        }
        throw ELFError.badValue(field: field, value: address, reason: "is not inside the file image of any PT_LOAD segment")
    }

    // MARK: Symbols and notes

    /// Symbols of .symtab and then .dynsym (every SHT_SYMTAB and SHT_DYNSYM section), in
    /// table order, without the null symbol at index 0.
    public func symbols() throws -> [Symbol] {
        var result: [Symbol] = []
        for section in sections where section.type == Section.typeSymbolTable || section.type == Section.typeDynamicSymbols {
            let table: Symbol.Table = section.type == Section.typeSymbolTable ? .symtab : .dynsym
            let field = "section \(section.index) (\(section.name))"
            let entrySize = section.entrySize == 0 ? Self.symbolSize : section.entrySize
            guard entrySize >= Self.symbolSize else {
                throw ELFError.badEntrySize(field: field, size: entrySize, minimum: Self.symbolSize)
            }
            let data = try sectionData(section)
            guard Int(section.link) < sections.count else {
                throw ELFError.badIndex(field: "\(field) sh_link", index: UInt64(section.link), count: UInt64(sections.count))
            }
            let strings = try sectionData(sections[Int(section.link)])
            let count = UInt64(data.count) / entrySize
            guard count > 1 else { continue }
            result.reserveCapacity(result.count + Int(count))
            for index in 1..<count {
                let base = Int(index * entrySize)
                let nameOffset: UInt32 = data.littleEndian(at: base)
                guard nameOffset < strings.count || nameOffset == 0 else {
                    throw ELFError.badIndex(field: "\(field) symbol \(index) st_name", index: UInt64(nameOffset), count: UInt64(strings.count))
                }
                let info: UInt8 = data.littleEndian(at: base + 4)
                result.append(Symbol(
                    name: strings.isEmpty ? "" : strings.cString(at: Int(nameOffset)),
                    value: data.littleEndian(at: base + 8), size: data.littleEndian(at: base + 16),
                    binding: SymbolBinding(rawValue: info >> 4), type: SymbolType(rawValue: info & 0xf),
                    sectionIndex: data.littleEndian(at: base + 6), table: table))
            }
        }
        return result
    }

    /// Notes from PT_NOTE segments and SHT_NOTE sections, each note once (segments and
    /// sections usually cover the same bytes), in file order.
    public func notes() throws -> [Note] {
        var ranges: [(offset: UInt64, size: UInt64, alignment: UInt64, field: String)] = []
        for (index, segment) in programHeaders.enumerated() where segment.type == ProgramHeader.typeNote {
            ranges.append((segment.offset, segment.fileSize, segment.alignment, "program header \(index) (PT_NOTE)"))
        }
        for section in sections where section.type == Section.typeNote {
            ranges.append((section.offset, section.size, section.alignment, "section \(section.index) (\(section.name))"))
        }
        var byOffset: [UInt64: Note] = [:]
        let reader = ByteReader(bytes: bytes)
        for range in ranges {
            let data = try reader.slice(offset: range.offset, size: range.size, field: range.field)
            // 8-byte alignment only where the producer asked for it (.note.gnu.property).
            let alignment = range.alignment == 8 ? 8 : 4
            var offset = 0
            while data.count - offset >= 12 {
                let nameSize = Int(data.littleEndian(at: offset, as: UInt32.self))
                let descSize = Int(data.littleEndian(at: offset + 4, as: UInt32.self))
                let type: UInt32 = data.littleEndian(at: offset + 8)
                let nameStart = offset + 12
                guard nameSize <= data.count - nameStart else {
                    throw ELFError.badValue(field: "\(range.field) note at \(hex(range.offset + UInt64(offset))) namesz",
                                            value: UInt64(nameSize), reason: "runs past the end of the notes")
                }
                // Padding is relative to the (aligned) start of the notes.
                let descStart = Self.align(nameStart + nameSize, alignment)
                guard descStart <= data.count, descSize <= data.count - descStart else {
                    throw ELFError.badValue(field: "\(range.field) note at \(hex(range.offset + UInt64(offset))) descsz",
                                            value: UInt64(descSize), reason: "runs past the end of the notes")
                }
                let nameBytes = data[(data.startIndex + nameStart)..<(data.startIndex + nameStart + nameSize)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                let desc = Array(data[(data.startIndex + descStart)..<(data.startIndex + descStart + descSize)])
                byOffset[range.offset + UInt64(offset)] = Note(name: name, type: type, desc: desc)
                // The last note's padding may be cut off by the end of the segment.
                offset = min(data.count, Self.align(descStart + descSize, alignment))
            }
        }
        return byOffset.sorted { $0.key < $1.key }.map(\.value)
    }

    private static func align(_ value: Int, _ alignment: Int) -> Int {
        (value + alignment - 1) & ~(alignment - 1)
    }
}
