// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Licensing
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
        guard let toolchain = SwiftToolchain.locate() else { throw XCTSkip("no swift on PATH") }
        let swiftc = toolchain + "/usr/bin/swiftc"
        let root = try TestSupport.temporaryDirectory() + "/swiftapp"
        // The module is named like the package's module, so its symbols are `$s14ArgumentParser...`;
        // -g: the DWARF producer is the "Swift version" string that gives the runtime's version.
        try TestSupport.write("public struct Greeter { public init() {} ; public func hi() -> String { \"hi\" } }\nprint(Greeter().hi())\n",
                              to: root + "/main.swift")
        try TestSupport.write("{\"pins\": [{\"identity\": \"swift-argument-parser\", \"location\": \"https://github.com/apple/swift-argument-parser\", \"state\": {\"version\": \"1.8.2\", \"revision\": \"436bde4bb9489201ca6662f5cf94ec45fa8e244e\"}}], \"version\": 2}",
                              to: root + "/Package.resolved")
        try FileManager.default.createDirectory(atPath: root + "/.build/checkouts/swift-argument-parser/Sources/ArgumentParser",
                                                withIntermediateDirectories: true)
        try TestSupport.run(swiftc, ["-static-stdlib", "-g", "-module-name", "ArgumentParser", "-o", root + "/.build/app", root + "/main.swift"],
                            in: root)
        var options = TestSupport.options()
        options.binaries = [root + "/.build/app"]
        let report = try Scanner(database: database, options: options).scan(root: root)
        let app = try XCTUnwrap(report.component("binary:.build/app"))
        XCTAssertTrue(app.relationships.contains(.init(.staticLink, "swift:swift-argument-parser")), "\(app.relationships)")
        XCTAssertTrue(app.relationships.contains(.init(.staticLink, "toolchain:swift-stdlib")), "\(app.relationships)")
        let stdlib = try XCTUnwrap(report.component("toolchain:swift-stdlib"))
        XCTAssertEqual(stdlib.declaredLicense.map { $0.hasPrefix("Apache-2.0") }, fileExists(toolchain + "/usr/share/swift/LICENSE.txt") ? true : nil)
        XCTAssertEqual(stdlib.distribution, .distributed)
        XCTAssertNotNil(stdlib.version)
        XCTAssertTrue(stdlib.comment?.contains("\"Swift version\" string in .build/app") == true, stdlib.comment ?? "")
    }

    // MARK: - Toolchain facts: version from the binary, license from the toolchain's file

    /// A toolchain at `<dir>/tc`: a `usr/bin/swift` that prints `Swift version 1.2.3`, and
    /// (unless `license` is nil) `usr/share/swift/LICENSE.txt`.
    private func fakeToolchain(license: String?) throws -> String {
        let toolchain = try TestSupport.temporaryDirectory() + "/tc"
        try TestSupport.write("#!/bin/sh\necho 'Swift version 1.2.3 (swift-1.2.3-RELEASE)'\necho 'Target: x86_64-unknown-linux-gnu'\n",
                              to: toolchain + "/usr/bin/swift")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: toolchain + "/usr/bin/swift")
        if let license { try TestSupport.write(license, to: toolchain + "/usr/share/swift/LICENSE.txt") }
        return toolchain
    }

    /// A C program in `root` that defines `swift_retain` (so the Swift runtime counts as
    /// linked in statically) and carries `versionString` the way a compiler leaves it.
    private func fakeSwiftBinary(_ root: String, _ name: String, versionString: String?) throws {
        guard FileManager.default.isExecutableFile(atPath: cc) else { throw XCTSkip("no C compiler at \(cc)") }
        let producer = versionString.map { "const char producer[] = \"\($0)\";\n" } ?? ""
        try TestSupport.write("// \(spdxLicense) MIT\n\(producer)void swift_retain(void) {}\nint main(void) { return 0; }\n",
                              to: "\(root)/\(name).c")
        try TestSupport.run(cc, ["-o", "\(root)/\(name)", "\(root)/\(name).c"])
    }

    private static let mitText = """
        Permission is hereby granted, free of charge, to any person obtaining a copy of this software and \
        associated documentation files (the "Software"), to deal in the Software without restriction, including \
        without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell \
        copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the \
        following conditions:

        The above copyright notice and this permission notice shall be included in all copies or substantial \
        portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT \
        LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO \
        EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER \
        IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR \
        THE USE OR OTHER DEALINGS IN THE SOFTWARE.

        """

    private func scannedStdlib(binaries: [String], toolchain: String?, root: String) throws -> (Component, ScanReport) {
        var options = TestSupport.options()
        options.binaries = binaries.map { "\(root)/\($0)" }
        options.system = try system(listing: "")
        options.system.swiftToolchain = toolchain
        let report = try Scanner(database: try TestSupport.database(), options: options).scan(root: root)
        return (try XCTUnwrap(report.component("toolchain:swift-stdlib"), "\(report.components.map(\.id))"), report)
    }

    func testToolchainVersionComesFromTheBinary() throws {
        let root = try TestSupport.temporaryDirectory() + "/app"
        try fakeSwiftBinary(root, "new", versionString: "Swift version 9.8.7 (swift-9.8.7-RELEASE)")
        try fakeSwiftBinary(root, "other", versionString: "Swift version 9.9.0 (swift-9.9.0-RELEASE)")
        try fakeSwiftBinary(root, "plain", versionString: nil)
        let toolchain = try fakeToolchain(license: Self.mitText)

        // The binary's own string wins over the toolchain's `swift --version` (1.2.3).
        var (stdlib, report) = try scannedStdlib(binaries: ["new"], toolchain: toolchain, root: root)
        XCTAssertEqual(stdlib.version, "9.8.7")
        XCTAssertTrue(stdlib.comment?.contains("version from the \"Swift version\" string in new") == true, stdlib.comment ?? "")

        // No string in the binary: the toolchain's `swift --version`, and the comment says so.
        (stdlib, report) = try scannedStdlib(binaries: ["plain"], toolchain: toolchain, root: root)
        XCTAssertEqual(stdlib.version, "1.2.3")
        XCTAssertTrue(stdlib.comment?.contains("version from \(toolchain)/usr/bin/swift --version") == true, stdlib.comment ?? "")

        // Two binaries built by different versions: neither is picked, both are named.
        (stdlib, report) = try scannedStdlib(binaries: ["new", "other", "plain"], toolchain: toolchain, root: root)
        XCTAssertNil(stdlib.version)
        XCTAssertTrue(stdlib.comment?.contains("9.8.7 in new; 9.9.0 in other") == true, stdlib.comment ?? "")
        XCTAssertEqual(report.findings("toolchain-version-mismatch").map(\.message), ["Swift standard library and runtime: 9.8.7 in new; 9.9.0 in other"])

        // No toolchain and no string: no version, said, and no crash.
        (stdlib, report) = try scannedStdlib(binaries: ["plain"], toolchain: nil, root: root)
        XCTAssertNil(stdlib.version)
        XCTAssertNil(stdlib.declaredLicense)
        XCTAssertTrue(stdlib.comment?.contains("no Swift toolchain found") == true, stdlib.comment ?? "")
    }

    func testToolchainLicenseIsDetectedInItsLicenseFile() throws {
        let root = try TestSupport.temporaryDirectory() + "/app"
        try fakeSwiftBinary(root, "app", versionString: "Swift version 9.8.7 (swift-9.8.7-RELEASE)")
        let licensed = try fakeToolchain(license: Self.mitText)
        var (stdlib, _) = try scannedStdlib(binaries: ["app"], toolchain: licensed, root: root)
        XCTAssertEqual(stdlib.declaredLicense, "MIT")
        XCTAssertTrue(stdlib.comment?.contains("license detected in \(licensed)/usr/share/swift/LICENSE.txt") == true, stdlib.comment ?? "")

        let unlicensed = try fakeToolchain(license: nil)
        (stdlib, _) = try scannedStdlib(binaries: ["app"], toolchain: unlicensed, root: root)
        XCTAssertNil(stdlib.declaredLicense, "no license file: NOASSERTION, not a guess")
        XCTAssertTrue(stdlib.comment?.contains("no \(unlicensed)/usr/share/swift/LICENSE.txt: license not asserted") == true,
                      stdlib.comment ?? "")
    }

    func testToolchainIsTheOneOfSwiftOnPath() throws {
        let toolchain = try fakeToolchain(license: nil)
        let real = try XCTUnwrap(resolvedPath(RawPath(toolchain)).value?.display)
        // A link in PATH (as /usr/local/bin/swift often is) leads to the toolchain it points into.
        let bin = try TestSupport.temporaryDirectory() + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/swift", withDestinationPath: toolchain + "/usr/bin/swift")
        XCTAssertEqual(SwiftToolchain.locate(searchPath: "/nonexistent:\(bin)"), real)
        XCTAssertEqual(SwiftToolchain.locate(searchPath: toolchain + "/usr/bin"), real)
        XCTAssertNil(SwiftToolchain.locate(searchPath: "/nonexistent"))
        // A swift that is not `<root>/usr/bin/swift` names no toolchain.
        let loose = try TestSupport.temporaryDirectory() + "/loose"
        try TestSupport.write("#!/bin/sh\n", to: loose + "/swift")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: loose + "/swift")
        XCTAssertNil(SwiftToolchain.locate(searchPath: loose))
    }

    func testVersionStringsInBytes() {
        let bytes = Array("x\0Swift version \0Swift version 6.3.1 (swift-6.3.1-RELEASE)\0y\0Swift version 6.3.1 (swift-6.3.1-RELEASE)\0".utf8)
        XCTAssertEqual(SwiftToolchain.versionStrings(in: bytes), ["Swift version 6.3.1 (swift-6.3.1-RELEASE)"])
        XCTAssertEqual(SwiftToolchain.version(in: "Swift version 6.3.1 (swift-6.3.1-RELEASE)\nTarget: x"), "6.3.1")
        XCTAssertNil(SwiftToolchain.version(in: "the \"Swift version\" string"))
    }

    // MARK: - License indexes: the data a binary loads, or a file of the tree

    /// The header `candor license-index` writes (magic, format, key, data version), then bytes.
    private func fakeIndex(_ path: String, dataVersion: String) throws {
        var writer = BinaryWriter()
        for b in Array("CANDORLI".utf8) { writer.write(b) }
        writer.write(UInt32(1))
        writer.write(UInt64(0))
        writer.write(string: dataVersion)
        writer.write(array: [UInt8](repeating: 0, count: 64))
        try TestSupport.writeBytes(writer.bytes, to: path)
    }

    /// A C program; with `usesLicensing` it defines a symbol of Swift module Licensing
    /// (`$s9Licensing...`), as a program that links candor's license database does.
    private func program(_ path: String, usesLicensing: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: cc) else { throw XCTSkip("no C compiler at \(cc)") }
        let symbol = usesLicensing ? "void load(void) __asm__(\"$s9Licensing15LicenseDatabaseC4loadyyFZ\");\nvoid load(void) {}\n" : ""
        try TestSupport.write("\(symbol)int main(void) { return 0; }\n", to: path + ".c")
        try TestSupport.run(cc, ["-o", path, path + ".c"])
    }

    func testLicenseIndexBesideABinaryThatLoadsItIsItsData() throws {
        let base = try TestSupport.temporaryDirectory()
        try TestSupport.write("// \(spdxLicense) MIT\nint x;\n", to: base + "/tree/a.c")
        try program(base + "/tools/user", usesLicensing: true)
        try program(base + "/tools/plain", usesLicensing: false)
        try fakeIndex(base + "/tools/licenses.index", dataVersion: "licensedcode-data 99.1.0")
        var options = TestSupport.options()
        options.binaries = [base + "/tools/user", base + "/tools/plain"]
        options.system = try system(listing: "")
        var report = try Scanner(database: try TestSupport.database(), options: options).scan(root: base + "/tree")
        let data = try XCTUnwrap(report.component("data:licensedcode-data"), "\(report.components.map(\.id))")
        XCTAssertEqual(data.version, "99.1.0", "the version the index states")
        XCTAssertEqual(data.declaredLicense, "CC-BY-4.0")
        XCTAssertEqual(data.location, base + "/tools/licenses.index")
        XCTAssertNotNil(data.checksums["SHA256"])
        XCTAssertTrue(report.component("binary:\(base)/tools/user")?.relationships.contains(.init(.dependsOn, data.id)) == true)
        XCTAssertFalse(report.component("binary:\(base)/tools/plain")?.relationships.contains(.init(.dependsOn, data.id)) == true,
                       "a program without the license database's code does not load the index")

        // Without the index, or without a program that loads it, there is no license data.
        options.binaries = [base + "/tools/plain"]
        report = try Scanner(database: try TestSupport.database(), options: options).scan(root: base + "/tree")
        XCTAssertNil(report.component("data:licensedcode-data"))
        try FileManager.default.removeItem(atPath: base + "/tools/licenses.index")
        options.binaries = [base + "/tools/user"]
        report = try Scanner(database: try TestSupport.database(), options: options).scan(root: base + "/tree")
        XCTAssertNil(report.component("data:licensedcode-data"))
    }

    func testLicenseIndexShippedOrInTheTreeIsData() throws {
        let base = try TestSupport.temporaryDirectory()
        try TestSupport.write("// \(spdxLicense) MIT\nint x;\n", to: base + "/tree/a.c")
        // Known by its header, whatever its name.
        try fakeIndex(base + "/tree/share/rules.dat", dataVersion: "licensedcode-data 99.2.0")
        try fakeIndex(base + "/shipped.index", dataVersion: "licensedcode-data 99.2.0")
        var options = TestSupport.options()
        options.binaries = [base + "/shipped.index"]
        options.system = try system(listing: "")
        let report = try Scanner(database: try TestSupport.database(), options: options).scan(root: base + "/tree")
        XCTAssertEqual(report.findings("corrupt-elf"), [], "an index given as a shipped file is data, not a broken program")
        XCTAssertNil(report.component("binary:\(base)/shipped.index"))
        let data = try XCTUnwrap(report.component("data:licensedcode-data"), "\(report.components.map(\.id))")
        XCTAssertEqual(data.version, "99.2.0")
        XCTAssertEqual(data.location, base + "/shipped.index\nshare/rules.dat", "the same file (same SHA-256) is one component")
        XCTAssertTrue(report.component("tree")?.relationships.contains(.init(.contains, data.id)) == true)

        // Only in the tree.
        options.binaries = []
        let treeOnly = try Scanner(database: try TestSupport.database(), options: options).scan(root: base + "/tree")
        XCTAssertEqual(treeOnly.component("data:licensedcode-data")?.location, "share/rules.dat")
        XCTAssertEqual(treeOnly.component("data:licensedcode-data")?.version, "99.2.0")
        XCTAssertTrue(treeOnly.component("tree")?.relationships.contains(.init(.contains, "data:licensedcode-data")) == true)
    }
}
