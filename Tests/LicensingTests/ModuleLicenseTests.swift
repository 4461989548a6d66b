// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

/// Linux's MODULE_LICENSE() as a declaration of a module's source file. Tags in the
/// fixtures are split so this file has only its own.
final class ModuleLicenseTests: XCTestCase {
    private let tag = "SPDX-" + "License-Identifier:"

    private func analyze(_ text: String, _ path: String) throws -> LicenseDetection {
        try LicenseDetector(database: try SharedDatabase.get()).analyze(text, path: path)
    }

    private func module(_ license: String, before: String = "") -> String {
        before + """
        #include <linux/module.h>

        static int __init demo_init(void) { return 0; }
        module_init(demo_init);
        MODULE_DESCRIPTION("demo");
        \(license)
        """
    }

    func testStringsAsLicenseRulesDefinesThem() throws {
        let expected: [String: String] = [
            "GPL": "GPL-2.0-only", "GPL v2": "GPL-2.0-only", "GPL and additional rights": "GPL-2.0-only OR MIT",
            "Dual MIT/GPL": "MIT OR GPL-2.0-only", "Dual BSD/GPL": "LicenseRef-candor-BSD-unspecified OR GPL-2.0-only",
            "Dual MPL/GPL": "LicenseRef-candor-MPL-unspecified OR GPL-2.0-only", "Proprietary": "LicenseRef-candor-proprietary",
        ]
        for (string, expression) in expected {
            XCTAssertEqual(KernelModuleLicense.expression(string), expression, string)
            XCTAssertEqual(try LicenseExpression.parse(expression).normalized.description, expression, "\(string) is normalised")
        }
        for undefined in ["GPLv2", "gpl", "BSD", "Dual BSD/GPL ", "GPL-2.0"] {
            XCTAssertNil(KernelModuleLicense.expression(undefined), undefined)
        }
        // The families the judge sees: an unspecified BSD is permissive, an unspecified MPL file copyleft.
        XCTAssertEqual(LicenseSemantics.family(of: try LicenseExpression.parse(KernelModuleLicense.unspecifiedBSD)), .permissive)
        XCTAssertEqual(LicenseSemantics.family(of: try LicenseExpression.parse(KernelModuleLicense.unspecifiedMPL)), .weakFileCopyleft)
        XCTAssertEqual(LicenseSemantics.family(of: try LicenseExpression.parse(KernelModuleLicense.proprietary)), .proprietary)
    }

    func testModuleLicenseDeclaresTheFileWithoutOtherStatement() throws {
        let d = try analyze(module("MODULE_LICENSE(\"GPL\");\n"), "drivers/demo/demo.c")
        XCTAssertEqual(d.expression, "GPL-2.0-only")
        let declaration = try XCTUnwrap(d.matches.first { $0.kind == .declaration })
        XCTAssertEqual(declaration.rule, "MODULE_LICENSE(\"GPL\")")
        XCTAssertEqual(declaration.startLine, 6)
        XCTAssertEqual(d.matches.count, 1)
        XCTAssertTrue(d.mentions.isEmpty, "\(d.mentions)")
    }

    func testAdjacentLiteralsAndTheRuleIndexCountOnce() throws {
        // ScanCode has a rule for MODULE_LICENSE("Dual BSD/GPL") (bsd-new OR gpl-2.0): it
        // would name BSD-3-Clause, which the string does not say.
        for call in ["MODULE_LICENSE(\"Dual BSD/GPL\");", "MODULE_LICENSE(\"Dual \" \"BSD/GPL\");",
                     "MODULE_LICENSE(\n\t\"Dual BSD/GPL\"\n);"] {
            let d = try analyze(module(call + "\n"), "demo.c")
            XCTAssertEqual(d.expression, "LicenseRef-candor-BSD-unspecified OR GPL-2.0-only", call)
            XCTAssertEqual(d.matches.map(\.rule), ["MODULE_LICENSE(\"Dual BSD/GPL\")"], call)
            XCTAssertTrue(d.mentions.isEmpty, "\(call): \(d.mentions)")
        }
        let multiLine = try analyze(module("MODULE_LICENSE(\n\t\"GPL v2\"\n);\n"), "demo.c")
        XCTAssertEqual(multiLine.matches.map { [$0.startLine, $0.endLine] }, [[6, 8]])
    }

    func testTheSPDXLineStaysTheFilesStatement() throws {
        let d = try analyze(module("MODULE_LICENSE(\"GPL\");\n", before: "// \(tag) GPL-2.0+\n"), "demo.c")
        XCTAssertEqual(d.expression, "GPL-2.0-or-later")
        XCTAssertEqual(d.matches.map(\.kind), [.tag, .declaration])
        XCTAssertTrue(d.contradictions.isEmpty)
    }

    func testOtherStatementsOfTheFileComeFirst() throws {
        let d = try analyze(module("MODULE_LICENSE(\"Dual MIT/GPL\");\n", before: "/* License: MIT */\n"), "demo.c")
        XCTAssertEqual(d.expression, "MIT")
        XCTAssertEqual(d.matches.map(\.kind), [.declaration, .declaration], "both are reported")
    }

    func testInACommentAStringOrAnotherLanguageItIsAMention() throws {
        let commented = try analyze(module("/* MODULE_LICENSE(\"Proprietary\"); */\nMODULE_LICENSE(\"GPL\");\n"), "demo.c")
        XCTAssertEqual(commented.expression, "GPL-2.0-only")
        XCTAssertEqual(commented.matches.map(\.rule), ["MODULE_LICENSE(\"GPL\")"])
        XCTAssertEqual(commented.mentions.map(\.expression), ["LicenseRef-candor-proprietary"])

        let inString = try analyze("static const char *s = \"x\"; puts(\"MODULE_LICENSE(\" \"\\\"GPL\\\")\");\n"
                                   + "char c = 'MODULE_LICENSE(\"GPL\")';\n", "demo.c")
        XCTAssertNil(inString.expression)
        XCTAssertTrue(inString.matches.isEmpty, "\(inString.matches)")

        let fixture = try analyze("let source = \"\"\"\nMODULE_LICENSE(\"Dual BSD/GPL\");\n\"\"\"\n", "Tests/X/ExportTests.swift")
        XCTAssertNil(fixture.expression)
        XCTAssertEqual(fixture.mentions.map(\.rule), ["MODULE_LICENSE(\"Dual BSD/GPL\")"])

        let prose = try analyze("Every module says MODULE_LICENSE(\"GPL\"), see license-rules.rst.\n", "README")
        XCTAssertNil(prose.expression)
        XCTAssertEqual(prose.mentions.count, 1)
    }

    func testUndefinedStringsAndOtherMacrosAreNotDeclarations() throws {
        for call in ["MODULE_LICENSE(\"GPLv3\");", "MODULE_LICENSE(LICENSE_STRING);", "MY_MODULE_LICENSE(\"GPL\");",
                     "#define MODULE_LICENSE(l) static const char license[] = l"] {
            let d = try analyze(module(call + "\n"), "demo.c")
            XCTAssertFalse(d.matches.contains { $0.rule.hasPrefix("MODULE_LICENSE") }, call)
        }
    }
}
