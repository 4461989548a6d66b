// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What a tree says for the files that say nothing: its root license file, headers that
// only forward to others, and Kbuild object lists built through variables.

import Foundation
import XCTest
@testable import Boundaries

final class TreeDefaultsTests: FixtureTestCase {
    /// Linux's COPYING: the tree's license as an SPDX line, with prose around it.
    static let copying = """
        The Project is provided under:

        \t@LICENSE@: GPL-2.0 WITH Linux-syscall-note

        Being under the terms of the GNU General Public License version 2 only.
        """

    static let plainHeader = "#ifndef PLAIN_H\n#define PLAIN_H\nstatic inline int plain(int a) { return a * 2; }\n#endif\n"

    func testUnlicensedHeaderTakesTheTreesCopying() throws {
        let fixture = try tree([
            "COPYING": Self.copying,
            "kernel/main.c": header("GPL-2.0-only") + "#include \"plain.h\"\nint main(void) { return plain(1); }\n",
            "kernel/plain.h": Self.plainHeader,
            "app/tool.c": header("Apache-2.0") + "#include \"../kernel/plain.h\"\nint tool(void) { return plain(2); }\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        // GPL code may include it: the tree's COPYING covers it.
        XCTAssertFalse(report.findings.contains { $0.location.path == "kernel/main.c" }, "\(report.findings)")
        // Apache-2.0 code may not (no program can be under both), and the finding says where
        // the license came from.
        let finding = try XCTUnwrap(report.findings.first { $0.location.path == "app/tool.c" }, "\(report.findings)")
        XCTAssertEqual(finding.rule, "gpl-include")
        XCTAssertTrue(finding.message.contains("no license statement (the tree's COPYING states GPL-2.0-only WITH Linux-syscall-note; "
            + "inferred, lower confidence)"), finding.message)
    }

    /// Without a policy, an MIT file is judged by its own license only: with GPL headers it
    /// goes into a GPL program, which may hold MIT code, so there is nothing to report. A
    /// policy zone that distributes the same file under MIT makes the include an error.
    func testMITFileWithGPLHeadersIsAViolationOnlyWhereItsZoneIsDistributedUnderMIT() throws {
        let fixture = try tree([
            "kernel/gpl.h": header("GPL-2.0-only") + Self.plainHeader,
            "app/tool.c": header("MIT") + "#include \"../kernel/gpl.h\"\nint tool(void) { return plain(2); }\n",
        ])
        let loose = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertFalse(loose.findings.contains { $0.location.path == "app/tool.c" && $0.severity == .error }, "\(loose.findings)")
        var policy = BoundaryPolicy()
        policy.zones = [.init(name: "app", license: "MIT", paths: ["app/**"])]
        let zoned = try CheckerSupport.check(fixture.root.path, policy: policy, clones: false)
        let finding = try XCTUnwrap(zoned.findings.first { $0.location.path == "app/tool.c" }, "\(zoned.findings)")
        XCTAssertEqual(finding.rule, "gpl-include")
        XCTAssertEqual(finding.severity, .error)
    }

    func testWithoutATreeLicenseUnlicensedCodeIsAllRightsReserved() throws {
        let fixture = try tree([
            "kernel/main.c": header("GPL-2.0-only") + "#include \"plain.h\"\nint main(void) { return plain(1); }\n",
            "kernel/plain.h": Self.plainHeader,
        ])
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        let finding = try XCTUnwrap(report.findings.first { $0.location.path == "kernel/main.c" }, "\(report.findings)")
        XCTAssertTrue(finding.message.contains("no license statement (all rights reserved)"), finding.message)
    }

    /// A notice that only points at another file ("See ../COPYING for licensing terms") is
    /// under that file's license, found from the notice's directory; a name that resolves to
    /// nothing stays an unknown reference.
    func testNoticeReferringToAnotherFileTakesItsLicense() throws {
        func notice(_ text: String) -> String { "/*\n * A driver\n *\n * \(text)\n */\n#include \"../kernel/gpl.h\"\nint f(void) { return plain(1); }\n" }
        let fixture = try tree([
            "COPYING": Self.copying,
            "kernel/gpl.h": header("GPL-2.0-only") + Self.plainHeader,
            // A path from the file's directory.
            "fs/aio.c": notice("See ../COPYING for licensing terms."),
            // A bare license file name: the nearest directory above that has one.
            "arch/arm/ftrace.c": notice("For licencing details, see COPYING."),
            // Another source file of the same directory.
            "net/b.c": notice("See copyright notice in main.c"),
            "net/main.c": header("Apache-2.0") + "int main_c;\n",
            // "this directory", and it has no LICENCE: not looked for above.
            "fs/jffs/e.c": notice("For licensing information, see the file 'LICENCE' in this directory."),
            "LICENCE": "@LICENSE@: MIT\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        // GPL-2.0 code (COPYING's) may include GPL headers.
        XCTAssertFalse(report.findings.contains { $0.location.path == "fs/aio.c" }, "\(report.findings)")
        XCTAssertFalse(report.findings.contains { $0.location.path == "arch/arm/ftrace.c" }, "\(report.findings)")
        // Apache-2.0 code (main.c's) may not, and the evidence says where its license came from.
        let apache = try XCTUnwrap(report.findings.first { $0.location.path == "net/b.c" }, "\(report.findings)")
        XCTAssertEqual(apache.fromZone, "tree:Apache-2.0")
        XCTAssertTrue(apache.evidence.contains { $0.text == "license Apache-2.0 (its notice refers to net/main.c for the license)" },
                      "\(apache.evidence)")
        let unresolved = try XCTUnwrap(report.findings.first { $0.location.path == "fs/jffs/e.c" }, "\(report.findings)")
        XCTAssertEqual(unresolved.fromZone, "tree:LicenseRef-scancode-unknown-license-reference")
        XCTAssertEqual(LicenseReferences.referencedNames(in: "* See ../COPYING, or 'LICENCE'. e.g. http://x.org/a.c main.c."),
                       ["../COPYING", "LICENCE", "e.g", "main.c"])
    }

    func testPolicyOverridesTheTreeLicense() throws {
        let fixture = try tree([
            "COPYING": Self.copying,
            "app/tool.c": header("MIT") + "#include \"plain.h\"\nint tool(void) { return plain(2); }\n",
            "app/plain.h": Self.plainHeader,
        ])
        var policy = BoundaryPolicy()
        policy.unlicensed = "MIT"
        let report = try CheckerSupport.check(fixture.root.path, policy: policy, clones: false)
        XCTAssertFalse(report.findings.contains { $0.location.path == "app/tool.c" }, "\(report.findings)")
    }

    func testForwardingHeaderCarriesNoCode() throws {
        let fixture = try tree([
            "kernel/main.c": header("GPL-2.0-only") + "#include \"const.h\"\nint main(void) { return ONE; }\n",
            // No license of its own and no code: it only forwards.
            "kernel/const.h": "/* forwards */\n#ifndef CONST_H\n#define CONST_H\n#include \"real/const.h\" // the real one\n#endif\n",
            "kernel/real/const.h": header("GPL-2.0-only") + "#define ONE 1\n",
            // The twin: a macro with a value is code.
            "kernel/other.c": header("GPL-2.0-only") + "#include \"macro.h\"\nint other(void) { return TWICE(1); }\n",
            "kernel/macro.h": "#ifndef MACRO_H\n#define MACRO_H\n#include \"real/const.h\"\n#define TWICE(a) ((a) * 2)\n#endif\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertFalse(report.findings.contains { $0.location.path == "kernel/main.c" }, "\(report.findings)")
        XCTAssertTrue(report.findings.contains { $0.location.path == "kernel/other.c" && $0.message.contains("macro.h") },
                      "\(report.findings)")
    }

    func testOnlyForwardsReadsDirectivesNotText() {
        XCTAssertTrue(FileLicenses.onlyForwards("#pragma once\n/* a\n * comment */\n# include <a.h>\n"))
        XCTAssertTrue(FileLicenses.onlyForwards("#if !defined(X)\n#define X\n#include_next <x.h>\n#endif\n"))
        XCTAssertFalse(FileLicenses.onlyForwards("#include <a.h>\n#define LIMIT 4\n"))
        XCTAssertFalse(FileLicenses.onlyForwards("#include <a.h> /* c */ int x;\n"))
        XCTAssertFalse(FileLicenses.onlyForwards("#ifdef CONFIG_X\n#endif\n"), "nothing forwarded")
        XCTAssertFalse(FileLicenses.onlyForwards("#if CONFIG_X > 1\n#include <a.h>\n#endif\n"))
    }

    func testKbuildVariablesAndIncludedMakefilesNameModuleSources() throws {
        let fixture = try tree([
            "drv/gpu/core/Makefile": """
                FULL_PATH = $(srctree)/$(src)/..
                DISPLAY = ../display
                gpu-y := core.o
                include $(FULL_PATH)/display/Makefile
                gpu-y += $(DISPLAY_FILES)
                obj-$(CONFIG_GPU) += gpu.o
                """,
            "drv/gpu/display/Makefile": """
                PARTS = dm.o \\
                \tdm_irq.o # the interrupt half
                DM = $(addprefix $(DISPLAY)/dm/,$(PARTS))
                DISPLAY_FILES += $(DM)
                """,
            "drv/gpu/core/core.c": "MODULE_LICENSE(\"GPL\");\n",
            "drv/gpu/display/dm/dm.c": "int dm(void) { return 0; }\n",
            "drv/gpu/display/dm/dm_irq.c": "int dm_irq(void) { return 0; }\n",
        ])
        let files = ["drv/gpu/core/Makefile", "drv/gpu/display/Makefile", "drv/gpu/core/core.c",
                     "drv/gpu/display/dm/dm.c", "drv/gpu/display/dm/dm_irq.c"]
        let modules = ExportAnalysis.kernelModules(root: fixture.root.path, files: files)
        XCTAssertEqual(modules.map(\.name), ["gpu"])
        XCTAssertEqual(modules.first?.sources, ["drv/gpu/core/core.c", "drv/gpu/display/dm/dm.c", "drv/gpu/display/dm/dm_irq.c"])
        XCTAssertEqual(modules.first?.license, "GPL")
    }

    func testKbuildExpansionKeepsConfigNamesAndRunsNothing() {
        let makefile = KbuildMakefile(path: "d/Makefile", text: """
            A := x.o
            B = $(A) $(shell touch /tmp/never) y.o
            A := z.o
            C = $(A)
            obj-$(CONFIG_FOO) += $(B) $${literal}
            """, rootPrefix: "/nonexistent/")
        let values = Dictionary(makefile.assignments.map { ($0.0, $0.1) }, uniquingKeysWith: { _, b in b })
        XCTAssertEqual(values["obj-$(CONFIG_FOO)"], ["z.o", "y.o", "${literal}"])
        XCTAssertEqual(values["C"], ["z.o"])
        XCTAssertEqual(KbuildMakefile.normalize("./a/b/../c.o"), "a/c.o")
        XCTAssertNil(KbuildMakefile.normalize("../outside.o"))
    }
}
