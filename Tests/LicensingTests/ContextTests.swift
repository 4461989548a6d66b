// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

/// Where a license counts (comments, prose, manifests) and where it is only mentioned
/// (code), short declarations, the one detected expression per file, and honest partial
/// matches. Fixtures are inline; tags are split so this file has only its own.
final class ContextTests: XCTestCase {
    private let tag = "SPDX-" + "License-Identifier:"

    private func detector() throws -> LicenseDetector { LicenseDetector(database: try SharedDatabase.get()) }

    private func analyze(_ text: String, _ path: String) throws -> LicenseDetection {
        try detector().analyze(text, path: path)
    }

    func testRegionsOfCommonSyntaxes() {
        func regions(_ text: String, _ path: String) -> String {
            var text = text
            let r = text.withUTF8 { SourceContext.regions(of: $0, path: path) }
            return String(r.map { Character(String($0)) })
        }
        XCTAssertEqual(regions("x = \"a\" // b\n", "f.c"), "11111111" + "0000" + "1", "code, then a line comment")
        XCTAssertEqual(regions("dnl ab\n", "configure.ac"), "2220001")
        XCTAssertEqual(regions("rem ab\n", "x.bat"), "2220001")
        XCTAssertEqual(regions("C ab\n", "x.f"), "20001")
        XCTAssertEqual(regions("a # b\n", "x.sh"), "110001")
        XCTAssertEqual(regions("echo \"#x\"\n", "x.sh"), "1111111111")
        XCTAssertEqual(regions("x\n", "README"), "00")
        XCTAssertEqual(regions("x REUSE-IgnoreStart y REUSE-IgnoreEnd z", "README").filter { $0 == "2" }.count,
                       "REUSE-IgnoreStart y REUSE-IgnoreEnd".count)
    }

    func testNamesInCodeAreMentions() throws {
        let perl = "#!/usr/bin/perl\n# \(tag) curl\nif ($l =~ /^\(tag) (.*)/i) { print \"GPL-2.0\" }\n"
        let d = try analyze(perl, "scripts/checksrc.pl")
        XCTAssertEqual(d.expression, "curl")
        XCTAssertEqual(d.tags.map(\.value), ["curl"])
        XCTAssertEqual(d.mentions.map(\.kind), [.tag], "the regex is a mention: \(d.mentions)")

        let swift = "// \(tag) Apache-2.0\nlet ids = [\"\(tag) GPL-2.0-only\", \"This program is free software; you can redistribute it and/or modify it under the terms of the GNU General Public License\"]\n"
        let s = try analyze(swift, "Sources/X/Ids.swift")
        XCTAssertEqual(s.expression, "Apache-2.0")
        XCTAssertFalse(s.matches.contains { $0.expression.contains("GPL") }, "\(s.matches)")
        XCTAssertFalse(s.mentions.isEmpty)

        // A semicolon is not a comment in C: a string after one on the same line is code.
        let c = "/* \(tag) MIT */\nint n = 0; const char *id = \"\(tag) GPL-2.0-only\";\n"
        let cd = try analyze(c, "src/ids.c")
        XCTAssertEqual(cd.expression, "MIT")
        XCTAssertEqual(cd.mentions.map(\.expression), ["GPL-2.0-only"], "\(cd.mentions)")
    }

    func testVersionTextInAShellStringIsAMention() throws {
        let script = """
        #! /bin/sh
        # This file is free software; you can redistribute it and/or modify it
        # under the terms of the GNU General Public License as published by
        # the Free Software Foundation, either version 3 of the License, or
        # (at your option) any later version.
        version="\\
        GNU config.guess
        This is free software; see the source for copying conditions.  There is NO
        warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE."
        """
        let d = try analyze(script, "config.guess")
        XCTAssertEqual(d.expression, "GPL-3.0-or-later")
    }

    func testCommentPrefixesStripped() throws {
        let notice = ["This file is free software; the Free Software Foundation",
                      "gives unlimited permission to copy and/or distribute it,",
                      "with or without modifications, as long as this notice is preserved."]
        let m4 = try analyze(notice.map { "dnl " + $0 }.joined(separator: "\n"), "m4/x.m4")
        let bat = try analyze(notice.map { "rem " + $0 }.joined(separator: "\n"), "make.bat")
        let lisp = try analyze(notice.map { ";; " + $0 }.joined(separator: "\n"), "x.el")
        XCTAssertNotNil(m4.expression)
        XCTAssertEqual(m4.expression, bat.expression)
        XCTAssertEqual(m4.expression, lisp.expression)
    }

    func testShortDeclarations() throws {
        XCTAssertEqual(try analyze(".\\\" License: GNU GPLv2+\n.TH X 1\n", "x.1").expression, "GPL-2.0-or-later")
        XCTAssertEqual(try analyze("/**\n * @license MIT\n */\nvar a;\n", "x.js").expression, "MIT")
        XCTAssertEqual(try analyze("# License: MIT\n", "Doxyfile").expression, "MIT")
        XCTAssertEqual(try analyze("{\n  \"license\": \"MIT OR Apache-2.0\"\n}\n", "package.json").expression, "MIT OR Apache-2.0")
        XCTAssertEqual(try analyze("[package]\nlicense = \"Apache-2.0\"\n", "Cargo.toml").expression, "Apache-2.0")
        XCTAssertEqual(try analyze("Name: x\nLicense: BSD-3-clause\n", "PKG-INFO").expression, "BSD-3-Clause")
        XCTAssertEqual(try analyze("<licenses>\n<license>\n<name>Apache License, Version 2.0</name>\n</license>\n", "pom.xml").expression,
                       "Apache-2.0")
        XCTAssertEqual(try analyze("""
            /*
             * Copyright (C) the libgit2 contributors. All rights reserved.
             *
             * This file is part of libgit2, distributed under the GNU GPL v2 with
             * a Linking Exception. For full terms see the included COPYING file.
             */
            """, "src/util/x.c").expression, "GPL-2.0-only WITH GCC-exception-2.0")
        XCTAssertEqual(try analyze("/* LzmaDec.c -- LZMA Decoder\n2018-07-04 : Igor Pavlov : Public domain */\n", "LzmaDec.c").expression,
                       "LicenseRef-scancode-public-domain")
        XCTAssertNil(try analyze("# License: our own terms, ask us\n", "x.sh").expression, "an unknown name is no guess")
    }

    func testNoLicenseFromAnAuthorsName() throws {
        XCTAssertNil(try analyze("/* Copyright (C) 2004 Sam Hocevar <sam@hocevar.net> */\nint z;\n", "s.c").expression)
    }

    func testACopyrightLineThatStatesItsLicenseIsAStatement() throws {
        // ICU's one-line notice, as it is embedded in binaries that link ICU.
        let icu = "Copyright (C) 2016 and later: Unicode, Inc. and others. License & terms of use: http://www.unicode.org/copyright.html"
        XCTAssertEqual(try analyze(icu, "NOTICE").expression, "LicenseRef-scancode-unicode")
    }

    func testDualLicenseIsAChoice() throws {
        let text = """
        /*
         * This file is dual licensed: you may use it under either of the two licenses below.
         *
         * Permission is hereby granted, free of charge, to any person obtaining a copy
         * of this software and associated documentation files (the "Software"), to deal
         * in the Software without restriction, including without limitation the rights
         * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
         * copies of the Software, and to permit persons to whom the Software is
         * furnished to do so, subject to the following conditions:
         * The above copyright notice and this permission notice shall be included in
         * all copies or substantial portions of the Software.
         *
         * Alternatively, this program is free software; you can redistribute it and/or modify
         * it under the terms of the GNU General Public License version 2 as
         * published by the Free Software Foundation.
         */
        """
        let d = try analyze(text, "x.c")
        let e = try XCTUnwrap(d.expression, "\(d.matches)")
        XCTAssertTrue(e.contains(" OR "), e)
        XCTAssertFalse(e.contains(" AND "), e)
    }

    func testExceptionJoinsItsLicense() throws {
        let d = try detector()
        let bison = try XCTUnwrap(d.database.license(spdxID: "Bison-exception-2.2")?.text)
        let text = """
        /* This program is free software: you can redistribute it and/or modify
           it under the terms of the GNU General Public License as published by
           the Free Software Foundation, either version 3 of the License, or
           (at your option) any later version.

        \(bison)
        */
        """
        let e = try XCTUnwrap(d.analyze(text, path: "parse.c").expression)
        XCTAssertEqual(e, "GPL-3.0-or-later WITH Bison-exception-2.2")
    }

    /// A whole license text and, after it, its exception (as in Swift's LICENSE.txt): one
    /// `WITH` expression, though the two texts' first lines are 200 lines apart.
    func testExceptionAfterAWholeLicenseTextJoinsIt() throws {
        let d = try detector()
        let apache = try XCTUnwrap(d.database.license(spdxID: "Apache-2.0")?.text)
        let swift = try XCTUnwrap(d.database.license(spdxID: "Swift-exception")?.text)
        XCTAssertGreaterThan(apache.split(separator: "\n", omittingEmptySubsequences: false).count, 150)
        let e = try XCTUnwrap(d.analyze("\(apache)\n\n## Runtime Library Exception to the Apache 2.0 License: ##\n\n\(swift)\n",
                                        path: "LICENSE.txt").expression)
        XCTAssertEqual(e, "Apache-2.0 WITH Swift-exception")
    }

    /// The same notice twice with code between (GCC's limits.h): that notice, exactly, not a
    /// longer rule's text "modified" across both.
    func testANoticeTwiceIsThatNoticeNotAModifiedLongerText() throws {
        let d = try detector()
        let notice = """
        /* Copyright (C) 1992-2022 Free Software Foundation, Inc.

        This file is part of GCC.

        GCC is free software; you can redistribute it and/or modify it under
        the terms of the GNU General Public License as published by the Free
        Software Foundation; either version 3, or (at your option) any later
        version.

        GCC is distributed in the hope that it will be useful, but WITHOUT ANY
        WARRANTY; without even the implied warranty of MERCHANTABILITY or
        FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
        for more details.

        Under Section 7 of GPL version 3, you are granted additional
        permissions described in the GCC Runtime Library Exception, version
        3.1, as published by the Free Software Foundation.

        You should have received a copy of the GNU General Public License and
        a copy of the GCC Runtime Library Exception along with this program;
        see the files COPYING3 and COPYING.RUNTIME respectively.  If not, see
        <http://www.gnu.org/licenses/>.  */
        """
        let once = try XCTUnwrap(d.analyze(notice, path: "limits.h").expression)
        XCTAssertEqual(once, "GPL-3.0-or-later WITH GCC-exception-3.1")
        let twice = d.analyze(notice + "\n#ifndef _LIBC_LIMITS_H_\n#include \"syslimits.h\"\n#endif\n" + notice, path: "limits.h")
        XCTAssertEqual(twice.expression, once, "\(twice.matches)")
        XCTAssertFalse(twice.matches.contains { $0.modifiedFrom != nil }, "\(twice.matches)")
    }

    /// Far apart, a license and an exception stay independent findings.
    func testExceptionFarFromAnyLicenseJoinsNone() throws {
        let d = try detector()
        let mit = try XCTUnwrap(d.database.license(spdxID: "MIT")?.text)
        let swift = try XCTUnwrap(d.database.license(spdxID: "Swift-exception")?.text)
        let filler = Array(repeating: "Unrelated prose about the program.", count: 40).joined(separator: "\n")
        let e = try XCTUnwrap(d.analyze("\(mit)\n\(filler)\n\(swift)\n", path: "NOTICE").expression)
        XCTAssertFalse(e.contains("MIT WITH"), e)
    }

    func testTagContradictingTheText() throws {
        let text = """
        // \(tag) MIT
        /*
         * This program is free software: you can redistribute it and/or modify
         * it under the terms of the GNU Affero General Public License as published by
         * the Free Software Foundation, either version 3 of the License, or
         * (at your option) any later version.
         */
        """
        let d = try analyze(text, "x.c")
        XCTAssertEqual(d.expression, "MIT")
        XCTAssertEqual(d.contradictions.map(\.expression), ["AGPL-3.0-or-later"])
        XCTAssertTrue(try analyze("// \(tag) AGPL-3.0-only\n" + text.split(separator: "\n").dropFirst().joined(separator: "\n"),
                                  "y.c").contradictions.isEmpty)
    }

    func testEditedLicenseTextIsReportedAsModified() throws {
        let d = try detector()
        let bsd = try XCTUnwrap(d.database.license(spdxID: "BSD-3-Clause")?.text)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let whole = try XCTUnwrap(d.analyze(bsd, path: "LICENSE").expression)
        XCTAssertEqual(whole, "BSD-3-Clause")

        // Six words changed in the middle: not BSD-3-Clause any more.
        let edited = bsd.replacingOccurrences(of: "without specific prior written permission",
                                              with: "unless the authors are paid one hundred dollars")
        XCTAssertNotEqual(edited, bsd)
        let e = d.analyze(edited, path: "LICENSE")
        let m = try XCTUnwrap(e.matches.first { $0.modifiedFrom != nil }, "\(e.matches)")
        XCTAssertEqual(m.modifiedFrom, "BSD-3-Clause")
        XCTAssertEqual(e.expression, "LicenseRef-candor-modified-BSD-3-Clause")
        XCTAssertLessThan(m.score, 100)
        XCTAssertNotNil(m.extractedText)

        // A long passage cut out of the middle: still reported, as a partial text.
        let words = bsd.split(separator: " ")
        let cut = (words.prefix(words.count / 3) + ["[...]"] + words.suffix(words.count / 2)).joined(separator: " ")
        let partial = d.analyze(cut, path: "LICENSE")
        // (What is left may resemble BSD-2-Clause with a clause added, or BSD-3-Clause with a
        // clause cut: either way a modified BSD text, never the base license, never nothing.)
        XCTAssertTrue(partial.expression?.hasPrefix("LicenseRef-candor-modified-BSD-") == true, "\(partial.matches)")
    }

    func testAGrantToUseTheTextInDocumentsIsNotTheFileLicense() throws {
        // A permission to quote the code in GFDL documents: ScanCode has a notice rule for
        // these words, and "licensed under" reads as a declaration; neither is the file's.
        let grant = """
        /*
         * Any part of this program may be used in documents licensed under
         * the GNU Free Documentation License, Version 1.1 or any later version
         * published by the Free Software Foundation.
         */
        #ifndef _PORT_H_
        #define _PORT_H_
        #endif

        """
        let g = try analyze(grant, "include/port.h")
        XCTAssertNil(g.expression, "\(g.matches)")
        XCTAssertTrue(g.matches.isEmpty, "\(g.matches)")
        XCTAssertTrue(g.mentions.contains { $0.expression.hasPrefix("GFDL-1.1") }, "\(g.mentions)")

        // With a license of its own, the file keeps that one and only that one.
        let gpl = """
        /*
         * This program is free software; you can redistribute it and/or
         * modify it under the terms of the GNU General Public License
         * as published by the Free Software Foundation; either version
         * 2 of the License, or (at your option) any later version.
         *
         * Any part of this program may be used in documents licensed under
         * the GNU Free Documentation License, Version 1.1 or any later version
         * published by the Free Software Foundation.
         */
        int x;

        """
        XCTAssertEqual(try analyze(gpl, "drivers/port.c").expression, "GPL-2.0-or-later")

        // The same license granted for the document itself is its license.
        let notice = """
        Permission is granted to copy, distribute and/or modify this document
        under the terms of the GNU Free Documentation License, Version 1.2
        or any later version published by the Free Software Foundation;
        with no Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts.

        """
        let n = try analyze(notice, "Documentation/port.txt")
        XCTAssertEqual(n.expression, "GFDL-1.2-or-later", "\(n.matches)")

        XCTAssertTrue(UseGrants.isDocumentUseGrant("Parts may be used in any GFDL documentation."))
        XCTAssertFalse(UseGrants.isDocumentUseGrant("This document may be used under the terms of the GFDL."))
        XCTAssertFalse(UseGrants.isDocumentUseGrant(
            "Licensed under the GPL. Any part may be used in documents licensed under the GFDL."))
    }

    func testLicenseNames() throws {
        let db = try SharedDatabase.get()
        XCTAssertEqual(db.expression(forName: "GNU GPLv2+"), "GPL-2.0-or-later")
        XCTAssertEqual(db.expression(forName: "GPL-2+"), "GPL-2.0-or-later")
        XCTAssertEqual(db.expression(forName: "LGPL v2.1"), "LGPL-2.1-only")
        XCTAssertEqual(db.expression(forName: "GNU General Public License version 2 or later"), "GPL-2.0-or-later")
        XCTAssertEqual(db.expression(forName: "MIT License"), "MIT")
        XCTAssertEqual(db.expression(forName: "the MIT or GPL Version 2 licenses"), "MIT OR GPL-2.0-only")
        XCTAssertEqual(db.expression(forName: "Apache License 2.0"), "Apache-2.0")
        XCTAssertNil(db.expression(forName: "GPL with extra words nobody knows"))
        XCTAssertNil(db.expression(forName: ""))
    }
}
