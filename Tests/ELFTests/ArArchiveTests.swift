// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import XCTest

final class ArArchiveTests: XCTestCase {
    /// A GNU archive built by `ar` with short and long member names and a symbol table.
    func testGNUArchiveFromAr() throws {
        let tools = try Toolchain()
        defer { tools.remove() }
        try tools.write("a.c", "int a(void) { return 1; }\n")
        try tools.write("a_member_with_a_rather_long_name.c", "int b(void) { return 2; }\n")
        try tools.cc("-c", "a.c", "a_member_with_a_rather_long_name.c")
        try tools.run("/usr/bin/ar", ["rcs", "libx.a", "a.o", "a_member_with_a_rather_long_name.o"])
        let archive = try ArArchive(bytes: try tools.bytes("libx.a"))
        XCTAssertEqual(archive.members.map(\.name), ["a.o", "a_member_with_a_rather_long_name.o"])
        XCTAssertEqual(Array(archive.members[0].bytes), try tools.bytes("a.o"))
        let object = try ELFFile(bytes: Array(archive.members[1].bytes))
        XCTAssertTrue(try object.symbols().contains { $0.name == "b" && $0.isDefined })
    }

    func testHandBuiltArchiveWithOddSizesAndBSDName() throws {
        var bytes = Array("!<arch>\n".utf8)
        bytes += Self.member("//", Array("very_long_member_name.txt/\n".utf8) + [0x0a])
        bytes += Self.member("/0", Array("abc".utf8))          // odd size: one pad byte follows
        bytes += Self.member("short.txt/", Array("xy".utf8))
        bytes += Self.member("#1/8", Array("bsd.name".utf8) + Array("data".utf8))
        let archive = try ArArchive(bytes: bytes)
        XCTAssertEqual(archive.members.map(\.name), ["very_long_member_name.txt", "short.txt", "bsd.name"])
        XCTAssertEqual(archive.members.map { String(decoding: $0.bytes, as: UTF8.self) }, ["abc", "xy", "data"])
    }

    func testRejectsMalformedArchives() {
        XCTAssertThrowsError(try ArArchive(bytes: Array("!<thin>\n".utf8))) { XCTAssertEqual($0 as? ELFError, .badArchiveMagic) }
        var bytes = Array("!<arch>\n".utf8) + Self.member("a.o/", Array("12345".utf8))
        bytes.removeLast(3)
        XCTAssertThrowsError(try ArArchive(bytes: bytes)) { error in
            XCTAssertEqual(error as? ELFError, .badArchiveMember(index: 0, field: "size (file has 3 bytes left)", value: "5"))
        }
        let badLongName = Array("!<arch>\n".utf8) + Self.member("/99", [1])
        XCTAssertThrowsError(try ArArchive(bytes: badLongName)) { error in
            XCTAssertEqual("\(error)", "ar: member 0: bad long name offset (table has 0 bytes) \"/99\"")
        }
        var badTerminator = Array("!<arch>\n".utf8) + Self.member("a/", [1, 2])
        badTerminator[8 + 58] = 0x41
        XCTAssertThrowsError(try ArArchive(bytes: badTerminator))
        // Every prefix of a valid archive parses or throws.
        let valid = Array("!<arch>\n".utf8) + Self.member("//", Array("n/\n".utf8)) + Self.member("/0", [9])
        for length in 0...valid.count { _ = try? ArArchive(bytes: Array(valid.prefix(length))) }
    }

    static func member(_ name: String, _ data: [UInt8]) -> [UInt8] {
        func field(_ text: String, _ width: Int) -> [UInt8] {
            Array(text.utf8) + [UInt8](repeating: 0x20, count: width - text.utf8.count)
        }
        var header = field(name, 16) + field("0", 12) + field("0", 6) + field("0", 6) + field("644", 8)
        header += field(String(data.count), 10) + [0x60, 0x0a]
        return header + data + (data.count % 2 == 1 ? [0x0a] : [])
    }
}
