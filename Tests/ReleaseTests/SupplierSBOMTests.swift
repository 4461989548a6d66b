// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Supplier SBOMs named in release.toml (`[[sbom]] path`) join the release's one component
// set; a bad one is a one-line error naming the document, the element and the field, and
// nothing is written. Also: every SBOM format and the review page are written, and the
// review compares with the newest older sibling release. Needs cc and git (skips without).

import Foundation
import Inventory
import Licensing
import TestSupport
import XCTest
@testable import Release
@testable import SourceOffer

final class SupplierSBOMTests: XCTestCase {
    @discardableResult
    private func run(_ arguments: [String], in directory: String) throws -> String {
        let result = try FileSystem.run(arguments, in: directory, environment: ["LC_ALL": "C"])
        guard result.status == 0 else { throw ProcessFailure(command: arguments, run: ProcessRun(status: result.status, output: result.output)) }
        return result.output
    }

    /// A CycloneDX 1.6 document a supplier might hand over: two libraries, one depending on the other.
    private func supplierSBOM(widgetLicense: String) -> String {
        """
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
         "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
         "metadata": {"timestamp": "2026-11-30T12:00:00Z", "component": {"type": "library", "name": "widget-kit", "version": "2.1.0"}},
         "components": [
          {"type": "library", "bom-ref": "widget", "name": "widget", "version": "2.1.0",
           "supplier": {"name": "Widget Works"}, "purl": "pkg:generic/widget@2.1.0",
           "licenses": [{"expression": "\(widgetLicense)"}],
           "hashes": [{"alg": "SHA-256", "content": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]},
          {"type": "library", "bom-ref": "gizmo", "name": "gizmo", "version": "0.3.1",
           "supplier": {"name": "Widget Works"}, "licenses": [{"license": {"id": "Apache-2.0"}}]}
         ],
         "dependencies": [{"ref": "widget", "dependsOn": ["gizmo"]}]}

        """
    }

    private func makeProject() throws -> String {
        let root = NSTemporaryDirectory() + "candor-supplier-\(UUID().uuidString)/tool"
        try FileManager.default.createDirectory(atPath: root + "/vendor", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: root).deletingLastPathComponent().path) }
        // Spelled in two pieces so that the scan of this repository does not take them for this file's tags.
        let tag = "SPDX-License-" + "Identifier", copyright = "SPDX-File" + "CopyrightText"
        let files: [String: String] = [
            "tool.c": "// \(tag): MIT\n// \(copyright): 2026 Example Person\nint main(void) { return 0; }\n",
            ".gitignore": "# \(tag): MIT\n/build/\n",
            "vendor/widget.cdx.json": supplierSBOM(widgetLicense: "MIT"),
            "release.toml": """
                # \(tag): MIT
                [release]
                product = "Tool"
                version = "1.0.0"
                date = "2026-12-01"
                supplier = "Example Org"

                [offer]
                contact = "Example Org, Source Requests"
                email = "source@example.org"
                address = ["1 Example Road", "Example Town"]

                [[part]]
                name = "tool"
                license = "MIT"
                sources = ["tool.c"]
                build = ["cc", "-o", "build/tool", "tool.c"]
                binaries = ["build/tool"]

                [[sbom]]
                path = "vendor/widget.cdx.json"

                """,
            "REUSE.toml": "version = 1\n[[annotations]]\npath = \"vendor/**\"\n\(tag) = \"MIT\"\n\(copyright) = \"2026 Widget Works\"\n",
        ]
        for (name, text) in files { try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8) }
        try FileManager.default.createDirectory(atPath: root + "/build", withIntermediateDirectories: true)
        try run(["cc", "-o", "build/tool", "tool.c"], in: root)
        try run(["git", "init", "-q"], in: root)
        try run(["git", "add", "-A"], in: root)
        try run(["git", "-c", "user.name=Example", "-c", "user.email=e@example.org", "commit", "-q", "-m", "tool"], in: root)
        return root
    }

    func testSupplierComponentsAreInEveryArtefact() throws {
        let database: LicenseDatabase
        do { database = try ForeignReleaseTests.database.get() } catch { throw XCTSkip("license data not available: \(error)") }
        let root = try makeProject()
        let reports = URL(fileURLWithPath: root).deletingLastPathComponent().path + "/reports"
        var options = ReleaseOptions(configFile: root + "/release.toml", outputDirectory: reports + "/1.0.0",
                                     cacheDirectory: reports + "/../cache", jobs: 2, toolVersion: "test",
                                     created: Date(timeIntervalSince1970: 1_764_547_200))
        let result = try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)

        for file in ["Tool.spdx.json", "Tool.spdx", "Tool.spdx3.jsonld", "Tool.cdx.json", "Tool.cdx.xml", "review.html",
                     "components.json", "distribution/NOTICES.txt"] {
            XCTAssertTrue(result.files.contains(file), "\(file) missing from \(result.files)")
        }
        let widget = try XCTUnwrap(result.components.first { $0.name == "widget" }, "\(result.components.map(\.id))")
        XCTAssertEqual(widget.version, "2.1.0")
        XCTAssertEqual(widget.license, "MIT")
        XCTAssertEqual(widget.id, "sbom:widget-kit:widget")
        XCTAssertTrue(result.components.contains { $0.name == "gizmo" && $0.license == "Apache-2.0" })

        // Every artefact names them.
        let text = { (file: String) in try String(contentsOfFile: result.directory + "/" + file, encoding: .utf8) }
        for file in ["Tool.spdx.json", "Tool.spdx", "Tool.spdx3.jsonld", "Tool.cdx.json", "Tool.cdx.xml", "review.html",
                     "distribution/NOTICES.txt"] {
            let contents = try text(file)
            XCTAssertTrue(contents.contains("widget") && contents.contains("gizmo"), "\(file) lacks the supplier's components")
        }
        let spdx = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result.directory + "/Tool.spdx.json"))) as? [String: Any]
        let packages = (spdx?["packages"] as? [[String: Any]]) ?? []
        let widgetPackage = try XCTUnwrap(packages.first { $0["name"] as? String == "widget" })
        let checksums = (widgetPackage["checksums"] as? [[String: Any]]) ?? []
        XCTAssertTrue(checksums.contains { $0["checksumValue"] as? String == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
                      "the supplier's hash is kept: \(checksums)")
        let junit = try text("audit.junit.xml")
        XCTAssertTrue(junit.contains("component \(widget.id)"), "the audit judges the supplier's components")
        // The first release has nothing to compare with; a later one compares with it.
        XCTAssertNil(ReleaseBuilder.previousRelease(in: reports, before: "1.0.0", sbomName: "Tool.spdx.json"))
        options.outputDirectory = reports + "/1.1.0"
        _ = try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)
        XCTAssertEqual(ReleaseBuilder.previousRelease(in: reports, before: "1.1.0", sbomName: "Tool.spdx.json"), reports + "/1.0.0")

        // A supplier SBOM whose license is not an SPDX expression: one line naming the
        // document, the element and the field; nothing written.
        try supplierSBOM(widgetLicense: "MIT ANDD Apache-2.0").write(toFile: root + "/vendor/widget.cdx.json", atomically: true, encoding: .utf8)
        options.outputDirectory = reports + "/bad"
        options.allowDirty = true
        XCTAssertThrowsError(try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("vendor/widget.cdx.json") && message.contains("widget") && message.contains("license"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: reports + "/bad"))
    }

    /// The review's previous release: the newest sibling older than this version that holds
    /// the SBOM, versions compared as versions (0.10 after 0.9, a release candidate before its
    /// release); a directory whose name is not a version (notes/) is never one.
    func testPreviousReleaseIsTheNewestOlderSiblingWithAnSBOM() throws {
        let reports = NSTemporaryDirectory() + "candor-previous-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: reports) }
        for (version, sbom) in [("0.9.0", true), ("0.10.0", true), ("1.0.0-rc1", true), ("1.0.0-rc2", false), ("1.0.0", true),
                                ("1.2.0", true), ("notes", true)] {
            try FileManager.default.createDirectory(atPath: reports + "/" + version, withIntermediateDirectories: true)
            if sbom { try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(reports)/\(version)/P.spdx.json")) }
        }
        XCTAssertEqual(ReleaseBuilder.previousRelease(in: reports, before: "1.1.0", sbomName: "P.spdx.json"), reports + "/1.0.0")
        XCTAssertEqual(ReleaseBuilder.previousRelease(in: reports, before: "1.0.0", sbomName: "P.spdx.json"), reports + "/1.0.0-rc1",
                       "rc2 has no SBOM")
        XCTAssertEqual(ReleaseBuilder.previousRelease(in: reports, before: "1.0.0-rc1", sbomName: "P.spdx.json"), reports + "/0.10.0")
        XCTAssertNil(ReleaseBuilder.previousRelease(in: reports, before: "0.9.0", sbomName: "P.spdx.json"))
    }
}
