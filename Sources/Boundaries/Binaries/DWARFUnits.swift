// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Just enough DWARF to name the source files a binary was compiled from: the compile-unit
// headers of .debug_info (versions 2 to 5) and the attributes of each unit's first DIE,
// read through .debug_abbrev. Only DW_AT_name and DW_AT_comp_dir are kept; every other
// attribute is skipped by its form. Every read is bounds-checked and throws, so a malformed
// unit ends the walk with a message instead of a trap.

import ELF

struct DWARFError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The name and compilation directory of one compile unit.
struct CompileUnitName: Hashable {
    var name: String
    var compDir: String?
}

/// A bounds-checked cursor over a byte array.
struct DWARFCursor {
    let bytes: [UInt8]
    let section: String
    var offset: Int
    /// Reads stop here (the end of the current unit, or of the bytes).
    let limit: Int

    init(_ bytes: [UInt8], section: String, offset: Int = 0, limit: Int? = nil) {
        self.bytes = bytes
        self.section = section
        self.offset = offset
        self.limit = min(limit ?? bytes.count, bytes.count)
    }

    var atEnd: Bool { offset >= limit }

    private func need(_ count: Int) throws {
        guard count >= 0, offset >= 0, offset <= limit, count <= limit - offset else {
            throw DWARFError("\(section): \(count) bytes at offset 0x\(String(offset, radix: 16)) run past the end (0x\(String(limit, radix: 16)))")
        }
    }

    mutating func skip(_ count: Int) throws {
        try need(count)
        offset += count
    }

    /// A little-endian unsigned integer of `size` bytes (1...8).
    mutating func unsigned(_ size: Int) throws -> UInt64 {
        try need(size)
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += size
        return value
    }

    mutating func uleb() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            try need(1)
            let byte = bytes[offset]
            offset += 1
            if shift < 64 { value |= UInt64(byte & 0x7f) << shift }
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func sleb() throws -> Int64 {
        var value: Int64 = 0
        var shift: Int64 = 0
        var byte: UInt8
        repeat {
            try need(1)
            byte = bytes[offset]
            offset += 1
            if shift < 64 { value |= Int64(byte & 0x7f) << shift }
            shift += 7
        } while byte & 0x80 != 0
        if shift < 64, byte & 0x40 != 0 { value |= -(Int64(1) << shift) }
        return value
    }

    mutating func cString() throws -> String {
        try need(0)
        guard let end = bytes[offset..<limit].firstIndex(of: 0) else {
            throw DWARFError("\(section): string at offset 0x\(String(offset, radix: 16)) has no terminating NUL")
        }
        let text = String(decoding: bytes[offset..<end], as: UTF8.self)
        offset = end + 1
        return text
    }
}

enum DWARFUnits {
    /// Section contents with the relocations of a relocatable object applied (in .o files
    /// the offsets into .debug_str etc. live in .rela.debug_* addends, the bytes are zero).
    static func sectionBytes(_ elf: ELFFile, _ name: String) throws -> [UInt8]? {
        guard let section = elf.section(named: name) else { return nil }
        if section.flags & 0x800 != 0 {  // SHF_COMPRESSED
            throw DWARFError("\(name): compressed debug sections are not supported")
        }
        var data = Array(try elf.sectionData(section))
        guard elf.header.type == ELFHeader.typeRelocatable else { return data }
        for rela in elf.sections where rela.type == 4 && Int(rela.info) == section.index {
            try applyRelocations(elf, rela, to: &data)
        }
        return data
    }

    private static func applyRelocations(_ elf: ELFFile, _ rela: Section, to data: inout [UInt8]) throws {
        let entries = try elf.sectionData(rela)
        guard Int(rela.link) < elf.sections.count else {
            throw DWARFError("\(rela.name): sh_link \(rela.link) is not a section")
        }
        let symbols = Array(try elf.sectionData(elf.sections[Int(rela.link)]))
        let entrySize = rela.entrySize == 0 ? 24 : Int(rela.entrySize)
        guard entrySize >= 24 else { throw DWARFError("\(rela.name): entry size \(entrySize) is smaller than 24") }
        let table = Array(entries)
        var position = 0
        while position + 24 <= table.count {
            var cursor = DWARFCursor(table, section: rela.name, offset: position)
            let offset = try cursor.unsigned(8)
            let info = try cursor.unsigned(8)
            let addend = try cursor.unsigned(8)  // two's complement: wrapping add below
            position += entrySize
            let symbolIndex = Int(truncatingIfNeeded: info >> 32)
            let width: Int
            switch (elf.header.machine, UInt32(truncatingIfNeeded: info)) {
            case (62, 1), (183, 257): width = 8  // R_X86_64_64, R_AARCH64_ABS64
            case (62, 10), (62, 11), (183, 258): width = 4  // R_X86_64_32(S), R_AARCH64_ABS32
            default: continue  // not an absolute data relocation: nothing we read depends on it
            }
            var symbolValue: UInt64 = 0
            if symbolIndex != 0 {
                var symbolCursor = DWARFCursor(symbols, section: "symbol table of \(rela.name)", offset: symbolIndex * 24 + 8)
                symbolValue = try symbolCursor.unsigned(8)
            }
            let value = symbolValue &+ addend
            guard offset <= UInt64(data.count), UInt64(width) <= UInt64(data.count) - offset else {
                throw DWARFError("\(rela.name): relocation offset 0x\(String(offset, radix: 16)) is outside the section")
            }
            for index in 0..<width { data[Int(offset) + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
    }

    /// The (name, comp_dir) of every compile unit, in order, and the problems met; a
    /// unit whose first DIE cannot be read is skipped, a unit header that cannot be read
    /// ends the walk (the next unit's start is unknown).
    static func compileUnits(_ elf: ELFFile) -> (units: [CompileUnitName], problems: [String]) {
        var units: [CompileUnitName] = []
        var problems: [String] = []
        let info: [UInt8], abbrev: [UInt8]
        var strings: [UInt8] = [], lineStrings: [UInt8] = [], stringOffsets: [UInt8] = []
        do {
            guard let infoBytes = try sectionBytes(elf, ".debug_info"), let abbrevBytes = try sectionBytes(elf, ".debug_abbrev") else {
                return ([], [])
            }
            info = infoBytes
            abbrev = abbrevBytes
            strings = try sectionBytes(elf, ".debug_str") ?? []
            lineStrings = try sectionBytes(elf, ".debug_line_str") ?? []
            stringOffsets = try sectionBytes(elf, ".debug_str_offsets") ?? []
        } catch {
            return ([], ["DWARF: \(error)"])
        }
        let context = Context(abbrev: abbrev, strings: strings, lineStrings: lineStrings, stringOffsets: stringOffsets)
        var cursor = DWARFCursor(info, section: ".debug_info")
        while !cursor.atEnd {
            let start = cursor.offset
            do {
                var length = try cursor.unsigned(4)
                var offsetSize = 4
                if length == 0xffff_ffff {
                    length = try cursor.unsigned(8)
                    offsetSize = 8
                } else if length >= 0xffff_fff0 {
                    throw DWARFError("reserved unit length 0x\(String(length, radix: 16))")
                }
                let bodyStart = cursor.offset
                guard length <= UInt64(info.count - bodyStart) else {
                    throw DWARFError("unit length 0x\(String(length, radix: 16)) runs past the end of .debug_info (\(info.count) bytes)")
                }
                let end = bodyStart + Int(length)
                defer { cursor.offset = end }
                do {
                    if let unit = try context.firstDIE(info: info, from: bodyStart, end: end, offsetSize: offsetSize) {
                        units.append(unit)
                    }
                } catch {
                    problems.append("DWARF unit at .debug_info+0x\(String(start, radix: 16)): \(error)")
                }
            } catch {
                problems.append("DWARF unit at .debug_info+0x\(String(start, radix: 16)): \(error)")
                break
            }
        }
        return (units, problems)
    }

    private struct Context {
        let abbrev: [UInt8]
        let strings: [UInt8]
        let lineStrings: [UInt8]
        let stringOffsets: [UInt8]

        /// Reads the unit header after unit_length and the attributes of its first DIE.
        func firstDIE(info: [UInt8], from start: Int, end: Int, offsetSize: Int) throws -> CompileUnitName? {
            var cursor = DWARFCursor(info, section: ".debug_info", offset: start, limit: end)
            let version = try cursor.unsigned(2)
            var addressSize = 8
            let abbrevOffset: UInt64
            switch version {
            case 2, 3, 4:
                abbrevOffset = try cursor.unsigned(offsetSize)
                addressSize = Int(try cursor.unsigned(1))
            case 5:
                let unitType = try cursor.unsigned(1)
                addressSize = Int(try cursor.unsigned(1))
                abbrevOffset = try cursor.unsigned(offsetSize)
                switch unitType {
                case 1, 3: break  // DW_UT_compile, DW_UT_partial
                case 4, 5: try cursor.skip(8)  // skeleton, split_compile: dwo_id
                case 2, 6: return nil  // type units name no source file
                default: throw DWARFError("unknown unit type \(unitType)")
                }
            default:
                throw DWARFError("unsupported DWARF version \(version)")
            }
            let code = try cursor.uleb()
            guard code != 0 else { return nil }
            let specs = try attributeSpecs(code: code, at: abbrevOffset)
            var name: String?
            var compDir: String?
            var nameIndex: UInt64?
            var compDirIndex: UInt64?
            var offsetsBase: UInt64?
            var dwoName: String?
            var dwoNameIndex: UInt64?
            for spec in specs {
                let value = try read(form: spec.form, implicit: spec.implicit, cursor: &cursor, version: version,
                                     offsetSize: offsetSize, addressSize: addressSize)
                switch (spec.attribute, value) {
                case (0x03, .string(let text)): name = text
                case (0x03, .stringIndex(let index)): nameIndex = index
                case (0x1b, .string(let text)): compDir = text
                case (0x1b, .stringIndex(let index)): compDirIndex = index
                case (0x72, .number(let base)): offsetsBase = base
                case (0x76, .string(let text)), (0x2130, .string(let text)): dwoName = text
                case (0x76, .stringIndex(let index)), (0x2130, .stringIndex(let index)): dwoNameIndex = index
                default: break
                }
            }
            // strx forms need DW_AT_str_offsets_base, which may come after the name.
            if let nameIndex { name = try indexedString(nameIndex, base: offsetsBase, offsetSize: offsetSize) }
            if let compDirIndex { compDir = try indexedString(compDirIndex, base: offsetsBase, offsetSize: offsetSize) }
            if let dwoNameIndex { dwoName = try indexedString(dwoNameIndex, base: offsetsBase, offsetSize: offsetSize) }
            // Swift objects carry skeleton units for the Clang modules they import: not sources.
            if let dwoName, dwoName.hasSuffix(".pcm") { return nil }
            guard let name else { return nil }
            return CompileUnitName(name: name, compDir: compDir)
        }

        private func attributeSpecs(code: UInt64, at offset: UInt64) throws -> [(attribute: UInt64, form: UInt64, implicit: Int64)] {
            guard offset < UInt64(abbrev.count) else {
                throw DWARFError("abbreviation offset 0x\(String(offset, radix: 16)) is past the end of .debug_abbrev (\(abbrev.count) bytes)")
            }
            var cursor = DWARFCursor(abbrev, section: ".debug_abbrev", offset: Int(offset))
            while true {
                let entryCode = try cursor.uleb()
                guard entryCode != 0 else { throw DWARFError("abbreviation code \(code) not found") }
                _ = try cursor.uleb()  // tag
                try cursor.skip(1)  // has_children
                var specs: [(attribute: UInt64, form: UInt64, implicit: Int64)] = []
                while true {
                    let attribute = try cursor.uleb()
                    let form = try cursor.uleb()
                    if attribute == 0 && form == 0 { break }
                    let implicit = form == 0x21 ? try cursor.sleb() : 0
                    specs.append((attribute, form, implicit))
                }
                if entryCode == code { return specs }
            }
        }

        enum Value {
            case string(String), stringIndex(UInt64), number(UInt64), other
        }

        private func read(form: UInt64, implicit: Int64, cursor: inout DWARFCursor, version: UInt64,
                          offsetSize: Int, addressSize: Int) throws -> Value {
            switch form {
            case 0x08: return .string(try cursor.cString())  // string
            case 0x0e: return .string(try table(strings, ".debug_str", try cursor.unsigned(offsetSize)))  // strp
            case 0x1f: return .string(try table(lineStrings, ".debug_line_str", try cursor.unsigned(offsetSize)))  // line_strp
            case 0x1a: return .stringIndex(try cursor.uleb())  // strx
            case 0x25: return .stringIndex(try cursor.unsigned(1))
            case 0x26: return .stringIndex(try cursor.unsigned(2))
            case 0x27: return .stringIndex(try cursor.unsigned(3))
            case 0x28: return .stringIndex(try cursor.unsigned(4))
            case 0x01: return .number(try cursor.unsigned(addressSize))  // addr
            case 0x0b, 0x11, 0x0c, 0x29: return .number(try cursor.unsigned(1))  // data1 ref1 flag addrx1
            case 0x05, 0x12, 0x2a: return .number(try cursor.unsigned(2))  // data2 ref2 addrx2
            case 0x2b: return .number(try cursor.unsigned(3))  // addrx3
            case 0x06, 0x13, 0x1c, 0x2c: return .number(try cursor.unsigned(4))  // data4 ref4 ref_sup4 addrx4
            case 0x07, 0x14, 0x20, 0x24: return .number(try cursor.unsigned(8))  // data8 ref8 ref_sig8 ref_sup8
            case 0x1e: try cursor.skip(16); return .other  // data16
            case 0x0d: _ = try cursor.sleb(); return .other  // sdata
            case 0x0f, 0x15, 0x1b, 0x22, 0x23, 0x1f01, 0x1f02:  // udata ref_udata addrx loclistx rnglistx GNU_addr/str_index
                return .number(try cursor.uleb())
            case 0x17, 0x1d, 0x1f20, 0x1f21: return .number(try cursor.unsigned(offsetSize))  // sec_offset strp_sup GNU_ref/strp_alt
            case 0x10: return .number(try cursor.unsigned(version == 2 ? addressSize : offsetSize))  // ref_addr
            case 0x03: try cursor.skip(Int(try cursor.unsigned(2))); return .other  // block2
            case 0x04: try cursor.skip(Int(try cursor.unsigned(4))); return .other  // block4
            case 0x0a: try cursor.skip(Int(try cursor.unsigned(1))); return .other  // block1
            case 0x09, 0x18:  // block, exprloc
                let length = try cursor.uleb()
                guard length <= UInt64(Int.max) else { throw DWARFError("block length \(length) is too large") }
                try cursor.skip(Int(length))
                return .other
            case 0x19: return .other  // flag_present
            case 0x21: return .number(UInt64(bitPattern: implicit))  // implicit_const
            case 0x16:  // indirect
                let actual = try cursor.uleb()
                guard actual != 0x16 else { throw DWARFError("DW_FORM_indirect names itself") }
                return try read(form: actual, implicit: implicit, cursor: &cursor, version: version,
                                offsetSize: offsetSize, addressSize: addressSize)
            default:
                throw DWARFError("unknown attribute form 0x\(String(form, radix: 16))")
            }
        }

        private func table(_ bytes: [UInt8], _ name: String, _ offset: UInt64) throws -> String {
            guard offset < UInt64(bytes.count) else {
                throw DWARFError("\(name) offset 0x\(String(offset, radix: 16)) is past its end (\(bytes.count) bytes)")
            }
            var cursor = DWARFCursor(bytes, section: name, offset: Int(offset))
            return try cursor.cString()
        }

        private func indexedString(_ index: UInt64, base: UInt64?, offsetSize: Int) throws -> String {
            // Without DW_AT_str_offsets_base, the first contribution's header (8 bytes) is assumed.
            let start = base ?? UInt64(offsetSize == 8 ? 16 : 8)
            let (scaled, overflow1) = index.multipliedReportingOverflow(by: UInt64(offsetSize))
            let (position, overflow2) = start.addingReportingOverflow(scaled)
            guard !overflow1, !overflow2, position < UInt64(stringOffsets.count) else {
                throw DWARFError("string index \(index) is past the end of .debug_str_offsets (\(stringOffsets.count) bytes)")
            }
            var cursor = DWARFCursor(stringOffsets, section: ".debug_str_offsets", offset: Int(position))
            return try table(strings, ".debug_str", try cursor.unsigned(offsetSize))
        }
    }
}
