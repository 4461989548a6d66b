// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Inventory
import Licensing
import XCTest
@testable import Boundaries

/// Runs the whole check (scan, then every analysis) over a tree, as `candor boundaries` does.
enum CheckerSupport {
    private static let loaded: Result<LicenseDatabase, Error> = Result { try LicenseDatabase.load() }

    static func database() throws -> LicenseDatabase {
        do { return try loaded.get() } catch {
            throw XCTSkip("license database not available (run scripts/setup.sh): \(error)")
        }
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static func check(_ root: String, policy: BoundaryPolicy = BoundaryPolicy(), binaries: [String] = [],
                      references: [String] = [], clones: Bool = true) throws -> BoundaryReport {
        let database = try database()
        let cache = NSTemporaryDirectory() + "candor-boundaries-cache-\(getpid())"
        let scan = try Scanner(database: database, options: ScanOptions(jobs: 2, cacheDirectory: cache, binaries: binaries))
            .scan(root: root)
        let options = BoundaryCheckOptions(binaries: binaries, references: references, detectClones: clones,
                                           cacheDirectory: cache, jobs: 2)
        return try BoundaryChecker(policy: policy, report: scan, database: database, options: options).check()
    }

    static func compile(_ sources: [String], in root: URL, output: String, flags: [String] = []) throws {
        let cc = "/usr/bin/cc"
        guard FileManager.default.isExecutableFile(atPath: cc) else { throw XCTSkip("no C compiler at \(cc)") }
        try runTool([cc] + flags + sources + ["-o", output], in: root)
    }
}
