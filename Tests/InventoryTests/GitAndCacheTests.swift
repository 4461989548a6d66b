// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Inventory
@testable import Licensing

final class GitAndCacheTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    private let git = "/usr/bin/git"

    private func gitRepository() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: git) else { throw XCTSkip("git CLI not installed") }
        let root = try TestSupport.copyFakeProject()
        for args in [["init", "-q", "-b", "main"], ["config", "user.email", "t@example.org"], ["config", "user.name", "T"],
                     ["config", "commit.gpgsign", "false"], ["add", "."], ["commit", "-q", "-m", "first"]] {
            try TestSupport.run(git, args, in: root)
        }
        return root
    }

    func testGitWorkTree() throws {
        let database = try TestSupport.database()
        let root = try gitRepository()
        let scanner = Scanner(database: database, options: TestSupport.options())
        let head = try TestSupport.run(git, ["rev-parse", "HEAD"], in: root).trimmingCharacters(in: .whitespacesAndNewlines)

        var report = try scanner.scan(root: root)
        var tree = try XCTUnwrap(report.component("tree"))
        XCTAssertEqual(tree.gitCommit, head)
        XCTAssertEqual(tree.gitDirty, false)
        XCTAssertEqual(tree.version, String(head.prefix(7)), "no tag: short commit")
        XCTAssertTrue(report.findings("not-a-git-repository").isEmpty)
        XCTAssertTrue(report.files.contains { $0.path == "src/main.c" })

        try TestSupport.run(git, ["tag", "v1.0"], in: root)
        report = try scanner.scan(root: root)
        XCTAssertEqual(report.component("tree")?.version, "v1.0")

        // Ignored and untracked files; then a change makes the tree dirty.
        try TestSupport.write("ignored\n", to: root + "/build/out.txt")
        try TestSupport.write("ignored\n", to: root + "/trace.log")
        try TestSupport.write("new\n", to: root + "/src/new.c")
        report = try scanner.scan(root: root)
        let paths = report.files.map(\.path)
        XCTAssertTrue(paths.contains("src/new.c"), "untracked, not ignored")
        XCTAssertFalse(paths.contains("build/out.txt"))
        XCTAssertFalse(paths.contains("trace.log"))
        XCTAssertFalse(paths.contains { $0.hasPrefix(".git/") })
        XCTAssertEqual(report.component("tree")?.gitDirty, true)

        try TestSupport.run(git, ["add", "src/new.c"], in: root)
        try TestSupport.run(git, ["commit", "-q", "-m", "second"], in: root)
        let short = try TestSupport.run(git, ["rev-parse", "--short=7", "HEAD"], in: root).trimmingCharacters(in: .whitespacesAndNewlines)
        report = try scanner.scan(root: root)
        tree = try XCTUnwrap(report.component("tree"))
        XCTAssertEqual(tree.version, "v1.0-1-g\(short)")
        XCTAssertEqual(tree.gitDirty, false)

        // An ignored directory of the work tree is walked as a plain tree.
        report = try scanner.scan(root: root + "/build")
        XCTAssertEqual(report.files.map(\.path), ["out.txt"])
        XCTAssertNil(report.component("tree")?.gitCommit)

        // A subdirectory of the work tree: paths relative to it.
        report = try scanner.scan(root: root + "/src")
        XCTAssertTrue(report.files.contains { $0.path == "main.c" })
        XCTAssertFalse(report.files.contains { $0.path.hasPrefix("src/") })
    }

    func testSecondScanReadsNoFile() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.copyFakeProject()
        let cache = try TestSupport.temporaryDirectory() + "/cache"

        let first = CountingReader()
        let report1 = try Scanner(database: database, options: TestSupport.options(cache: cache, reader: first.reader)).scan(root: root)
        XCTAssertEqual(first.opened.count, report1.files.count)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ScanCache.file(directory: cache, root: report1.root, shard: 0)))

        let second = CountingReader()
        let report2 = try Scanner(database: database, options: TestSupport.options(cache: cache, reader: second.reader)).scan(root: root)
        XCTAssertEqual(second.opened, [], "unchanged files come from the cache")
        XCTAssertEqual(report1, report2)

        // A changed file (same size, new content) is read again, and only it.
        try TestSupport.write("// \(spdxLicense) MIT\n/* Copyright (C) 2020 Jane Doe */\n#include <stdio.h>\n\nint main(void) { puts(\"FAKE\"); return 0; }\n",
                              to: root + "/src/main.c")
        let third = CountingReader()
        let report3 = try Scanner(database: database, options: TestSupport.options(cache: cache, reader: third.reader)).scan(root: root)
        XCTAssertEqual(third.opened.map { ($0 as NSString).lastPathComponent }, ["main.c"])
        XCTAssertNotEqual(report3.file("src/main.c")?.sha256, report1.file("src/main.c")?.sha256)

        // Damaged cache files are ignored, not fatal.
        for shard in 0..<ScanCache.shardCount {
            try TestSupport.write("{not json", to: ScanCache.file(directory: cache, root: report1.root, shard: shard))
        }
        let fourth = CountingReader()
        XCTAssertEqual(try Scanner(database: database, options: TestSupport.options(cache: cache, reader: fourth.reader)).scan(root: root).files.count,
                       report1.files.count)
        XCTAssertEqual(fourth.opened.count, report1.files.count)
    }

    func testUnchangedTreeNeedsNoLicenseDatabase() throws {
        let database = try TestSupport.database()
        // No REUSE annotations or Package.resolved, which would need the database.
        let root = try TestSupport.temporaryDirectory() + "/tree"
        try TestSupport.write("// \(spdxLicense) MIT\nint main(void) { return 0; }\n", to: root + "/src/main.c")
        try TestSupport.write("Permission is hereby granted, free of charge, to any person\n", to: root + "/LICENSE")
        let cache = try TestSupport.temporaryDirectory() + "/cache"
        let report1 = try Scanner(database: database, options: TestSupport.options(cache: cache)).scan(root: root)

        // Same data version, but an index that cannot be read: only a file to analyse would load it.
        let missing = LazyLicenseDatabase(source: .index(path: root + "/no-such.index"), dataVersion: database.dataVersion)
        let report2 = try Scanner(database: missing, options: TestSupport.options(cache: cache)).scan(root: root)
        XCTAssertEqual(report1, report2)
        XCTAssertFalse(missing.isLoaded)

        try TestSupport.write("// \(spdxLicense) MIT\nint x;\n", to: root + "/src/new.c")
        XCTAssertThrowsError(try Scanner(database: missing, options: TestSupport.options(cache: cache)).scan(root: root))
    }

    func testCacheKeepsFindings() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.temporaryDirectory()
        try TestSupport.write("// \(spdxLicense) No-Such-License\n", to: root + "/a.c")
        let cache = root + "-cache"
        let options = TestSupport.options(cache: cache)
        let first = try Scanner(database: database, options: options).scan(root: root)
        let second = try Scanner(database: database, options: options).scan(root: root)
        XCTAssertEqual(first.findings("unknown-license-id").count, 1)
        XCTAssertEqual(first.findings, second.findings)
    }
}
