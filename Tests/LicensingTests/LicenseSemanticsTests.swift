// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

final class LicenseSemanticsTests: XCTestCase {
    private func parse(_ text: String?) throws -> LicenseExpression? {
        try text.map { try LicenseExpression.parse($0).normalized }
    }

    private func verdict(_ program: String?, _ code: String?, _ use: CombinationUse = .staticLink) throws -> CombinationVerdict {
        LicenseSemantics.verdict(program: try parse(program), code: try parse(code), use: use)
    }

    func testFamilies() throws {
        let expected: [(String?, LicenseFamily)] = [
            ("MIT", .permissive), ("Apache-2.0", .permissive), ("MPL-2.0", .weakFileCopyleft), ("EPL-2.0", .weakFileCopyleft),
            ("LGPL-2.1-or-later", .weakLibraryCopyleft), ("GPL-2.0-only", .strongCopyleft), ("EUPL-1.2", .strongCopyleft),
            ("OSL-3.0", .strongCopyleft), ("AGPL-3.0-or-later", .networkCopyleft), ("SSPL-1.0", .networkCopyleft),
            ("LicenseRef-scancode-gpl-2.0-plus", .strongCopyleft), ("LicenseRef-scancode-lgpl-2.1-plus", .weakLibraryCopyleft),
            ("LicenseRef-scancode-proprietary-license", .proprietary), ("LicenseRef-scancode-unknown-license-reference", .proprietary),
            ("LicenseRef-Vendor-EULA", .proprietary), (nil, .proprietary),
            ("GPL-2.0-only OR MIT", .permissive), ("MIT AND GPL-2.0-only", .strongCopyleft),
            ("GPL-2.0-only WITH Linux-syscall-note", .strongCopyleft),
        ]
        for (text, family) in expected {
            XCTAssertEqual(LicenseSemantics.family(of: try parse(text)), family, text ?? "nil")
        }
        XCTAssertTrue(LicenseSemantics.terms(of: "LGPL-2.1-only").obligations.contains(.allowRelinking))
        XCTAssertTrue(LicenseSemantics.terms(of: "AGPL-3.0-only").obligations.contains(.sourceOnNetworkUse))
        XCTAssertEqual(LicenseSemantics.terms(of: "LicenseRef-scancode-gpl-2.0-plus").gplVersions, [2, 3])
        XCTAssertEqual(LicenseSemantics.terms(of: "GPL-2.0", orLater: true).gplVersions, [2, 3])
        XCTAssertEqual(LicenseSemantics.terms(of: "GPL-1.0-or-later").gplVersions, [1, 2, 3])
        XCTAssertEqual(try verdict("GPL-2.0-only", "GPL-1.0-or-later"), .compatible,
                       "GPL-1.0-or-later code may be conveyed under GPL-2.0")
    }

    func testIdsOutsideTheTableTakeTheLicenseDataCategory() throws {
        _ = try SharedDatabase.get()  // loading the data records its categories
        for id in ["CMU-Mach", "HPND", "Spencer-94", "SunPro", "Inner-Net-2.0", "LicenseRef-scancode-other-permissive",
                   "LicenseRef-scancode-unicode"] {
            XCTAssertEqual(LicenseSemantics.terms(of: id).family, .permissive, id)
        }
        XCTAssertEqual(LicenseSemantics.terms(of: "LicenseRef-scancode-commercial-license").family, .proprietary)
        XCTAssertEqual(LicenseSemantics.terms(of: "LicenseRef-Vendor-GPL-fork").family, .strongCopyleft,
                       "an id the data does not hold is still placed by its words")
    }

    func testGPLVersionsFromTheTable() throws {
        XCTAssertTrue(try verdict("GPL-2.0-only", "GPL-3.0-or-later").isIncompatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", "Apache-2.0").isIncompatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", "LGPL-3.0-only").isIncompatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", "AGPL-3.0-only").isIncompatible)
        XCTAssertEqual(try verdict("GPL-3.0-only", "Apache-2.0"), .compatible)
        XCTAssertEqual(try verdict("GPL-2.0-or-later", "Apache-2.0"), .compatible)
        XCTAssertEqual(try verdict("GPL-2.0-only", "GPL-2.0-or-later"), .compatible)
        XCTAssertEqual(try verdict("GPL-2.0-only", "MIT"), .compatible)
        XCTAssertEqual(try verdict("GPL-3.0-only", "AGPL-3.0-only"), .compatible)
        XCTAssertEqual(try verdict("GPL-2.0-only", "MPL-2.0"), .compatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", "EPL-2.0").isIncompatible)
        XCTAssertTrue(try verdict("GPL-3.0-only", "CDDL-1.0").isIncompatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", "BSD-4-Clause").isIncompatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", "LicenseRef-scancode-gpl-3.0").isIncompatible)
    }

    func testCopyleftIntoOtherPrograms() throws {
        XCTAssertTrue(try verdict("MIT", "GPL-2.0-only").isIncompatible)
        XCTAssertTrue(try verdict("Apache-2.0", "LicenseRef-scancode-gpl-2.0-plus").isIncompatible)
        XCTAssertTrue(try verdict(nil, "GPL-2.0-only").isIncompatible)
        XCTAssertTrue(try verdict("GPL-2.0-only", nil).isIncompatible, "unknown code is all rights reserved")
        XCTAssertTrue(try verdict("LicenseRef-Proprietary", "SSPL-1.0").isIncompatible)
        XCTAssertEqual(try verdict("MIT", "MPL-2.0"), .compatible)
        XCTAssertEqual(try verdict("MIT", "LGPL-2.1-only", .dynamicLink(library: "libfoo.so.1")), .compatible)
        guard case .conditional(.allowRelinking, _) = try verdict("MIT", "LGPL-2.1-only", .staticLink) else {
            return XCTFail("LGPL linked statically needs relinking")
        }
        guard case .conditional(.noRedistribution, _) = try verdict("MIT", nil) else {
            return XCTFail("code without a license statement needs its owner's permission")
        }
        // OR offers the best alternative; AND needs every part.
        XCTAssertEqual(try verdict("MIT", "GPL-2.0-only OR MIT"), .compatible)
        XCTAssertTrue(try verdict("MIT", "MIT AND GPL-2.0-only").isIncompatible)
        XCTAssertEqual(try verdict("Apache-2.0 OR GPL-2.0-only", "GPL-2.0-only"), .compatible)
    }

    func testExceptionsLiftOnlyWithinTheirScope() throws {
        let uapi = "GPL-2.0-only WITH Linux-syscall-note"
        XCTAssertEqual(try verdict("MIT", uapi, .include(userSpaceInterface: true)), .compatible)
        XCTAssertTrue(try verdict("MIT", uapi, .include(userSpaceInterface: false)).isIncompatible)
        XCTAssertTrue(try verdict("MIT", uapi, .staticLink).isIncompatible)
        let openvpn = "GPL-2.0-only WITH openvpn-openssl-exception"
        XCTAssertEqual(try verdict("LicenseRef-OpenSSL-Using", openvpn, .dynamicLink(library: "libssl.so.3")), .compatible)
        XCTAssertTrue(try verdict("LicenseRef-Vendor", openvpn, .dynamicLink(library: "libvendor.so.1")).isIncompatible)
        XCTAssertTrue(try verdict("MIT", "OFL-1.1 WITH Font-exception-2.0", .staticLink).isIncompatible == false)
        XCTAssertTrue(try verdict("MIT", "GPL-2.0-or-later WITH Font-exception-2.0", .staticLink).isIncompatible)
        XCTAssertTrue(try verdict("MIT", "GPL-3.0-or-later WITH Bison-exception-2.2", .staticLink).isIncompatible)
        XCTAssertTrue(try verdict("MIT", "GPL-3.0-or-later WITH Autoconf-exception-3.0", .dynamicLink(library: "x.so")).isIncompatible)
        XCTAssertEqual(try verdict("LicenseRef-Proprietary", "GPL-3.0-or-later WITH GCC-exception-3.1", .staticLink), .compatible)
        XCTAssertEqual(try verdict("MIT", "GPL-2.0-only WITH Classpath-exception-2.0", .dynamicLink(library: "libjvm.so")), .compatible)
        XCTAssertEqual(LicenseSemantics.scope(ofException: "Bison-exception-2.2"), .generatedOutput)
        XCTAssertEqual(LicenseSemantics.scope(ofException: "Nonsense-exception"), .unknown)
        XCTAssertTrue(try verdict("MIT", "GPL-2.0-only WITH Nonsense-exception").isIncompatible)
    }

    func testOffersGPL() throws {
        XCTAssertTrue(LicenseSemantics.offersGPL(try parse("GPL-2.0-only OR MIT")))
        XCTAssertTrue(LicenseSemantics.offersGPL(try parse("LicenseRef-scancode-gpl-2.0")))
        XCTAssertFalse(LicenseSemantics.offersGPL(try parse("MIT")))
        XCTAssertFalse(LicenseSemantics.offersGPL(nil))
    }
}

final class ProgramExceptionTests: XCTestCase {
    func testAProgramsLinkingExceptionPermitsOnlyWhatItNames() throws {
        let program = try LicenseExpression.parse("GPL-2.0-only WITH openvpn-openssl-exception")
        XCTAssertEqual(LicenseSemantics.verdict(program: program, code: try LicenseExpression.parse("OpenSSL"),
                                                use: .dynamicLink(library: "libssl.so.3")), .compatible)
        XCTAssertTrue(LicenseSemantics.verdict(program: program, code: try LicenseExpression.parse("LicenseRef-Vendor-EULA"),
                                               use: .dynamicLink(library: "libvendor.so.1")).isIncompatible)
    }
}
