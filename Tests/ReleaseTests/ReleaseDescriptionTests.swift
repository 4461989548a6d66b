// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The pieces of `candor release` that need no network and no build: the release file's
// strictness, the written offer's wording, Built-Using parsing, embedded copyright strings.

import Foundation
import Inventory
import XCTest
@testable import Release
@testable import SourceOffer

final class ReleaseDescriptionTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let directory = NSTemporaryDirectory() + "candor-release-toml-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/release.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let minimal = """
        [release]
        product = "Hello"
        version = "1.0"
        date = "2026-12-01"
        supplier = "Example Org"
        [offer]
        contact = "Example Org"
        email = "source@example.org"
        address = ["1 Road", "Town"]

        """

    func testUnknownKeysAreErrorsNamingFileAndKey() throws {
        for (extra, key) in [("colour = \"red\"\n", "colour"),
                             ("[[part]]\nname = \"a\"\nlicense = \"MIT\"\nsources = [\"a.c\"]\nbuild = [\"make\"]\nbinaries = [\"a\"]\nbinary = [\"b\"]\n", "part[0].binary"),
                             ("[[shipped]]\ncomponent = \"z\"\nbinaries = [\"z\"]\npackge = \"zlib1g\"\n", "shipped[0].packge")] {
            // A top-level key must come before the first table.
            let text = key == "colour" ? extra + minimal : minimal + extra
            let path = try write(text)
            XCTAssertThrowsError(try ReleaseDescription(file: path)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(path), message)
                XCTAssertTrue(message.contains("unknown key \(key)"), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        XCTAssertNoThrow(try ReleaseDescription(file: try write(minimal)))
    }

    func testShippedPackageNeedsVersionAndOnePathPerBinary() throws {
        let noVersion = try write(minimal + "[[shipped]]\ncomponent = \"z\"\nbinaries = [\"z\"]\npackage = \"zlib1g\"\n")
        XCTAssertThrowsError(try ReleaseDescription(file: noVersion)) { XCTAssertTrue("\($0)".contains("package and version go together"), "\($0)") }
        let noPaths = try write(minimal + "[[shipped]]\ncomponent = \"z\"\nbinaries = [\"z\"]\npackage = \"zlib1g\"\nversion = \"1\"\n")
        XCTAssertThrowsError(try ReleaseDescription(file: noPaths)) { XCTAssertTrue("\($0)".contains("package_paths"), "\($0)") }
        let good = try ReleaseDescription(file: try write(minimal + """
            [[shipped]]
            component = "z"
            binaries = ["dist/libz.so.1"]
            package = "zlib1g"
            version = "1:1.2.13.dfsg-1"
            package_paths = ["/lib/x86_64-linux-gnu/libz.so.1.2.13"]
            installed_by = ["scripts/install.sh"]

            """))
        XCTAssertEqual(good.shipped.first?.version, "1:1.2.13.dfsg-1")
        XCTAssertEqual(good.shipped.first?.installedBy, ["scripts/install.sh"])
        XCTAssertEqual(good.supplier, "Example Org")
    }

    func testWrittenOfferNamesTheLastDistributionTheCostAndTheArchive() throws {
        let release = try ReleaseDescription(file: try write(minimal))
        let covered = [WrittenOffer.Covered(name: "hello", version: "1.0", license: "GPL-2.0-only")]
        let offer = WrittenOffer.offer(release: release, covered: covered, bundleName: "hello-1.0-source.tar.xz",
                                       sha256: String(repeating: "ab", count: 32))
        XCTAssertTrue(offer.contains("at least 3 years after we last distribute"), offer)
        XCTAssertTrue(offer.contains("2029-12-01"), offer)
        XCTAssertTrue(offer.contains("no more than our cost of physically performing"), offer)
        XCTAssertTrue(offer.contains("hello-1.0-source.tar.xz") && offer.contains("SHA-256 " + String(repeating: "ab", count: 32)), offer)
        XCTAssertTrue(offer.contains("source@example.org") && offer.contains("1 Road"), offer)
        XCTAssertTrue(offer.contains("hello 1.0 (GPL-2.0-only)"), offer)
    }

    func testBuiltUsingNeedsExactVersions() throws {
        let references = try DebianBinaryPackage.references("glibc (= 2.36-9+deb12u14), gcc-12 (= 12.2.0-14)", field: "Built-Using", deb: "x.deb")
        XCTAssertEqual(references.map(\.package), ["glibc", "gcc-12"])
        XCTAssertEqual(references.first?.version, "2.36-9+deb12u14")
        XCTAssertThrowsError(try DebianBinaryPackage.references("glibc (>= 2.36)", field: "Built-Using", deb: "x.deb")) {
            XCTAssertTrue("\($0)".contains("x.deb") && "\($0)".contains("glibc (>= 2.36)"), "\($0)")
        }
        XCTAssertTrue(DebianBinaryPackage.source("busybox (1:1.35.0-4+deb12u1)", package: "busybox-static", version: "1:1.35.0-4+deb12u1+b1")
                      == ("busybox", "1:1.35.0-4+deb12u1"))
        XCTAssertTrue(DebianBinaryPackage.source(nil, package: "zlib1g", version: "1") == ("zlib1g", "1"))
        XCTAssertEqual(DebianFacts.encode("1:1.35.0-4+deb12u1+b1"), "1%3A1.35.0-4%2Bdeb12u1%2Bb1")
    }

    func testCopyrightStringsInBinariesNameTheirHolder() {
        let icu = "Copyright (C) 2016 and later: Unicode, Inc. and others. License & terms of use: http://www.unicode.org/copyright.html "
        XCTAssertTrue(EmbeddedCode.isStatement(icu))
        XCTAssertTrue(EmbeddedCode.mentionsCopyright(icu) && EmbeddedCode.mentionsCopyright("(C) COPYRIGHT 1999")
                      && EmbeddedCode.mentionsCopyright("ccopyright"))
        XCTAssertFalse(EmbeddedCode.mentionsCopyright("copyrigh t") || EmbeddedCode.mentionsCopyright(""))
        XCTAssertEqual(EmbeddedCode.holder(icu), "Unicode, Inc. and others")
        XCTAssertFalse(EmbeddedCode.isStatement("SPDX-FileCopyrightText and copyright statements"))
        XCTAssertEqual(EmbeddedCode.holder("Copyright (c) 1998-2011 The OpenSSL Project.  All rights reserved."), "The OpenSSL Project")
        let bytes: [UInt8] = [0, 1] + Array(icu.utf8) + [0] + Array("short".utf8) + [0]
        XCTAssertEqual(EmbeddedCode.strings(bytes), [icu])
    }

    func testEmbeddedCodeNamesItsLicenseOriginatorAndTheArchiveThatSuppliedIt() throws {
        let database = try ForeignReleaseTests.database.get()
        let directory = NSTemporaryDirectory() + "candor-embedded-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let icu = "Copyright (C) 2016 and later: Unicode, Inc. and others. License & terms of use: http://www.unicode.org/copyright.html"
        let carrying = Data([0x7f, 0x45, 0x4c, 0x46, 0]) + Data(icu.utf8) + Data([0])
        try carrying.write(to: URL(fileURLWithPath: directory + "/app"))
        try carrying.write(to: URL(fileURLWithPath: directory + "/libicu.a"))
        try Data("!<arch>\n".utf8).write(to: URL(fileURLWithPath: directory + "/libother.a"))
        let toolchain = Component(id: "toolchain:foundation", kind: .toolchainLibrary, name: "Foundation", version: "9.9",
                                  supplier: "Organization: Example Toolchains", downloadLocation: "https://example.org/toolchain",
                                  distribution: .distributed)
        let inputs = [EmbeddedCode.LinkInput(archive: directory + "/libother.a", suppliedBy: toolchain),
                      EmbeddedCode.LinkInput(archive: directory + "/libicu.a", suppliedBy: toolchain)]
        let found = EmbeddedCode.find(in: [directory + "/app"], tree: directory, database: database, linkInputs: inputs)
        XCTAssertEqual(found.count, 1)
        let component = try XCTUnwrap(found.first?.component)
        XCTAssertEqual(component.declaredLicense, "LicenseRef-scancode-unicode", "the statement's own words name the license")
        XCTAssertEqual(component.supplier, "Organization: Example Toolchains")
        XCTAssertEqual(component.version, "9.9")
        XCTAssertEqual(component.originators, ["Organization: Unicode, Inc. and others"])
        XCTAssertTrue(component.comment?.contains(directory + "/libicu.a") == true, component.comment ?? "")

        let unattributed = EmbeddedCode.find(in: [directory + "/app"], tree: directory, database: database, linkInputs: [inputs[0]])
        XCTAssertNil(unattributed.first?.component.supplier, "no archive carries it: the supplier is not invented")
    }
}
