// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

// The markers are assembled from pieces so that this file's own tags stay its only ones.
private let licenseMarker = "SPDX-License-" + "Identifier:"
private let copyrightMarker = "SPDX-FileCopyright" + "Text:"

final class SPDXTagsTests: XCTestCase {
    private func licenseTag(_ line: String) -> String? {
        SPDXTags.extract(from: line).first { $0.kind == .license }?.value
    }

    func testCommentStyles() {
        let m = licenseMarker
        let cases: [(String, String)] = [
            ("// \(m) MIT", "MIT"),
            ("/* \(m) GPL-2.0 WITH Linux-syscall-note */", "GPL-2.0 WITH Linux-syscall-note"),
            ("/* \(m) (GPL-2.0 OR BSD-3-Clause)*/", "(GPL-2.0 OR BSD-3-Clause)"),
            ("# \(m) Apache-2.0", "Apache-2.0"),
            ("-- \(m) BSD-2-Clause", "BSD-2-Clause"),
            ("; \(m) GPL-2.0+", "GPL-2.0+"),
            ("% \(m) LPPL-1.3c", "LPPL-1.3c"),
            ("<!-- \(m) CC-BY-4.0 -->", "CC-BY-4.0"),
            (".\\\" \(m) Linux-man-pages-copyleft", "Linux-man-pages-copyleft"),
            ("REM \(m) MIT", "MIT"),
            ("\t *  \(m)  ISC  \r", "ISC"),
            ("\(m.lowercased()) mit", "mit"),
        ]
        for (line, value) in cases {
            XCTAssertEqual(licenseTag(line), value, line)
        }
    }

    func testCopyrightTagsAndLineNumbers() {
        let text = "#!/bin/sh\n# \(copyrightMarker) 2026 The Candor Authors\n# \(licenseMarker) GPL-2.0-only\n\necho hi\n"
        XCTAssertEqual(SPDXTags.extract(from: text), [
            .init(kind: .copyright, value: "2026 The Candor Authors", line: 2),
            .init(kind: .license, value: "GPL-2.0-only", line: 3),
        ])
        XCTAssertEqual(SPDXTags.extract(from: "a\r\nb\r\n// \(licenseMarker) MIT\r\n").map(\.line), [3])
    }

    func testTagInsideStringLiteralIsNotATag() {
        XCTAssertEqual(SPDXTags.extract(from: "let marker = \"\(licenseMarker)\""), [])
        XCTAssertEqual(licenseTag("print(\"\(licenseMarker) MIT\")"), "MIT")
    }

    func testEmptyValueAndNoTags() {
        XCTAssertEqual(SPDXTags.extract(from: "/* \(licenseMarker) */"), [])
        XCTAssertEqual(SPDXTags.extract(from: "int main(void) { return 0; }\n"), [])
        XCTAssertEqual(SPDXTags.extract(from: ""), [])
    }
}
