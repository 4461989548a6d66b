// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Objects, archives and executables are compiled at test time with the host C compiler
// into a fixture directory, then read back by BinaryAnalysis.

import Boundaries
import ELF
import Foundation
import XCTest

final class BinaryAnalysisTests: XCTestCase {
    private var tree: FixtureTree!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else {
            throw XCTSkip("no C compiler at /usr/bin/cc to build the ELF inputs of BinaryAnalysisTests")
        }
        tree = try FixtureTree([:], name: "binaries")
        try FileManager.default.createDirectory(at: tree.root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        tree?.remove()
    }

    /// The worktree's driver shim header, whose CANDOR_EXPORT macros the fixtures use.
    private var shimInclude: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("hypervisor/shim").path
    }

    private func run(_ tool: String, _ arguments: String...) throws { try runTool([tool] + arguments, in: tree.root) }

    private func cc(_ arguments: String...) throws { try runTool(["/usr/bin/cc"] + arguments, in: tree.root) }

    private func path(_ name: String) -> String { tree.root.appendingPathComponent(name).path }

    private func analyze(_ paths: [String], candidates: [String] = []) -> BinaryAnalysis {
        BinaryAnalysis.analyze(paths: paths.map(path), candidates: candidates.map(path), root: tree.root.path)
    }

    private func writeShim() throws {
        try tree.write("shim.c", """
            #include "candor_shim.h"
            int shim_plain(int x) { return x + 1; }
            CANDOR_EXPORT(shim_plain);
            int shim_gpl(int x) { return x * 2; }
            CANDOR_EXPORT_GPL(shim_gpl);
            """)
        try tree.write("prop.c", """
            #include "candor_shim.h"
            CANDOR_DRIVER_LICENSE("MIT");
            extern int shim_gpl(int);
            int prop_main(void) { return shim_gpl(3); }
            """)
        try tree.write("clean.c", """
            #include "candor_shim.h"
            CANDOR_DRIVER_LICENSE("MIT");
            extern int shim_plain(int);
            int clean_main(void) { return shim_plain(3); }
            """)
        for name in ["shim", "prop", "clean"] {
            try cc("-c", "-O1", "-I", shimInclude, "\(name).c", "-o", "\(name).o")
        }
    }

    func testObjectUsingGPLOnlyExportGivesEdgeAndExportSections() throws {
        try writeShim()
        let analysis = analyze(["prop.o", "shim.o"])
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.edges, [SymbolEdge(binary: "", fromObject: "prop.o", toObject: "shim.o", symbol: "shim_gpl")])
        let shim = try XCTUnwrap(analysis.binaries.first { $0.path == "shim.o" })
        XCTAssertEqual(shim.kind, .object)
        XCTAssertEqual(shim.members.map(\.path), ["shim.o"])
        XCTAssertEqual(shim.members[0].exports, ["shim_plain"])
        XCTAssertEqual(shim.members[0].gplOnlyExports, ["shim_gpl"])
        XCTAssertEqual(shim.members[0].defined, ["shim_gpl", "shim_plain"])
        XCTAssertNil(shim.members[0].declaredLicense)
        let prop = try XCTUnwrap(analysis.binaries.first { $0.path == "prop.o" })
        XCTAssertEqual(prop.members[0].declaredLicense, "MIT")
        XCTAssertEqual(prop.members[0].undefined, ["shim_gpl"])
        XCTAssertEqual(prop.members[0].sourceFiles, ["prop.c"], "STT_FILE name without -g")
    }

    func testCleanTwinReferencesOnlyThePlainExport() throws {
        try writeShim()
        let analysis = analyze(["clean.o", "shim.o"])
        XCTAssertEqual(analysis.edges, [SymbolEdge(binary: "", fromObject: "clean.o", toObject: "shim.o", symbol: "shim_plain")])
    }

    func testArchiveMembersAndEdgesInsideTheArchive() throws {
        try writeShim()
        try tree.write("helper.c", "extern int shim_plain(int);\nint helper(void) { return shim_plain(1); }\n")
        try cc("-c", "helper.c", "-o", "helper.o")
        try run("/usr/bin/ar", "rcs", "libshim.a", "shim.o", "helper.o")
        let analysis = analyze(["libshim.a", "prop.o"])
        XCTAssertEqual(analysis.problems, [])
        let archive = try XCTUnwrap(analysis.binaries.first { $0.path == "libshim.a" })
        XCTAssertEqual(archive.kind, .archive)
        XCTAssertEqual(archive.members.map(\.path), ["libshim.a(helper.o)", "libshim.a(shim.o)"])
        XCTAssertEqual(archive.members[1].gplOnlyExports, ["shim_gpl"])
        XCTAssertEqual(analysis.edges, [
            SymbolEdge(binary: "", fromObject: "prop.o", toObject: "libshim.a(shim.o)", symbol: "shim_gpl"),
            SymbolEdge(binary: "libshim.a", fromObject: "libshim.a(helper.o)", toObject: "libshim.a(shim.o)", symbol: "shim_plain"),
        ])

        // A driver compiled straight into an executable with the archive, like
        // hypervisor/drivers: its call into the GPL-only export is found in its code.
        try tree.write("driver.c", """
            #include "candor_shim.h"
            CANDOR_DRIVER_LICENSE("MIT");
            extern int shim_gpl(int);
            int main(void) { return shim_gpl(3) - 6; }
            """)
        try cc("-O2", "-I", shimInclude, "driver.c", "libshim.a", "-o", "driver")
        let driver = analyze(["driver"], candidates: ["libshim.a"])
        XCTAssertEqual(driver.binaries.first?.linkedObjects, ["libshim.a(shim.o)"])
        XCTAssertEqual(driver.binaries.first?.members.first?.gplOnlyExports, ["shim_gpl"])
        XCTAssertEqual(driver.binaries.first?.members.first?.declaredLicense, "MIT")
        XCTAssertEqual(driver.edges, [SymbolEdge(binary: "driver", fromObject: "driver", toObject: "libshim.a(shim.o)", symbol: "shim_gpl")])
    }

    private func writeProgram() throws {
        try FileManager.default.createDirectory(at: tree.root.appendingPathComponent("src"), withIntermediateDirectories: true)
        try tree.write("main.c", "int app_config = 3;\nextern int util_fn(int);\nint main(void) { return util_fn(app_config); }\n")
        try tree.write("util.c", """
            #include <stdio.h>
            extern int app_config;
            int util_counter;
            int util_fn(int x) { util_counter += x + app_config; fprintf(stderr, "%d\\n", util_counter); return 0; }
            """)
        try tree.write("other.c", "int other_fn(int x) { return x - 1; }\nint other_data = 4;\n")
    }

    func testExecutableLinkedObjectsAndDWARFSourceFiles() throws {
        try writeProgram()
        for name in ["main", "util", "other"] {
            try FileManager.default.moveItem(atPath: path("\(name).c"), toPath: path("src/\(name).c"))
            try cc("-g", "-c", "src/\(name).c", "-o", "\(name).o")
        }
        try cc("main.o", "util.o", "-o", "app")
        let analysis = analyze(["app"], candidates: ["main.o", "other.o", "util.o"])
        XCTAssertEqual(analysis.problems, [])
        let app = try XCTUnwrap(analysis.binaries.first)
        XCTAssertEqual(app.kind, .executable)
        XCTAssertEqual(app.linkedObjects, ["main.o", "util.o"])
        XCTAssertEqual(app.members.count, 1)
        // DWARF names joined to DW_AT_comp_dir (STT_FILE would say "main.c").
        XCTAssertTrue(app.members[0].sourceFiles.contains("src/main.c"), "\(app.members[0].sourceFiles)")
        XCTAssertTrue(app.members[0].sourceFiles.contains("src/util.c"), "\(app.members[0].sourceFiles)")
        XCTAssertTrue(app.needed.contains("libc.so.6"), "\(app.needed)")
        // stderr is libc's, copied into the executable: no edge to the executable for it.
        XCTAssertEqual(analysis.edges, [
            SymbolEdge(binary: "app", fromObject: "main.o", toObject: "util.o", symbol: "util_fn"),
            SymbolEdge(binary: "app", fromObject: "util.o", toObject: "main.o", symbol: "app_config"),
        ])

        // main.c compiled straight into the executable, util.o through an archive: the
        // archive member (not the identical loose util.o) is linked, and its reference to
        // main.c's definition points at the executable.
        try run("/usr/bin/ar", "rcs", "libutil.a", "util.o")
        try cc("-g", "src/main.c", "libutil.a", "-o", "app2")
        let archived = analyze(["app2"], candidates: ["libutil.a", "other.o", "util.o"])
        XCTAssertEqual(archived.binaries.first?.linkedObjects, ["libutil.a(util.o)"])
        // main.c's call to util_fn has no undefined symbol left: the call instruction is the evidence.
        XCTAssertEqual(archived.edges, [
            SymbolEdge(binary: "app2", fromObject: "app2", toObject: "libutil.a(util.o)", symbol: "util_fn"),
            SymbolEdge(binary: "app2", fromObject: "libutil.a(util.o)", toObject: "app2", symbol: "app_config"),
        ])

        // The object's own compile unit, tree-relative through DW_AT_comp_dir.
        let objects = analyze(["util.o"])
        XCTAssertEqual(objects.binaries.first?.members.first?.sourceFiles, ["src/util.c"])
    }

    func testExecutableWithoutDebugInfoMatchesBySymbolsAndFileSymbols() throws {
        try writeProgram()
        try FileManager.default.createDirectory(at: tree.root.appendingPathComponent("nodebug"), withIntermediateDirectories: true)
        for name in ["main", "util", "other"] { try cc("-c", "\(name).c", "-o", "nodebug/\(name).o") }
        try cc("nodebug/main.o", "nodebug/util.o", "-o", "nodebug/app")
        let candidates = BinaryAnalysis.findBuildObjects(root: path("nodebug"))
        XCTAssertEqual(candidates, ["main.o", "other.o", "util.o"].map { path("nodebug/" + $0) })
        let analysis = BinaryAnalysis.analyze(paths: [path("nodebug/app")], candidates: candidates, root: tree.root.path)
        let app = try XCTUnwrap(analysis.binaries.first)
        XCTAssertEqual(app.linkedObjects, ["nodebug/main.o", "nodebug/util.o"])
        XCTAssertTrue(app.members[0].sourceFiles.contains("util.c"), "STT_FILE names: \(app.members[0].sourceFiles)")

        // Stripped: only .dynsym is left, and the analysis says so.
        try run("/usr/bin/strip", "nodebug/app")
        let stripped = BinaryAnalysis.analyze(paths: [path("nodebug/app")], candidates: candidates, root: tree.root.path)
        XCTAssertTrue(stripped.problems.contains { $0.location.path == "nodebug/app" && $0.message.contains("no .symtab") },
                      "\(stripped.problems)")
    }

    func testNeededLibrariesAndDlopenStrings() throws {
        try tree.write("bar.c", "int bar_fn(void) { return 7; }\n")
        try tree.write("loader.c", """
            #include <dlfcn.h>
            extern int bar_fn(void);
            int main(void) {
                void *handle = dlopen("libfoo.so.1", RTLD_NOW);
                return handle ? bar_fn() : 1;
            }
            """)
        try cc("-shared", "-fPIC", "bar.c", "-Wl,-soname,libbar.so", "-o", "libbar.so")
        try cc("loader.c", "libbar.so", "-ldl", "-o", "loader")
        try cc("-c", "loader.c", "-o", "loader.o")
        let analysis = analyze(["libbar.so", "loader", "loader.o"])
        let loader = try XCTUnwrap(analysis.binaries.first { $0.path == "loader" })
        XCTAssertEqual(loader.kind, .executable)
        XCTAssertEqual(Array(loader.needed.prefix(1)), ["libbar.so"])
        XCTAssertEqual(loader.dlopenStrings, ["libfoo.so.1"])
        let object = try XCTUnwrap(analysis.binaries.first { $0.path == "loader.o" })
        XCTAssertEqual(object.dlopenStrings, ["libfoo.so.1"])
        let library = try XCTUnwrap(analysis.binaries.first { $0.path == "libbar.so" })
        XCTAssertEqual(library.kind, .sharedObject)
        XCTAssertEqual(library.dlopenStrings, [], "no dlopen reference, no strings")
        XCTAssertTrue(library.members[0].defined.contains("bar_fn"))
    }

    func testMalformedInputsBecomeProblems() throws {
        try writeShim()
        let object = try Data(contentsOf: tree.root.appendingPathComponent("shim.o"))
        try object.prefix(200).write(to: tree.root.appendingPathComponent("truncated.o"))
        try Data([0x7f, 0x45, 0x4c, 0x46] + [UInt8](repeating: 0xa5, count: 300)).write(to: tree.root.appendingPathComponent("garbage.o"))
        try Data("!<arch>\nnot a member header".utf8).write(to: tree.root.appendingPathComponent("bad.a"))
        let analysis = analyze(["truncated.o", "garbage.o", "bad.a", "missing.o", "shim.o"])
        XCTAssertEqual(analysis.binaries.map(\.path), ["shim.o"])
        XCTAssertEqual(Set(analysis.problems.map(\.location.path)), ["bad.a", "garbage.o", "missing.o", "truncated.o"])
        XCTAssertTrue(analysis.problems.first { $0.location.path == "truncated.o" }?.message.contains("past end of file") ?? false,
                      "\(analysis.problems)")
    }

    func testMalformedDWARFIsAProblemAndTheRestIsKept() throws {
        try tree.write("unit.c", "int unit_fn(void) { return 1; }\n")
        try cc("-g", "-c", "unit.c", "-o", "unit.o")
        var bytes = [UInt8](try Data(contentsOf: tree.root.appendingPathComponent("unit.o")))
        let elf = try ELFFile(bytes: bytes)
        let info = try XCTUnwrap(elf.section(named: ".debug_info"))
        // A unit length far past the section.
        for (index, byte) in [0x00, 0x00, 0x00, 0x7f].enumerated() { bytes[Int(info.offset) + index] = UInt8(byte) }
        try Data(bytes).write(to: tree.root.appendingPathComponent("unit.o"))
        let analysis = analyze(["unit.o"])
        XCTAssertEqual(analysis.binaries.first?.members.first?.defined, ["unit_fn"])
        XCTAssertEqual(analysis.binaries.first?.members.first?.sourceFiles, ["unit.c"], "falls back to STT_FILE")
        XCTAssertTrue(analysis.problems.contains { $0.location.path == "unit.o" && $0.message.contains("DWARF") }, "\(analysis.problems)")
    }

    func testDWARFVersionsAndStringForms() throws {
        try FileManager.default.createDirectory(at: tree.root.appendingPathComponent("src"), withIntermediateDirectories: true)
        try tree.write("src/unit.c", "int unit_fn(void) { return 1; }\n")
        // gcc: DWARF 4 uses DW_FORM_strp, DWARF 5 DW_FORM_line_strp; clang's DWARF 5 uses
        // DW_FORM_strx1 through .debug_str_offsets. All are relocated in an object file.
        try cc("-gdwarf-4", "-c", "src/unit.c", "-o", "v4.o")
        try cc("-gdwarf-5", "-c", "src/unit.c", "-o", "v5.o")
        var names = ["v4.o", "v5.o"]
        let clang = "/opt/swift/usr/bin/clang"
        if FileManager.default.isExecutableFile(atPath: clang) {
            try runTool([clang, "-gdwarf-5", "-c", "src/unit.c", "-o", "clang5.o"], in: tree.root)
            names.append("clang5.o")
        }
        let analysis = analyze(names)
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.binaries.map(\.path), names.sorted())
        for binary in analysis.binaries {
            XCTAssertEqual(binary.members.first?.sourceFiles, ["src/unit.c"], binary.path)
        }
    }

    func testModinfoLicense() throws {
        try tree.write("mod.c", """
            static const char modinfo_license[] __attribute__((section(".modinfo"), used, aligned(1))) = "license=Dual MIT/GPL";
            static const char modinfo_author[] __attribute__((section(".modinfo"), used, aligned(1))) = "author=Someone";
            int mod_fn(void) { return 0; }
            """)
        try cc("-c", "mod.c", "-o", "mod.o")
        XCTAssertEqual(analyze(["mod.o"]).binaries.first?.members.first?.declaredLicense, "Dual MIT/GPL")
    }

    func testFindBuildObjectsSkipsGitAndSymbolicLinks() throws {
        try tree.write("a.o", "x")
        try tree.write("sub/b.a", "x")
        try tree.write("sub/c.c", "x")
        try tree.write(".git/objects/d.o", "x")
        try tree.write("elsewhere/e.o", "x")
        try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: path("elsewhere"))
        try FileManager.default.createSymbolicLink(atPath: path("loop"), withDestinationPath: tree.root.path)
        XCTAssertEqual(BinaryAnalysis.findBuildObjects(root: tree.root.path), [path("a.o"), path("elsewhere/e.o"), path("sub/b.a")])
    }
}
