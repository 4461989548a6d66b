// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import SourceOffer

final class DebianSourceControlTests: XCTestCase {
    static let signed = """
    -----BEGIN PGP SIGNED MESSAGE-----
    Hash: SHA512

    Format: 3.0 (quilt)
    Source: busybox
    Binary: busybox, busybox-static
    Version: 1:1.35.0-4+deb12u1
    Package-List:
     busybox deb utils optional arch=any
     busybox-static deb shells optional arch=any
    Checksums-Sha256:
     faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694 2480624 busybox_1.35.0.orig.tar.bz2
     1cacbe095ef4880ea7879933c8e3c5075d1527cd6fbcb626a9b41e5daefd1a46 68028 busybox_1.35.0-4+deb12u1.debian.tar.xz
    Files:
     585949b1dd4292b604b7d199866e9913 2480624 busybox_1.35.0.orig.tar.bz2

    -----BEGIN PGP SIGNATURE-----

    iQIzBAEBCgAdFiEE
    -----END PGP SIGNATURE-----

    """

    func testParsesSignedDsc() throws {
        let dsc = try DebianSourceControl(text: Self.signed, file: "busybox.dsc")
        XCTAssertEqual(dsc.source, "busybox")
        XCTAssertEqual(dsc.version, "1:1.35.0-4+deb12u1")
        XCTAssertEqual(dsc.field("format"), "3.0 (quilt)")
        XCTAssertEqual(dsc.field("Package-List"), "\nbusybox deb utils optional arch=any\nbusybox-static deb shells optional arch=any")
        XCTAssertEqual(dsc.files.map(\.name), ["busybox_1.35.0.orig.tar.bz2", "busybox_1.35.0-4+deb12u1.debian.tar.xz"])
        XCTAssertEqual(dsc.files[1].size, 68028)
        XCTAssertEqual(dsc.files[0].sha256, "faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694")
    }

    func testParsesUnsignedDscWithCRLF() throws {
        let text = "Source: x\r\nVersion: 1.0-1\r\nChecksums-Sha256:\r\n \(String(repeating: "a", count: 64)) 3 x_1.0.orig.tar.gz\r\n"
        let dsc = try DebianSourceControl(text: text, file: "x.dsc")
        XCTAssertEqual(dsc.files.first?.name, "x_1.0.orig.tar.gz")
    }

    func testMalformedInputNamesTheProblem() {
        let sha = String(repeating: "b", count: 64)
        let cases: [(String, String)] = [
            ("Version: 1\nChecksums-Sha256:\n \(sha) 1 f\n", "missing field Source"),
            ("Source: x\nVersion: 1\n", "missing field Checksums-Sha256"),
            ("Source: x\nVersion: 1\nChecksums-Sha256:\n nothex 1 f\n", "malformed line"),
            ("Source: x\nVersion: 1\nChecksums-Sha256:\n \(sha) 1 ../etc/passwd\n", "not a plain file name"),
            ("Source: x\nSource: y\n", "duplicate field Source"),
            (" leading continuation\n", "continuation line before any field"),
            ("Source x\n", "expected \"Field: value\""),
            ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSource: x\n", "without a signature block"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try DebianSourceControl(text: text, file: "t.dsc")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("t.dsc"), "\(error)")
            }
        }
    }
}

final class SourceObligationPolicyTests: XCTestCase {
    let policy = SourceObligationPolicy(licenses: ["GPL-2.0-only", "LGPL-2.1-or-later", "MPL-2.0"])

    func testExpressions() throws {
        XCTAssertTrue(try policy.requiresSource("GPL-2.0-only", component: "c"))
        XCTAssertTrue(try policy.requiresSource("gpl-2.0-only WITH Linux-syscall-note", component: "c"))
        XCTAssertTrue(try policy.requiresSource("MIT AND GPL-2.0-only", component: "c"))
        XCTAssertFalse(try policy.requiresSource("MIT OR GPL-2.0-only", component: "c"))
        XCTAssertTrue(try policy.requiresSource("(MPL-2.0 OR LGPL-2.1-or-later) AND Apache-2.0", component: "c"))
        XCTAssertFalse(try policy.requiresSource("Apache-2.0 AND (MIT OR BSD-3-Clause)", component: "c"))
        XCTAssertEqual(try SourceObligationPolicy.ids(in: "GPL-2.0-only WITH Linux-syscall-note OR MIT", component: "c"),
                       ["GPL-2.0-only", "Linux-syscall-note", "MIT"])
        XCTAssertEqual(try SourceObligationPolicy.ids(in: "LGPL-2.1+ OR MIT", component: "c"), ["LGPL-2.1-or-later", "MIT"])
        // Deprecated ids oblige as what they stand for: `GPL-2.0` is GPL-2.0-only, `LGPL-2.1+`
        // LGPL-2.1-or-later; `GPL-2.0+` is GPL-2.0-or-later, which this policy does not list.
        XCTAssertTrue(try policy.requiresSource("GPL-2.0", component: "c"))
        XCTAssertTrue(try policy.requiresSource("LGPL-2.1+", component: "c"))
        XCTAssertFalse(try policy.requiresSource("GPL-2.0+", component: "c"))
    }

    func testBadExpressionsAreErrors() {
        for bad in ["", "MIT AND", "(MIT", "MIT)", "GPL-2.0-only WITH", "MIT / GPL", "AND MIT"] {
            XCTAssertThrowsError(try policy.requiresSource(bad, component: "comp"), bad) { error in
                XCTAssertTrue("\(error)".contains("component comp"), "\(error)")
                XCTAssertTrue("\(error)".contains("column") || bad.isEmpty, "\(error)")
            }
        }
    }

    func testRepositoryPolicyFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let policy = try SourceObligationPolicy(policyFile: root + "/licenses/policy.toml")
        for id in ["GPL-2.0-only", "GPL-3.0-or-later", "LGPL-2.1-only", "AGPL-3.0-only", "MPL-2.0", "EPL-2.0", "CDDL-1.0"] {
            XCTAssertTrue(try policy.requiresSource(id, component: id), id)
        }
        for id in ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"] {
            XCTAssertFalse(try policy.requiresSource(id, component: id), id)
        }
        let release = try ReleaseDescription(file: root + "/hypervisor/release.toml")
        XCTAssertEqual(release.offerYears, 3)
        XCTAssertEqual(release.offerValidUntil, "2029-11-21")
        XCTAssertEqual(release.parts.first?.name, "candor-drivers")
    }
}
