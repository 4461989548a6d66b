// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Boundaries

final class SwiftPackageGraphTests: XCTestCase {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    private static let fixturePackage: [String: String] = [
        "Package.swift": """
        // swift-tools-version:5.9
        import PackageDescription

        let package = Package(
            name: "Fixture",
            dependencies: [.package(url: "https://example.invalid/dep", from: "1.0.0")],
            targets: [
                .systemLibrary(name: "CSys", path: "Sources/CSys"),
                .target(name: "CCore", exclude: ["notes"]),
                .target(name: "Core", dependencies: ["CCore"]),
                .executableTarget(name: "App", dependencies: ["Core", .product(name: "Dep", package: "dep")]),
                .testTarget(name: "CoreTests", dependencies: ["Core"]),
            ]
        )
        """,
        "Sources/CSys/module.modulemap": "module CSys [system] {\n    header \"shim.h\"\n    link \"sys\"\n}\n",
        "Sources/CSys/shim.h": "#include <stdio.h>\n",
        "Sources/CCore/core.c": "#include \"CCore.h\"\nint core(void) { return 1; }\n",
        "Sources/CCore/include/CCore.h": "#include <stddef.h>\nint core(void);\n",
        "Sources/CCore/notes/skip.c": "int skipped;\n",
        "Sources/Core/Core.swift": "import CCore\n\n/* import NotReal */\npublic func f() -> Int32 { core() }\n",
        "Sources/App/main.swift": """
        // import Commented
        @preconcurrency import Core
        let text = "import InString"
        import struct CSys.FILE; import Foundation
        print(f())
        """,
        "Tests/CoreTests/CoreTests.swift": "@testable import Core\nimport XCTest\n",
    ]

    func testFixturePackageTargetsDependenciesImportsAndCModules() throws {
        let tree = try FixtureTree(Self.fixturePackage, name: "swiftpm")
        defer { tree.remove() }
        let graph = try SwiftPackageGraph.load(root: tree.root.path, packageDirectory: "")
        XCTAssertTrue(graph.problems.isEmpty, "\(graph.problems)")
        XCTAssertEqual(graph.name, "Fixture")
        XCTAssertEqual(graph.packageDirectory, "")
        XCTAssertEqual(graph.targets.map(\.name), ["App", "CCore", "CSys", "Core", "CoreTests"])
        let byName = Dictionary(uniqueKeysWithValues: graph.targets.map { ($0.name, $0) })

        let cCore = try XCTUnwrap(byName["CCore"])
        XCTAssertEqual(cCore.kind, .regular)
        XCTAssertTrue(cCore.isC)
        XCTAssertEqual(cCore.path, "Sources/CCore")
        XCTAssertEqual(cCore.publicHeaders, "Sources/CCore/include")
        XCTAssertEqual(cCore.sources, ["Sources/CCore/core.c", "Sources/CCore/include/CCore.h"])

        let cSys = try XCTUnwrap(byName["CSys"])
        XCTAssertEqual(cSys.kind, .systemLibrary)
        XCTAssertEqual(cSys.moduleMap, "Sources/CSys/module.modulemap")
        XCTAssertFalse(cSys.isC)

        let app = try XCTUnwrap(byName["App"])
        XCTAssertEqual(app.kind, .executable)
        XCTAssertEqual(app.targetDependencies, ["Core"])
        XCTAssertEqual(app.productDependencies, ["Dep@dep"])
        XCTAssertFalse(app.isC)
        XCTAssertEqual(byName["CoreTests"]?.kind, .test)
        XCTAssertEqual(byName["CoreTests"]?.path, "Tests/CoreTests")

        XCTAssertEqual(graph.imports, [
            SwiftImport(file: "Sources/App/main.swift", line: 2, module: "Core"),
            SwiftImport(file: "Sources/App/main.swift", line: 4, module: "CSys"),
            SwiftImport(file: "Sources/App/main.swift", line: 4, module: "Foundation"),
            SwiftImport(file: "Sources/Core/Core.swift", line: 1, module: "CCore"),
            SwiftImport(file: "Tests/CoreTests/CoreTests.swift", line: 1, module: "Core"),
            SwiftImport(file: "Tests/CoreTests/CoreTests.swift", line: 2, module: "XCTest"),
        ])
        XCTAssertEqual(graph.target(containing: "Sources/CCore/include/CCore.h")?.name, "CCore")
        XCTAssertNil(graph.target(containing: "README.md"))
        XCTAssertNil(graph.target(containing: "Sources/CCore/notes/skip.c"), "excluded")

        // Through a dependency (App -> Core -> CCore) and through an import (App -> CSys).
        let modules = graph.cModules(reachableFrom: "App")
        XCTAssertEqual(modules.map(\.module), ["CCore", "CSys"])
        XCTAssertEqual(modules.map(\.chain), [["App", "Core", "CCore"], ["App", "CSys"]])
        XCTAssertEqual(graph.cModules(reachableFrom: "CCore").count, 0)

        // The include graph of the same package: SwiftPM targets and module map headers.
        let includes = try IncludeGraphBuilder.build(root: tree.root.path, files: nil, compileCommands: nil, jobs: 2)
        XCTAssertEqual(includes.units.map(\.source), ["Sources/CCore/core.c", "Sources/CCore/include/CCore.h",
                                                      "Sources/CCore/notes/skip.c", "Sources/CSys/shim.h"])
        XCTAssertEqual(includes.units.map(\.target), ["CCore", "CCore", nil, "CSys"])
        XCTAssertEqual(includes.units[0].arguments, ["-ISources/CCore/include"])
        XCTAssertEqual(includes.edges["Sources/CCore/core.c"], [
            IncludeEdge(from: "Sources/CCore/core.c", line: 1, spelled: "\"CCore.h\"", to: "Sources/CCore/include/CCore.h"),
        ])
        XCTAssertTrue(includes.reachableHeaders(from: "Sources/CSys/shim.h").contains { $0.header.hasSuffix("/stdio.h") })
    }

    func testBadManifestIsAProblem() throws {
        let tree = try FixtureTree([
            "Package.swift": "// swift-tools-version:5.9\nimport PackageDescription\nlet package = Package(name: \n",
        ], name: "swiftpm-bad")
        defer { tree.remove() }
        // Read as text (untrusted): what could not be read is a problem with its line.
        let read = SwiftPackageGraph.loadAll(root: tree.root.path, files: nil)
        XCTAssertEqual(read.count, 1)
        XCTAssertTrue(read[0].targets.isEmpty)
        XCTAssertEqual(read[0].problems.map(\.location), [SourceLocation(path: "Package.swift", line: 1)])
        XCTAssertTrue(read[0].problems[0].message.contains("literal name"), read[0].problems[0].message)
        // Run by SwiftPM (trusted).
        let graphs = SwiftPackageGraph.loadAll(root: tree.root.path, files: nil, trustBuild: true)
        XCTAssertEqual(graphs.count, 1)
        XCTAssertTrue(graphs[0].targets.isEmpty)
        XCTAssertEqual(graphs[0].problems.map(\.location.path), ["Package.swift"])
        XCTAssertTrue(graphs[0].problems[0].message.hasPrefix("swift package dump-package failed: "), graphs[0].problems[0].message)
        XCTAssertTrue(graphs[0].problems[0].message.contains("error"), graphs[0].problems[0].message)
    }

    /// Only SwiftPM's own directories are skipped: a package under a directory that
    /// happens to be named Fixtures is part of the tree (a policy may ignore it).
    func testPackagesUnderAnyDirectoryNameAreFound() throws {
        let manifest = "// swift-tools-version:5.9\nimport PackageDescription\nlet package = Package(name: \"P\")\n"
        let tree = try FixtureTree([
            "Fixtures/p/Package.swift": manifest,
            ".build/checkouts/dep/Package.swift": manifest,
            "vendor/checkouts/dep/Package.swift": manifest,
        ], name: "swiftpm-dirs")
        defer { tree.remove() }
        let graphs = SwiftPackageGraph.loadAll(root: tree.root.path, files: nil)
        XCTAssertEqual(graphs.map(\.packageDirectory), ["Fixtures/p"])
    }

    func testImportScannerSkipsCommentsAndStrings() {
        let text = """
        /* outer /* nested */ import InComment */
        @_exported public import Exported
        let s = \"\"\"
        import InMultilineString
        \"\"\"
        @testable @_spi(Private) import Tested
        importNotAKeyword()
        """
        let found = SwiftImportScanner.imports(in: Array(text.utf8))
        XCTAssertEqual(found.map(\.module), ["Exported", "Tested"])
        XCTAssertEqual(found.map(\.line), [2, 6])
    }

    func testRepositoryKVMReachesTheCKVMModule() throws {
        let graph = try SwiftPackageGraph.load(root: Self.repositoryRoot, packageDirectory: "")
        XCTAssertEqual(graph.name, "Candor")
        let ckvm = try XCTUnwrap(graph.targets.first { $0.name == "CKVM" })
        XCTAssertTrue(ckvm.isC)
        XCTAssertEqual(ckvm.publicHeaders, "Sources/CKVM/include")
        XCTAssertEqual(graph.targets.first { $0.name == "CGit2" }?.moduleMap, "Sources/CGit2/module.modulemap")
        XCTAssertEqual(graph.cModules(reachableFrom: "KVM").first { $0.module == "CKVM" }?.chain, ["KVM", "CKVM"])
        XCTAssertTrue(graph.imports.contains { $0.file.hasPrefix("Sources/KVM/") && $0.module == "CKVM" })
        // The hypervisor's executable reaches the KVM shim only through KVM.
        XCTAssertEqual(graph.cModules(reachableFrom: "candor-vm").first { $0.module == "CKVM" }?.chain.prefix(2), ["candor-vm", "Machine"])
    }
}
