// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Processes
import XCTest
@testable import Boundaries

final class IncludeGraphTests: XCTestCase {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    private func edge(_ from: String, _ line: Int, _ spelled: String, _ to: String?) -> IncludeEdge {
        IncludeEdge(from: from, line: line, spelled: spelled, to: to)
    }

    func testChainThroughTwoLevelsToGPLHeaderWithLines() throws {
        let tree = try FixtureTree([
            "src/a.c": "// core\n#include <stdint.h>\n\n#include \"b.h\"\nint a;\n",
            "src/b.h": "#pragma once\n\n#include \"c.h\"\n",
            "src/c.h": "#pragma once\n#include \"gpl/gpl.h\"\n",
            "include/gpl/gpl.h": "/* @LICENSE@: GPL-2.0-only */\nint gpl(void);\n",
        ], name: "includes-chain")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2)

        XCTAssertEqual(graph.units.map(\.source), ["src/a.c"])
        XCTAssertEqual(graph.units[0].arguments, ["-Iinclude"])
        let reachable = graph.reachableHeaders(from: "src/a.c")
        let gpl = try XCTUnwrap(reachable.first { $0.header == "include/gpl/gpl.h" })
        XCTAssertEqual(gpl.chain, [
            edge("src/a.c", 4, "\"b.h\"", "src/b.h"),
            edge("src/b.h", 3, "\"c.h\"", "src/c.h"),
            edge("src/c.h", 2, "\"gpl/gpl.h\"", "include/gpl/gpl.h"),
        ])
        // System headers are followed too, by absolute path.
        let stdint = try XCTUnwrap(graph.edges["src/a.c"]?.first)
        XCTAssertEqual(stdint.line, 2)
        XCTAssertEqual(stdint.spelled, "<stdint.h>")
        XCTAssertTrue(stdint.to?.hasPrefix("/") ?? false, "\(String(describing: stdint.to))")
        XCTAssertEqual(reachable.map(\.header), reachable.map(\.header).sorted())
        XCTAssertTrue(graph.problems.isEmpty, "\(graph.problems)")
    }

    func testIfZeroCommentsAndContinuationsAreHandled() {
        let text = """
        /* #include "commented.h"
           still a comment */
        // #include "line-comment.h"
        #if 0
        #include "dead.h"
        #if 1
        #include "dead-nested.h"
        #endif
        #else
        #include "else-of-if-zero.h"
        #endif
        #ifdef FEATURE
          #  include <maybe.h>
        #endif
        #define LONG \\
          1
        #include_next "next.h" // trailing
        #include HEADER_MACRO
        #if (0) /* off */
        #include "dead-again.h"
        #elif defined(X)
        #import <objc.h>
        #endif
        """
        let directives = IncludeDirectiveParser.parse(Array(text.utf8))
        XCTAssertEqual(directives.map(\.spelled), ["\"else-of-if-zero.h\"", "<maybe.h>", "\"next.h\"", "HEADER_MACRO", "<objc.h>"])
        XCTAssertEqual(directives.map(\.line), [10, 13, 17, 18, 22])
        XCTAssertEqual(directives.map(\.isNext), [false, false, true, false, false])
        XCTAssertEqual(directives.map(\.form), [.quoted, .angled, .quoted, .computed, .angled])
    }

    func testBlockCommentsOpenedInCodeLinesAndSlashesInStrings() {
        let text = """
        int x = 1; /* open
        #include "in-comment.h"
        */ int y; // line comment /* does not open
        #include "after.h"
        const char *s = "/* not a comment"; char q = '"';
        #include "after-string.h"
        a = b / c; /* closed */ d = e; /* and
           reopened */
        #include "after-closed.h"
        """
        let directives = IncludeDirectiveParser.parse(Array(text.utf8))
        XCTAssertEqual(directives.map(\.spelled), ["\"after.h\"", "\"after-string.h\"", "\"after-closed.h\""])
        XCTAssertEqual(directives.map(\.line), [4, 6, 9])
    }

    func testIncludeCycleTerminates() throws {
        let tree = try FixtureTree([
            "a.c": "#include \"x.h\"\n",
            "x.h": "#include \"y.h\"\n",
            "y.h": "#include \"x.h\"\n#include \"a.c\"\n",
        ], name: "includes-cycle")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2)
        XCTAssertEqual(graph.reachableHeaders(from: "a.c").map(\.header), ["x.h", "y.h"])
        XCTAssertEqual(graph.edges["y.h"], [edge("y.h", 1, "\"x.h\"", "x.h"), edge("y.h", 2, "\"a.c\"", "a.c")])
    }

    func testUnresolvedIncludesAreEdgesWithoutTarget() throws {
        let tree = try FixtureTree([
            "src/main.c": "#include \"missing.h\"\n#include <candor_no_such_header.h>\n",
        ], name: "includes-unresolved")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: ["src/main.c"], compileCommands: nil, jobs: 1)
        XCTAssertEqual(graph.edges["src/main.c"], [
            edge("src/main.c", 1, "\"missing.h\"", nil),
            edge("src/main.c", 2, "<candor_no_such_header.h>", nil),
        ])
        // Only the tree's own quoted include is a problem; a missing system header is a fact.
        XCTAssertEqual(graph.problems.map(\.description), ["src/main.c:1: cannot find the header \"missing.h\""])
    }

    func testQuotedIncludeFallsBackToUniqueSuffixMatch() throws {
        let tree = try FixtureTree([
            "drivers/blk.c": "#include \"shim.h\"\n#include \"dup.h\"\n",
            "lib/shim/shim.h": "",
            "one/dup.h": "",
            "two/dup.h": "",
        ], name: "includes-suffix")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(graph.edges["drivers/blk.c"]?.map(\.to), ["lib/shim/shim.h", nil])
    }

    func testLinuxLikeTreeSearchesTheKernelLayoutWithoutTheCLibrary() throws {
        let tree = try FixtureTree([
            "Kbuild": "",
            "arch/x86/include/asm/io.h": "#include <asm-generic/io.h>\n",
            "include/asm-generic/io.h": "",
            "include/linux/io.h": "#include <asm/io.h>\n#include <stdarg.h>\n#include <stdio.h>\n",
            "include/uapi/linux/kvm.h": "",
            "drivers/net/x.c": "#include <linux/io.h>\n#include <linux/kvm.h>\n",
        ], name: "includes-linux")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2)
        XCTAssertEqual(graph.units.map(\.source), ["drivers/net/x.c"])
        XCTAssertEqual(graph.units[0].arguments, ["-Iarch/x86/include", "-Iinclude", "-Iinclude/uapi"])
        XCTAssertEqual(graph.edges["drivers/net/x.c"]?.map(\.to), ["include/linux/io.h", "include/uapi/linux/kvm.h"])
        let io = try XCTUnwrap(graph.edges["include/linux/io.h"])
        XCTAssertEqual(io.map { $0.to?.hasPrefix("/") }, [false, true, nil], "\(io)")
        XCTAssertEqual(io[0].to, "arch/x86/include/asm/io.h")
        XCTAssertTrue(io[1].to?.contains("/gcc/") ?? false, "the compiler's own stdarg.h, as -nostdinc -isystem does")
        XCTAssertEqual(graph.reachableHeaders(from: "drivers/net/x.c").first { $0.header == "include/asm-generic/io.h" }?.chain.count, 3)
    }

    func testInvalidUTF8AndSymlinkLoopsAreHarmless() throws {
        let tree = try FixtureTree(["src/a.h": ""], name: "includes-bytes")
        defer { tree.remove() }
        var bytes = Array("#include \"a.h\" /* \u{FF} */\n".utf8)
        bytes.insert(0xFF, at: 18)
        bytes += [0xC3, 0x28, 0x0A] + Array("#include <candor-none.h>\n".utf8)
        try Data(bytes).write(to: tree.root.appendingPathComponent("src/a.c"))
        try FileManager.default.createSymbolicLink(atPath: tree.root.appendingPathComponent("src/loop").path, withDestinationPath: "..")
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2)
        XCTAssertEqual(graph.units.map(\.source), ["src/a.c"])
        XCTAssertEqual(graph.edges["src/a.c"], [edge("src/a.c", 1, "\"a.h\"", "src/a.h"), edge("src/a.c", 3, "<candor-none.h>", nil)])
    }

    private func compileCommandsTree(compiler: String) throws -> FixtureTree {
        let tree = try FixtureTree([
            "src/main.c": "#define CONFIG_HEADER <conf.h>\n#include CONFIG_HEADER\n#include \"local.h\"\n",
            "src/other.c": "\n#include <conf.h>\n",
            "src/local.h": "#include <conf.h>\n",
            "inc1/conf.h": "int one;\n",
            "inc2/conf.h": "int two;\n",
        ], name: "includes-cc")
        let entries: [[String: Any]] = [
            ["directory": tree.root.path, "file": "src/main.c",
             "arguments": [compiler, "-Iinc2", "-DX=1", "-c", "src/main.c", "-o", "main.o"]],
            ["directory": tree.root.path, "file": tree.root.path + "/src/other.c",
             "command": "\(compiler) -I 'inc1' -D 'GREETING=\"hi there\"' -c src/other.c -o other.o"],
        ]
        try tree.write("build/compile_commands.json", String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self))
        return tree
    }

    func testCompileCommandsArgumentsAndCommandFormsUseTheCompiler() throws {
        let tree = try compileCommandsTree(compiler: "/usr/bin/cc")
        defer { tree.remove() }
        // Tracing runs the entry's compiler: only for a trusted tree.
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2, trustBuild: true)
        XCTAssertEqual(graph.units.map(\.source), ["src/main.c", "src/other.c"])
        XCTAssertEqual(graph.units[1].arguments, ["/usr/bin/cc", "-I", "inc1", "-D", "GREETING=\"hi there\"", "-c", "src/other.c", "-o", "other.o"])
        // The computed include is only known from the compiler's trace.
        XCTAssertEqual(graph.edges["src/main.c"], [
            edge("src/main.c", 2, "CONFIG_HEADER", "inc2/conf.h"),
            edge("src/main.c", 3, "\"local.h\"", "src/local.h"),
        ])
        XCTAssertEqual(graph.edges["src/other.c"], [edge("src/other.c", 2, "<conf.h>", "inc1/conf.h")])
        XCTAssertEqual(graph.reachableHeaders(from: "src/main.c").map(\.header), ["inc2/conf.h", "src/local.h"])
        XCTAssertTrue(graph.problems.isEmpty, "\(graph.problems)")
    }

    func testCompileCommandsFallBackToTextualResolutionWhenTheCompilerIsMissing() throws {
        let tree = try compileCommandsTree(compiler: "/nonexistent/candor-cc")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil,
                                                  compileCommands: "build/compile_commands.json", jobs: 2, trustBuild: true)
        XCTAssertEqual(graph.edges["src/other.c"], [edge("src/other.c", 2, "<conf.h>", "inc1/conf.h")])
        XCTAssertEqual(graph.edges["src/main.c"]?.map(\.to), [nil, "src/local.h"])
        XCTAssertEqual(graph.problems.map(\.location.path), ["src/main.c", "src/other.c"])
        XCTAssertTrue(graph.problems.allSatisfy { $0.message.contains("/nonexistent/candor-cc not found") }, "\(graph.problems)")
    }

    func testCompileCommandsOfAnUntrustedTreeAreData() throws {
        let tree = try compileCommandsTree(compiler: "/usr/bin/cc")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2)
        // The flags still decide the search path; the computed include stays unresolved.
        XCTAssertEqual(graph.edges["src/other.c"], [edge("src/other.c", 2, "<conf.h>", "inc1/conf.h")])
        XCTAssertEqual(graph.edges["src/main.c"]?.map(\.to), [nil, "src/local.h"])
        XCTAssertTrue(graph.problems.isEmpty, "\(graph.problems)")
    }

    func testBadCompileCommandsAreProblems() throws {
        let tree = try FixtureTree([
            "compile_commands.json": "[{\"directory\": \"/\", \"file\": ",
            "a.c": "",
        ], name: "includes-badjson")
        defer { tree.remove() }
        let graph = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(graph.problems.count, 1)
        XCTAssertEqual(graph.problems.first?.location.path, "compile_commands.json")
        XCTAssertTrue(graph.problems.first?.message.contains("not valid JSON") ?? false)
        XCTAssertEqual(graph.units.map(\.source), ["a.c"], "an unreadable database falls back to inferred units")

        try tree.write("compile_commands.json", """
        [{"directory": "\(tree.root.path)", "file": "gone.c", "arguments": ["cc", "-c", "gone.c"]},
         {"directory": "\(tree.root.path)", "file": "a.c", "command": "cc 'unterminated"},
         {"directory": "\(tree.root.path)", "file": "a.c"}]
        """)
        let entries = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(entries.problems.map(\.message), [
            "compile_commands.json entry 0: source file gone.c does not exist",
            "compile_commands.json entry 1: unterminated quote in \"command\": cc 'unterminated",
            "compile_commands.json entry 2: no \"arguments\" or \"command\" for a.c",
        ])
        XCTAssertTrue(entries.units.isEmpty)
    }

    func testRepositoryKVMShimReachesLinuxKVMHeader() throws {
        let root = Self.repositoryRoot
        let files = try XCTUnwrap(gitFiles(root))
        let graph = try IncludeGraphBuilder.build(root: root, files: files, compileCommands: nil, jobs: 2)
        let unit = try XCTUnwrap(graph.units.first { $0.source == "Sources/CKVM/ckvm.c" })
        XCTAssertEqual(unit.target, "CKVM")
        let kvm = try XCTUnwrap(graph.reachableHeaders(from: "Sources/CKVM/ckvm.c").first { $0.header == "/usr/include/linux/kvm.h" })
        XCTAssertEqual(kvm.chain.first, edge("Sources/CKVM/ckvm.c", 4, "\"CKVM.h\"", "Sources/CKVM/include/CKVM.h"))
        XCTAssertEqual(kvm.chain.last?.spelled, "<linux/kvm.h>")
        XCTAssertEqual(kvm.chain.count, 2)
        // A system library's module map header is a unit of its own, followed into the system.
        let shim = try XCTUnwrap(graph.units.first { $0.source == "Sources/CGit2/shim.h" })
        XCTAssertEqual(shim.target, "CGit2")
        if FileManager.default.fileExists(atPath: "/usr/include/git2.h") {
            XCTAssertTrue(graph.reachableHeaders(from: "Sources/CGit2/shim.h").contains { $0.header == "/usr/include/git2.h" })
        }
    }

    private func gitFiles(_ root: String) -> [String]? {
        guard let output = try? ProcessRunner.run("/usr/bin/git", ["-C", root, "ls-files"], directory: nil), output.status == 0 else { return nil }
        return output.standardOutput.split(separator: "\n").map(String.init)
    }
}
