// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Export macros, symbol uses and Linux module licenses, on texts and on a small
// Linux-style tree written at test time.

import Boundaries
import Foundation
import XCTest

final class ExportAnalysisTests: XCTestCase {
    func testExportsFindsEveryMacroOutsideCommentsStringsAndDirectives() {
        let text = """
            int a(void) { return 0; }
            CANDOR_EXPORT(a);
            int b(void) { return 1; }
            CANDOR_EXPORT_GPL(b);
            EXPORT_SYMBOL(c);
            EXPORT_SYMBOL_GPL(d);
            EXPORT_SYMBOL_NS_GPL(e, SOME_NS);
            /* EXPORT_SYMBOL_GPL(commented); */
            // EXPORT_SYMBOL(line_commented);
            const char *s = "EXPORT_SYMBOL_GPL(in_string)";
            #define EXPORT_ALIAS(x) EXPORT_SYMBOL_GPL(x)
            EXPORT_SYMBOL_NS(f, OTHER);
            """
        let exports = ExportAnalysis.exports(in: text, path: "lib/x.c")
        XCTAssertEqual(exports.map(\.symbol), ["a", "b", "c", "d", "e", "f"])
        XCTAssertEqual(exports.map(\.gplOnly), [false, true, false, true, true, false])
        XCTAssertEqual(exports.map(\.location), [2, 4, 5, 6, 7, 12].map { SourceLocation(path: "lib/x.c", line: $0) })
    }

    func testUsesAreCallsAndReferencesNotDefinitionsDeclarationsOrMembers() {
        let text = """
            #include <linux/module.h>
            int core_fn(int x);
            int core_fn(int x)
            {
                return x;
            }
            EXPORT_SYMBOL_GPL(core_fn);
            /* core_fn(1) in a comment */
            static const char *name = "core_fn";
            #define CALL() core_fn(2)
            struct ops { int (*fn)(int); } ops = { .fn = core_fn };
            static int (*pointer)(int) = core_fn;
            int caller(struct thing *t)
            {
                t->core_fn = 0;
                t.core_fn = 1;
                char c = '"';
                return core_fn(3) +
                       other(core_fn);
            }
            """
        let uses = ExportAnalysis.uses(of: ["core_fn", "unused"], in: text, path: "drv/a.c")
        XCTAssertEqual(uses.map(\.location.line), [11, 12, 18, 19])
        XCTAssertEqual(Set(uses.map(\.symbol)), ["core_fn"])
        XCTAssertEqual(uses.first?.location.path, "drv/a.c")
    }

    func testLexerSurvivesUnterminatedAndInvalidInput() {
        let broken = "int f(void) { return g(\"unterminated\n; } /* open comment g("
        XCTAssertEqual(ExportAnalysis.uses(of: ["g"], in: broken, path: "x.c").map(\.location.line), [1])
        let bytes: [UInt8] = Array("void h(void) { g(); }\n".utf8) + [0xff, 0xfe, 0x27] + Array("\nEXPORT_SYMBOL(g);\n".utf8)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(ExportAnalysis.uses(of: ["g"], in: text, path: "y.c").map(\.location.line), [1])
        XCTAssertEqual(ExportAnalysis.exports(in: text, path: "y.c").map(\.symbol), ["g"])
        XCTAssertEqual(ExportAnalysis.exports(in: text, path: "y.c").map(\.location.line), [3])
    }

    func testModpostLicenseList() {
        for license in ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"] {
            XCTAssertTrue(ExportAnalysis.isGPLCompatibleModuleLicense(license), license)
        }
        // modpost compares exact strings: SPDX ids, case and spacing variants do not count.
        for license in ["Proprietary", "GPL-2.0", "GPL-2.0-only", "gpl", " GPL", "GPL ", "Dual BSD/GPL v2", "BSD", "MIT", ""] {
            XCTAssertFalse(ExportAnalysis.isGPLCompatibleModuleLicense(license), license)
        }
    }

    func testLinuxTreeModulesLicensesAndGPLOnlyUses() throws {
        let tree = try FixtureTree([
            "Makefile": """
                # modules of this tree
                obj-m += prop.o good.o
                obj-$(CONFIG_MULTI) += multi.o
                multi-y := multi_a.o \\
                           sub/multi_b.o
                obj-y += core/
                """,
            "core/Makefile": "obj-y += export.o\n",
            "core/export.c": """
                /* the core exports two functions */
                #include <linux/export.h>
                int core_gpl_fn(int x)
                {
                    return x + 1;
                }
                EXPORT_SYMBOL_GPL(core_gpl_fn);
                int core_plain_fn(int x) { return x; }
                EXPORT_SYMBOL(core_plain_fn);
                """,
            "prop.c": """
                #include <linux/module.h>
                static int __init prop_init(void)
                {
                    return core_gpl_fn(1) + core_plain_fn(2);
                }
                module_init(prop_init);
                MODULE_LICENSE("Proprietary");
                """,
            "good.c": """
                #include <linux/module.h>
                MODULE_LICENSE("GPL");
                static int __init good_init(void)
                {
                    return core_gpl_fn(2);
                }
                """,
            "multi_a.c": "MODULE_LICENSE(\"Dual \" \"BSD/GPL\");\n",
            "sub/multi_b.c": "int multi_b(void) { return core_gpl_fn(0); }\n",
            "stray.c": "\n\nMODULE_LICENSE(\"GPL v2\");\n",
        ], name: "linux")
        defer { tree.remove() }
        let files = ["Makefile", "core/Makefile", "core/export.c", "prop.c", "good.c", "multi_a.c", "sub/multi_b.c", "stray.c"]
        let modules = ExportAnalysis.kernelModules(root: tree.root.path, files: files)
        XCTAssertEqual(modules, [
            KernelModule(name: "good", sources: ["good.c"], license: "GPL", licenseLocation: SourceLocation(path: "good.c", line: 2)),
            KernelModule(name: "multi", sources: ["multi_a.c", "sub/multi_b.c"], license: "Dual BSD/GPL",
                         licenseLocation: SourceLocation(path: "multi_a.c", line: 1)),
            KernelModule(name: "prop", sources: ["prop.c"], license: "Proprietary", licenseLocation: SourceLocation(path: "prop.c", line: 7)),
            KernelModule(name: "stray", sources: ["stray.c"], license: "GPL v2", licenseLocation: SourceLocation(path: "stray.c", line: 3)),
        ])

        // The modpost rule, put together from the facts.
        func text(_ path: String) throws -> String { try String(contentsOf: tree.root.appendingPathComponent(path), encoding: .utf8) }
        let exports = try files.filter { $0.hasSuffix(".c") }.flatMap { ExportAnalysis.exports(in: try text($0), path: $0) }
        XCTAssertEqual(exports, [
            ExportedSymbol(symbol: "core_gpl_fn", gplOnly: true, location: SourceLocation(path: "core/export.c", line: 7)),
            ExportedSymbol(symbol: "core_plain_fn", gplOnly: false, location: SourceLocation(path: "core/export.c", line: 9)),
        ])
        let gplOnly = Set(exports.filter(\.gplOnly).map(\.symbol))
        var violations: [String] = []
        for module in modules where !ExportAnalysis.isGPLCompatibleModuleLicense(module.license ?? "") {
            for source in module.sources {
                for use in ExportAnalysis.uses(of: gplOnly, in: try text(source), path: source) {
                    violations.append("\(module.name): \(use.location): \(use.symbol)")
                }
            }
        }
        XCTAssertEqual(violations, ["prop: prop.c:4: core_gpl_fn"])
        XCTAssertEqual(ExportAnalysis.uses(of: gplOnly, in: try text("good.c"), path: "good.c").map(\.location.line), [5])
    }
}
