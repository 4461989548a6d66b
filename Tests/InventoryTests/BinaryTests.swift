// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Inventory

/// ELF binaries built at test time with cc (and swiftc), resolved against a fake dpkg database.
final class BinaryTests: XCTestCase {
    override func tearDown() {
        TestSupport.removeTemporaryDirectories()
        super.tearDown()
    }

    private let cc = "/usr/bin/cc"

    /// A tree with `app`, linked against `lib/libfake.so.1` (found through RUNPATH $ORIGIN/lib) and libc.
    private func builtProject() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: cc) else { throw XCTSkip("no C compiler at \(cc)") }
        let root = try TestSupport.temporaryDirectory() + "/app"
        try TestSupport.write("// \(spdxLicense) MIT\nint fake(void) { return 42; }\n", to: root + "/fake.c")
        try TestSupport.write("// \(spdxLicense) MIT\nint fake(void);\nint main(void) { return fake() - 42; }\n", to: root + "/main.c")
        try FileManager.default.createDirectory(atPath: root + "/lib", withIntermediateDirectories: true)
        try TestSupport.run(cc, ["-shared", "-fPIC", "-Wl,-soname,libfake.so.1", "-o", root + "/lib/libfake.so.1", root + "/fake.c"])
        try TestSupport.run(cc, ["-o", root + "/app", root + "/main.c", root + "/lib/libfake.so.1",
                                 "-Wl,--enable-new-dtags,-rpath,$ORIGIN/lib"])
        return root
    }

    private func system(listing libfake: String) throws -> SystemLayout {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: TestSupport.fixtures + "/dpkg", toPath: dir + "/dpkg")
        try TestSupport.write(libfake + "\n", to: dir + "/dpkg/info/libfake1:amd64.list")
        // Listed under /usr/lib, found under /lib (or the reverse): the merged-/usr alias must match.
        try TestSupport.write("/usr/lib/x86_64-linux-gnu/libc.so.6\n/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n", to: dir + "/dpkg/info/libc6:amd64.list")
        return SystemLayout(dpkgDirectory: dir + "/dpkg", documentationDirectory: TestSupport.fixtures + "/doc")
    }

    func testDynamicLibrariesBecomeDebianPackages() throws {
        let database = try TestSupport.database()
        let root = try builtProject()
        var options = TestSupport.options()
        options.binaries = [root + "/app"]
        options.system = try system(listing: root + "/lib/libfake.so.1")
        let report = try Scanner(database: database, options: options).scan(root: root)

        let app = try XCTUnwrap(report.component("binary:app"))
        XCTAssertEqual(app.kind, .binary)
        let sha = try TestSupport.run("/usr/bin/sha256sum", [root + "/app"]).prefix(64)
        XCTAssertEqual(app.checksums["SHA256"], String(sha))
        XCTAssertTrue(app.relationships.contains(.init(.generatedFrom, "tree")))
        XCTAssertTrue(app.relationships.contains(.init(.dynamicLink, "deb:libfake1:amd64")), "\(app.relationships)")
        XCTAssertTrue(app.relationships.contains(.init(.dynamicLink, "deb:libc6:amd64")), "\(app.relationships)")

        let fake = try XCTUnwrap(report.component("deb:libfake1:amd64"))
        XCTAssertEqual(fake.version, "1.2-3+b1")
        XCTAssertEqual(fake.sourcePackage, "fakelib")
        XCTAssertEqual(fake.sourceVersion, "1.2-3")
        XCTAssertEqual(fake.distribution, .providedByPlatform)
        XCTAssertEqual(fake.purl, "pkg:deb/debian/libfake1@1.2-3%2Bb1?arch=amd64")
        XCTAssertNil(fake.declaredLicense, "free-form copyright file: not asserted")
        XCTAssertTrue(fake.comment?.contains("not machine-readable") == true)
        XCTAssertEqual(report.component("deb:libc6:amd64")?.version, "2.36-9+deb12u99")
        XCTAssertEqual(report.findings("unresolved-library"), [])
        XCTAssertEqual(report.findings("unknown-library-package"), [])
    }

    func testUnknownLibraryAndMissingLibrary() throws {
        let database = try TestSupport.database()
        let root = try builtProject()
        var options = TestSupport.options()
        options.binaries = [root + "/app"]
        options.system = try system(listing: "/somewhere/else/libfake.so.1")
        var report = try Scanner(database: database, options: options).scan(root: root)
        XCTAssertEqual(report.findings("unknown-library-package").map(\.path), ["app"])
        XCTAssertTrue(report.findings("unknown-library-package").first?.message.contains("libfake.so.1") == true)

        try FileManager.default.removeItem(atPath: root + "/lib/libfake.so.1")
        report = try Scanner(database: database, options: options).scan(root: root)
        XCTAssertEqual(report.findings("unresolved-library").map { String($0.message.prefix(12)) }, ["libfake.so.1"])
    }

    func testCorruptELF() throws {
        let database = try TestSupport.database()
        let root = try builtProject()
        let good = try readSmallFile(root + "/app")
        try TestSupport.writeBytes(Array(good.prefix(64)) + [UInt8](repeating: 0xEE, count: 64), to: root + "/truncated")
        try TestSupport.writeBytes(Array("not an ELF at all".utf8), to: root + "/text")
        var options = TestSupport.options()
        options.binaries = [root + "/truncated", root + "/text", root + "/missing"]
        options.system = try system(listing: "")
        let report = try Scanner(database: database, options: options).scan(root: root)
        XCTAssertEqual(report.findings("corrupt-elf").map(\.path), ["text", "truncated"])
        XCTAssertEqual(report.findings("unreadable-binary").map(\.path), ["missing"])
        XCTAssertNotNil(report.component("binary:truncated")?.checksums["SHA1"])
    }

    func testStaticallyLinkedSwift() throws {
        let database = try TestSupport.database()
        let swiftc = "/opt/swift/usr/bin/swiftc"
        guard FileManager.default.isExecutableFile(atPath: swiftc) else { throw XCTSkip("no Swift toolchain at /opt/swift") }
        let root = try TestSupport.temporaryDirectory() + "/swiftapp"
        // The module is named like the package's module, so its symbols are `$s14ArgumentParser...`.
        try TestSupport.write("public struct Greeter { public init() {} ; public func hi() -> String { \"hi\" } }\nprint(Greeter().hi())\n",
                              to: root + "/main.swift")
        try TestSupport.write("{\"pins\": [{\"identity\": \"swift-argument-parser\", \"location\": \"https://github.com/apple/swift-argument-parser\", \"state\": {\"version\": \"1.8.2\", \"revision\": \"436bde4bb9489201ca6662f5cf94ec45fa8e244e\"}}], \"version\": 2}",
                              to: root + "/Package.resolved")
        try FileManager.default.createDirectory(atPath: root + "/.build/checkouts/swift-argument-parser/Sources/ArgumentParser",
                                                withIntermediateDirectories: true)
        try TestSupport.run(swiftc, ["-static-stdlib", "-module-name", "ArgumentParser", "-o", root + "/.build/app", root + "/main.swift"],
                            in: root)
        var options = TestSupport.options()
        options.binaries = [root + "/.build/app"]
        let report = try Scanner(database: database, options: options).scan(root: root)
        let app = try XCTUnwrap(report.component("binary:.build/app"))
        XCTAssertTrue(app.relationships.contains(.init(.staticLink, "swift:swift-argument-parser")), "\(app.relationships)")
        XCTAssertTrue(app.relationships.contains(.init(.staticLink, "toolchain:swift-stdlib")), "\(app.relationships)")
        let stdlib = try XCTUnwrap(report.component("toolchain:swift-stdlib"))
        XCTAssertEqual(stdlib.declaredLicense, "Apache-2.0 WITH Swift-exception")
        XCTAssertEqual(stdlib.distribution, .distributed)
        XCTAssertNotNil(stdlib.version)
    }
}
