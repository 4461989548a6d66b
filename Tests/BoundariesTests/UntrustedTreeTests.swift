// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Nothing of a scanned tree runs unless it is trusted: not the compiler its
// compile_commands.json names, not its Package.swift. Includes then come from the depfiles
// its build wrote; the manifest is read as text.

import Foundation
import XCTest
@testable import Boundaries

final class UntrustedTreeTests: FixtureTestCase {
    private func hostileTree(marker: String) throws -> FixtureTree {
        let fixture = try tree([
            "main.c": header("MIT") + "#include \"a.h\"\nint main(void) { return A; }\n",
            "a.h": header("MIT") + "#define A 0\n",
            "evilcc": "#!/bin/sh\ntouch '\(marker)'\nexit 0\n",
        ])
        chmod(fixture.root.appendingPathComponent("evilcc").path, 0o755)
        let database = [["directory": fixture.root.path, "file": "main.c", "arguments": ["./evilcc", "-c", "main.c", "-o", "main.o"]]]
        try JSONSerialization.data(withJSONObject: database).write(to: fixture.root.appendingPathComponent("compile_commands.json"))
        return fixture
    }

    func testTheTreesCompilerDoesNotRunWithoutTrust() throws {
        let marker = NSTemporaryDirectory() + "candor-untrusted-\(UUID().uuidString)"
        defer { unlink(marker) }
        let fixture = try hostileTree(marker: marker)
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the tree's compiler ran")
        // The include graph still comes from the database's flags, read as data.
        XCTAssertTrue(report.findings.isEmpty, "\(report.findings)")
    }

    func testTheTreesCompilerRunsWhenTrusted() throws {
        let marker = NSTemporaryDirectory() + "candor-trusted-\(UUID().uuidString)"
        defer { unlink(marker) }
        let fixture = try hostileTree(marker: marker)
        _ = try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 1, trustBuild: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "with --trust-build the traced compiler runs")
    }

    func testADepfileLimitsIncludesToWhatTheCompilationRead() throws {
        let fixture = try tree([
            "main.c": header("MIT") + "#ifdef WITH_GPL\n#include \"gpl.h\"\n#endif\n#include \"a.h\"\nint main(void) { return 0; }\n",
            "a.h": header("MIT") + "#define A 0\n",
            "gpl.h": header("GPL-2.0-only") + "static inline int gpl(void) { return 1; }\n",
            "build/main.d": "main.o: ../main.c ../a.h\n../a.h:\n",
        ])
        let database = [["directory": fixture.root.path + "/build", "file": "../main.c",
                         "arguments": ["cc", "-MD", "-c", "../main.c", "-o", "main.o"]]]
        try JSONSerialization.data(withJSONObject: database).write(to: fixture.root.appendingPathComponent("compile_commands.json"))
        let graph = try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(graph.edges["main.c"]?.compactMap(\.to), ["a.h"])
        XCTAssertEqual(graph.units.map(\.evidence.description), ["as compiled (depfile)"])
        // Without the depfile the unit's flags decide the #ifdef (WITH_GPL is not defined).
        try FileManager.default.removeItem(at: fixture.root.appendingPathComponent("build/main.d"))
        let evaluated = try IncludeGraphBuilder.build(root: fixture.root.path, files: nil, compileCommands: nil, jobs: 1)
        XCTAssertEqual(evaluated.edges["main.c"]?.compactMap(\.to), ["a.h"])
        XCTAssertEqual(evaluated.units.first?.evidence, .conditionsEvaluated(undecided: 0))
        XCTAssertTrue(evaluated.problems.contains { $0.message.contains("depfile") && $0.message.contains("conditions are evaluated") },
                      "\(evaluated.problems)")
    }

    func testDepfileWords() {
        XCTAssertEqual(Depfile.words("a.o: a.c \\\n  dir/my\\ file.h b.h\nb.h:\n"), ["a.o:", "a.c", "dir/my file.h", "b.h", "b.h:"])
    }

    // MARK: Package.swift read without running it

    func testManifestReaderReadsTheDeclarativeShape() {
        let manifest = """
            // swift-tools-version:5.9
            import PackageDescription
            let shared = ["Util"]
            let package = Package(
                name: "Demo",
                dependencies: [.package(url: "https://example.com/x", from: "1.0.0")],
                targets: [
                    .target(name: "Util", path: "Sources/Shared/Util", exclude: ["README.md"]),
                    .target(name: "Core", dependencies: ["Util", .product(name: "X", package: "x"), .target(name: "CCore")]),
                    .target(name: "CCore", publicHeadersPath: "inc"),
                    .executableTarget(name: "demo", dependencies: shared),
                    .testTarget(name: "CoreTests", dependencies: ["Core"]),
                ]
            )
            """
        let read = ManifestReader.read(manifest)
        XCTAssertEqual(read.name, "Demo")
        XCTAssertEqual(read.targets.map { $0["name"] as? String }, ["Util", "Core", "CCore", "demo", "CoreTests"])
        XCTAssertEqual(read.targets.map { $0["type"] as? String }, ["regular", "regular", "regular", "executable", "test"])
        XCTAssertEqual(read.targets[0]["path"] as? String, "Sources/Shared/Util")
        XCTAssertEqual(read.targets[0]["exclude"] as? [String], ["README.md"])
        XCTAssertEqual(read.targets[2]["publicHeadersPath"] as? String, "inc")
        let dependencies = read.targets[1]["dependencies"] as? [[String: Any]] ?? []
        XCTAssertEqual(dependencies.count, 3)
        XCTAssertEqual(dependencies[0]["byName"] as? [String], ["Util"])
        XCTAssertEqual(dependencies[1]["product"] as? [String], ["X", "x"])
        XCTAssertEqual(dependencies[2]["target"] as? [String], ["CCore"])
        // `dependencies: shared` needs evaluation: reported with its line, not guessed.
        XCTAssertEqual(read.problems.count, 1, "\(read.problems)")
        XCTAssertEqual(read.problems.first?.line, 11)
        XCTAssertTrue(read.problems.first?.message.contains("target demo: cannot read dependencies: shared") ?? false,
                      "\(read.problems)")
    }

    func testManifestReaderReportsInterpolatedNames() {
        let read = ManifestReader.read("import PackageDescription\nlet n = \"X\"\nlet package = Package(name: \"P\", targets: [.target(name: \"\\(n)Core\")])\n")
        XCTAssertEqual(read.targets.count, 0)
        XCTAssertEqual(read.problems.map(\.line), [3])
    }

    func testRepositoryManifestIsReadWithoutRunningIt() throws {
        let graph = try SwiftPackageGraph.load(root: CheckerSupport.repositoryRoot, packageDirectory: "")
        XCTAssertEqual(graph.problems, [])
        XCTAssertEqual(graph.name, "Candor")
        let kvm = try XCTUnwrap(graph.targets.first { $0.name == "KVM" })
        XCTAssertEqual(kvm.targetDependencies, ["CKVM", "GuestMemory"])
        XCTAssertEqual(graph.targets.first { $0.name == "CLZMA" }?.kind, .systemLibrary)
        XCTAssertEqual(graph.targets.first { $0.name == "candor" }?.productDependencies, ["ArgumentParser@swift-argument-parser"])
    }
}

final class ManifestReaderRobustnessTests: XCTestCase {
    /// Stray closing brackets (a hostile or broken manifest) end the read, never loop.
    func testStrayBracketsDoNotHang() {
        for text in ["Package(name: \"P\", targets: [.target(name: \"A\", dependencies: ] )])",
                     ".target(name: \"A\", path: [ ) ])", ".target(]", "[.target(name: \"A\", x: .f(] ))]"] {
            let read = ManifestReader.read(text)
            XCTAssertLessThanOrEqual(read.targets.count, 1, text)
        }
    }
}
