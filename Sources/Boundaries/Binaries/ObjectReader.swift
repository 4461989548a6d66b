// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Reads the facts of one ELF file (object, executable, shared object, archive member):
// symbols, source files, the shim's export and license sections, dlopen evidence.

import ELF
import Foundation

/// An ELF file's facts plus what the binary analysis needs to match and link objects.
struct LoadedObject {
    var facts: ObjectFacts
    /// Defined names used to recognise this object inside a binary: strong global
    /// functions and data, or the weak ones when there are no strong ones.
    var keySymbols: [String]
    /// Every defined function/data name, local ones included (a linker turns hidden
    /// globals into locals), used when this file is the binary objects are matched against.
    var allDefined: Set<String>
    var strongDefined: Set<String>
    var weakDefined: Set<String>
    var referencesDlopen: Bool
    var dlopenStrings: [String]
    /// True when there was no .symtab and the symbols come from .dynsym.
    var fromDynamicSymbols: Bool
    /// The file the object was compiled from: its first compile unit, else its first
    /// STT_FILE symbol.
    var primarySource: String?
    /// Defined names that a symbol table marks as coming from a shared library
    /// (`stderr@GLIBC_2.2.5`, copied into an executable by a copy relocation).
    var libraryDefined: Set<String>
}

enum ObjectReader {
    private static let shnCommon: UInt16 = 0xfff2

    /// `problems` receives messages about parts that could not be read (the rest is kept).
    static func read(_ elf: ELFFile, path: String, resolve: (String) -> String, problems: inout [String]) -> LoadedObject {
        var symbols: [Symbol] = []
        do {
            symbols = try elf.symbols()
        } catch {
            problems.append("symbols: \(error)")
        }
        let hasSymtab = symbols.contains { $0.table == .symtab } || elf.sections.contains { $0.type == Section.typeSymbolTable }
        if hasSymtab { symbols.removeAll { $0.table != .symtab } }

        var strong = Set<String>(), weak = Set<String>(), undefined = Set<String>(), all = Set<String>()
        var keyStrong = Set<String>(), keyWeak = Set<String>()
        var fileNames: [String] = []
        var libraryDefined = Set<String>()
        for symbol in symbols {
            if symbol.type == .file {
                if !symbol.name.isEmpty { fileNames.append(symbol.name) }
                continue
            }
            if symbol.type == .section || symbol.name.isEmpty { continue }
            let name = unversioned(symbol.name)
            let isData = [SymbolType.function, .object, .threadLocal, .indirectFunction, .common].contains(symbol.type)
            if !symbol.isDefined {
                if symbol.binding != .local { undefined.insert(name) }
                continue
            }
            if name != symbol.name { libraryDefined.insert(name) }
            if isData || symbol.sectionIndex == shnCommon { all.insert(name) }
            switch symbol.binding {
            case .global, .gnuUnique:
                strong.insert(name)
                if isData { keyStrong.insert(name) }
            case .weak:
                weak.insert(name)
                if isData { keyWeak.insert(name) }
            default:
                break
            }
        }
        undefined.subtract(strong)
        undefined.subtract(weak)

        let units = DWARFUnits.compileUnits(elf)
        problems.append(contentsOf: units.problems)
        var sources: [String]
        if !units.units.isEmpty {
            sources = units.units.map { unit in
                if unit.name.hasPrefix("/") { return resolve(unit.name) }
                guard let dir = unit.compDir else { return resolve(unit.name) }
                return resolve(dir + "/" + unit.name)
            }
        } else {
            sources = fileNames
        }
        let primary = sources.first
        sources = Array(Set(sources)).sorted()

        let exports = strings(in: elf, sectionsNamed: ".candor_exports", problems: &problems)
        let gplExports = strings(in: elf, sectionsNamed: ".candor_exports_gpl", problems: &problems)
        var license = strings(in: elf, sectionsNamed: ".candor_license", problems: &problems, sorted: false).first
        if license == nil {
            license = strings(in: elf, sectionsNamed: ".modinfo", problems: &problems, sorted: false)
                .first { $0.hasPrefix("license=") }.map { String($0.dropFirst("license=".count)) }
        }

        let usesDlopen = undefined.contains("dlopen") || undefined.contains("dlmopen")
        let facts = ObjectFacts(path: path, sourceFiles: sources, defined: strong.union(weak).sorted(),
                                undefined: undefined.sorted(), exports: exports, gplOnlyExports: gplExports,
                                declaredLicense: license)
        return LoadedObject(facts: facts, keySymbols: (keyStrong.isEmpty ? keyWeak : keyStrong).sorted(),
                            allDefined: all.union(strong).union(weak), strongDefined: strong, weakDefined: weak,
                            referencesDlopen: usesDlopen,
                            dlopenStrings: usesDlopen ? sharedObjectNames(in: elf, problems: &problems) : [],
                            fromDynamicSymbols: !hasSymtab && !symbols.isEmpty, primarySource: primary,
                            libraryDefined: libraryDefined)
    }

    /// `name@VERSION` / `name@@VERSION` as written in some symbol tables, without the version.
    static func unversioned(_ name: String) -> String {
        // On UTF-8, not Characters: called for every symbol of every binary.
        guard let at = name.utf8.firstIndex(of: UInt8(ascii: "@")), at != name.utf8.startIndex else { return name }
        return String(name[..<at])
    }

    /// NUL-separated strings of every section with this name (a linked binary may hold
    /// one per contributing group), sorted and unique unless `sorted` is false.
    static func strings(in elf: ELFFile, sectionsNamed name: String, problems: inout [String], sorted: Bool = true) -> [String] {
        var result: [String] = []
        for section in elf.sections where section.name == name {
            do {
                let data = try elf.sectionData(section)
                for piece in data.split(separator: 0) {
                    let text = String(decoding: piece, as: UTF8.self)
                    if !text.isEmpty { result.append(text) }
                }
            } catch {
                problems.append("\(name): \(error)")
            }
        }
        return sorted ? Array(Set(result)).sorted() : result
    }

    /// Strings in allocated, non-executable data that look like shared object names.
    static func sharedObjectNames(in elf: ELFFile, problems: inout [String]) -> [String] {
        var names = Set<String>()
        for section in elf.sections where section.type == 1 && section.flags & 0x2 != 0 && section.flags & 0x4 == 0
            && section.name != ".interp" && !section.name.hasPrefix(".eh_frame") {
            do {
                let data = try elf.sectionData(section)
                for piece in data.split(separator: 0) where piece.count >= 4 && piece.count <= 255 {
                    if looksLikeSharedObjectName(piece) { names.insert(String(decoding: piece, as: UTF8.self)) }
                }
            } catch {
                problems.append("\(section.name): \(error)")
            }
        }
        return names.sorted()
    }

    /// `lib*.so*` or `*.so`, `*.so.1.2`: path characters only, the last component ending in
    /// ".so" or ".so." plus a version of digits and dots.
    static func looksLikeSharedObjectName(_ bytes: ArraySlice<UInt8>) -> Bool {
        // Bytes, not String: a linked binary's read-only data holds millions of pieces.
        for byte in bytes {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == 0x2e || byte == 0x5f || byte == 0x2d || byte == 0x2b || byte == 0x2f
            if !ok { return false }
        }
        let base = bytes[((bytes.lastIndex(of: 0x2f) ?? bytes.startIndex - 1) + 1)...]
        // The last ".so" of the base name, not at its start.
        var at = base.endIndex - 3
        while at > base.startIndex && !(base[at] == 0x2e && base[at + 1] == 0x73 && base[at + 2] == 0x6f) { at -= 1 }
        guard at > base.startIndex else { return false }
        let rest = base[(at + 3)...]
        if rest.isEmpty { return true }
        guard rest.first == 0x2e, rest.count > 1 else { return false }
        return rest.dropFirst().allSatisfy { $0 == 0x2e || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
