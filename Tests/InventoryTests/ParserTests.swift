// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Inventory

/// The small parsers: globs, .gitignore, copyright statements, DEP-5, Debian license names.
final class ParserTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    func testGlob() {
        XCTAssertTrue(Glob("src/*.c").matches("src/a.c"))
        XCTAssertFalse(Glob("src/*.c").matches("src/sub/a.c"), "* does not cross /")
        XCTAssertTrue(Glob("src/*.c", starMatchesSlash: true).matches("src/sub/a.c"), "DEP-5 * does")
        XCTAssertTrue(Glob("data/**").matches("data/x/y.json"))
        XCTAssertTrue(Glob("**/*.json").matches("x.json"), "**/ matches no directory too")
        XCTAssertTrue(Glob("a/**/b").matches("a/b"))
        XCTAssertTrue(Glob("a/**/b").matches("a/x/y/b"))
        XCTAssertTrue(Glob("file?.[ch]").matches("file1.h"))
        XCTAssertFalse(Glob("file?.[!ch]").matches("file1.h"))
        XCTAssertTrue(Glob("\\*literal").matches("*literal"))
        XCTAssertFalse(Glob("\\*literal").matches("xliteral"))
        XCTAssertTrue(Glob("[abc").matches("[abc"), "unclosed bracket is literal")
        XCTAssertFalse(Glob("a*b*c*d*e*f*g").matches(String(repeating: "a", count: 40)))
    }

    func testGitIgnoreRules() {
        let rules = GitIgnoreRules(base: "", text: "# comment\nbuild/\n*.log\n!keep.log\n/root-only.txt\ndocs/*.tmp\n\\#hash\n")
        XCTAssertEqual(rules.verdict(relativePath: "build", name: "build", isDirectory: true), true)
        XCTAssertNil(rules.verdict(relativePath: "build", name: "build", isDirectory: false), "build/ is for directories")
        XCTAssertEqual(rules.verdict(relativePath: "a/b/x.log", name: "x.log", isDirectory: false), true)
        XCTAssertEqual(rules.verdict(relativePath: "keep.log", name: "keep.log", isDirectory: false), false)
        XCTAssertEqual(rules.verdict(relativePath: "root-only.txt", name: "root-only.txt", isDirectory: false), true)
        XCTAssertNil(rules.verdict(relativePath: "sub/root-only.txt", name: "root-only.txt", isDirectory: false))
        XCTAssertEqual(rules.verdict(relativePath: "docs/a.tmp", name: "a.tmp", isDirectory: false), true)
        XCTAssertEqual(rules.verdict(relativePath: "#hash", name: "#hash", isDirectory: false), true)
        let nested = GitIgnoreRules(base: "sub", text: "/only-here\n")
        XCTAssertEqual(nested.verdict(relativePath: "sub/only-here", name: "only-here", isDirectory: false), true)
        XCTAssertNil(nested.verdict(relativePath: "only-here", name: "only-here", isDirectory: false))
    }

    func testCopyrightStatements() {
        let text = """
        /* Copyright (C) 2020 Name One */
        # Copyright 2019-2021 The X Authors
        // (c) 2018 Name Two
        © Name Three
        Copyright: 2001 Debian Style
        The above copyright notice and this permission notice shall be included
        (c) You must give any other recipients a copy of this License
        Copyright 2020
        COPYRIGHT (c) Shouting Corp
        \(spdxCopyright) 2020 Tag Only
        """
        let found = CopyrightStatements.find(in: Array(text.utf8))
        XCTAssertEqual(found.map(\.statement), [
            "Copyright (C) 2020 Name One", "Copyright 2019-2021 The X Authors", "(c) 2018 Name Two", "© Name Three",
            "Copyright: 2001 Debian Style", "COPYRIGHT (c) Shouting Corp"])
        XCTAssertEqual(found.map(\.line), [1, 2, 3, 4, 5, 9])
        XCTAssertTrue(CopyrightStatements.find(in: [0xFF, 0x28, 0x63, 0x29]).isEmpty, "cut-off input does not trap")
    }

    /// Keywords are found 8 bytes at a time: at every offset, and at the very end.
    func testCopyrightStatementsAtEveryOffset() {
        for pad in 0..<20 {
            let lead = String(repeating: "c", count: pad % 3) + String(repeating: " ", count: pad)
            let text = "\(lead)(C) 2020 Ann\nisdigit(c); copy(x);\n\(lead)Copyright 2021 Bob\n\(lead)\u{A9} 2022 Cy"
            let found = CopyrightStatements.find(in: Array(text.utf8))
            XCTAssertEqual(found.map(\.statement), ["(C) 2020 Ann", "Copyright 2021 Bob", "\u{A9} 2022 Cy"], "pad \(pad)")
            XCTAssertEqual(found.map(\.line), [1, 3, 4], "pad \(pad)")
        }
        XCTAssertTrue(CopyrightStatements.find(in: Array("x = f(c) + (c)".utf8)).isEmpty, "\"(c)\" without a year")
    }

    func testCopyrightStatementsWithoutYearsAndOverLines() {
        let text = """
        /*
         * Copyright (c) 2010, 2011,
         *               2012 Example Org <ex@example.org>
         * Portions Copyright 2003 Other Person
         * Copyright (C) 2015
         *   Some Company, Inc.
         * The above copyright notice and this permission notice shall be included
         * Copyright the libgit2 contributors.
         * copyrighted material; copyright law applies
         */
        Copyright The Linux Foundation
        Copyright notice: none
        """
        XCTAssertEqual(CopyrightStatements.find(in: Array(text.utf8)).map(\.statement), [
            "Copyright (c) 2010, 2011, 2012 Example Org <ex@example.org>", "Portions Copyright 2003 Other Person",
            "Copyright (C) 2015 Some Company, Inc.", "Copyright the libgit2 contributors.", "Copyright The Linux Foundation"])
    }

    func testBinaryDetection() {
        XCTAssertTrue(FileAnalyzer.looksBinary([0x41, 0, 0x42]))
        XCTAssertFalse(FileAnalyzer.looksBinary(ArraySlice(Array("plain text é".utf8))))
        XCTAssertFalse(FileAnalyzer.looksBinary(ArraySlice(Array("Ren".utf8) + [0xE9] + Array(" Dupont, Latin-1 text".utf8))))
        XCTAssertTrue(FileAnalyzer.looksBinary(ArraySlice((0..<200).map { UInt8(0x80 + $0 % 64) })))
    }

    func testControlParagraphsAndDEP5() {
        let text = """
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

        Files: *
        Copyright: 2020 A
                   2021 B
        License: MIT

        Files: src/vendor/*
         other/file.c
        Copyright: 2019 C
        License: BSD-3-Clause
         .
         text
        """
        XCTAssertTrue(DEP5File.isMachineReadable(text))
        let dep5 = DEP5File(text: text)
        XCTAssertEqual(dep5.stanzas.count, 2)
        XCTAssertEqual(dep5.stanzas[0].copyright, ["2020 A", "2021 B"])
        XCTAssertEqual(dep5.stanza(for: "src/vendor/deep/x.c")?.license, "BSD-3-Clause")
        XCTAssertEqual(dep5.stanza(for: "other/file.c")?.license, "BSD-3-Clause")
        XCTAssertEqual(dep5.stanza(for: "main.c")?.license, "MIT")
        XCTAssertFalse(DEP5File.isMachineReadable("This is free-form.\n"))
    }

    func testLdSoCacheOfThisSystem() throws {
        guard let bytes = try? readSmallFile("/etc/ld.so.cache") else { throw XCTSkip("no /etc/ld.so.cache on this system") }
        let entries = try LdSoCache.parse(bytes)
        XCTAssertTrue(entries.contains { $0.soname == "libc.so.6" && $0.isCompatible(machine: 62) && $0.path.hasSuffix("/libc.so.6") })
        // Truncated or garbage caches are errors, never traps.
        for cut in [0, 10, 30, 48, 100, bytes.count / 2] {
            _ = try? LdSoCache.parse(Array(bytes.prefix(cut)))
        }
        var corrupt = bytes
        for i in stride(from: 48, to: min(corrupt.count, 2000), by: 7) { corrupt[i] = 0xFF }
        _ = try? LdSoCache.parse(corrupt)
        XCTAssertThrowsError(try LdSoCache.parse(Array("glibc-ld.so.cache1.1".utf8) + [0xFF, 0xFF, 0xFF, 0x7F]))
    }

    func testLdSoConfIncludes() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("include conf.d/*.conf\n/opt/first # comment\n", to: dir + "/ld.so.conf")
        try TestSupport.write("/opt/a\n", to: dir + "/conf.d/a.conf")
        try TestSupport.write("/opt/b\n", to: dir + "/conf.d/b.conf")
        try TestSupport.write("/opt/ignored\n", to: dir + "/conf.d/c.txt")
        XCTAssertEqual(DynamicLoader.configuredDirectories(dir + "/ld.so.conf"), ["/opt/a", "/opt/b", "/opt/first"])
    }
}
