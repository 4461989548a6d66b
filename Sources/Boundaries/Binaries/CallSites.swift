// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// References from a binary's own code (code that no candidate object accounts for, e.g. a
// driver compiled straight from its .c file into the executable) to functions of the
// objects linked into it. A linked binary keeps no undefined symbols for those, so the
// evidence is the machine code: x86-64 direct `call rel32` / `jmp rel32` instructions
// whose target is the first byte of such a function, attributed to the function symbol
// that contains the instruction.

import ELF

enum CallSites {
    static func edges(_ elf: ELFFile, binary: String, linked: [LoadedObject]) -> [SymbolEdge] {
        guard elf.header.machine == ELFHeader.machineX86_64, !linked.isEmpty,
              let symbols = try? elf.symbols().filter({ $0.table == .symtab }), !symbols.isEmpty else { return [] }
        var owners: [String: [String]] = [:]  // defined name -> linked objects defining it
        var localOwned = Set<String>()  // names (local ones too) that some linked object defines
        for object in linked {
            for name in object.strongDefined.union(object.weakDefined) { owners[name, default: []].append(object.facts.path) }
            localOwned.formUnion(object.allDefined)
        }
        var targets: [UInt64: (name: String, objects: [String])] = [:]
        var functions: [(start: UInt64, end: UInt64, name: String)] = []
        for symbol in symbols where symbol.type == .function && symbol.isDefined && symbol.value != 0 {
            let name = ObjectReader.unversioned(symbol.name)
            functions.append((symbol.value, symbol.value &+ max(symbol.size, 1), name))
            // Hidden globals of an object become locals of the binary: the name decides.
            if let objects = owners[name] { targets[symbol.value] = (name, objects) }
        }
        guard !targets.isEmpty else { return [] }
        functions.sort { $0.start < $1.start }

        /// The function containing `address`, if any.
        func caller(of address: UInt64) -> String? {
            var low = 0, high = functions.count
            while low < high {
                let middle = (low + high) / 2
                if functions[middle].start <= address { low = middle + 1 } else { high = middle }
            }
            // Every function before `low` starts at or before the address; a nearby one
            // may be a zero-sized label inside the real function, so look a few back.
            var index = low - 1
            var steps = 0
            while index >= 0, steps < 8 {
                if address < functions[index].end { return functions[index].name }
                index -= 1
                steps += 1
            }
            return nil
        }

        var edges = Set<SymbolEdge>()
        for section in elf.sections where section.flags & 0x4 != 0 && section.type == 1 {
            guard let code = try? elf.sectionData(section), code.count >= 5 else { continue }
            code.withUnsafeBytes { bytes in
                for offset in 0...(bytes.count - 5) where bytes[offset] == 0xe8 || bytes[offset] == 0xe9 {
                    let displacement = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 1, as: Int32.self))
                    let next = section.address &+ UInt64(offset + 5)
                    let target = next &+ UInt64(bitPattern: Int64(displacement))
                    guard let (name, objects) = targets[target] else { continue }
                    guard let from = caller(of: section.address &+ UInt64(offset)), !localOwned.contains(from) else { continue }
                    for object in objects {
                        edges.insert(SymbolEdge(binary: binary, fromObject: binary, toObject: object, symbol: name))
                    }
                }
            }
        }
        return edges.sorted()
    }
}
