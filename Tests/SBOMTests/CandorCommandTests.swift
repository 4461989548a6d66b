// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// End to end: the built `candor` executable on a small git tree made here, and on this
// repository with the debug `candor-vm`.

import Foundation
import TestSupport
import XCTest

final class CandorCommandTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("candor-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// `.build/debug/candor`, built with the tests by `swift build --build-tests`.
    private func candor() throws -> String {
        let path = "\(Validators.repository)/.build/debug/candor"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NotBuilt(path, how: "run `swift build --build-tests`")
        }
        return path
    }

    /// The repository's cache (gitignored): the license index is compiled once, not per test.
    private let cache = "\(Validators.repository)/.cache/candor"

    /// The licensedcode data directory in the repository's .venv.
    private func licenseData() throws -> String {
        let lib = "\(Validators.repository)/.venv/lib"
        let python = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.filter { $0.hasPrefix("python3") }.sorted().last
        let data = "\(lib)/\(python ?? "python3")/site-packages/licensedcode/data"
        guard FileManager.default.fileExists(atPath: data) else {
            throw XCTSkip("\(data) is missing; run `make setup` to install licensedcode-data into .venv")
        }
        return data
    }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try candor())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Standard error goes to a file, so one pipe read cannot block on the other.
        let errPath = "\(scratch)/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = Pipe()
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let errData = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// A tiny git tree: a tagged Swift file, a file with an unknown license id, and the
    /// repository's MIT text as LICENSE (copied, so this file carries no license text).
    private func makeTree() throws -> String {
        let tree = "\(scratch)/widget"
        // The tags are split so that scanning this test file does not find them.
        let license = "SPDX-" + "License-Identifier", copyright = "SPDX-" + "FileCopyrightText"
        let files = [
            "Sources/main.swift": "// \(license): Apache-2.0\n// \(copyright): 2026 Widget Makers\nprint(1)\n",
            "Sources/odd.c": "/* \(license): Foo-Unknown-1.0 */\nint x;\n",
        ]
        for (path, text) in files {
            let url = URL(fileURLWithPath: "\(tree)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.copyItem(atPath: "\(Validators.repository)/licenses/MIT.txt", toPath: "\(tree)/LICENSE")
        for arguments in [["init", "-q"], ["add", "."],
                          ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "widget"]] {
            let git = Process()
            git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            git.arguments = ["-C", tree] + arguments
            try git.run()
            git.waitUntilExit()
            guard git.terminationStatus == 0 else { throw XCTSkip("git \(arguments[0]) failed in \(tree)") }
        }
        return tree
    }

    func testScanOfAMissingPathFailsWithOneLine() throws {
        let result = try run(["scan", "\(scratch)/nope"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(scratch)/nope"), result.stderr)
    }

    func testBadArgumentsNameTheValue() throws {
        let jobs = try run(["scan", scratch, "--jobs", "0"])
        XCTAssertNotEqual(jobs.status, 0)
        XCTAssertTrue(jobs.stderr.contains("--jobs") && jobs.stderr.contains("0"), jobs.stderr)
        let epoch = try run(["sbom", scratch, "-o", "\(scratch)/out"], environment: ["SOURCE_DATE_EPOCH": "soon"])
        XCTAssertNotEqual(epoch.status, 0)
        XCTAssertTrue(epoch.stderr.contains("SOURCE_DATE_EPOCH") && epoch.stderr.contains("'soon'"), epoch.stderr)
    }

    func testScanPrintsFindingsAndCounts() throws {
        let tree = try makeTree()
        let text = try run(["scan", tree, "--license-data", try licenseData(), "--cache", cache])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains(" files, ") && text.stdout.contains(" components, "), text.stdout)
        let json = try run(["scan", tree, "--format", "json", "--license-data", try licenseData(), "--cache", cache])
        XCTAssertEqual(json.status, 0, json.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let paths = (report["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        XCTAssertEqual(paths, ["LICENSE", "Sources/main.swift", "Sources/odd.c"])
    }

    func testSBOMIsReproducibleAndValid() throws {
        let tree = try makeTree()
        var outputs: [[Data]] = []
        for run in 1...2 {
            let result = try self.run(["sbom", tree, "-o", "\(scratch)/out\(run)", "--organization", "Widget Makers <sbom@widget.example>",
                                       "--license-data", try licenseData(), "--cache", cache],
                                      environment: ["SOURCE_DATE_EPOCH": "1767225600"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let paths = result.stdout.split(separator: "\n").map(String.init)
            XCTAssertEqual(paths, [".spdx.json", ".spdx", ".spdx3.jsonld", ".cdx.json", ".cdx.xml"]
                .map { "\(scratch)/out\(run)/widget\($0)" })
            XCTAssertFalse(result.stderr.contains("warning"), "with --organization nothing is missing: \(result.stderr)")
            outputs.append(try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) })
        }
        XCTAssertEqual(outputs[0], outputs[1], "same SOURCE_DATE_EPOCH, same bytes")
        let json = String(decoding: outputs[0][0], as: UTF8.self)
        XCTAssertTrue(json.contains("\"created\" : \"2026-01-01T00:00:00Z\""), json)
        XCTAssertTrue(json.contains("LicenseRef-Foo-Unknown-1.0"), "the unknown license stays visible")
        XCTAssertFalse(json.contains("licensedcode-data"), "no license index in the tree or beside a binary: no license data")
        for path in ["\(scratch)/out1/widget.spdx.json", "\(scratch)/out1/widget.spdx"] {
            try Validators.assertValid(path)
        }
        let spdx3 = try FormatValidators.validate("\(scratch)/out1/widget.spdx3.jsonld")
        XCTAssertEqual(spdx3.status, 0, spdx3.output)
        let cdx = try FormatValidators.validate("\(scratch)/out1/widget.cdx.json")
        XCTAssertEqual(cdx.status, 0, cdx.output)
        XCTAssertNil(FormatValidators.validateXML(outputs[0][4], schema: try FormatValidators.cycloneDXSchema()))
    }

    /// A foreign tree without --organization: nothing is written and standard error says
    /// which flag makes it NTIA-conformant; with --allow-gaps the SBOM is written and the
    /// same gaps are warnings.
    func testWithoutOrganizationTheGapIsNamed() throws {
        let tree = try makeTree()
        let common = ["--license-data", try licenseData(), "--cache", cache]
        let lenient = try run(["sbom", tree, "-o", "\(scratch)/lenient", "--allow-gaps"] + common)
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertTrue(lenient.stderr.contains("warning: widget: no supplier; give it with --organization NAME"), lenient.stderr)
        // Every package the NTIA checker finds without a supplier, candor warned about, and no other.
        let ntia = try Validators.run(try Validators.tool("ntia-checker"), ["-r", "json", "\(scratch)/lenient/widget.spdx.json"])
        let start = ntia.output.firstIndex(of: "{") ?? ntia.output.startIndex
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ntia.output[start...].utf8)) as? [String: Any])
        XCTAssertEqual(report["isNtiaConformant"] as? Bool, false)
        let unsupplied = (report["componentSuppliers"] as? [String: Any])?["nonconformantComponents"] as? [String]
        let warned = lenient.stderr.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "warning: "), let end = line.range(of: ": no supplier") else { return nil }
            return String(line[range.upperBound..<end.lowerBound])
        }
        XCTAssertEqual(Set(unsupplied ?? ["?"]), Set(warned), lenient.stderr)

        let strict = try run(["sbom", tree, "-o", "\(scratch)/strict"] + common)
        XCTAssertNotEqual(strict.status, 0)
        XCTAssertTrue(strict.stderr.contains("error: widget: no supplier"), strict.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(scratch)/strict"), "nothing written")

        // An organization without mail or URL: BSI TR-03183-2's creator of the SBOM is missing.
        let anonymous = try run(["sbom", tree, "-o", "\(scratch)/anonymous", "--organization", "W"] + common)
        XCTAssertNotEqual(anonymous.status, 0)
        XCTAssertTrue(anonymous.stderr.contains("error: widget: no mail or URL of the SBOM's creator")
                      && anonymous.stderr.contains("--organization 'NAME <mail>'"), anonymous.stderr)
        XCTAssertTrue(anonymous.stderr.contains("BSI TR-03183-2 require"), anonymous.stderr)

        let unknown = try run(["sbom", tree, "-o", "\(scratch)/unknown", "--organization", "W", "--supplier", "nope=X"] + common)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("'nope'"), unknown.stderr)
    }

    /// A binary with candor's license database code and the compiled index beside it (as
    /// `make release-build` and `make install` lay them out): the index's license data is a
    /// component of the SBOM of whatever tree the binary is shipped with (here "widget"),
    /// versioned as the index states, and the binary depends on it.
    func testLicenseDataIsTheIndexBesideABinaryThatLoadsIt() throws {
        let tree = try makeTree()
        let bin = "\(scratch)/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try candor(), toPath: "\(bin)/candor")
        let index = try run(["license-index", "-o", "\(bin)/licenses.index", "--license-data", try licenseData()])
        XCTAssertEqual(index.status, 0, index.stderr)
        // "<file>: licensedcode-data 32.1.0"
        let stated = try XCTUnwrap(index.stdout.components(separatedBy: ": ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(stated.hasPrefix("licensedcode-data "), index.stdout)
        let arguments = ["sbom", tree, "--binary", "\(bin)/candor", "--allow-gaps", "--organization", "Widget Makers <sbom@widget.example>",
                         "--license-data", try licenseData(), "--cache", cache]
        let result = try run(arguments + ["-o", "\(scratch)/out"], environment: ["SOURCE_DATE_EPOCH": "1767225600"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(scratch)/out/widget.spdx.json"))) as? [String: Any])
        let packages = document["packages"] as? [[String: Any]] ?? []
        let data = try XCTUnwrap(packages.first { $0["name"] as? String == "licensedcode-data" }, "\(packages.compactMap { $0["name"] })")
        XCTAssertEqual(data["versionInfo"] as? String, String(stated.dropFirst("licensedcode-data ".count)), "the version the index states")
        XCTAssertEqual(data["licenseDeclared"] as? String, "CC-BY-" + "4.0", "the license data is attributed")
        let binary = try XCTUnwrap(packages.first { $0["name"] as? String == "candor" })
        let relationships = document["relationships"] as? [[String: Any]] ?? []
        XCTAssertTrue(relationships.contains {
            $0["spdxElementId"] as? String == binary["SPDXID"] as? String && $0["relationshipType"] as? String == "DEPENDS_ON"
                && $0["relatedSpdxElement"] as? String == data["SPDXID"] as? String
        }, "\(relationships)")
        try Validators.assertValid("\(scratch)/out/widget.spdx.json")

        // The same binary without the index beside it: no license data is claimed.
        try FileManager.default.removeItem(atPath: "\(bin)/licenses.index")
        let without = try run(arguments + ["-o", "\(scratch)/without"], environment: ["SOURCE_DATE_EPOCH": "1767225600"])
        XCTAssertEqual(without.status, 0, without.stderr)
        let json = try String(contentsOfFile: "\(scratch)/without/widget.spdx.json", encoding: .utf8)
        XCTAssertFalse(json.contains("licensedcode-data"))
    }

    /// Acceptance: this repository's own SBOM with the debug candor-vm lists glibc, the Swift
    /// runtime and every Swift package, validates, and lists in each of our source files'
    /// `licenseInfoInFiles` exactly the licenses its SPDX-License-Identifier line states (files
    /// such as SPDXIdentifiers.swift and BoundaryChecker.swift name other licenses in code;
    /// those are mentions). The scan fills the repository's cache, which the audit at the end
    /// of `make test` then reads. (The license data is listed where an index ships beside a
    /// binary that loads it: testLicenseDataIsTheIndexBesideABinaryThatLoadsIt.)
    func testSBOMOfThisRepository() throws {
        let vm = "\(Validators.repository)/.build/debug/candor-vm"
        guard FileManager.default.isExecutableFile(atPath: vm) else {
            throw NotBuilt(vm, how: "run `swift build --build-tests`")
        }
        let result = try run(["sbom", Validators.repository, "--binary", vm, "-o", "\(scratch)/out", "--name", "candor",
                              "--organization", "The Candor Authors <sbom@candor.example>", "--license-data", try licenseData(),
                              "--cache", cache],
                             environment: ["SOURCE_DATE_EPOCH": "1767225600"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try Data(contentsOf: URL(fileURLWithPath: "\(scratch)/out/candor.spdx.json"))
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let names = Set((document["packages"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        for expected in ["libc6", "swift-argument-parser", "swift-crypto", "tomlkit"] {
            XCTAssertTrue(names.contains { $0.lowercased() == expected }, "\(expected) missing from \(names.sorted())")
        }
        XCTAssertTrue(names.contains { $0.lowercased().contains("swift") && $0.lowercased().contains("runtime") },
                      "the Swift runtime is missing from \(names.sorted())")
        // The tag-value twin is the same document (SPDXDocumentTests); pyspdxtools' tag-value
        // parser takes minutes on a document this size, so only the JSON one is validated here.
        try Validators.assertValid("\(scratch)/out/candor.spdx.json")

        var checked = 0
        for file in document["files"] as? [[String: Any]] ?? [] {
            guard let name = file["fileName"] as? String, name.hasPrefix("./Sources/"), name.hasSuffix(".swift") || name.hasSuffix(".c") || name.hasSuffix(".h"),
                  let text = try? String(contentsOfFile: Validators.repository + "/" + name.dropFirst(2), encoding: .utf8),
                  let tagLine = text.split(separator: "\n").prefix(5).first(where: { $0.contains("SPDX-License-" + "Identifier:") })
            else { continue }
            let stated = tagLine.components(separatedBy: "SPDX-License-" + "Identifier:")[1]
                .split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" })
                .filter { !["AND", "OR", "WITH", "*/"].contains($0) }.map(String.init)
            let listed = file["licenseInfoInFiles"] as? [String] ?? []
            XCTAssertEqual(Set(listed), Set(stated), "\(name): licenseInfoInFiles")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 200, "our source files are in the SBOM with their SPDX lines")
        for named in ["./Sources/Licensing/SPDXIdentifiers.swift", "./Sources/Boundaries/BoundaryChecker.swift"] {
            XCTAssertTrue((document["files"] as? [[String: Any]] ?? []).contains { $0["fileName"] as? String == named }, named)
        }
    }
}
