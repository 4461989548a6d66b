// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Includes as compiled without running the compiler: a unit's #if conditions evaluated
// with its compile command's -D/-U flags, so a branch its flags do not select is no edge.

import Foundation
import XCTest
@testable import Boundaries

final class ConditionEvaluationTests: FixtureTestCase {
    /// A tree whose compile_commands.json compiles each source with its own flags.
    private func graph(_ files: [String: String], units: [String: [String]], name: String = #function) throws -> IncludeGraph {
        let fixture = try tree(files, name: name)
        let database = units.keys.sorted().map { source in
            ["directory": fixture.root.path, "file": source, "arguments": ["cc"] + units[source]! + ["-c", source]] as [String: Any]
        }
        try JSONSerialization.data(withJSONObject: database).write(to: fixture.root.appendingPathComponent("compile_commands.json"))
        return try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 2)
    }

    private func reached(_ graph: IncludeGraph, _ unit: String) -> [String] {
        graph.reachable(from: unit).headers.filter { !$0.hasPrefix("/") }
    }

    private let useGPL = [
        "main.c": "#if USE_GPL\n#include \"gpl.h\"\n#endif\n#include \"a.h\"\n",
        "a.h": "#define A 1\n",
        "gpl.h": "/* @LICENSE@: GPL-2.0-only */\nint gpl(void);\n",
    ]

    func testAFalseBranchOfTheUnitsFlagsIsNoEdge() throws {
        let off = try graph(useGPL, units: ["main.c": ["-DUSE_GPL=0"]])
        XCTAssertEqual(off.edges["main.c"]?.compactMap(\.to), ["a.h"])
        XCTAssertEqual(reached(off, "main.c"), ["a.h"])
        XCTAssertEqual(off.units.map(\.evidence.description),
                       ["as compiled (conditions evaluated with the unit's flags; 0 conditions undecided, all their branches followed)"])

        let on = try graph(useGPL, units: ["main.c": ["-D", "USE_GPL=1"]])
        XCTAssertEqual(on.edges["main.c"]?.compactMap(\.to), ["gpl.h", "a.h"])
        XCTAssertEqual(reached(on, "main.c"), ["a.h", "gpl.h"])
        XCTAssertEqual(on.edges["main.c"]?.first?.line, 2)
    }

    func testTheCheckerJudgesOnlyTheCompiledBranchAndSaysHowItKnows() throws {
        for (flag, expected) in [("-DUSE_GPL=0", 0), ("-DUSE_GPL=1", 1)] {
            let fixture = try tree([
                "main.c": header("Apache-2.0") + "#if USE_GPL\n#include \"gpl.h\"\n#endif\nint main(void) { return 0; }\n",
                "gpl.h": header("GPL-2.0-only") + "static inline int gpl(void) { return 1; }\n",
            ], name: "checker\(expected)")
            let database = [["directory": fixture.root.path, "file": "main.c", "arguments": ["cc", flag, "-c", "main.c"]]]
            try JSONSerialization.data(withJSONObject: database).write(to: fixture.root.appendingPathComponent("compile_commands.json"))
            let report = try CheckerSupport.check(fixture.root.path, clones: false)
            let includes = report.findings.filter { $0.evidence.contains { $0.text.hasPrefix("include graph:") } }
            XCTAssertEqual(includes.count, expected, "\(flag): \(report.findings)")
            if let finding = includes.first {
                XCTAssertTrue(finding.evidence.contains { $0.text == "include graph: as compiled (conditions evaluated with the unit's flags; 0 conditions undecided, all their branches followed)" },
                              "\(finding.evidence)")
            }
        }
    }

    func testWithoutACompileCommandEveryBranchIsFollowed() throws {
        let fixture = try tree(useGPL)
        let textual = try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(textual.edges["main.c"]?.compactMap(\.to), ["gpl.h", "a.h"])
        XCTAssertEqual(textual.units.map(\.evidence.description), ["textual (no compile command)"])
    }

    func testUnitsSharingAHeaderEachReachOnlyTheirBranch() throws {
        let files = [
            "off.c": "#include \"common.h\"\n",
            "on.c": "#include \"common.h\"\n",
            "common.h": "#pragma once\n#if USE_GPL\n#include \"gpl.h\"\n#endif\n",
            "gpl.h": "int gpl(void);\n",
        ]
        let shared = try graph(files, units: ["off.c": ["-DUSE_GPL=0"], "on.c": ["-DUSE_GPL=1"]])
        XCTAssertEqual(shared.edges["common.h"]?.compactMap(\.to), ["gpl.h"])
        XCTAssertEqual(reached(shared, "off.c"), ["common.h"])
        XCTAssertEqual(reached(shared, "on.c"), ["common.h", "gpl.h"])
    }

    func testIfdefIfndefAndElifChains() throws {
        let files = [
            "main.c": """
                #ifdef A
                #include "a.h"
                #elif defined(B) && B > 2
                #include "b.h"
                #elif B == 2
                #include "b2.h"
                #else
                #include "none.h"
                #endif
                #ifndef C
                #include "c.h"
                #endif
                #if 0
                #elifdef C
                #include "elifdef.h"
                #endif

                """,
            "a.h": "", "b.h": "", "b2.h": "", "none.h": "", "c.h": "", "elifdef.h": "",
        ]
        let cases: [([String], [String])] = [
            ([], ["none.h", "c.h"]),
            (["-DA"], ["a.h", "c.h"]),
            (["-DA", "-DB=3"], ["a.h", "c.h"]),
            (["-DB=3", "-DC"], ["b.h", "elifdef.h"]),
            (["-DB=2"], ["b2.h", "c.h"]),
            (["-DB=0x2u", "-DC=0"], ["b2.h", "elifdef.h"]),
        ]
        for (flags, expected) in cases {
            let built = try graph(files, units: ["main.c": flags])
            XCTAssertEqual(built.edges["main.c"]?.compactMap(\.to), expected, "\(flags)")
        }
    }

    func testAGuardedHeaderIncludedTwiceIsWalkedOnce() throws {
        let files = [
            "main.c": "#include \"x.h\"\n#include \"x.h\"\n#include \"y.h\"\n#include \"y.h\"\n",
            // The idiom (skipped whole on the second include) and a spelling the walk evaluates.
            "x.h": "#ifndef X_H\n#define X_H\n#ifdef X_SEEN\n#include \"x-second.h\"\n#endif\n#define X_SEEN\n#endif\n",
            "y.h": "#if !defined(Y_H)\n#define Y_H\n#ifdef Y_SEEN\n#include \"y-second.h\"\n#endif\n#define Y_SEEN\n#endif\n",
            "x-second.h": "", "y-second.h": "",
        ]
        XCTAssertEqual(IncludeDirectiveParser.parse(Array(files["x.h"]!.utf8), conditions: true).guardMacro, "X_H")
        XCTAssertNil(IncludeDirectiveParser.parse(Array(files["y.h"]!.utf8), conditions: true).guardMacro)
        let built = try graph(files, units: ["main.c": []])
        XCTAssertEqual(built.edges["main.c"]?.compactMap(\.to), ["x.h", "x.h", "y.h", "y.h"])
        XCTAssertEqual(reached(built, "main.c"), ["x.h", "y.h"])
        XCTAssertEqual(built.units.first?.evidence, .conditionsEvaluated(undecided: 0))
    }

    func testUndefinesInCommandLineOrder() throws {
        let removed = try graph(useGPL, units: ["main.c": ["-DUSE_GPL=1", "-UUSE_GPL"]])
        XCTAssertEqual(removed.edges["main.c"]?.compactMap(\.to), ["a.h"])
        let redefined = try graph(useGPL, units: ["main.c": ["-U", "USE_GPL", "-DUSE_GPL"]])
        XCTAssertEqual(redefined.edges["main.c"]?.compactMap(\.to), ["gpl.h", "a.h"])
        // The compiler's own macros are in the table, and -U removes them too.
        let platform = ["main.c": "#ifdef __linux__\n#include \"linux.h\"\n#endif\n#if __cplusplus\n#include \"cxx.h\"\n#endif\n",
                        "linux.h": "", "cxx.h": "", "main.cc": "#include \"main.c\"\n"]
        let linux = try graph(platform, units: ["main.c": []])
        XCTAssertEqual(linux.edges["main.c"]?.compactMap(\.to), ["linux.h"])
        let notLinux = try graph(platform, units: ["main.c": ["-U__linux__", "-xc++"]])
        XCTAssertEqual(notLinux.edges["main.c"]?.compactMap(\.to), ["cxx.h"])
        let cxx = try graph(platform, units: ["main.cc": []])
        XCTAssertEqual(reached(cxx, "main.cc"), ["cxx.h", "linux.h", "main.c"])
    }

    func testDefinesInTheWalkedFilesCount() throws {
        let files = [
            "main.c": "#include \"config.h\"\n#if FEATURE >= 2 && !defined(NO_GPL)\n#include \"gpl.h\"\n#endif\n#undef FEATURE\n#if FEATURE\n#include \"after.h\"\n#endif\n",
            "config.h": "#define LEVEL 3\n#define FEATURE LEVEL\n#define MACRO(x) x\n",
            "gpl.h": "", "after.h": "",
        ]
        XCTAssertEqual(try graph(files, units: ["main.c": []]).edges["main.c"]?.compactMap(\.to), ["config.h", "gpl.h"])
        XCTAssertEqual(try graph(files, units: ["main.c": ["-DNO_GPL"]]).edges["main.c"]?.compactMap(\.to), ["config.h"])
        // -include runs first, like a first line of the source.
        let forced = try graph(files.merging(["pre.h": "#define NO_GPL\n"]) { $1 }, units: ["main.c": ["-include", "pre.h"]])
        XCTAssertEqual(forced.edges["main.c"]?.compactMap(\.to), ["pre.h", "config.h"])
    }

    func testUndecidableConditionsFollowEveryBranchAndAreCounted() throws {
        let files = [
            "main.c": """
                #if __has_include(<x.h>)
                #include "with.h"
                #define HAVE_X 1
                #else
                #include "without.h"
                #endif
                #if !HAVE_X
                #include "fallback.h"
                #endif
                #if __has_include("config.h")
                #include "config.h"
                #endif
                #ifndef HAVE_CONFIG
                #include "noconfig.h"
                #endif
                #if MACRO(1)
                #include "function.h"
                #endif
                #if __GNUC_MINOR__ > 3
                #include "minor.h"
                #endif
                #ifdef __has_include
                #include "probe.h"
                #endif

                """,
            "with.h": "", "without.h": "", "fallback.h": "", "function.h": "", "minor.h": "", "probe.h": "",
            // Included from an undecided branch: what it defines is only maybe defined.
            "config.h": "#define HAVE_CONFIG 1\n", "noconfig.h": "",
        ]
        let built = try graph(files, units: ["main.c": ["-DMACRO(x)=x"]])
        // HAVE_X was defined in an undecided branch: it may or may not be defined.
        XCTAssertEqual(built.edges["main.c"]?.compactMap(\.to), ["with.h", "without.h", "fallback.h", "config.h", "noconfig.h", "function.h", "minor.h", "probe.h"])
        XCTAssertEqual(built.units.first?.evidence, .conditionsEvaluated(undecided: 7))
        XCTAssertTrue(built.units.first?.evidence.description.contains("7 conditions undecided, all their branches followed") ?? false)
    }

    func testHostileFilesFallBackToEveryBranchWithANote() throws {
        let unterminated = try graph(["main.c": "#if 0\n#include \"never.h\"\n#endif\n#include \"h.h\"\n", "never.h": "",
                                      "h.h": "#ifdef NOT_DEFINED\n#include \"gpl.h\"\n", "gpl.h": ""],
                                     units: ["main.c": []])
        XCTAssertEqual(reached(unterminated, "main.c"), ["gpl.h", "h.h"])
        XCTAssertTrue(unterminated.problems.contains { $0.location.path == "h.h" && $0.location.line == 1 && $0.message.contains("#if without #endif") },
                      "\(unterminated.problems)")
        XCTAssertTrue(unterminated.units[0].evidence.description.hasPrefix("textual (conditions not evaluated: h.h:1: #if without #endif"),
                      unterminated.units[0].evidence.description)

        let stray = try graph(["main.c": "#endif\n#ifdef X\n#include \"gpl.h\"\n#endif\n", "gpl.h": ""], units: ["main.c": []])
        XCTAssertTrue(stray.problems.contains { $0.location.path == "main.c" && $0.location.line == 1 && $0.message.contains("#endif without #if") })
        XCTAssertEqual(stray.edges["main.c"]?.compactMap(\.to), ["gpl.h"])

        let noName = try graph(["main.c": "#ifdef\n#include \"a.h\"\n#endif\n#ifndef 1X\n#include \"b.h\"\n#endif\n", "a.h": "", "b.h": ""],
                               units: ["main.c": []])
        XCTAssertEqual(noName.edges["main.c"]?.compactMap(\.to), ["a.h", "b.h"])
        XCTAssertEqual(noName.problems.filter { $0.message.hasPrefix("no macro name") }.compactMap(\.location.line), [1, 4])
        XCTAssertEqual(noName.units[0].evidence, .conditionsEvaluated(undecided: 2))

        let doubleElse = try graph(["main.c": "#if 0\n#else\n#else\n#include \"gpl.h\"\n#endif\n", "gpl.h": ""], units: ["main.c": []])
        XCTAssertTrue(doubleElse.problems.contains { $0.location.line == 3 && $0.message.contains("#else after #else") })

        // A header that includes itself without a guard stops at the include depth limit.
        // Several units, so that worker threads (smaller stacks) walk it too.
        let recursive = try graph(["main.c": "#include \"self.h\"\n", "self.h": "#include \"self.h\"\n", "b.c": "#include \"self.h\"\n",
                                   "c.c": "#include \"self.h\"\n", "d.c": "#include \"self.h\"\n"],
                                  units: ["main.c": [], "b.c": [], "c.c": [], "d.c": []])
        XCTAssertTrue(recursive.units[0].evidence.description.contains("nested more than"), recursive.units[0].evidence.description)
        XCTAssertEqual(reached(recursive, "main.c"), ["self.h"])

        // Expressions the compiler would reject: a note at the line, that block's branches followed.
        let nesting = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        let chain = (0..<100).map { "#define M\($0) M\($0 + 1)\n" }.joined() + "#define M100 1\n"
        let expressions = try graph([
            "main.c": chain + """
                #if 1 / 0
                #include "div.h"
                #endif
                #if 0 && 1 / 0
                #include "shortcut.h"
                #endif
                #if 99999999999999999999999
                #include "huge.h"
                #endif
                #if \(nesting)
                #include "nested.h"
                #endif
                #if M0
                #include "chain.h"
                #endif
                #if (1
                #include "syntax.h"
                #endif

                """,
            "div.h": "", "shortcut.h": "", "huge.h": "", "nested.h": "", "chain.h": "", "syntax.h": "",
        ], units: ["main.c": []])
        XCTAssertEqual(expressions.edges["main.c"]?.compactMap(\.to), ["div.h", "huge.h", "nested.h", "chain.h", "syntax.h"])
        let lines = expressions.problems.filter { $0.location.path == "main.c" }.compactMap(\.location.line)
        XCTAssertEqual(lines, [102, 108, 111, 114, 117], "\(expressions.problems)")
        XCTAssertEqual(expressions.units[0].evidence, .conditionsEvaluated(undecided: 5))

        // Deeply nested #if blocks and a macro that names itself.
        let deep = String(repeating: "#if 1\n", count: 20_000) + "#include \"deep.h\"\n" + String(repeating: "#endif\n", count: 20_000)
        let recursion = "#define LOOP LOOP + 1\n#define A B\n#define B A\n#if LOOP == 1 && !A\n#include \"loop.h\"\n#endif\n"
        let nested = try graph(["main.c": deep + recursion, "deep.h": "", "loop.h": ""], units: ["main.c": []])
        XCTAssertEqual(nested.edges["main.c"]?.compactMap(\.to), ["deep.h", "loop.h"])
        XCTAssertEqual(nested.units[0].evidence, .conditionsEvaluated(undecided: 0))
    }

    func testADepfileWinsOverEvaluation() throws {
        let fixture = try tree(useGPL.merging(["build/main.d": "main.o: ../main.c ../gpl.h ../a.h\n"]) { $1 })
        let database = [["directory": fixture.root.path + "/build", "file": "../main.c",
                         "arguments": ["cc", "-DUSE_GPL=0", "-MD", "-c", "../main.c", "-o", "main.o"]]]
        try JSONSerialization.data(withJSONObject: database).write(to: fixture.root.appendingPathComponent("compile_commands.json"))
        let built = try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(built.edges["main.c"]?.compactMap(\.to), ["gpl.h", "a.h"])
        XCTAssertEqual(built.units.map(\.evidence), [.depfile])
    }

    func testADepfileUnitSharingAGroupReachesOnlyWhatItRead() throws {
        let fixture = try tree([
            "built.c": "#include \"common.h\"\n",
            "other.c": "#include \"common.h\"\n",
            "common.h": "#ifdef USE_GPL\n#include \"gpl.h\"\n#endif\n",
            "gpl.h": "",
            "built.d": "built.o: built.c common.h\n",
        ])
        let database = [
            ["directory": fixture.root.path, "file": "built.c", "arguments": ["cc", "-DUSE_GPL", "-MD", "-c", "built.c", "-o", "built.o"]],
            ["directory": fixture.root.path, "file": "other.c", "arguments": ["cc", "-DUSE_GPL", "-c", "other.c"]],
        ]
        try JSONSerialization.data(withJSONObject: database).write(to: fixture.root.appendingPathComponent("compile_commands.json"))
        let built = try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 2)
        XCTAssertEqual(built.units.map(\.evidence), [.depfile, .conditionsEvaluated(undecided: 0)])
        // The depfile says built.c's compilation did not read gpl.h, whatever its flags say.
        XCTAssertEqual(reached(built, "built.c"), ["common.h"])
        XCTAssertEqual(reached(built, "other.c"), ["common.h", "gpl.h"])
    }

    // MARK: The parser and the evaluator

    func testTheDirectiveParserKeepsConditionsWithLines() {
        let text = "#ifndef G\n#define G\n# if A /* c */ > 1\n#include <a.h>\n#elif B\n#else\n#endif\n#undef A\n#define F(x) x\n#define V  (1 + \\\n 2)\n#pragma once\n#endif\n"
        let parsed = IncludeDirectiveParser.parse(Array(text.utf8), conditions: true)
        XCTAssertEqual(parsed.includes.map(\.line), [4])
        XCTAssertEqual(parsed.conditions, [
            ConditionalDirective(line: 1, kind: .ifndef("G")),
            ConditionalDirective(line: 2, kind: .define("G", body: "")),
            ConditionalDirective(line: 3, kind: .ifExpression("A   > 1")),
            ConditionalDirective(line: 4, kind: .include(0)),
            ConditionalDirective(line: 5, kind: .elif("B")),
            ConditionalDirective(line: 6, kind: .elseBranch),
            ConditionalDirective(line: 7, kind: .endif),
            ConditionalDirective(line: 8, kind: .undef("A")),
            ConditionalDirective(line: 9, kind: .define("F", body: nil)),
            ConditionalDirective(line: 10, kind: .define("V", body: "(1 +  2)")),
            ConditionalDirective(line: 12, kind: .pragmaOnce),
            ConditionalDirective(line: 13, kind: .endif),
        ])
        XCTAssertEqual(parsed.guardMacro, "G")
        // Without conditions nothing but the includes is kept.
        XCTAssertTrue(IncludeDirectiveParser.parse(Array(text.utf8), conditions: false).conditions.isEmpty)
    }

    func testExpressionEvaluator() {
        var macros = MacroTable()
        macros["TWO"] = .object("2")
        macros["SUM"] = .object("(TWO + TWO)")
        macros["EMPTY"] = .object("")
        macros["FN"] = .opaque
        macros["MAYBE"] = .uncertain
        func value(_ text: String) -> ConditionExpression.Outcome { ConditionExpression.evaluate(text, macros: macros) }
        let truths = ["1", "SUM == 4", "SUM * 2 - 1 == 7", "-1 < 0", "~0 == -1", "!0", "7 / 2 == 3", "7 % 4 == 3",
                      "1 << 4 == 16", "256 >> 4 == 0x10", "0x10 == 020", "0b101 == 5", "10UL == 10", "'a' == 97", "'\\n' == 10",
                      "1 ? 2 : 0", "0 ? 0 : 3", "(1 | 2) == 3 && (6 & 3) == 2 && (5 ^ 1) == 4", "1 <= 1 && 2 >= 1 && 1 != 2",
                      "defined TWO && defined(FN)", "!defined(NOPE)", "UNKNOWN_NAME == 0", "1 + 2 * 3 == 7", "(1 + 2) * 3 == 9",
                      "1 || MAYBE", "1 || __has_include(<x.h>)", "FN || 1", "-EMPTY 1 == -1", "18446744073709551615u == -1"]
        for text in truths { XCTAssertEqual(value(text), .decided(true), text) }
        let falsehoods = ["0", "TWO > SUM", "0 && MAYBE", "MAYBE && 0", "UNKNOWN_NAME", "defined(UNKNOWN_NAME)"]
        for text in falsehoods { XCTAssertEqual(value(text), .decided(false), text) }
        let undecided = ["MAYBE", "defined MAYBE", "defined(__has_include) && 1", "!defined __has_builtin", "FN(1)", "FN", "__has_include(<x.h>)", "1 << 64", "MAYBE ? 1 : 0", "__clang_major__ > 3"]
        for text in undecided { XCTAssertEqual(value(text), .undecided, text) }
        XCTAssertEqual(value("MAYBE ? 1 : 1"), .decided(true))
        let invalid = ["1 / 0", "5 % (2 - 2)", "", "(1", "1 +", "1 2", "defined", "defined(", "1.5", "0x", "99999999999999999999", "@", "1 ? 2"]
        for text in invalid {
            guard case .invalid = value(text) else { XCTFail("\(text): \(value(text))"); continue }
        }
        // A macro that doubles at each of 40 levels: given up, not 2^40 tokens.
        var doubling = MacroTable()
        for level in 0..<40 { doubling["D\(level)"] = .object("D\(level + 1) + D\(level + 1)") }
        guard case .invalid(let message) = ConditionExpression.evaluate("D0", macros: doubling) else { return XCTFail("doubling decided") }
        XCTAssertTrue(message.contains("tokens"), message)
        XCTAssertEqual(value("0 && 1 / 0"), .decided(false))
        XCTAssertEqual(value("1 || 1 / 0"), .decided(true))
    }

    func testInitialMacrosFromTheCommandLine() {
        let table = MacroTable.initial(arguments: ["cc", "-DA", "-D", "B=2", "-DC=", "-DF(x)=x", "-U__GNUC__", "-UA", "-DA=3", "-x", "c++", "a.c"],
                                       isCPlusPlus: false)
        XCTAssertEqual(table["A"], .object("3"))
        XCTAssertEqual(table["B"], .object("2"))
        XCTAssertEqual(table["C"], .object(""))
        XCTAssertEqual(table["F"], .opaque)
        XCTAssertNil(table["__GNUC__"])
        XCTAssertEqual(table["__STDC__"], .object("1"))
        XCTAssertNotNil(table["__cplusplus"])
        XCTAssertNil(MacroTable.initial(arguments: ["cc", "a.c"], isCPlusPlus: false)["__cplusplus"])
        XCTAssertEqual(ConditionExpression.evaluate("true && !false", macros: MacroTable.predefined(cPlusPlus: true)), .decided(true))
        XCTAssertEqual(ConditionExpression.evaluate("true", macros: MacroTable.predefined(cPlusPlus: false)), .decided(false))
        XCTAssertNil(MacroTable.initial(arguments: ["cc", "a.c"], isCPlusPlus: false)["__ASSEMBLER__"])
        XCTAssertNotNil(MacroTable.initial(arguments: ["cc", "a.S"], isCPlusPlus: false, isAssembler: true)["__ASSEMBLER__"])
        XCTAssertNotNil(MacroTable.initial(arguments: ["cc", "-x", "assembler-with-cpp", "a.s"], isCPlusPlus: false)["__ASSEMBLER__"])
    }
}
