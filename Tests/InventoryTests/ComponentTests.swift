// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Licensing
import XCTest
@testable import Inventory

/// Components: dpkg, declared components, Swift packages, ELF binaries and what they link.
final class ComponentTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    /// The fixture dpkg database copied to a temporary directory, with `info/*.list` files.
    private func fakeDpkg(lists: [String: [String]]) throws -> SystemLayout {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: TestSupport.fixtures + "/dpkg", toPath: dir + "/dpkg")
        for (package, files) in lists {
            try TestSupport.write(files.joined(separator: "\n") + "\n", to: "\(dir)/dpkg/info/\(package).list")
        }
        return SystemLayout(dpkgDirectory: dir + "/dpkg", documentationDirectory: TestSupport.fixtures + "/doc")
    }

    func testDpkgDatabase() throws {
        let system = try fakeDpkg(lists: ["libfake1:amd64": ["/usr/lib/x86_64-linux-gnu/libfake.so.1"]])
        let dpkg = try DpkgDatabase(directory: system.dpkgDirectory)
        let fake = try XCTUnwrap(dpkg.package(named: "libfake1"))
        XCTAssertEqual(fake.version, "1.2-3+b1")
        XCTAssertEqual(fake.sourceName, "fakelib")
        XCTAssertEqual(fake.sourceVersion, "1.2-3")
        XCTAssertEqual(fake.purl, "pkg:deb/debian/libfake1@1.2-3%2Bb1?arch=amd64")
        XCTAssertEqual(dpkg.package(named: "busybox-static")?.sourceVersion, "1:1.35.0-4+b1", "no version in Source: the binary's")
        XCTAssertNil(dpkg.package(named: "removed-package"), "config-files only is not installed")
        XCTAssertEqual(dpkg.owner(ofFile: "/lib/x86_64-linux-gnu/libfake.so.1")?.name, "libfake1", "merged-/usr alias")
        XCTAssertNil(dpkg.owner(ofFile: "/lib/x86_64-linux-gnu/libother.so.1"))
        XCTAssertThrowsError(try DpkgDatabase(directory: "/nonexistent/dpkg"))
    }

    func testDeclaredComponents() throws {
        let database = try TestSupport.database()
        let system = try fakeDpkg(lists: [:])
        var findings: [Finding] = []
        let components = DeclaredComponents.load(TestSupport.fixtures + "/components.toml", root: "/tree", system: system,
                                                 database: database, findings: &findings)
        XCTAssertEqual(components.map(\.id), ["declared:busybox", "declared:firmware-blob"])
        let busybox = components[0]
        XCTAssertEqual(busybox.version, "1:1.35.0-4+b1")
        XCTAssertEqual(busybox.purl, "pkg:deb/debian/busybox-static@1:1.35.0-4%2Bb1?arch=amd64")
        XCTAssertEqual(busybox.sourcePackage, "busybox")
        XCTAssertEqual(busybox.declaredLicense, "GPL-2.0-only AND GPL-2.0-or-later AND (LicenseRef-Debian-BSD-4-clause-like OR MIT)")
        XCTAssertEqual(busybox.concludedLicense, "GPL-2.0-only")
        XCTAssertEqual(busybox.distribution, .distributed)
        XCTAssertEqual(busybox.location, "demo guest initramfs: /bin/busybox")
        XCTAssertEqual(components[1].distribution, .providedByPlatform)
        XCTAssertEqual(components[1].downloadLocation, "https://example.org/firmware-1.0.tar.gz")
        XCTAssertEqual(findings.map(\.rule), ["package-not-installed"])
        XCTAssertTrue(findings.first?.message.contains("not-installed-package") == true)

        // Bad files give findings, not crashes.
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("[[component]\nname = ", to: dir + "/broken.toml")
        try TestSupport.write("[[component]]\nname = \"x\"\norigin = \"ftp:x\"\n[[component]]\norigin = \"debian:x\"\n", to: dir + "/bad.toml")
        var more: [Finding] = []
        XCTAssertEqual(DeclaredComponents.load(dir + "/broken.toml", root: dir, system: system, database: database, findings: &more).count, 0)
        XCTAssertEqual(DeclaredComponents.load(dir + "/bad.toml", root: dir, system: system, database: database, findings: &more).count, 0)
        XCTAssertEqual(more.map(\.rule), ["malformed-components-file", "malformed-components-file", "malformed-components-file"])
        XCTAssertNotNil(more.first?.line)
    }

    func testRepositoryComponentsFile() throws {
        // hypervisor/components.toml of this repository, against this machine's dpkg.
        let database = try TestSupport.database()
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        guard fileExists("/var/lib/dpkg/status") else { throw XCTSkip("no dpkg database on this system") }
        var findings: [Finding] = []
        let components = DeclaredComponents.load(repo + "/hypervisor/components.toml", root: repo, system: SystemLayout(),
                                                 database: database, findings: &findings)
        if findings.contains(where: { $0.rule == "package-not-installed" }) {
            throw XCTSkip("busybox-static not installed (scripts/setup.sh installs it)")
        }
        XCTAssertEqual(findings, [])
        let busybox = try XCTUnwrap(components.first { $0.name == "busybox" })
        XCTAssertEqual(busybox.sourcePackage, "busybox")
        XCTAssertNotNil(busybox.version)
        XCTAssertEqual(busybox.distribution, .distributed)
    }

    func testSwiftPackages() throws {
        let database = try TestSupport.database()
        let root = try TestSupport.temporaryDirectory() + "/demo"
        try TestSupport.write("// swift-tools-version:6.1\nimport PackageDescription\nlet package = Package(\n    name: \"Demo\",\n    targets: [])\n",
                              to: root + "/Package.swift")
        try TestSupport.write(".build/\n", to: root + "/.gitignore")
        try TestSupport.write("""
        {"pins": [
          {"identity": "swift-argument-parser", "kind": "remoteSourceControl",
           "location": "https://github.com/apple/swift-argument-parser",
           "state": {"revision": "436bde4bb9489201ca6662f5cf94ec45fa8e244e", "version": "1.8.2"}},
          {"identity": "tomlkit", "kind": "remoteSourceControl", "location": "git@github.com:LebJe/TOMLKit.git",
           "state": {"revision": "ec6198d37d495efc6acd4dffbd262cdca7ff9b3f", "version": "0.6.0"}}],
         "version": 2}
        """, to: root + "/Package.resolved")
        let mit = try readTextFile(TestSupport.fixtures + "/fake_project/LICENSE")
        try TestSupport.write(mit, to: root + "/.build/checkouts/swift-argument-parser/LICENSE.txt")
        try FileManager.default.createDirectory(atPath: root + "/.build/checkouts/swift-argument-parser/Sources/ArgumentParser",
                                                withIntermediateDirectories: true)
        let report = try Scanner(database: database, options: TestSupport.options(respectGitignore: true)).scan(root: root)
        XCTAssertEqual(report.component("tree")?.name, "Demo")
        XCTAssertEqual(report.component("tree")?.relationships,
                       [.init(.dependsOn, "swift:swift-argument-parser"), .init(.dependsOn, "swift:tomlkit")])
        let parser = try XCTUnwrap(report.component("swift:swift-argument-parser"))
        XCTAssertEqual(parser.purl, "pkg:swift/github.com/apple/swift-argument-parser@1.8.2")
        XCTAssertEqual(parser.version, "1.8.2")
        XCTAssertEqual(parser.declaredLicense, "MIT")
        XCTAssertEqual(parser.downloadLocation, "git+https://github.com/apple/swift-argument-parser@436bde4bb9489201ca6662f5cf94ec45fa8e244e")
        XCTAssertEqual(report.component("swift:tomlkit")?.purl, "pkg:swift/github.com/LebJe/TOMLKit@0.6.0")
        XCTAssertEqual(report.findings("missing-checkout").map(\.message).count, 1)
        XCTAssertFalse(report.files.contains { $0.path.hasPrefix(".build/") })

        // Format 1 and garbage.
        let v1 = try SwiftPackages.parseResolved(Array("""
        {"object": {"pins": [{"package": "Yams", "repositoryURL": "https://github.com/jpsim/Yams.git",
          "state": {"branch": null, "revision": "abc", "version": "5.0.0"}}]}, "version": 1}
        """.utf8))
        XCTAssertEqual(v1.map(\.identity), ["yams"])
        XCTAssertEqual(v1.first?.purlPath, "github.com/jpsim/Yams")
        XCTAssertThrowsError(try SwiftPackages.parseResolved(Array("{\"version\": 9}".utf8)))
        XCTAssertThrowsError(try SwiftPackages.parseResolved(Array("[1,2".utf8)))
    }

    func testLicenseDatabaseComponent() throws {
        let database = try TestSupport.database()
        let data = licenseDataComponent(dataVersion: database.dataVersion)
        XCTAssertEqual(data.kind, .data)
        XCTAssertEqual(data.declaredLicense, "CC-BY-4.0")
        XCTAssertEqual("\(data.name) \(data.version ?? "")", database.dataVersion)
        XCTAssertNil(licenseDataComponent(dataVersion: "licensedcode-data (version unknown)").version)
    }
}
