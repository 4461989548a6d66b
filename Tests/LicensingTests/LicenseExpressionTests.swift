// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

final class LicenseExpressionTests: XCTestCase {
    private func normalized(_ s: String) throws -> String { try LicenseExpression.parse(s).normalized.description }

    func testConjunctionOfDistinctExpressions() {
        XCTAssertNil(LicenseExpression.conjunction([]))
        XCTAssertEqual(LicenseExpression.conjunction(["MIT", "MIT"]), "MIT")
        XCTAssertEqual(LicenseExpression.conjunction(["MIT", "Apache-2.0 OR MIT", "MIT", "CC0-1.0"]),
                       "MIT AND (Apache-2.0 OR MIT) AND CC0-1.0")
    }

    func testPrecedenceWithOverAndOverOr() throws {
        let e = try LicenseExpression.parse("MIT OR Apache-2.0 AND GPL-2.0-only WITH Classpath-exception-2.0")
        XCTAssertEqual(e, .or([
            .license(id: "MIT", orLater: false),
            .and([.license(id: "Apache-2.0", orLater: false),
                  .with(license: .license(id: "GPL-2.0-only", orLater: false), exception: "Classpath-exception-2.0")]),
        ]))
        XCTAssertEqual(e.description, "MIT OR Apache-2.0 AND GPL-2.0-only WITH Classpath-exception-2.0")
    }

    func testParenthesesAreKeptWhereNeeded() throws {
        let e = try LicenseExpression.parse("(MIT OR BSD-3-Clause) AND Zlib")
        XCTAssertEqual(e.description, "(MIT OR BSD-3-Clause) AND Zlib")
        XCTAssertEqual(try LicenseExpression.parse("((MIT))").description, "MIT")
    }

    func testOperatorsAreCaseInsensitive() throws {
        XCTAssertEqual(try normalized("mit or apache-2.0 and gpl-2.0 with linux-syscall-note"),
                       "MIT OR Apache-2.0 AND GPL-2.0-only WITH Linux-syscall-note")
    }

    func testLinuxKernelTagForms() throws {
        XCTAssertEqual(try normalized("GPL-2.0 WITH Linux-syscall-note"), "GPL-2.0-only WITH Linux-syscall-note")
        XCTAssertEqual(try normalized("(GPL-2.0 OR BSD-3-Clause)"), "GPL-2.0-only OR BSD-3-Clause")
        XCTAssertEqual(try normalized("GPL-2.0+"), "GPL-2.0-or-later")
        XCTAssertEqual(try normalized("GPL-2.0-only OR MIT"), "GPL-2.0-only OR MIT")
        XCTAssertEqual(try normalized("GPL-2.0+ WITH Linux-syscall-note"), "GPL-2.0-or-later WITH Linux-syscall-note")
        XCTAssertEqual(try normalized("((GPL-2.0 WITH Linux-syscall-note) OR Linux-OpenIB)"),
                       "GPL-2.0-only WITH Linux-syscall-note OR Linux-OpenIB")
        XCTAssertEqual(try normalized("LGPL-2.1+ OR BSD-2-Clause"), "LGPL-2.1-or-later OR BSD-2-Clause")
    }

    func testDeprecatedIDsAreReplaced() throws {
        XCTAssertEqual(try normalized("GPL-2.0"), "GPL-2.0-only")
        XCTAssertEqual(try normalized("GPL-3.0+"), "GPL-3.0-or-later")
        XCTAssertEqual(try normalized("LGPL-2.1"), "LGPL-2.1-only")
        XCTAssertEqual(try normalized("lgpl-3.0+"), "LGPL-3.0-or-later")
        XCTAssertEqual(try normalized("AGPL-3.0"), "AGPL-3.0-only")
        XCTAssertEqual(try normalized("GPL-2.0-with-classpath-exception"), "GPL-2.0-only WITH Classpath-exception-2.0")
        XCTAssertEqual(try normalized("MIT AND GPL-3.0-with-GCC-exception"), "MIT AND GPL-3.0-only WITH GCC-exception-3.1")
    }

    func testEveryDeprecatedGNUIDGetsItsVersionRange() throws {
        for family in ["GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-1.0", "AGPL-3.0",
                       "GFDL-1.1", "GFDL-1.2", "GFDL-1.3"] {
            XCTAssertEqual(try normalized(family), family + "-only")
            XCTAssertEqual(try normalized(family + "+"), family + "-or-later")
            XCTAssertEqual(try normalized(family.lowercased() + "+"), family + "-or-later")
        }
    }

    func testDeprecatedWithIDsBecomeLicenseWithException() throws {
        // license-list-XML's <obsoletedBy> or DEPRECATED note of each id.
        let expected = [
            "GPL-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
            "GPL-2.0-with-bison-exception": "GPL-2.0-only WITH Bison-exception-2.2",
            "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
            "GPL-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
            "GPL-2.0-with-GCC-exception": "GPL-2.0-only WITH GCC-exception-2.0",
            "GPL-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
            "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
            "eCos-2.0": "GPL-2.0-or-later WITH eCos-exception-2.0",
            "wxWindows": "GPL-2.0-or-later WITH WxWindows-exception-3.1",
        ]
        for (old, new) in expected {
            XCTAssertEqual(try normalized(old), new, old)
            XCTAssertEqual(try normalized(old.lowercased()), new, old)
        }
        // <obsoletedBy expression="GPL-2.0-with-classpath-exception+">GPL-2.0-or-later WITH ...
        XCTAssertEqual(try normalized("GPL-2.0-with-classpath-exception+"), "GPL-2.0-or-later WITH Classpath-exception-2.0")
        XCTAssertEqual(try normalized("GPL-2.0-with-bison-exception+"), "GPL-2.0-or-later WITH Bison-exception-2.2")
        XCTAssertEqual(try normalized("GPL-3.0-with-GCC-exception+ OR MIT"), "GPL-3.0-or-later WITH GCC-exception-3.1 OR MIT")
        XCTAssertEqual(try normalized("(GPL-2.0-with-font-exception OR MIT) AND Zlib"),
                       "(GPL-2.0-only WITH Font-exception-2.0 OR MIT) AND Zlib")
    }

    func testOtherDeprecatedIDsAndExceptions() throws {
        XCTAssertEqual(try normalized("StandardML-NJ"), "SMLNJ")
        XCTAssertEqual(try normalized("Nunit"), "zlib-acknowledgement")
        XCTAssertEqual(try normalized("BSD-2-Clause-NetBSD"), "BSD-2-Clause")
        XCTAssertEqual(try normalized("bzip2-1.0.5"), "bzip2-1.0.6")
        XCTAssertEqual(try normalized("LGPL-2.1-only WITH Nokia-Qt-exception-1.1"), "LGPL-2.1-only WITH Qt-LGPL-exception-1.1")
    }

    func testPlusOnOtherIDsStaysTheOrLaterOperator() throws {
        XCTAssertEqual(try LicenseExpression.parse("MPL-1.1+").normalized, .license(id: "MPL-1.1", orLater: true))
        XCTAssertEqual(try normalized("mpl-1.1+ OR apache-1.1+"), "MPL-1.1+ OR Apache-1.1+")
        XCTAssertEqual(try normalized("LicenseRef-x+"), "LicenseRef-x+")
        XCTAssertEqual(try normalized("GPL-2.0-or-later"), "GPL-2.0-or-later")
    }

    func testKnownIDsGetCanonicalCase() throws {
        XCTAssertEqual(try normalized("mit"), "MIT")
        XCTAssertEqual(try normalized("APACHE-2.0 and bsd-3-clause"), "Apache-2.0 AND BSD-3-Clause")
        XCTAssertEqual(try normalized("licenseref-my-license"), "LicenseRef-my-license")
        XCTAssertEqual(try normalized("Unknown-License-1.0"), "Unknown-License-1.0")
    }

    func testNormalizingFlattensNestedOperators() throws {
        XCTAssertEqual(try LicenseExpression.parse("MIT AND (Zlib AND ISC)").normalized,
                       .and([.license(id: "MIT", orLater: false), .license(id: "Zlib", orLater: false),
                             .license(id: "ISC", orLater: false)]))
    }

    func testDocumentRefs() throws {
        let e = try LicenseExpression.parse("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2 OR MIT")
        XCTAssertEqual(e.licenseIDs, ["DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "MIT"])
        XCTAssertEqual(try normalized("documentref-x:licenseref-y"), "DocumentRef-x:LicenseRef-y")
    }

    func testLicenseAndExceptionIDs() throws {
        let e = try LicenseExpression.parse("(GPL-2.0-only WITH Linux-syscall-note OR MIT) AND Apache-2.0+")
        XCTAssertEqual(e.licenseIDs, ["GPL-2.0-only", "MIT", "Apache-2.0"])
        XCTAssertEqual(e.exceptionIDs, ["Linux-syscall-note"])
    }

    func testErrorsNameTokenAndColumn() {
        func error(_ s: String) -> ExpressionError? {
            do { _ = try LicenseExpression.parse(s); return nil } catch { return error as? ExpressionError }
        }
        XCTAssertEqual(error("MIT AND"), .unexpectedEnd(expected: "a license id", column: 8))
        XCTAssertEqual(error("AND MIT"), .unexpectedToken("AND", column: 1))
        XCTAssertEqual(error("MIT AND AND ISC"), .unexpectedToken("AND", column: 9))
        XCTAssertEqual(error("MIT XOR ISC"), .unknownOperator("XOR", column: 5))
        XCTAssertEqual(error("(MIT OR ISC"), .unbalancedParenthesis(column: 1))
        XCTAssertEqual(error("MIT OR ISC)"), .unbalancedParenthesis(column: 11))
        XCTAssertEqual(error("MIT / ISC"), .invalidCharacter("/", column: 5))
        XCTAssertEqual(error("   "), .empty)
        XCTAssertEqual(error("MIT WITH"), .unexpectedEnd(expected: "an exception id after 'WITH'", column: 9))
        XCTAssertEqual(error("(MIT OR ISC) WITH X"), .unexpectedToken("WITH", column: 14))
        XCTAssertEqual(error("+MIT"), .unexpectedToken("+", column: 1))
        XCTAssertEqual(error("()"), .unbalancedParenthesis(column: 2))
        XCTAssertEqual(ExpressionError.unexpectedToken("AND", column: 5).description,
                       "license expression: unexpected 'AND' at column 5")
    }
}
