// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The SPDX 3.0.1 document of the fixture against BSI TR-03183-2 v2.1.0 as the SPDX NTIA
// conformance checker (ntia-conformance-checker 6, `-c bsi`, from .venv) reads it: every
// required field the data has is there, and what stays missing is what the fixture does not
// know (candor never fills a value it has not seen).

import Foundation
import Inventory
import TestSupport
import XCTest
@testable import SBOM

final class BSIConformanceTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-bsi-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// The checker from .venv; skips with the reason when it is not installed.
    private func checker() throws -> String {
        let path = "\(Validators.repository)/.venv/bin/ntia-checker"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("\(path) is missing; install scripts/requirements.txt into .venv (make setup)")
        }
        return path
    }

    /// The checker's verdict: its table (requirement -> passed), the components it finds
    /// without each required element (`creator` -> names), and whether it calls it conformant.
    private struct Verdict {
        var table: [String: Bool]
        var missing: [String: [String]]
        var conformant: Bool
        var output: String
    }

    private func check(_ document: SPDXDocument, standard: String) throws -> Verdict {
        let tool = try checker()
        let path = try SBOMFormat.write([.spdx3JSONLD], of: document, to: scratch, name: "demo")[0]
        let json = try Validators.run(tool, ["-c", standard, "-s", "spdx3", "-r", "json", path])
        let start = json.output.firstIndex(of: "{") ?? json.output.startIndex
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output[start...].utf8)) as? [String: Any],
                                   json.output)
        XCTAssertTrue((report["validationMessages"] as? [Any] ?? []).isEmpty, json.output)
        XCTAssertTrue((report["parsingError"] as? [Any] ?? []).isEmpty, json.output)
        // The JSON report leaves out the BSI rows; the printed table (and with -v the
        // components missing each element) has them all.
        let text = try Validators.run(tool, ["-c", standard, "-s", "spdx3", "-v", path])
        var table: [String: Bool] = [:]
        var missing: [String: [String]] = [:]
        for line in text.output.split(separator: "\n").map(String.init) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count == 2, cells[1] == "True" || cells[1] == "False" { table[cells[0]] = cells[1] == "True" }
            // `creator (1): swift-argument-parser`
            if let open = line.range(of: " ("), let close = line.range(of: "): "), open.upperBound < close.lowerBound,
               Int(line[open.upperBound..<close.lowerBound]) != nil, !line.contains("|") {
                missing[String(line[..<open.lowerBound])] = line[close.upperBound...].components(separatedBy: ", ").sorted()
            }
        }
        XCTAssertFalse(table.isEmpty, text.output)
        return Verdict(table: table, missing: missing, conformant: report["isConformant"] as? Bool ?? false,
                       output: text.output)
    }

    /// The fixture as a scan of a release sees it: an organization with a contact, the
    /// binary read as ELF, Debian's maintainer (with a mail) as libc6's creator.
    static func report() -> ScanReport {
        var report = Fixture.report()
        for index in report.components.indices {
            switch report.components[index].id {
            case "binary:.build/debug/demo":
                report.components[index].fileFormat = "ELF64"
            case "deb:libc6:amd64":
                report.components[index].originators = ["Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)"]
            default:
                break
            }
        }
        return report
    }

    static func document(_ report: ScanReport = report()) -> SPDXDocument {
        makeSPDXDocument(from: report, name: "demo", created: Fixture.created,
                         creator: SPDXCreator(tool: "candor-0.1.0", organization: "The Demo Authors <sbom@demo.example>"),
                         licenses: Fixture.lookup)
    }

    /// Every required field the fixture has a value for is there; what stays missing is what
    /// the fixture does not know, and the document does not claim it.
    func testRequiredFieldsAreThereWhereverTheFixtureKnowsThem() throws {
        let verdict = try check(Self.document(), standard: "bsi")
        for requirement in ["Creator of the SBOM", "Timestamp", "Dependency Completeness", "Component Names",
                            "Component Versions", "Executable Properties", "Archive Properties", "Structured Properties",
                            "Deployable Component Hashes"] {
            XCTAssertEqual(verdict.table[requirement], true, "\(requirement)\n\(verdict.output)")
        }
        XCTAssertEqual(verdict.missing, [
            // Apple Inc., its author, comes with neither mail nor URL.
            "creator": ["swift-argument-parser"],
            // The platform provides libc6: no file of the release carries it.
            "filename": ["libc6"],
            // Two of the tree's files state no license; Debian declares libc6's, nobody concluded it.
            "distribution_licenses": ["demo-source", "libc6"],
        ], verdict.output)
        XCTAssertFalse(verdict.conformant)

        let ntia = try check(Self.document(), standard: "ntia")
        XCTAssertTrue(ntia.conformant, ntia.output)

        // CycloneDX says the same of the shipped file, in BSI's property taxonomy.
        let cdx = try XCTUnwrap(JSONSerialization.jsonObject(with: SBOMFormat.cycloneDXJSON.render(Self.document())) as? [String: Any])
        let demo = try XCTUnwrap((cdx["components"] as? [[String: Any]])?.first { $0["name"] as? String == "demo" })
        let properties = Dictionary((demo["properties"] as? [[String: String]] ?? []).map { ($0["name"] ?? "", $0["value"] ?? "") },
                                    uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(properties["bsi:component:filename"], "demo")
        XCTAssertEqual(properties["bsi:component:executable"], "executable")
        XCTAssertEqual(properties["bsi:component:archive"], "no archive")
        XCTAssertEqual(properties["bsi:component:structured"], "unstructured")
    }

    /// Given those values (a URL for the author, every file licensed, libc6's license
    /// concluded), each reaches the document; only the platform's library has no file.
    func testGivenValuesReachTheDocument() throws {
        var report = Self.report()
        report.files = report.files.filter { !$0.licenseTags.isEmpty || $0.reuseLicense != nil || $0.path == "old.spdx.json" }
        for index in report.components.indices {
            switch report.components[index].id {
            case "swift:swift-argument-parser":
                report.components[index].originators = ["Organization: Apple Inc. (https://github.com/apple)"]
            case "deb:libc6:amd64":
                report.components[index].concludedLicense = "LGPL-2.1-or-later"
            case "tree":
                report.components[index].files = report.files.map(\.path)
            default:
                break
            }
        }
        let verdict = try check(Self.document(report), standard: "bsi")
        XCTAssertEqual(verdict.missing, ["filename": ["libc6"]], verdict.output)
        XCTAssertEqual(verdict.table.filter { !$0.value && !$0.key.contains("(") }.keys.sorted(), ["Distribution Filenames"],
                       verdict.output)
        // libc6 has a purl; the tree and the binary have none.
        XCTAssertEqual(verdict.table["Other Unique Identifiers (Warning)"], false, verdict.output)
    }
}
