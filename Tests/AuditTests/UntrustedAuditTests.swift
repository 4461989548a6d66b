// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor audit` of a tree that is not trusted runs none of its code: the compiler its
// compile_commands.json names does not run (it would create a marker file).

import Boundaries
import Foundation
import Inventory
import Licensing
import XCTest
@testable import Audit

final class UntrustedAuditTests: XCTestCase {
    func testAuditDoesNotRunTheTreesCompiler() throws {
        let database: LicenseDatabase
        do { database = try LicenseDatabase.load() } catch { throw XCTSkip("license database not available: \(error)") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("candor-audit-untrusted-\(UUID().uuidString)")
        let marker = root.path + ".ran"
        defer {
            try? FileManager.default.removeItem(at: root)
            unlink(marker)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let tag = "SPDX-License-" + "Identifier: MIT"
        try "/* \(tag) */\nint main(void) { return 0; }\n".write(to: root.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        try "#!/bin/sh\ntouch '\(marker)'\n".write(to: root.appendingPathComponent("evilcc"), atomically: true, encoding: .utf8)
        chmod(root.appendingPathComponent("evilcc").path, 0o755)
        let entries = [["directory": root.path, "file": "main.c", "arguments": ["./evilcc", "-c", "main.c"]]]
        try JSONSerialization.data(withJSONObject: entries).write(to: root.appendingPathComponent("compile_commands.json"))
        let cache = NSTemporaryDirectory() + "candor-audit-cache-\(getpid())"
        let scan = try Scanner(database: database, options: ScanOptions(jobs: 1, cacheDirectory: cache)).scan(root: root.path)
        let boundaries = try BoundaryChecker(policy: BoundaryPolicy(), report: scan, database: database,
                                             options: BoundaryCheckOptions(detectClones: false, cacheDirectory: cache, jobs: 1)).check()
        let audit = Auditor.audit(scan: scan, boundaries: boundaries, policy: BoundaryPolicy(), exempt: [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the tree's compiler ran")
        // The header check still ran: evilcc and compile_commands.json carry no SPDX header.
        XCTAssertTrue(audit.suites.first { $0.name == "spdx-headers" }?.cases.contains { $0.name == "evilcc" && $0.failure != nil } ?? false)
    }
}
