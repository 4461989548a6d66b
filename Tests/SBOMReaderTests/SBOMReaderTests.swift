// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Inventory
import SBOMReader
import TestSupport
import XCTest

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func component(_ document: SBOMDocument, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> SBOMComponent {
    try XCTUnwrap(document.components.first { $0.name == name }, "no component \(name)", file: file, line: line)
}

/// Runs a tool of the repository's .venv; nil (with the reason) when it is not installed.
func runVenvTool(_ name: String, _ arguments: [String]) throws -> ProcessRun? {
    let tool = "\(repository)/.venv/bin/\(name)"
    guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
    return try runProcess(tool, arguments)
}

final class SBOMReaderTests: XCTestCase {
    func testSPDX23Document() throws {
        let document = try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json")
        XCTAssertEqual(document.format, .spdx23)
        XCTAssertEqual(document.name, "demo-release-2")
        XCTAssertEqual(document.created, "2026-01-02T00:00:00Z")
        XCTAssertEqual(document.components.map(\.name).sorted(), ["busybox", "demo-app", "libbar", "libc6", "libfoo", "zlib"])

        let zlib = try component(document, "zlib")
        XCTAssertEqual(zlib.version, "1.2.13")
        XCTAssertEqual(zlib.supplier, "Jean-loup Gailly and Mark Adler")
        XCTAssertEqual(zlib.purl, "pkg:generic/zlib@1.2.13")
        XCTAssertEqual(zlib.checksums["SHA256"], "b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30")
        XCTAssertEqual(zlib.files.map(\.path), ["zlib/adler32.c"])
        XCTAssertEqual(zlib.files[0].checksums["SHA1"], "0f5a2c8f0a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d")

        let app = try component(document, "demo-app")
        XCTAssertNil(app.downloadLocation, "NONE is no source location")
        XCTAssertEqual(app.files.map(\.path), ["src/main.c", "src/util.c"], "CONTAINS and CONTAINED_BY both own files")
        XCTAssertEqual(app.files[0].copyrights, ["Copyright 2026 Example Corp", "Copyright 2025 Jane Roe"])
        XCTAssertNil(app.files[1].concludedLicense)
        XCTAssertEqual(app.files[1].effectiveLicense, "MIT AND BSD-3-Clause")
        XCTAssertEqual(app.files[1].copyrights, [])

        XCTAssertNil(try component(document, "libbar").downloadLocation)
        let libc = try component(document, "libc6")
        XCTAssertFalse(libc.distributed, "PROVIDED_DEPENDENCY_OF marks it provided by the platform")
        XCTAssertNil(libc.concludedLicense)
        XCTAssertEqual(libc.effectiveLicense, "LGPL-2.1-or-later AND GPL-2.0-or-later")
        XCTAssertTrue(try component(document, "busybox").distributed)
        XCTAssertTrue(document.relationships.contains(.init(from: "SPDXRef-app", kind: "STATIC_LINK", to: "SPDXRef-zlib")))
        XCTAssertFalse(document.relationships.contains { $0.kind == "CONTAINS" }, "file ownership is in files, not relationships")
    }

    func testSPDX3Document() throws {
        let document = try SBOMReader.read(path: "\(fixtures)/release-2.spdx3.json")
        XCTAssertEqual(document.format, .spdx3)
        XCTAssertEqual(document.name, "demo-release-2")
        XCTAssertEqual(document.creators, ["Example Corp"])
        XCTAssertEqual(document.components.map(\.name).sorted(), ["busybox", "demo-app", "libc6", "zlib"])
        let app = try component(document, "demo-app")
        XCTAssertEqual(app.declaredLicense, "Apache-2.0")
        XCTAssertEqual(app.supplier, "Example Corp")
        XCTAssertEqual(app.files.map(\.path), ["src/main.c"])
        XCTAssertEqual(app.files[0].checksums["SHA1"], "1111111111111111111111111111111111111111")
        let busybox = try component(document, "busybox")
        XCTAssertEqual(busybox.concludedLicense, "GPL-2.0-only")
        XCTAssertEqual(busybox.purl, "pkg:deb/debian/busybox@1:1.35.0-4?arch=amd64")
        XCTAssertEqual(busybox.files.first?.concludedLicense, "GPL-2.0-only")
        let zlib = try component(document, "zlib")
        XCTAssertEqual(zlib.concludedLicense, "Zlib", "a listed license that is not in the graph is named by its IRI")
        XCTAssertEqual(zlib.checksums["SHA256"], "b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30")
        XCTAssertEqual(zlib.downloadLocation, "https://zlib.net/zlib-1.2.13.tar.gz")
        let libc = try component(document, "libc6")
        XCTAssertFalse(libc.distributed)
        XCTAssertNil(libc.concludedLicense)
        XCTAssertTrue(document.relationships.contains(.init(from: app.id, kind: "STATIC_LINK", to: zlib.id)))
        XCTAssertTrue(document.relationships.contains(.init(from: app.id, kind: "DEPENDS_ON", to: busybox.id)))
    }

    func testCycloneDXDocument() throws {
        let document = try SBOMReader.read(path: "\(fixtures)/release-2.cdx.json")
        XCTAssertEqual(document.format, .cycloneDX)
        XCTAssertEqual(document.name, "demo-app")
        XCTAssertEqual(document.creators, ["Tool: hand-written-1"])
        XCTAssertEqual(document.components.map(\.name).sorted(), ["busybox", "demo-app", "libc6", "zlib"])
        let app = try component(document, "demo-app")
        XCTAssertEqual(app.declaredLicense, "Apache-2.0")
        XCTAssertEqual(app.files.map(\.path), ["src/main.c"])
        XCTAssertEqual(app.files[0].concludedLicense, "Apache-2.0")
        XCTAssertEqual(app.files[0].copyrights, ["Copyright 2026 Example Corp", "Copyright 2025 Jane Roe"])
        XCTAssertEqual(app.files[0].checksums["SHA1"], "1111111111111111111111111111111111111111")
        let busybox = try component(document, "busybox")
        XCTAssertEqual(busybox.supplier, "Debian")
        XCTAssertEqual(busybox.declaredLicense, "GPL-2.0-only")
        XCTAssertNil(busybox.concludedLicense)
        XCTAssertEqual(busybox.downloadLocation, "https://deb.debian.org/debian/pool/main/b/busybox/busybox_1.35.0.orig.tar.bz2")
        XCTAssertEqual(busybox.files.first?.licensesInFile, ["GPL-2.0-only", "BSD-3-Clause"])
        let zlib = try component(document, "zlib")
        XCTAssertEqual(zlib.concludedLicense, "Zlib")
        XCTAssertEqual(zlib.checksums["SHA256"], "b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30")
        XCTAssertFalse(try component(document, "libc6").distributed, "scope excluded")
        XCTAssertTrue(document.relationships.contains(.init(from: "app", kind: "DEPENDS_ON", to: "libc6")))
    }

    /// Bad input names the document, the element and the field; it never crashes.
    func testInvalidDocumentsNameDocumentElementAndField() throws {
        func error(_ json: String) -> String {
            do {
                _ = try SBOMReader.read(data: Data(json.utf8), path: "bad.json")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(error("{").hasPrefix("bad.json: not valid JSON"), error("{"))
        XCTAssertEqual(error("[1]"), "bad.json: expected a JSON object at the top level, got an array")
        XCTAssertTrue(error("{\"a\": 1}").hasPrefix("bad.json: not an SPDX 2.3 JSON"))
        XCTAssertEqual(error(#"{"spdxVersion": "SPDX-3.0"}"#), #"bad.json: document: spdxVersion: unsupported value string "SPDX-3.0"; expected SPDX-2.3"#)
        XCTAssertEqual(error(#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]}"#),
                       "bad.json: packages[0] (SPDXRef-a): name: missing")
        XCTAssertEqual(error(#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": 3}]}"#),
                       "bad.json: packages[0] (SPDXRef-a): versionInfo: expected a string, got number 3")
        XCTAssertEqual(error(#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a", "name": "a"}, {"SPDXID": "SPDXRef-a", "name": "b"}]}"#),
                       #"bad.json: packages[1] (SPDXRef-a): SPDXID: duplicate id "SPDXRef-a""#)
        XCTAssertEqual(error(#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a", "name": "a"}], "relationships": [{"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-gone"}]}"#),
                       #"bad.json: relationships[0]: relatedSpdxElement: no element with id "SPDXRef-gone""#)
        XCTAssertEqual(error(#"{"spdxVersion": "SPDX-2.3", "files": [{"SPDXID": "SPDXRef-f", "fileName": "a", "checksums": [{"algorithm": "SHA1"}]}]}"#),
                       "bad.json: files[0] (SPDXRef-f) checksums[0]: checksumValue: missing")
        XCTAssertEqual(error(#"{"bomFormat": "CycloneDX", "components": [{"bom-ref": "a", "name": "a"}], "dependencies": [{"ref": "a", "dependsOn": ["b"]}]}"#),
                       #"bad.json: dependencies[0]: dependsOn: no component with bom-ref "b""#)
        XCTAssertEqual(error(#"{"bomFormat": "CycloneDX", "components": [{"bom-ref": "a", "name": "a", "licenses": [{"license": {}}]}]}"#),
                       "bad.json: components[0] (a) licenses[0]: licenses[0]: neither license.id, license.name nor expression")
        XCTAssertEqual(error(#"{"bomFormat": "SWID"}"#), #"bad.json: document: bomFormat: unsupported value string "SWID"; expected CycloneDX"#)
        XCTAssertEqual(error(#"{"@graph": [{"type": "software_Package", "spdxId": "p", "name": "p"}, {"type": "Relationship", "spdxId": "r", "from": "p", "relationshipType": "dependsOn", "to": ["q"]}]}"#),
                       #"bad.json: @graph[1] (r): to: no element with id "q""#)
        XCTAssertEqual(error(#"{"@graph": [{"type": "software_Package", "spdxId": "p"}]}"#), "bad.json: @graph[0] (p): name: missing")
        XCTAssertThrowsError(try SBOMReader.read(path: "\(fixtures)/missing.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(fixtures)/missing.json: cannot read"), "\(error)")
        }
    }

    /// Supplier SBOMs as input: components of the inventory, with licenses, hashes and relationships.
    func testSupplierSBOMBecomesInventoryComponents() throws {
        let document = try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json")
        let components = try document.inventoryComponents()
        XCTAssertEqual(components.count, 6)
        let app = try XCTUnwrap(components.first { $0.name == "demo-app" })
        XCTAssertEqual(app.id, "sbom:demo-release-2:SPDXRef-app")
        XCTAssertEqual(app.kind, .declared)
        XCTAssertEqual(app.files, ["src/main.c", "src/util.c"])
        XCTAssertTrue(app.relationships.contains(.init(.staticLink, "sbom:demo-release-2:SPDXRef-zlib")))
        XCTAssertTrue(app.relationships.contains(.init(.dependsOn, "sbom:demo-release-2:SPDXRef-busybox")))
        XCTAssertTrue(app.comment?.contains("release-2.spdx.json") ?? false)
        let zlib = try XCTUnwrap(components.first { $0.name == "zlib" })
        XCTAssertEqual(zlib.concludedLicense, "Zlib")
        XCTAssertEqual(zlib.purl, "pkg:generic/zlib@1.2.13")
        XCTAssertEqual(zlib.supplier, "Organization: Jean-loup Gailly and Mark Adler")
        XCTAssertEqual(zlib.checksums["SHA256"], "b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30")
        XCTAssertEqual(components.first { $0.name == "libc6" }?.distribution, .providedByPlatform)
        XCTAssertEqual(components.first { $0.name == "busybox" }?.distribution, .distributed)

        var bad = document
        bad.components[0].declaredLicense = "MIT AND AND"
        XCTAssertThrowsError(try bad.inventoryComponents()) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(fixtures)/release-2.spdx.json: \(bad.components[0].id): declared license: not an SPDX license expression: \"MIT AND AND\""), "\(error)")
        }
    }

    /// cyclonedx-py (PyPI cyclonedx-bom) writes a CycloneDX 1.6 SBOM of the .venv.
    func testReadsCycloneDXWrittenByCyclonedxPy() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("candor-cdx-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard let run = try runVenvTool("cyclonedx-py", ["environment", "--spec-version", "1.6", "--output-format", "JSON",
                                                          "--output-file", output, "\(repository)/.venv"]) else {
            throw XCTSkip("cyclonedx-py is not installed in .venv; run `make setup`")
        }
        XCTAssertEqual(run.status, 0, run.output)
        let document = try SBOMReader.read(path: output)
        XCTAssertEqual(document.format, .cycloneDX)
        XCTAssertGreaterThan(document.components.count, 10)
        let tools = try component(document, "spdx-tools")
        XCTAssertEqual(tools.version, "0.8.5")
        XCTAssertEqual(tools.purl, "pkg:pypi/spdx-tools@0.8.5")
        XCTAssertNotNil(tools.effectiveLicense)
        XCTAssertTrue(document.relationships.contains { $0.kind == "DEPENDS_ON" && $0.from == tools.id })
        XCTAssertNoThrow(try document.inventoryComponents())
    }

    /// pyspdxtools (PyPI spdx-tools) converts our tag-value fixture into SPDX 2.3 JSON.
    func testReadsSPDXWrittenByPyspdxtools() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("candor-spdx-\(getpid()).spdx.json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard let run = try runVenvTool("pyspdxtools", ["-i", "\(fixtures)/release-2.spdx", "-o", output]) else {
            throw XCTSkip("pyspdxtools is not installed in .venv; run `make setup`")
        }
        XCTAssertEqual(run.status, 0, run.output)
        let document = try SBOMReader.read(path: output)
        XCTAssertEqual(document.format, .spdx23)
        XCTAssertEqual(document.name, "demo-release-2-tv")
        let zlib = try component(document, "zlib")
        XCTAssertEqual(zlib.concludedLicense, "Zlib")
        XCTAssertEqual(zlib.files.map(\.path), ["zlib/adler32.c"])
        XCTAssertEqual(zlib.files.first?.copyrights, ["Copyright (C) 1995-2011, 2016 Mark Adler"])
        XCTAssertEqual(try component(document, "busybox").concludedLicense, "GPL-2.0-only")
    }
}
