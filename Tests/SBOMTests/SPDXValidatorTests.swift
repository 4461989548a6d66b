// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Runs the official SPDX validator (spdx-tools' pyspdxtools) and the NTIA minimum-elements
// checker from the repository's .venv on documents Candor writes.

import Foundation
import TestSupport
import XCTest
@testable import SBOM

/// The repository's .venv tools; tests skip (naming `make setup`) when they are missing.
enum Validators {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func tool(_ name: String) throws -> String {
        let path = "\(repository)/.venv/bin/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("\(path) is missing; run `make setup` to install the SPDX validators into .venv")
        }
        return path
    }

    /// Exit status and combined output of a command.
    static func run(_ executable: String, _ arguments: [String]) throws -> ProcessRun {
        try runProcess(executable, arguments)
    }

    /// Asserts that pyspdxtools finds no error and ntia-checker calls the document conformant.
    static func assertValid(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let spdx = try run(try tool("pyspdxtools"), ["-i", path])
        XCTAssertEqual(spdx.status, 0, "pyspdxtools -i \(path):\n\(spdx.output)", file: file, line: line)
        XCTAssertFalse(spdx.output.localizedCaseInsensitiveContains("error"), spdx.output, file: file, line: line)
        let ntia = try run(try tool("ntia-checker"), ["--file", path, "--output", "json"])
        XCTAssertEqual(ntia.status, 0, "ntia-checker --file \(path):\n\(ntia.output)", file: file, line: line)
        let start = ntia.output.firstIndex(of: "{") ?? ntia.output.startIndex
        let report = try JSONSerialization.jsonObject(with: Data(ntia.output[start...].utf8)) as? [String: Any]
        XCTAssertEqual(report?["isNtiaConformant"] as? Bool ?? report?["isConformant"] as? Bool, true,
                       ntia.output, file: file, line: line)
    }
}

final class SPDXValidatorTests: XCTestCase {
    func testWrittenDocumentsValidate() throws {
        _ = try Validators.tool("pyspdxtools")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for path in try SPDXWriter.write(Fixture.document(), to: directory, name: "demo") {
            try Validators.assertValid(path)
        }
    }

    /// The harness must notice a broken document: a LicenseRef without its extracted text.
    func testValidatorRejectsALicenseRefWithoutText() throws {
        let pyspdxtools = try Validators.tool("pyspdxtools")
        var document = Fixture.document()
        document.hasExtractedLicensingInfos.removeAll()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-\(UUID().uuidString).spdx.json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(SPDXWriter.json(document).utf8).write(to: URL(fileURLWithPath: path))
        let result = try Validators.run(pyspdxtools, ["-i", path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("LicenseRef-Foo-Unknown-1.0"), result.output)
    }
}
