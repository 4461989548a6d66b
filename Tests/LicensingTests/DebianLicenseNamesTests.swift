// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

/// Debian's copyright-format 1.0 short names (debian/copyright `License:` fields).
final class DebianLicenseNamesTests: XCTestCase {
    private func spdx(_ field: String) -> String { DebianLicenseNames.expression(field) }

    func testShortNames() {
        XCTAssertEqual(spdx("GPL-2+"), "GPL-2.0-or-later")
        XCTAssertEqual(spdx("GPL-2"), "GPL-2.0-only")
        XCTAssertEqual(spdx("LGPL-2.1+"), "LGPL-2.1-or-later")
        XCTAssertEqual(spdx("BSD-3-clause"), "BSD-3-Clause")
        XCTAssertEqual(spdx("Expat"), "MIT")
        XCTAssertEqual(spdx("public-domain"), "LicenseRef-Debian-public-domain")
        XCTAssertEqual(spdx("GFDL-NIV-1.3+"), "GFDL-1.3-no-invariants-or-later")
    }

    func testMoreShortNames() {
        XCTAssertEqual(spdx("Apache-2.0"), "Apache-2.0")
        XCTAssertEqual(spdx("GPL-3"), "GPL-3.0-only")
        XCTAssertEqual(spdx("LGPL-2+"), "LGPL-2.0-or-later")
        XCTAssertEqual(spdx("AGPL-3+"), "AGPL-3.0-or-later")
        XCTAssertEqual(spdx("GFDL-1.2"), "GFDL-1.2-only")
        XCTAssertEqual(spdx("GFDL-NIV-1.3"), "GFDL-1.3-no-invariants-only")
        XCTAssertEqual(spdx("bsd-2-clause"), "BSD-2-Clause")
        XCTAssertEqual(spdx("zlib"), "Zlib")
        XCTAssertEqual(spdx("CC0-1.0"), "CC0-1.0")
        XCTAssertEqual(spdx("Zope-2.1"), "ZPL-2.1")
        XCTAssertEqual(spdx("Perl"), "Artistic-1.0-Perl OR GPL-1.0-or-later")
        // SPDX ids written in a Debian file, deprecated ones too, are read as SPDX.
        XCTAssertEqual(spdx("GPL-2.0-or-later"), "GPL-2.0-or-later")
        XCTAssertEqual(spdx("GPL-2.0+"), "GPL-2.0-or-later")
        XCTAssertEqual(spdx("LGPL-2.1"), "LGPL-2.1-only")
    }

    func testCombinations() {
        XCTAssertEqual(spdx("GPL-2+ or Artistic"), "GPL-2.0-or-later OR Artistic-1.0-Perl")
        XCTAssertEqual(spdx("LGPL-2.1+ and GPL-2+"), "LGPL-2.1-or-later AND GPL-2.0-or-later")
        // AND binds more tightly than OR; a comma closes a group.
        XCTAssertEqual(spdx("GPL-2+ or Artistic-2.0 and BSD-3-clause"), "GPL-2.0-or-later OR Artistic-2.0 AND BSD-3-Clause")
        XCTAssertEqual(spdx("GPL-2+ or Artistic-2.0, and BSD-3-clause"), "(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause")
        XCTAssertEqual(spdx("GPL-2+ and BSD-3-clause, or MIT"), "GPL-2.0-or-later AND BSD-3-Clause OR MIT")
        XCTAssertEqual(spdx("Expat, LGPL-2.1+"), "MIT AND LGPL-2.1-or-later")
        XCTAssertEqual(spdx("GPL-1+ OR Artistic"), "GPL-1.0-or-later OR Artistic-1.0-Perl")
    }

    func testExceptions() {
        XCTAssertEqual(spdx("GPL-3+ with autoconf exception"), "GPL-3.0-or-later WITH Autoconf-exception-2.0")
        XCTAssertEqual(spdx("GPL-2+ with Font exception"), "GPL-2.0-or-later WITH Font-exception-2.0")
        XCTAssertEqual(spdx("GPL-2 with classpath exception or MIT"), "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT")
        // No SPDX exception: the license and its exception are one LicenseRef.
        XCTAssertEqual(spdx("GPL-2+ with OpenSSL exception"), "LicenseRef-Debian-GPL-2--with-OpenSSL-exception")
        XCTAssertEqual(spdx("GPL-2+ with OpenSSL exception, and MIT"), "LicenseRef-Debian-GPL-2--with-OpenSSL-exception AND MIT")
        XCTAssertEqual(spdx("Perl with Font exception"), "LicenseRef-Debian-Perl-with-Font-exception-2.0")
    }

    func testUnknownNamesBecomeDebianReferences() {
        XCTAssertEqual(spdx("other"), "LicenseRef-Debian-other")
        XCTAssertEqual(spdx("BSD-like or GPL-2+"), "LicenseRef-Debian-BSD-like OR GPL-2.0-or-later")
        XCTAssertEqual(spdx("GPL"), "LicenseRef-Debian-GPL")
        XCTAssertEqual(spdx("GPL-4+"), "LicenseRef-Debian-GPL-4-")
        XCTAssertEqual(spdx("permissive_1"), "LicenseRef-Debian-permissive-1")
        // What SPDX syntax cannot hold is one reference, not a guess.
        XCTAssertEqual(spdx("GPL-2+ (see below)"), "LicenseRef-Debian-GPL-2---see-below-")
    }
}
