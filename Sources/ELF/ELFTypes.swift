// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// The ELF file header (ELF64 little-endian only).
public struct ELFHeader: Equatable, Sendable {
    public var osABI: UInt8
    public var abiVersion: UInt8
    /// e_type: 1 relocatable, 2 executable, 3 shared object, 4 core.
    public var type: UInt16
    /// e_machine: 62 is x86-64, 183 AArch64.
    public var machine: UInt16
    public var version: UInt32
    public var entry: UInt64
    public var programHeaderOffset: UInt64
    public var sectionHeaderOffset: UInt64
    public var flags: UInt32
    public var headerSize: UInt16
    public var programHeaderEntrySize: UInt16
    /// The number of program headers (PN_XNUM resolved through section 0's sh_info).
    public var programHeaderCount: UInt64
    public var sectionHeaderEntrySize: UInt16
    /// The number of section headers (0 in e_shnum resolved through section 0's sh_size).
    public var sectionHeaderCount: UInt64
    /// Index of the section-name string table (SHN_XINDEX resolved through section 0's sh_link).
    public var sectionNameTableIndex: UInt64

    public static let typeRelocatable: UInt16 = 1
    public static let typeExecutable: UInt16 = 2
    public static let typeSharedObject: UInt16 = 3
    public static let machineX86_64: UInt16 = 62
}

/// A program header (segment).
public struct ProgramHeader: Equatable, Sendable {
    public var type: UInt32
    public var flags: UInt32
    public var offset: UInt64
    public var virtualAddress: UInt64
    public var physicalAddress: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    public var alignment: UInt64

    public static let typeLoad: UInt32 = 1
    public static let typeDynamic: UInt32 = 2
    public static let typeInterpreter: UInt32 = 3
    public static let typeNote: UInt32 = 4
    public static let flagExecute: UInt32 = 1
    public static let flagWrite: UInt32 = 2
    public static let flagRead: UInt32 = 4
}

/// A section header with its name resolved from the section-name string table.
public struct Section: Equatable, Sendable {
    public var index: Int
    public var name: String
    public var type: UInt32
    public var flags: UInt64
    public var address: UInt64
    public var offset: UInt64
    public var size: UInt64
    public var link: UInt32
    public var info: UInt32
    public var alignment: UInt64
    public var entrySize: UInt64

    public static let typeSymbolTable: UInt32 = 2
    public static let typeStringTable: UInt32 = 3
    public static let typeDynamic: UInt32 = 6
    public static let typeNote: UInt32 = 7
    public static let typeNoBits: UInt32 = 8
    public static let typeDynamicSymbols: UInt32 = 11
}

/// What the dynamic section says about linking.
public struct DynamicInfo: Equatable, Sendable {
    /// DT_NEEDED entries in file order.
    public var needed: [String] = []
    public var soname: String?
    /// DT_RPATH and DT_RUNPATH, each split on ':'.
    public var rpath: [String] = []
    public var runpath: [String] = []

    public init(needed: [String] = [], soname: String? = nil, rpath: [String] = [], runpath: [String] = []) {
        self.needed = needed
        self.soname = soname
        self.rpath = rpath
        self.runpath = runpath
    }
}

/// Symbol binding (STB_*); an open set so unknown values survive.
public struct SymbolBinding: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let local = SymbolBinding(rawValue: 0)
    public static let global = SymbolBinding(rawValue: 1)
    public static let weak = SymbolBinding(rawValue: 2)
    public static let gnuUnique = SymbolBinding(rawValue: 10)
}

/// Symbol type (STT_*); an open set so unknown values survive.
public struct SymbolType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let none = SymbolType(rawValue: 0)
    public static let object = SymbolType(rawValue: 1)
    public static let function = SymbolType(rawValue: 2)
    public static let section = SymbolType(rawValue: 3)
    public static let file = SymbolType(rawValue: 4)
    public static let common = SymbolType(rawValue: 5)
    public static let threadLocal = SymbolType(rawValue: 6)
    public static let indirectFunction = SymbolType(rawValue: 10)
}

public struct Symbol: Equatable, Sendable {
    public enum Table: String, Sendable { case symtab = ".symtab", dynsym = ".dynsym" }
    public var name: String
    public var value: UInt64
    public var size: UInt64
    public var binding: SymbolBinding
    public var type: SymbolType
    /// st_shndx: 0 (SHN_UNDEF) for an undefined symbol, 0xfff1 absolute, 0xfff2 common.
    public var sectionIndex: UInt16
    public var table: Table
    public var isDefined: Bool { sectionIndex != 0 }
}

/// One ELF note: name without its trailing NUL, type and descriptor bytes.
public struct Note: Equatable, Sendable {
    public var name: String
    public var type: UInt32
    public var desc: [UInt8]
}
