// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Licensing

/// Detection against the real licensedcode data. The license texts and notices under test
/// are taken from the database's own license texts (the "how to apply" appendices hold the
/// notices), then reflowed, re-commented and given other copyright lines, so that this
/// file carries no license text of its own.
final class LicenseDetectorTests: XCTestCase {
    private func detector() throws -> LicenseDetector { LicenseDetector(database: try SharedDatabase.get()) }

    private func text(of id: String) throws -> String {
        let database = try detector().database
        return try XCTUnwrap(database.license(spdxID: id)?.text, "no text for \(id)")
    }

    /// The part of `text` from `start` up to and including `end`, white space normalised.
    private func excerpt(_ text: String, from start: String, through end: String) throws -> String {
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let a = try XCTUnwrap(flat.range(of: start), "'\(start)' not found")
        let b = try XCTUnwrap(flat.range(of: end, range: a.upperBound..<flat.endIndex), "'\(end)' not found")
        return String(flat[a.lowerBound..<b.upperBound])
    }

    /// Re-wraps at `width` columns with `prefix` before every line.
    private func reflow(_ text: String, width: Int, prefix: String) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: \.isWhitespace) {
            if !line.isEmpty && line.count + word.count + 1 > width { lines.append(prefix + line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(prefix + line) }
        return lines.joined(separator: "\n")
    }

    private func licenses(_ matches: [LicenseMatch], kind: LicenseMatch.Kind? = nil) -> [String] {
        matches.filter { kind == nil || $0.kind == kind }.map(\.expression)
    }

    func testMITTextReflowedWithOtherCopyright() throws {
        let d = try detector()
        let body = reflow(try text(of: "MIT"), width: 60, prefix: " * ")
        let file = "/*\n * Copyright (c) 2031 Somebody Else <se@example.org>\n *\n\(body)\n */\nint x;\n"
        let matches = d.detect(in: file)
        XCTAssertEqual(licenses(matches), ["MIT"], "\(matches)")
        let m = try XCTUnwrap(matches.first)
        XCTAssertEqual(m.kind, .text)
        XCTAssertGreaterThanOrEqual(m.score, 95)
        XCTAssertEqual(m.startLine, 4)
        XCTAssertEqual(m.endLine, file.split(separator: "\n", omittingEmptySubsequences: false).count - 3)
    }

    func testBSD3ClauseHashCommented() throws {
        let d = try detector()
        let body = reflow(try text(of: "BSD-3-Clause"), width: 72, prefix: "# ")
        let matches = d.detect(in: "#!/usr/bin/env python3\n# Copyright 2019 Example Corp.\n\(body)\nprint(1)\n")
        XCTAssertEqual(licenses(matches), ["BSD-3-Clause"], "\(matches)")
    }

    func testApacheFullTextAndShortNotice() throws {
        let d = try detector()
        let full = try text(of: "Apache-2.0")
        XCTAssertEqual(licenses(d.detect(in: full), kind: .text), ["Apache-2.0"])

        let notice = try excerpt(full, from: "Licensed under the Apache License", through: "limitations under the License.")
        let file = "// Copyright 2026 Example Inc.\n//\n" + reflow(notice, width: 70, prefix: "// ") + "\n\npackage main\n"
        let matches = d.detect(in: file)
        XCTAssertEqual(licenses(matches), ["Apache-2.0"], "\(matches)")
        XCTAssertEqual(matches.first?.kind, .notice)
        XCTAssertEqual(matches.first?.startLine, 3)
    }

    func testGPL2NoticeOrLaterAndOnly() throws {
        let d = try detector()
        let notice = try excerpt(try text(of: "GPL-2.0-only"), from: "This program is free software",
                                 through: "Boston, MA 02110-1301 USA.")
        XCTAssertTrue(notice.contains("either version 2 of the License, or (at your option) any later version"))
        let orLater = d.detect(in: "/*\n * Copyright (C) 2004 A Hacker\n *\n" + reflow(notice, width: 66, prefix: " * ") + "\n */\n")
        XCTAssertEqual(licenses(orLater), ["GPL-2.0-or-later"], "\(orLater)")
        XCTAssertEqual(orLater.first?.kind, .notice)

        let only = notice.replacingOccurrences(
            of: "either version 2 of the License, or (at your option) any later version",
            with: "version 2 of the License")
        let onlyMatches = d.detect(in: reflow(only, width: 80, prefix: "# "))
        XCTAssertEqual(licenses(onlyMatches), ["GPL-2.0-only"], "\(onlyMatches)")
    }

    func testLGPL21Notice() throws {
        let d = try detector()
        let notice = try excerpt(try text(of: "LGPL-2.1-only"), from: "This library is free software",
                                 through: "Boston, MA 02110-1301 USA")
        let matches = d.detect(in: reflow(notice, width: 50, prefix: "-- "))
        XCTAssertEqual(licenses(matches), ["LGPL-2.1-or-later"], "\(matches)")
    }

    func testTagsAreReportedNormalisedWithLines() throws {
        let d = try detector()
        let marker = "SPDX-License-" + "Identifier:"
        let matches = d.detect(in: "// \(marker) GPL-2.0 WITH Linux-syscall-note\n#include <linux/kvm.h>\n")
        XCTAssertEqual(matches, [LicenseMatch(expression: "GPL-2.0-only WITH Linux-syscall-note", kind: .tag,
                                              startLine: 1, endLine: 1, score: 100, rule: "tag")])
    }

    func testFileWithoutLicenseHasNoMatch() throws {
        let d = try detector()
        let code = """
        #include <stdio.h>
        /* Print the arguments, one per line, and the terms of use are free for all of the people. */
        int main(int argc, char **argv) {
            for (int i = 1; i < argc; i++) printf("%s\\n", argv[i]);
            return 0;
        }
        """
        XCTAssertEqual(d.detect(in: code), [])
        XCTAssertEqual(d.detect(in: ""), [])
    }

    func testNearMissIsNotAFullMatch() throws {
        let d = try detector()
        let mit = try text(of: "MIT").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // The notice condition removed and the warranty disclaimer turned around.
        let altered = mit
            .replacingOccurrences(of: "The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.", with: "")
            .replacingOccurrences(of: "WITHOUT WARRANTY OF ANY KIND", with: "WITH A FULL WARRANTY OF FITNESS")
        XCTAssertNotEqual(altered, mit)
        let matches = d.detect(in: reflow(altered, width: 70, prefix: ""))
        XCTAssertFalse(matches.contains { $0.expression == "MIT" && $0.score >= 99 }, "\(matches)")
    }

    func testTwoLicensesInOneFile() throws {
        let d = try detector()
        let file = try text(of: "MIT") + "\n\n---\n\n" + text(of: "BSD-2-Clause")
        XCTAssertEqual(Set(licenses(d.detect(in: file), kind: .text)), ["MIT", "BSD-2-Clause"])
    }

    func testConcurrentDetectionGivesTheSameResults() throws {
        let d = try detector()
        let inputs = try ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-2.0-only"].map { try text(of: $0) }
        let expected = inputs.map { d.detect(in: $0) }
        let results = UnsafeMutableBufferPointer<[LicenseMatch]>.allocate(capacity: 16)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 16) { i in results[i] = d.detect(in: inputs[i % 4]) }
        for i in 0..<16 { XCTAssertEqual(results[i], expected[i % 4]) }
    }
}
