// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The release layout of `candor`: the executable and its compiled license index copied
// into an empty directory work on a foreign tree, from another directory, with a clean
// environment; the executable alone says where it looked.

import Foundation
import Licensing
import TestSupport
import XCTest
@testable import SourceOffer

final class SelfContainedTests: XCTestCase {
    /// The `candor` executable built beside this test bundle.
    private func builtCandor() throws -> String {
        // On Linux the test "bundle" is the xctest executable; on macOS a directory.
        let bundle = Bundle(for: Self.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("candor").path }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotBuilt(candidates[0], how: "run `swift build --build-tests`")
        }
        return path
    }

    private func run(_ executable: String, _ arguments: [String], in directory: String) throws -> ProcessRun {
        try runProcess(executable, arguments, in: directory, environment: ["PATH": "/usr/bin:/bin", "HOME": directory, "LC_ALL": "C"])
    }

    func testCopiedCandorWithItsIndexScansAForeignTreeWithACleanEnvironment() throws {
        let candor = try builtCandor()
        let database: LicenseDatabase
        do { database = try LicenseDatabase.load(executable: nil) } catch { throw XCTSkip("license data not available: \(error)") }
        let base = NSTemporaryDirectory() + "candor-selfcontained-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        for directory in ["bin", "alone", "tree/src", "elsewhere"] {
            try FileManager.default.createDirectory(atPath: base + "/" + directory, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: candor, toPath: base + "/bin/candor")
        try database.writeIndex(to: base + "/bin/licenses.index")
        try FileManager.default.copyItem(atPath: candor, toPath: base + "/alone/candor")
        // Spelled in two pieces so that the scan of this repository does not take it for this file's tag.
        try "// SPDX-License-\("Identifier"): BSD-3-Clause\n// SPDX-File\("CopyrightText"): 2026 Someone Else\nint f(void) { return 1; }\n"
            .write(toFile: base + "/tree/src/f.c", atomically: true, encoding: .utf8)
        try (database.license(spdxID: "MIT")?.text ?? "").write(toFile: base + "/tree/LICENSE", atomically: true, encoding: .utf8)

        let scan = try run(base + "/bin/candor", ["scan", base + "/tree", "--format", "json", "--cache", base + "/elsewhere/cache"], in: base + "/elsewhere")
        XCTAssertEqual(scan.status, 0, scan.output)
        XCTAssertTrue(scan.output.contains("\"BSD-3-Clause\""), String(scan.output.prefix(2000)))
        XCTAssertTrue(scan.output.contains("\"MIT\""), "the LICENSE text is detected with the shipped index")

        // The same layout under PREFIX/bin and PREFIX/share/candor.
        try FileManager.default.createDirectory(atPath: base + "/prefix/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/prefix/share/candor", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: candor, toPath: base + "/prefix/bin/candor")
        try FileManager.default.copyItem(atPath: base + "/bin/licenses.index", toPath: base + "/prefix/share/candor/licenses.index")
        let installed = try run(base + "/prefix/bin/candor", ["scan", base + "/tree", "--cache", base + "/elsewhere/cache2"], in: base + "/elsewhere")
        XCTAssertEqual(installed.status, 0, installed.output)

        let alone = try run(base + "/alone/candor", ["scan", base + "/tree"], in: base + "/elsewhere")
        XCTAssertEqual(alone.status, 1)
        XCTAssertTrue(alone.output.contains(base + "/alone/licenses.index") && alone.output.contains(base + "/share/candor/licenses.index"),
                      alone.output)
        XCTAssertTrue(alone.output.contains("CANDOR_LICENSE_DATA"), alone.output)
        XCTAssertEqual(alone.output.split(separator: "\n").count, 1, alone.output)
    }
}
