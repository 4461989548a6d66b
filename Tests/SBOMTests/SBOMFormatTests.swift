// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The five formats of one document: named and written as promised, deterministic, naming
// the same components, and accepted offline by each format's own validator (SPDX 3.0.1:
// the spdx-python-model bindings and the NTIA checker; CycloneDX 1.6: the official JSON
// schema through cyclonedx-python-lib, the official XSD through libxml2).

import Foundation
import TestSupport
import XCTest
import XMLTextWriter
@testable import Inventory
@testable import SBOM

enum FormatValidators {
    static var sitePackages: String {
        let lib = "\(Validators.repository)/.venv/lib"
        let python = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.filter { $0.hasPrefix("python3") }.sorted().last
        return "\(lib)/\(python ?? "python3")/site-packages"
    }

    /// The CycloneDX 1.6 XSD shipped by cyclonedx-python-lib (it imports spdx.SNAPSHOT.xsd beside it).
    static func cycloneDXSchema() throws -> String {
        let path = "\(sitePackages)/cyclonedx/schema/_res/bom-1.6.SNAPSHOT.xsd"
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) is missing; install scripts/requirements.txt into .venv (make setup)")
        }
        return path
    }

    /// Runs scripts/validate-sbom.py (what `make release` runs) from .venv on `path`: SPDX
    /// 3.0.1 through spdx-python-model, CycloneDX JSON through the official schema.
    static func validate(_ path: String) throws -> ProcessRun {
        try Validators.run(try Validators.tool("python"), ["\(Validators.repository)/scripts/validate-sbom.py", path])
    }

    /// nil when valid, else libxml2's first message.
    static func validateXML(_ data: Data, schema: String) -> String? {
        let size = 512
        var message = [CChar](repeating: 0, count: size)
        let status = data.withUnsafeBytes { bytes in
            xml_schema_validate(schema, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, &message, size)
        }
        return status == 0 ? nil : "status \(status): " + String(cString: message)
    }
}

final class SBOMFormatTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-formats-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func testAllFiveAreWrittenUnderTheirNamesAndAreDeterministic() throws {
        let paths = try SBOMFormat.write(of: Fixture.document(), to: scratch, name: "Demo")
        XCTAssertEqual(paths.map { ($0 as NSString).lastPathComponent },
                       ["Demo.spdx.json", "Demo.spdx", "Demo.spdx3.jsonld", "Demo.cdx.json", "Demo.cdx.xml"])
        for format in SBOMFormat.allCases {
            XCTAssertEqual(try format.render(Fixture.document()), try format.render(Fixture.document()), "\(format)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary file is left")
    }

    /// Every format names the same packages (the SPDX 3 distribution artifacts are files).
    func testEveryFormatNamesTheSameComponents() throws {
        let document = Fixture.document()
        let expected = Set(document.packages.map(\.name))
        let spdx3 = try JSONSerialization.jsonObject(with: SBOMFormat.spdx3JSONLD.render(document)) as? [String: Any]
        let graph = spdx3?["@graph"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(graph.filter { $0["type"] as? String == "software_Package" }.compactMap { $0["name"] as? String }), expected)
        let cdx = try JSONSerialization.jsonObject(with: SBOMFormat.cycloneDXJSON.render(document)) as? [String: Any]
        let metadata = (cdx?["metadata"] as? [String: Any])?["component"] as? [String: Any]
        let components = (cdx?["components"] as? [[String: Any]] ?? []) + [metadata].compactMap { $0 }
        XCTAssertEqual(Set(components.compactMap { $0["name"] as? String }), expected)
        let xml = String(decoding: try SBOMFormat.cycloneDXXML.render(document), as: UTF8.self)
        for name in expected { XCTAssertTrue(xml.contains("<name>\(name)</name>"), "\(name) missing from the XML") }
    }

    func testFieldsReviewersLookFor() throws {
        let document = Fixture.document()
        let cdx = try XCTUnwrap(JSONSerialization.jsonObject(with: SBOMFormat.cycloneDXJSON.render(document)) as? [String: Any])
        let components = cdx["components"] as? [[String: Any]] ?? []
        let demo = try XCTUnwrap(components.first { $0["name"] as? String == "demo" })
        let hashes = (demo["hashes"] as? [[String: String]] ?? []).map { $0["alg"] ?? "" }
        XCTAssertTrue(hashes.contains("SHA-512") && hashes.contains("SHA-256"), "\(hashes)")
        XCTAssertEqual((demo["licenses"] as? [[String: String]])?.first?["acknowledgement"], "concluded")
        let properties = demo["properties"] as? [[String: String]] ?? []
        XCTAssertTrue(properties.contains { $0["name"] == "bsi:component:filename" && $0["value"] == "demo" }, "\(properties)")
        let libc = try XCTUnwrap(components.first { $0["name"] as? String == "libc6" })
        XCTAssertEqual(libc["purl"] as? String, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64")
        let parser = try XCTUnwrap(components.first { $0["name"] as? String == "swift-argument-parser" })
        XCTAssertEqual((parser["supplier"] as? [String: Any])?["name"] as? String, "Apple Inc.")
        XCTAssertEqual((parser["authors"] as? [[String: String]])?.first?["name"], "Apple Inc.")
        let dependencies = cdx["dependencies"] as? [[String: Any]] ?? []
        let demoDeps = dependencies.first { $0["ref"] as? String == demo["bom-ref"] as? String }?["dependsOn"] as? [String]
        XCTAssertEqual(Set(demoDeps ?? []), ["SPDXRef-Package-deb-libc6-amd64", "SPDXRef-Package-swift-swift-argument-parser"])
        XCTAssertEqual(dependencies.count, document.packages.count, "every component has its dependency entry")
        XCTAssertTrue((cdx["serialNumber"] as? String ?? "").hasPrefix("urn:uuid:"))

        let spdx3 = String(decoding: try SBOMFormat.spdx3JSONLD.render(document), as: UTF8.self)
        for needle in ["\"algorithm\" : \"sha512\"", "\"relationshipType\" : \"hasStaticLink\"", "\"originatedBy\"",
                       "\"relationshipType\" : \"hasDistributionArtifact\"", "\"specVersion\" : \"3.0.1\""] {
            XCTAssertTrue(spdx3.contains(needle), "\(needle) missing from the SPDX 3 document")
        }
    }

    func testSPDX3ValidatesWithTheModelAndIsNTIAConformant() throws {
        let path = try SBOMFormat.write([.spdx3JSONLD], of: Fixture.document(), to: scratch, name: "demo")[0]
        let result = try FormatValidators.validate(path)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.hasSuffix(": OK, 4 software packages\n"), result.output)
        let ntia = try Validators.run(try Validators.tool("ntia-checker"), ["-s", "spdx3", "-r", "json", path])
        let start = ntia.output.firstIndex(of: "{") ?? ntia.output.startIndex
        let report = try JSONSerialization.jsonObject(with: Data(ntia.output[start...].utf8)) as? [String: Any]
        XCTAssertEqual(report?["isNtiaConformant"] as? Bool ?? report?["isConformant"] as? Bool, true, ntia.output)
    }

    /// The harness notices a broken SPDX 3 document: a relationship to an element that is not there.
    func testSPDX3ValidatorRejectsADanglingReference() throws {
        var text = String(decoding: try SBOMFormat.spdx3JSONLD.render(Fixture.document()), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"createdBy\" : [\n", with: "\"createdBy\" : [\n      \"https://example.invalid/nobody\",\n")
        let path = scratch + "-broken.spdx3.jsonld"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let result = try FormatValidators.validate(path)
        XCTAssertNotEqual(result.status, 0, result.output)
    }

    func testCycloneDXJSONValidatesAgainstTheOfficialSchema() throws {
        _ = try FormatValidators.cycloneDXSchema()
        let path = try SBOMFormat.write([.cycloneDXJSON], of: Fixture.document(), to: scratch, name: "demo")[0]
        let result = try FormatValidators.validate(path)
        XCTAssertEqual(result.status, 0, result.output)
        // And the harness notices a broken one.
        let broken = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            .replacingOccurrences(of: "\"SHA-512\"", with: "\"SHA-513\"")
        try Data(broken.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertNotEqual(try FormatValidators.validate(path).status, 0)
    }

    func testCycloneDXXMLValidatesAgainstTheOfficialXSD() throws {
        let schema = try FormatValidators.cycloneDXSchema()
        let xml = try SBOMFormat.cycloneDXXML.render(Fixture.document())
        XCTAssertNil(FormatValidators.validateXML(xml, schema: schema))
        // A control character in a value (a file name, a comment) cannot break the document.
        var odd = Fixture.document()
        odd.packages[0].comment = "bell\u{7} and \u{FFFE} here"
        let oddXML = try SBOMFormat.cycloneDXXML.render(odd)
        XCTAssertNil(FormatValidators.validateXML(oddXML, schema: schema))
        XCTAssertTrue(String(decoding: oddXML, as: UTF8.self).contains("bell\u{FFFD} and \u{FFFD} here"))
        // Out of the XSD's order (copyright before licenses) is rejected, with a message.
        let text = String(decoding: xml, as: UTF8.self)
        let reordered = text.replacingOccurrences(of: "<name>demo</name>", with: "<copyright>x</copyright><name>demo</name>")
        let message = FormatValidators.validateXML(Data(reordered.utf8), schema: schema)
        XCTAssertNotNil(message)
        XCTAssertTrue(message?.contains("copyright") == true, message ?? "")
        XCTAssertNotNil(FormatValidators.validateXML(Data("<bom".utf8), schema: schema), "not well-formed")
        XCTAssertEqual(FormatValidators.validateXML(xml, schema: "/nonexistent.xsd")?.hasPrefix("status -1"), true)
    }

    func testGapsNameTheFlagThatFillsThem() {
        let anonymous = makeSPDXDocument(from: Fixture.report(), name: "demo", created: Fixture.created,
                                         creator: SPDXCreator(tool: "candor-0.1.0"), licenses: Fixture.lookup)
        let gaps = conformanceGaps(of: anonymous).map(\.description)
        XCTAssertTrue(gaps.contains { $0.hasPrefix("demo-source: no supplier") && $0.contains("--organization") }, "\(gaps)")
        XCTAssertTrue(gaps.contains { $0.contains("author") && $0.contains("--organization") }, "\(gaps)")
        // With an organization, the NTIA elements are there; BSI TR-03183-2 also wants its
        // mail or URL and the license of every file of the tree.
        let tree = "demo-source: no concluded license (BSI TR-03183-2: distribution licence); 2 of its files state no "
            + "license (LICENSE, tools/blob_1.bin); give each an SPDX-License-Identifier tag or a REUSE.toml annotation"
        XCTAssertEqual(conformanceGaps(of: Fixture.document()).map(\.description), [
            "demo: no mail or URL of the SBOM's creator (BSI TR-03183-2: creator of the SBOM); give it with "
                + "--organization 'NAME <mail>' or 'NAME (https://...)' (release.toml: supplier)",
            tree,
        ])
        let contact = SPDXCreator(tool: "candor-0.1.0", organization: "The Demo Authors <sbom@demo.example>")
        func document(_ report: ScanReport) -> SPDXDocument {
            makeSPDXDocument(from: report, name: "demo", created: Fixture.created, creator: contact, licenses: Fixture.lookup)
        }
        XCTAssertEqual(conformanceGaps(of: document(Fixture.report())).map(\.description), [tree])
        var licensed = Fixture.report()
        licensed.files = licensed.files.filter { $0.path != "LICENSE" && $0.path != "tools/blob_1.bin" }
        XCTAssertEqual(conformanceGaps(of: document(licensed)), [], "every file licensed, a contact: none")

        var report = licensed
        report.components[2].supplier = nil
        let gap = conformanceGaps(of: document(report)).map(\.description)
        XCTAssertEqual(gap, ["swift-argument-parser: no supplier; give it with --supplier "
                             + "'swift-argument-parser=Organization: NAME' (release.toml: supplier of the [[component]])"])
        let (filled, unknown) = applyingSuppliers(["swift-argument-parser": "Apple Inc.", "nope": "X"], to: report)
        XCTAssertEqual(unknown, ["nope"])
        XCTAssertEqual(filled.components[2].supplier, "Organization: Apple Inc.")
    }

    func testOrganizationContactReachesEveryFormat() throws {
        let document = makeSPDXDocument(from: Fixture.report(), name: "demo", created: Fixture.created,
                                        creator: SPDXCreator(tool: "candor-0.1.0", organization: "Demo Ltd <sbom@demo.example>"),
                                        licenses: Fixture.lookup)
        XCTAssertEqual(document.creationInfo.creators.last, "Organization: Demo Ltd (sbom@demo.example)")
        let spdx3 = String(decoding: try SBOMFormat.spdx3JSONLD.render(document), as: UTF8.self)
        XCTAssertTrue(spdx3.contains("\"identifier\" : \"sbom@demo.example\""), spdx3)
        let cdx = String(decoding: try SBOMFormat.cycloneDXXML.render(document), as: UTF8.self)
        XCTAssertTrue(cdx.contains("<manufacturer>\n   <name>Demo Ltd</name>\n   <contact>\n    <email>sbom@demo.example</email>"), cdx)
        let web = CDXEntity(spdx: "Organization: Demo (https://demo.example/)")
        XCTAssertEqual(web.name, "Demo")
        XCTAssertEqual(web.url, "https://demo.example/")
        XCTAssertNil(CDXEntity(spdx: "Person: A B (not a contact)").email)
    }

    func testAgentsAndPackageURLs() {
        XCTAssertEqual(Agent.spdx("Aurelien Jarno <aurel32@debian.org>"), "Person: Aurelien Jarno (aurel32@debian.org)")
        XCTAssertEqual(Agent.spdx("GNU Libc Maintainers <debian-glibc@lists.debian.org>"),
                       "Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)")
        XCTAssertEqual(Agent.spdx("Apple Inc."), "Organization: Apple Inc.")
        XCTAssertEqual(Agent.spdx("The Candor Authors"), "Organization: The Candor Authors")
        XCTAssertEqual(Agent.spdx("Jeff Lebrun"), "Person: Jeff Lebrun")
        XCTAssertEqual(Agent.spdx("Person: X Y"), "Person: X Y")
        XCTAssertEqual(Agent.holder(ofCopyright: "Copyright (c) 2014-2020 Apple Inc. and the Swift project authors"),
                       "Apple Inc. and the Swift project authors")
        XCTAssertEqual(Agent.holder(ofCopyright: "Copyright (c) 2021 Jeff Lebrun. All rights reserved."), "Jeff Lebrun")
        XCTAssertEqual(Agent.holder(ofCopyright: "© 2019"), nil)
        XCTAssertEqual(PackageURL.make(type: "deb", namespace: "debian", name: "libc6", version: "2.36-9+deb12u14",
                                       qualifiers: ["distro": "debian-12", "arch": "amd64"]),
                       "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12")
        XCTAssertEqual(PackageURL.make(type: "deb", namespace: "debian", name: "bash", version: "1:5.2", qualifiers: ["distro": ""]),
                       "pkg:deb/debian/bash@1:5.2")
        XCTAssertEqual(PackageURL.make(type: "swift", namespace: "github.com/apple", name: "swift-crypto", version: "3.12.3"),
                       "pkg:swift/github.com/apple/swift-crypto@3.12.3")
    }

    /// The distro qualifier comes from the os-release of the system the dpkg database belongs to.
    func testDebianDistroFromOSRelease() throws {
        let root = scratch + "/root"
        try FileManager.default.createDirectory(atPath: root + "/var/lib/dpkg", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try Data("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/etc/os-release"))
        XCTAssertEqual(DpkgDatabase.distribution(dpkgDirectory: root + "/var/lib/dpkg/").distro, "debian-12")
        XCTAssertNil(DpkgDatabase.distribution(dpkgDirectory: root + "/dpkg").distro, "not a system's database: unknown")
        var package = DpkgPackage(name: "libc6", architecture: "amd64", version: "2.36-9+deb12u14", sourceName: "glibc",
                                  sourceVersion: "2.36-9+deb12u14")
        package.distro = "debian-12"
        XCTAssertEqual(package.purl, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12")
    }

    /// A Swift package's authors: its notice file's holders, else its manifest header's.
    func testSwiftPackageHoldersFromNoticeOrManifest() throws {
        let checkout = scratch + "/checkout"
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try Data("Licensor shall mean the copyright owner.\n".utf8).write(to: URL(fileURLWithPath: checkout + "/LICENSE.txt"))
        try Data("// Copyright (c) 2020 Apple Inc. and the Swift project authors\n".utf8)
            .write(to: URL(fileURLWithPath: checkout + "/Package.swift"))
        XCTAssertEqual(SwiftPackages.holders(inCheckout: checkout), ["Organization: Apple Inc. and the Swift project authors"])
        try Data("Copyright 2021 Jane Roe\n".utf8).write(to: URL(fileURLWithPath: checkout + "/NOTICE.txt"))
        XCTAssertEqual(SwiftPackages.holders(inCheckout: checkout), ["Person: Jane Roe"])
    }
}
