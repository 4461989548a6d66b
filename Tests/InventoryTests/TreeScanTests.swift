// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Inventory

/// Scans the fake project outside git, with the hostile parts added at test time.
final class TreeScanTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    private func hostileProject() throws -> String {
        let root = try TestSupport.copyFakeProject()
        try TestSupport.write("ignored\n", to: root + "/build/output.txt")
        try TestSupport.write("ignored\n", to: root + "/debug.log")
        try TestSupport.write("kept by a negated pattern\n", to: root + "/keep.log")
        try TestSupport.writeBytes([0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 2, 3] + Array(repeating: 0xAB, count: 100), to: root + "/assets/logo.bin")
        // Latin-1 text: mostly ASCII, so text, but not valid UTF-8.
        try TestSupport.writeBytes(Array("// \(spdxLicense) MIT\n// Copyright 2020 Ren".utf8) + [0xE9] + Array(" Dupont\n".utf8),
                                   to: root + "/src/latin1.c")
        try TestSupport.write("// \(spdxLicense) Not-A-Real-License\n\n# \(spdxLicense) MIT AND (\n",
                              to: root + "/src/bad_tags.sh")
        // A file name that is not UTF-8.
        let hostile = Array((root + "/src/bad-").utf8) + [0xFF, 0xFE] + Array(".txt".utf8)
        let fd = open(hostile.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = write(fd, "hostile\n", 8)
        close(fd)
        try FileManager.default.createSymbolicLink(atPath: root + "/loop-a", withDestinationPath: "loop-b")
        try FileManager.default.createSymbolicLink(atPath: root + "/loop-b", withDestinationPath: "loop-a")
        try FileManager.default.createSymbolicLink(atPath: root + "/etc-link", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: root + "/src-link", withDestinationPath: "src")
        // A nested REUSE.toml: paths relative to its directory; closer than the root's.
        try TestSupport.write("version = 1\n[[annotations]]\npath = \"*.json\"\nSPDX-License-Identifier = \"MIT\"\n",
                              to: root + "/data/nested/REUSE.toml")
        try TestSupport.write("{}\n", to: root + "/data/nested/inner.json")
        try TestSupport.write("secret\n", to: root + "/secret.txt")
        chmod(root + "/secret.txt", 0)
        return root
    }

    /// Root reads a chmod-000 file anyway, so there the reader is told to refuse it.
    private func refusingReader(_ name: String) -> FileReader {
        FileReader { path in
            if getuid() == 0 && path.display.hasSuffix("/" + name) {
                throw FileAccessError(operation: "open", path: path.display, code: .EACCES)
            }
            return try SystemFileStream(path)
        }
    }

    /// A tree outside git (a source drop) is what gets distributed: scanned whole unless
    /// asked to apply its .gitignore files; leaving most of it out is said on stderr.
    func testSourceDropScannedWhole() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.temporaryDirectory()
        try TestSupport.write("/*\n!/debian/\n", to: root + "/.gitignore")
        for name in ["a.c", "b.c", "c.c"] { try TestSupport.write("int x;\n", to: root + "/src/" + name) }
        try TestSupport.write("x\n", to: root + "/debian/rules")
        let whole = try Scanner(database: database, options: TestSupport.options()).scan(root: root)
        XCTAssertEqual(whole.files.map(\.path), [".gitignore", "debian/rules", "src/a.c", "src/b.c", "src/c.c"])
        XCTAssertTrue(whole.findings("most-of-tree-ignored").isEmpty)
        let ignoring = try Scanner(database: database, options: TestSupport.options(respectGitignore: true)).scan(root: root)
        XCTAssertEqual(ignoring.files.map(\.path), ["debian/rules"])
        XCTAssertEqual(ignoring.findings("most-of-tree-ignored").count, 1, "\(ignoring.findings)")
    }

    func testScanOfFakeProject() throws {
        let database = try TestSupport.database()
        let root = try hostileProject()
        let report = try Scanner(database: database, options: TestSupport.options(reader: refusingReader("secret.txt"),
                                                                                   respectGitignore: true)).scan(root: root)

        let paths = report.files.map(\.path)
        XCTAssertEqual(paths, paths.sorted(), "files sorted by path")
        XCTAssertFalse(paths.contains("build/output.txt"), "ignored directory")
        XCTAssertFalse(paths.contains("debug.log"), "ignored by *.log")
        XCTAssertTrue(paths.contains("keep.log"), "re-included by !keep.log")
        XCTAssertTrue(paths.contains(".gitignore"))
        XCTAssertFalse(paths.contains { $0.hasPrefix("loop-") || $0.hasPrefix("src-link") }, "links are not files")
        XCTAssertEqual(report.findings("not-a-git-repository").count, 1)

        let main = try XCTUnwrap(report.file("src/main.c"))
        XCTAssertEqual(main.licenseTags, ["MIT"])
        XCTAssertEqual(main.copyrights, ["Copyright (C) 2020 Jane Doe"])
        XCTAssertFalse(main.isBinary)
        let sha256 = try TestSupport.run("/usr/bin/sha256sum", [root + "/src/main.c"]).prefix(64)
        let sha1 = try TestSupport.run("/usr/bin/sha1sum", [root + "/src/main.c"]).prefix(40)
        XCTAssertEqual(main.sha256, String(sha256))
        XCTAssertEqual(main.sha1, String(sha1))
        XCTAssertTrue(main.licenseMatches.contains { $0.kind == .tag && $0.startLine == 1 })

        let tool = try XCTUnwrap(report.file("src/tool.py"))
        XCTAssertEqual(tool.licenseTags, ["Apache-2.0 OR MIT"])
        XCTAssertEqual(tool.copyrights, ["Copyright 2019-2021 The Fake Authors", "(c) 2021 Second Holder"])
        XCTAssertEqual(report.file("src/style.css")?.copyrights, ["© 2022 Style Person"])
        XCTAssertEqual(report.file("docs/index.md")?.copyrights, ["2020 Jane Doe", "© Jane Doe, all rights reserved."])

        XCTAssertEqual(report.file("assets/logo.bin")?.isBinary, true)
        XCTAssertEqual(report.file("assets/logo.bin")?.licenseTags, [])

        let latin1 = try XCTUnwrap(report.file("src/latin1.c"))
        XCTAssertFalse(latin1.isBinary)
        XCTAssertEqual(latin1.licenseTags, ["MIT"])
        XCTAssertEqual(latin1.copyrights, ["Copyright 2020 Ren\u{FFFD} Dupont"])
        XCTAssertEqual(report.findings("invalid-utf8").map(\.path), ["src/latin1.c"])

        // Bad tags: reported with path and line, never dropped.
        let unknown = report.findings("unknown-license-id")
        XCTAssertEqual(unknown.map(\.description), [
            "src/bad_tags.sh:1: unknown-license-id: \"Not-A-Real-License\" in \"Not-A-Real-License\" is not an SPDX license or exception id"])
        XCTAssertEqual(report.findings("malformed-license-expression").map { "\($0.path):\($0.line ?? 0)" }, ["src/bad_tags.sh:3"])
        XCTAssertEqual(report.file("src/bad_tags.sh")?.licenseTags, ["Not-A-Real-License"])

        // Hostile names and links.
        XCTAssertEqual(report.findings("non-utf8-file-name").map(\.path), ["src/bad-\u{FFFD}\u{FFFD}.txt"])
        XCTAssertNotNil(report.file("src/bad-\u{FFFD}\u{FFFD}.txt")?.sha256)
        let links = Dictionary(uniqueKeysWithValues: (report.symlinks ?? []).map { ($0.path, $0.resolution) })
        XCTAssertEqual(links, ["etc-link": .outsideTree, "loop-a": .loop, "loop-b": .loop, "src-link": .insideTree])
        XCTAssertEqual(report.findings("symlink-loop").count, 2)
        XCTAssertEqual(report.findings("symlink-outside-tree").map(\.path), ["etc-link"])

        // Unreadable: a finding, no record.
        XCTAssertEqual(report.findings("unreadable-file").map(\.path), ["secret.txt"])
        XCTAssertNil(report.file("secret.txt"))

        // REUSE.toml annotations and their precedence.
        XCTAssertEqual(report.file("data/config.json")?.reuseLicense, "CC0-1.0")
        XCTAssertEqual(report.file("data/config.json")?.reuseCopyrights, ["2021 Fake Data Inc."])
        XCTAssertEqual(report.file("data/nested/inner.json")?.reuseLicense, "MIT")
        XCTAssertEqual(report.file("src/untagged.c")?.reuseLicense, "Apache-2.0")
        XCTAssertNil(report.file("src/main.c")?.reuseLicense, "closest: the file's own tag wins")
        XCTAssertEqual(report.file("docs/override.md")?.reuseLicense, "CC-BY-4.0")
        XCTAssertEqual(report.file("docs/override.md")?.reusePrecedence, "override")

        // The tree component.
        let tree = try XCTUnwrap(report.component("tree"))
        XCTAssertEqual(tree.kind, .sourceTree)
        XCTAssertEqual(tree.name, "fake_project")
        XCTAssertEqual(tree.declaredLicense, "MIT")
        XCTAssertNil(tree.gitCommit)
        XCTAssertEqual(tree.files, paths)
        XCTAssertEqual(report.findings, report.findings.sorted())
    }

    func testScanIsDeterministic() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.copyFakeProject()
        let scanner = Scanner(database: database, options: TestSupport.options())
        XCTAssertEqual(try scanner.scan(root: root), try scanner.scan(root: root))
        var oneJob = TestSupport.options()
        oneJob.jobs = 1
        XCTAssertEqual(try Scanner(database: database, options: oneJob).scan(root: root), try scanner.scan(root: root))
    }

    func testMissingRootIsATypedError() throws {
        let database = try TestSupport.database()
        XCTAssertThrowsError(try Scanner(database: database, options: TestSupport.options()).scan(root: "/nonexistent/candor")) { error in
            XCTAssertEqual("\(error)", "scan: root /nonexistent/candor: No such file or directory")
        }
    }

    func testHugeFileIsHashedNotScanned() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.temporaryDirectory()
        let size = Int(FileAnalyzer.textLimit) + 10
        let fd = open(root + "/huge.txt", O_WRONLY | O_CREAT, 0o644)
        XCTAssertEqual(ftruncate(fd, off_t(size)), 0)
        _ = lseek(fd, 0, SEEK_SET)
        _ = write(fd, "\(spdxLicense) MIT\n", 29)  // NULs follow: probe sees a text start
        close(fd)
        // Make it text by writing non-NUL bytes over the probe area.
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: FileAnalyzer.binaryProbeSize * 2)
        let fd2 = open(root + "/huge.txt", O_WRONLY)
        _ = lseek(fd2, 29, SEEK_SET)
        _ = filler.withUnsafeBytes { write(fd2, $0.baseAddress, $0.count) }
        close(fd2)
        let report = try Scanner(database: database, options: TestSupport.options()).scan(root: root)
        let record = try XCTUnwrap(report.file("huge.txt"))
        XCTAssertEqual(record.size, UInt64(size))
        XCTAssertEqual(record.licenseTags, [], "not scanned as text")
        XCTAssertEqual(report.findings("huge-file").map(\.path), ["huge.txt"])
        let sha = try TestSupport.run("/usr/bin/sha256sum", [root + "/huge.txt"]).prefix(64)
        XCTAssertEqual(record.sha256, String(sha))
    }
}
