// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The fixtures: each planted violation is found with the right evidence, and each
// clean twin (the same tree with the violation removed) reports nothing.

import Foundation
import XCTest
@testable import Boundaries

final class PlantedViolationTests: FixtureTestCase {
    // MARK: a core file including a GPL-only header through two levels

    private func includeChainTree(gplLicense: String) throws -> FixtureTree {
        try tree([
            "src/core.c": header("Apache-2.0") + "#include <stdio.h>\n#include \"a.h\"\nint main(void) { return helper(); }\n",
            "src/a.h": header("Apache-2.0") + "#include \"b.h\"\n",
            "src/b.h": header("Apache-2.0") + "\n#include \"../gpl/gpl.h\"\nint helper(void);\n",
            "gpl/gpl.h": header(gplLicense) + "static inline int gpl_helper(void) { return 1; }\n",
        ])
    }

    func testGPLHeaderTwoLevelsDownIsFoundWithTheChain() throws {
        let fixture = try includeChainTree(gplLicense: "GPL-2.0-only")
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        let findings = report.findings.filter { $0.rule == "gpl-include" }
        XCTAssertEqual(findings.count, 1, "\(report.findings)")
        let finding = try XCTUnwrap(findings.first)
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.location, SourceLocation(path: "src/core.c", line: 4))
        XCTAssertEqual(finding.fromZone, "tree:Apache-2.0")
        XCTAssertEqual(finding.toZone, "tree:GPL-2.0-only")
        XCTAssertTrue(finding.message.contains("src/core.c includes src/a.h includes src/b.h includes gpl/gpl.h"), finding.message)
        XCTAssertEqual(finding.evidence.prefix(3).map(\.description), [
            "src/core.c:4: includes \"a.h\"",
            "src/a.h:3: includes \"b.h\"",
            "src/b.h:4: includes \"../gpl/gpl.h\"",
        ])
        XCTAssertEqual(finding.evidence.last?.text, "license GPL-2.0-only")
        XCTAssertEqual(finding.evidence.dropLast().last?.description, "src/core.c: include graph: textual (no compile command)")
    }

    func testIncludeChainCleanTwinReportsNothing() throws {
        let fixture = try includeChainTree(gplLicense: "MIT")
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertEqual(report.findings, [])
    }

    // MARK: a GPL .c compiled into the core target

    private func packageTree(gplLicense: String) throws -> FixtureTree {
        try tree([
            "Package.swift": "// swift-tools-version:5.9\n// @LICENSE@: Apache-2.0\n// @COPYRIGHT@: 2026 Fixture Authors\n"
                + "import PackageDescription\nlet package = Package(name: \"Fixture\", targets: [\n"
                + "    .target(name: \"Core\"),\n    .executableTarget(name: \"app\", dependencies: [\"Core\"]),\n])\n",
            "Sources/Core/include/core.h": header("Apache-2.0") + "int core_value(void);\n",
            "Sources/Core/core.c": header("Apache-2.0") + "#include \"core.h\"\nint core_value(void) { return 1; }\n",
            "Sources/Core/borrowed.c": header(gplLicense) + "int borrowed_value(void) { return 2; }\n",
            "Sources/app/main.swift": "// @LICENSE@: Apache-2.0\n// @COPYRIGHT@: 2026 Fixture Authors\nimport Core\nprint(core_value())\n",
        ])
    }

    func testGPLSourceCompiledIntoTheCoreTarget() throws {
        let fixture = try packageTree(gplLicense: "GPL-2.0-only")
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        let findings = report.findings.filter { $0.rule == "gpl-source-in-target" }
        XCTAssertEqual(findings.count, 1, "\(report.findings)")
        let finding = try XCTUnwrap(findings.first)
        XCTAssertEqual(finding.location, SourceLocation(path: "Sources/Core/borrowed.c", line: 1))
        XCTAssertTrue(finding.message.contains("compiled into target Core"), finding.message)
        XCTAssertEqual(finding.evidence.first?.location.path, "Package.swift")
        XCTAssertEqual(finding.evidence.first?.location.line, 6)
    }

    func testCoreTargetCleanTwinReportsNothing() throws {
        let fixture = try packageTree(gplLicense: "Apache-2.0")
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertEqual(report.findings, [])
        // The Swift target's import of the C target is seen as evidence, within one zone.
        XCTAssertTrue(report.crossings.isEmpty, "\(report.crossings)")
    }

    func testGPLObjectLinkedIntoACoreBinary() throws {
        let fixture = try tree([
            "core/main.c": header("Apache-2.0") + "int borrowed(void);\nint main(void) { return borrowed(); }\n",
            "core/borrowed.c": header("GPL-2.0-only") + "int borrowed(void) { return 0; }\n",
        ])
        try CheckerSupport.compile(["core/main.c", "core/borrowed.c"], in: fixture.root, output: "core-bin", flags: ["-g"])
        var policy = BoundaryPolicy()
        policy.zones = [.init(name: "core", license: "Apache-2.0", paths: ["core/**"], binaries: ["core-bin"])]
        let report = try CheckerSupport.check(fixture.root.path, policy: policy,
                                              binaries: [fixture.root.appendingPathComponent("core-bin").path], clones: false)
        let finding = try XCTUnwrap(report.findings.first { $0.rule == "gpl-object-in-binary" }, "\(report.findings)")
        XCTAssertEqual(finding.location.path, "core-bin")
        XCTAssertTrue(finding.message.contains("core/borrowed.c"), finding.message)
        XCTAssertEqual(finding.evidence.last?.location, SourceLocation(path: "core/borrowed.c", line: 1))
    }

    // MARK: a non-GPL object referencing a GPL-only symbol

    private func shimTree(userCalls symbol: String) throws -> FixtureTree {
        try tree([
            "shim/exports.c": header("MIT") + "#include \"candor_shim.h\"\n"
                + "int shim_plain(void) { return 1; }\nCANDOR_EXPORT(shim_plain);\n"
                + "int shim_gpl_only(void) { return 2; }\nCANDOR_EXPORT_GPL(shim_gpl_only);\n",
            "core/user.c": header("Apache-2.0") + "int \(symbol)(void);\nint use(void) { return \(symbol)(); }\n",
        ])
    }

    private func compileShimObjects(_ fixture: FixtureTree) throws -> [String] {
        let shim = CheckerSupport.repositoryRoot + "/hypervisor/shim"
        try CheckerSupport.compile(["shim/exports.c"], in: fixture.root, output: "exports.o", flags: ["-c", "-I", shim])
        try CheckerSupport.compile(["core/user.c"], in: fixture.root, output: "user.o", flags: ["-c"])
        return ["user.o", "exports.o"].map { fixture.root.appendingPathComponent($0).path }
    }

    func testNonGPLObjectReferencingAGPLOnlySymbol() throws {
        let fixture = try shimTree(userCalls: "shim_gpl_only")
        let objects = try compileShimObjects(fixture)
        let report = try CheckerSupport.check(fixture.root.path, binaries: objects, clones: false)
        let fromObject = report.findings.filter { $0.rule == "gpl-only-symbol" && $0.location.path == "user.o" }
        XCTAssertEqual(fromObject.count, 1, "\(report.findings)")
        XCTAssertTrue(fromObject.first?.message.contains("shim_gpl_only") ?? false)
        XCTAssertEqual(fromObject.first?.evidence.last?.location.path, "exports.o")
        // The source says the same, to the line.
        let fromSource = report.findings.filter { $0.rule == "gpl-only-symbol" && $0.location.path == "core/user.c" }
        XCTAssertTrue(fromSource.map(\.location.line).contains(4), "\(report.findings)")
        XCTAssertEqual(fromSource.first?.evidence.last?.location.path, "shim/exports.c")
    }

    func testGPLOnlySymbolCleanTwinReportsNothing() throws {
        let fixture = try shimTree(userCalls: "shim_plain")
        let objects = try compileShimObjects(fixture)
        let report = try CheckerSupport.check(fixture.root.path, binaries: objects, clones: false)
        XCTAssertEqual(report.findings.filter { $0.severity == .error }, [])
    }

    // MARK: a GPL function pasted into the core, identifiers renamed, layout changed

    private static let gplFunction = """
        static int ring_fill(struct ring *ring, const unsigned char *data, unsigned int length)
        {
            unsigned int written = 0;
            /* Copy as much as fits, wrapping at the end of the buffer. */
            while (written < length) {
                unsigned int head = ring->head % ring->size;
                unsigned int room = ring->size - (ring->head - ring->tail);
                if (room == 0)
                    break;
                unsigned int chunk = length - written;
                if (chunk > room)
                    chunk = room;
                if (chunk > ring->size - head)
                    chunk = ring->size - head;
                for (unsigned int i = 0; i < chunk; i++)
                    ring->buffer[head + i] = data[written + i];
                ring->head += chunk;
                written += chunk;
                if (ring->notify && ring->head - ring->tail >= ring->threshold)
                    ring->notify(ring->context, ring->head - ring->tail);
            }
            if (written > 0 && ring->stats)
                ring->stats->bytes_in += written;
            return (int)written;
        }
        """

    /// Renames identifiers, drops comments and re-indents: what a copier would do.
    static func disguise(_ code: String) -> String {
        let renames = ["ring_fill": "queue_push", "ring": "q", "data": "src", "length": "n", "written": "done",
                       "head": "pos", "room": "space", "chunk": "part", "size": "capacity", "tail": "rd",
                       "buffer": "bytes", "notify": "wake", "threshold": "level", "context": "cookie",
                       "stats": "counters", "bytes_in": "received", "i": "k"]
        var out = ""
        for line in code.split(separator: "\n") {
            var text = String(line)
            if let comment = text.range(of: "/*") { text = String(text[..<comment.lowerBound]) }
            text = text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            let words = text.split(omittingEmptySubsequences: false, whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            var rebuilt = ""
            var index = text.startIndex
            for word in words {
                let range = word.startIndex..<word.endIndex
                rebuilt += text[index..<range.lowerBound]
                rebuilt += renames[String(word)] ?? String(word)
                index = range.upperBound
            }
            rebuilt += text[index...]
            out += "\t\t" + rebuilt.replacingOccurrences(of: " = ", with: "=") + "\n"
        }
        return out
    }

    private func cloneTree(pasted: Bool) throws -> FixtureTree {
        let coreBody = pasted ? Self.disguise(Self.gplFunction)
            : "static int sum(const int *v, int n)\n{\n\tint s = 0;\n\tfor (int i = 0; i < n; i++) s += v[i];\n\treturn s;\n}\n"
        return try tree([
            "drivers/ring.c": header("GPL-2.0-only") + "#include \"ring.h\"\n\n" + Self.gplFunction + "\n",
            "drivers/ring.h": header("GPL-2.0-only") + "struct ring;\n",
            "core/queue.c": header("Apache-2.0") + "#include <stddef.h>\n\n" + coreBody + "\nint queue_ready(void) { return 1; }\n",
        ])
    }

    func testPastedGPLFunctionIsFoundWithBothLocations() throws {
        let fixture = try cloneTree(pasted: true)
        let report = try CheckerSupport.check(fixture.root.path)
        let findings = report.findings.filter { $0.rule == "copied-code" }
        XCTAssertEqual(findings.count, 1, "\(report.findings)")
        let finding = try XCTUnwrap(findings.first)
        XCTAssertEqual(finding.location.path, "core/queue.c")
        XCTAssertEqual(finding.evidence.last?.location.path, "drivers/ring.c")
        let query = try XCTUnwrap(finding.location.line), queryEnd = try XCTUnwrap(finding.location.endLine)
        XCTAssertLessThanOrEqual(query, 6)
        XCTAssertGreaterThanOrEqual(queryEnd - query, 15)
        XCTAssertEqual(finding.fromZone, "tree:Apache-2.0")
    }

    func testCloneCleanTwinReportsNothing() throws {
        let fixture = try cloneTree(pasted: false)
        let report = try CheckerSupport.check(fixture.root.path)
        XCTAssertEqual(report.findings, [])
    }

    // MARK: a proprietary module in a Linux-style tree using an EXPORT_SYMBOL_GPL symbol

    private func kernelTree(moduleLicense: String) throws -> FixtureTree {
        try tree(kernelFiles(moduleLicense: moduleLicense))
    }

    private func kernelFiles(moduleLicense: String) -> [String: String] {
        [
            "kernel/export.c": header("GPL-2.0") + "int gpl_service(int x)\n{\n\treturn x + 1;\n}\nEXPORT_SYMBOL_GPL(gpl_service);\n"
                + "int open_service(int x)\n{\n\treturn x;\n}\nEXPORT_SYMBOL(open_service);\n",
            // Built-in code is part of the GPL kernel, whatever its file says: modpost only
            // checks modules.
            "kernel/builtin.c": header("LGPL-2.1-only") + "int builtin(void)\n{\n\treturn gpl_service(2);\n}\n",
            "kernel/Makefile": "# @LICENSE@: GPL-2.0\nobj-y += export.o builtin.o\n",
            "drivers/vendor/Makefile": "# @LICENSE@: GPL-2.0\nobj-m += vendor.o\n",
            "drivers/vendor/vendor.c": "/* @COPYRIGHT@: 2026 Vendor */\n#include <linux/module.h>\n"
                + "static int __init vendor_init(void)\n{\n\treturn gpl_service(1) + open_service(2);\n}\n"
                + "module_init(vendor_init);\nMODULE_LICENSE(\"\(moduleLicense)\");\n",
        ]
    }

    func testProprietaryModuleUsingAGPLOnlyExport() throws {
        let fixture = try kernelTree(moduleLicense: "Proprietary")
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        let findings = report.findings.filter { $0.rule == "gpl-only-symbol" }
        XCTAssertEqual(findings.count, 1, "\(report.findings)")
        let finding = try XCTUnwrap(findings.first)
        XCTAssertEqual(finding.location, SourceLocation(path: "drivers/vendor/vendor.c", line: 5))
        XCTAssertEqual(finding.fromZone, "module:vendor")
        XCTAssertTrue(finding.message.contains("gpl_service"), finding.message)
        XCTAssertTrue(finding.evidence.contains { $0.text == "MODULE_LICENSE(\"Proprietary\")" && $0.location.line == 8 },
                      "\(finding.evidence)")
        XCTAssertTrue(finding.evidence.contains { $0.location == SourceLocation(path: "kernel/export.c", line: 7) },
                      "\(finding.evidence)")
    }

    func testAKernelFileNoMakefileBuildsIsNotJudgedUnderItsOwnLicense() throws {
        // i915 #includes its selftests into other files: what a file no makefile names goes
        // into is not known, so its own license says nothing about the program.
        var files = kernelFiles(moduleLicense: "GPL")
        files["drivers/vendor/selftest.c"] = header("MIT") + "int selftest(void)\n{\n\treturn gpl_service(3);\n}\n"
        let fixture = try tree(files)
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertEqual(report.findings.filter { $0.rule == "gpl-only-symbol" }, [])
        let note = try XCTUnwrap(report.problems.first { $0.location.path == "drivers/vendor/selftest.c" }, "\(report.problems)")
        XCTAssertTrue(note.message.hasPrefix("1 C file(s) use GPL-only exports but the Kbuild makefiles read build them into neither"),
                      note.message)
    }

    func testGPLModuleCleanTwinReportsNothing() throws {
        let fixture = try kernelTree(moduleLicense: "GPL")
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertEqual(report.findings.filter { $0.rule == "gpl-only-symbol" }, [])
    }
}
