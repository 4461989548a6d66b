// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import Foundation
import XCTest

final class ELFFileTests: XCTestCase {
    static let library = """
        int counter = 3;
        static int hidden(int x) { return x * counter; }
        int exported(int x) { return hidden(x) + 1; }
        __attribute__((weak)) int optional(void) { return 7; }
        extern int imported(int);
        int caller(void) { return imported(2); }
        """

    /// A relocatable object: symbols with bindings, types and undefined references.
    func testRelocatableObjectSymbolsAndSections() throws {
        let tools = try Toolchain()
        defer { tools.remove() }
        try tools.write("lib.c", Self.library)
        try tools.cc("-c", "-O0", "-o", "lib.o", "lib.c")
        let file = try ELFFile(bytes: try tools.bytes("lib.o"))

        XCTAssertEqual(file.header.type, ELFHeader.typeRelocatable)
        XCTAssertEqual(file.header.machine, ELFHeader.machineX86_64)
        XCTAssertTrue(file.programHeaders.isEmpty)
        XCTAssertNil(file.interpreter)
        XCTAssertEqual(file.dynamic, DynamicInfo())
        let text = try XCTUnwrap(file.section(named: ".text"))
        XCTAssertGreaterThan(try file.sectionData(text).count, 0)
        XCTAssertNotNil(file.section(named: ".symtab"))

        let symbols = Dictionary(try file.symbols().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let exported = try XCTUnwrap(symbols["exported"])
        XCTAssertEqual(exported.binding, .global)
        XCTAssertEqual(exported.type, .function)
        XCTAssertTrue(exported.isDefined)
        XCTAssertEqual(exported.table, .symtab)
        XCTAssertEqual(Int(exported.sectionIndex), text.index)
        XCTAssertGreaterThan(exported.size, 0)
        XCTAssertEqual(symbols["hidden"]?.binding, .local)
        XCTAssertEqual(symbols["optional"]?.binding, .weak)
        XCTAssertEqual(symbols["counter"]?.type, .object)
        XCTAssertEqual(symbols["counter"]?.size, 4)
        let imported = try XCTUnwrap(symbols["imported"])
        XCTAssertFalse(imported.isDefined)
        XCTAssertEqual(imported.binding, .global)
    }

    /// Shared library and executable: soname, rpath/runpath split on ':', needed,
    /// interpreter, .dynsym, build-id note.
    func testSharedLibraryAndExecutableDynamicInfo() throws {
        let tools = try Toolchain()
        defer { tools.remove() }
        try tools.write("lib.c", Self.library + "\nint imported(int x) { return x; }\nint puts(const char *);\nint say(void) { return puts(\"x\"); }\n")
        try tools.cc("-shared", "-fPIC", "-o", "libdemo.so", "lib.c", "-Wl,-soname,libdemo.so.1",
                     "-Wl,--disable-new-dtags", "-Wl,-rpath,/opt/a:/opt/b", "-Wl,--build-id=sha1")
        try tools.write("main.c", "int exported(int); int main(void) { return exported(1); }\n")
        try tools.cc("-o", "main", "main.c", "-L.", "-ldemo", "-Wl,--enable-new-dtags",
                     "-Wl,-rpath,$ORIGIN:/usr/local/lib", "-Wl,--build-id=sha1")

        let library = try ELFFile(bytes: try tools.bytes("libdemo.so"))
        XCTAssertEqual(library.header.type, ELFHeader.typeSharedObject)
        XCTAssertEqual(library.dynamic.soname, "libdemo.so.1")
        XCTAssertEqual(library.dynamic.rpath, ["/opt/a", "/opt/b"])
        XCTAssertEqual(library.dynamic.runpath, [])
        XCTAssertTrue(library.dynamic.needed.contains("libc.so.6"))
        let dynamicExport = try library.symbols().first { $0.table == .dynsym && $0.name == "exported" }
        XCTAssertEqual(dynamicExport?.isDefined, true)

        let buildIDs = try library.notes().filter { $0.name == "GNU" && $0.type == 3 }
        XCTAssertEqual(buildIDs.count, 1, "the build-id note appears once although a segment and a section hold it")
        XCTAssertEqual(buildIDs.first?.desc.count, 20)

        let program = try ELFFile(bytes: try tools.bytes("main"))
        XCTAssertEqual(program.interpreter, "/lib64/ld-linux-x86-64.so.2")
        XCTAssertEqual(program.dynamic.needed.first, "libdemo.so.1", "DT_NEEDED records the soname")
        XCTAssertEqual(program.dynamic.runpath, ["$ORIGIN", "/usr/local/lib"])
        XCTAssertNil(program.dynamic.soname)
    }

    /// Without section headers the dynamic info comes from PT_DYNAMIC and DT_STRTAB.
    func testDynamicInfoWithoutSectionHeaders() throws {
        let tools = try Toolchain()
        defer { tools.remove() }
        try tools.write("lib.c", "int puts(const char *);\nint f(void) { return puts(\"x\"); }\n")
        try tools.cc("-shared", "-fPIC", "-o", "libf.so", "lib.c", "-Wl,-soname,libf.so.2")
        var bytes = try tools.bytes("libf.so")
        // Erase e_shoff, e_shnum and e_shstrndx.
        for index in 40..<48 { bytes[index] = 0 }
        for index in 60..<64 { bytes[index] = 0 }
        let file = try ELFFile(bytes: bytes)
        XCTAssertTrue(file.sections.isEmpty)
        XCTAssertEqual(file.dynamic.soname, "libf.so.2")
        XCTAssertTrue(file.dynamic.needed.contains("libc.so.6"))
    }

    func testRealWorldInputs() throws {
        let libc = "/lib/x86_64-linux-gnu/libc.so.6"
        guard let data = FileManager.default.contents(atPath: libc) else { throw XCTSkip("\(libc) is missing") }
        let file = try ELFFile(bytes: [UInt8](data))
        XCTAssertEqual(file.dynamic.soname, "libc.so.6")
        XCTAssertEqual(file.dynamic.needed, ["ld-linux-x86-64.so.2"])
        let symbols = try file.symbols()
        let printf = symbols.first { $0.name == "printf" && $0.table == .dynsym }
        XCTAssertEqual(printf?.type, .function)
        XCTAssertEqual(printf?.isDefined, true)
        let notes = try file.notes()
        XCTAssertTrue(notes.contains { $0.name == "GNU" && $0.type == 3 && $0.desc.count == 20 })
        // .note.gnu.property is 8-byte aligned: its descriptor starts at 16, not 20.
        let property = notes.first { $0.name == "GNU" && $0.type == 5 }
        XCTAssertEqual(property?.desc.count, 16)
        XCTAssertEqual(property?.desc.prefix(4), [2, 0x80, 0, 0xc0], "GNU_PROPERTY_X86_ISA_1_NEEDED")

        let tool = "/opt/swift/usr/bin/swift-build-tool"
        guard let toolData = FileManager.default.contents(atPath: tool) else { throw XCTSkip("\(tool) is missing") }
        let executable = try ELFFile(bytes: [UInt8](toolData))
        XCTAssertEqual(executable.interpreter, "/lib64/ld-linux-x86-64.so.2")
        XCTAssertTrue(executable.dynamic.needed.contains("libc.so.6"))
        XCTAssertFalse(try executable.symbols().isEmpty)
    }

    // MARK: Malformed input

    func testRejectsBadIdentification() {
        XCTAssertThrowsError(try ELFFile(bytes: [])) { XCTAssertEqual($0 as? ELFError, .badMagic) }
        XCTAssertThrowsError(try ELFFile(bytes: Array("#!/bin/sh\n".utf8))) { XCTAssertEqual($0 as? ELFError, .badMagic) }
        var header = Self.minimalHeader()
        header[4] = 1
        XCTAssertThrowsError(try ELFFile(bytes: header)) { XCTAssertEqual($0 as? ELFError, .unsupportedClass(1)) }
        header[4] = 2
        header[5] = 2
        XCTAssertThrowsError(try ELFFile(bytes: header)) { XCTAssertEqual($0 as? ELFError, .unsupportedByteOrder(2)) }
        XCTAssertThrowsError(try ELFFile(bytes: Array(Self.minimalHeader().prefix(40)))) {
            XCTAssertEqual($0 as? ELFError, .truncated(field: "ELF header", offset: 0, size: 64, fileSize: 40))
        }
    }

    func testMinimalHeaderParses() throws {
        let file = try ELFFile(bytes: Self.minimalHeader())
        XCTAssertEqual(file.header.entry, 0x1000)
        XCTAssertTrue(file.sections.isEmpty)
        XCTAssertTrue(file.programHeaders.isEmpty)
    }

    func testProgramHeaderPastEndNamesTheField() throws {
        var bytes = Self.minimalHeader()
        Self.put(UInt64(64), at: 32, in: &bytes)     // e_phoff
        Self.put(UInt16(56), at: 54, in: &bytes)     // e_phentsize
        Self.put(UInt16(1), at: 56, in: &bytes)      // e_phnum
        bytes += [UInt8](repeating: 0, count: 56)
        Self.put(UInt32(1), at: 64, in: &bytes)      // PT_LOAD
        Self.put(UInt64(0x100), at: 64 + 8, in: &bytes)    // p_offset
        Self.put(UInt64(0x1000), at: 64 + 32, in: &bytes)  // p_filesz
        XCTAssertThrowsError(try ELFFile(bytes: bytes)) { error in
            XCTAssertEqual(error as? ELFError, .truncated(field: "program header 0", offset: 0x100, size: 0x1000, fileSize: 120))
            XCTAssertEqual("\(error)", "ELF: program header 0: offset 0x100 + size 0x1000 past end of file (0x78 bytes)")
        }
        // An offset near 2^64 must not wrap around.
        Self.put(UInt64.max - 8, at: 64 + 8, in: &bytes)
        XCTAssertThrowsError(try ELFFile(bytes: bytes)) {
            XCTAssertEqual($0 as? ELFError, .truncated(field: "program header 0", offset: .max - 8, size: 0x1000, fileSize: 120))
        }
        // A table entry size below 56 bytes is rejected.
        Self.put(UInt16(8), at: 54, in: &bytes)
        XCTAssertThrowsError(try ELFFile(bytes: bytes)) {
            XCTAssertEqual($0 as? ELFError, .badEntrySize(field: "program header table", size: 8, minimum: 56))
        }
    }

    func testBadSectionNameTableIndex() throws {
        var bytes = Self.minimalHeader()
        Self.put(UInt64(64), at: 40, in: &bytes)     // e_shoff
        Self.put(UInt16(64), at: 58, in: &bytes)     // e_shentsize
        Self.put(UInt16(1), at: 60, in: &bytes)      // e_shnum
        Self.put(UInt16(5), at: 62, in: &bytes)      // e_shstrndx
        bytes += [UInt8](repeating: 0, count: 64)
        XCTAssertThrowsError(try ELFFile(bytes: bytes)) {
            XCTAssertEqual($0 as? ELFError, .badIndex(field: "e_shstrndx", index: 5, count: 1))
        }
    }

    /// Every prefix and many corrupted copies of a real object either parse or throw:
    /// never a trap (the test process would die).
    func testTruncatedAndCorruptedCopiesNeverTrap() throws {
        let tools = try Toolchain()
        defer { tools.remove() }
        try tools.write("lib.c", Self.library)
        try tools.cc("-c", "-O0", "-g0", "-o", "lib.o", "lib.c")
        let original = try tools.bytes("lib.o")
        var rejected = 0
        for length in 0..<original.count {
            do { _ = try Self.exercise(Array(original.prefix(length))) } catch is ELFError { rejected += 1 }
        }
        XCTAssertGreaterThan(rejected, original.count / 2)
        var generator = SplitMix(seed: 0x5eed)
        for _ in 0..<3000 {
            var copy = original
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let index = Int(generator.next() % UInt64(copy.count))
                copy[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            _ = try? Self.exercise(copy)
        }
    }

    /// Runs every accessor, as the fuzz target does.
    static func exercise(_ bytes: [UInt8]) throws -> Int {
        let file = try ELFFile(bytes: bytes)
        var total = try file.symbols().count + file.notes().count
        for section in file.sections { total += (try? file.sectionData(section).count) ?? 0 }
        return total
    }

    // MARK: Fixtures

    static func minimalHeader() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...6] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]
        put(UInt16(2), at: 16, in: &bytes)
        put(UInt16(62), at: 18, in: &bytes)
        put(UInt32(1), at: 20, in: &bytes)
        put(UInt64(0x1000), at: 24, in: &bytes)
        put(UInt16(64), at: 52, in: &bytes)
        return bytes
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + $0.count), with: $0) }
    }
}

/// A small deterministic generator so corruption tests repeat exactly.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
}
