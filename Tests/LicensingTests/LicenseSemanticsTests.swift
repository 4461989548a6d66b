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

    private func judge(_ program: String?, _ code: String?, _ use: CombinationUse = .staticLink) throws -> CombinationJudgement {
        LicenseSemantics.judge(program: try parse(program), code: try parse(code), use: use)
    }

    /// The licensee chooses among the alternatives of an OR: a combination is judged by the
    /// alternative that allows it, and is a violation only when none does.
    func testAnORIsJudgedByTheAlternativeThatAllowsIt() throws {
        // Table: MPL-1.1 is incompatible with the GPL (FSF), so only GPL-2.0-only allows it.
        let mpl11 = try judge("GPL-2.0-only", "MPL-1.1 OR GPL-2.0-only", .include(userSpaceInterface: false))
        XCTAssertEqual(mpl11.verdict, .compatible)
        XCTAssertEqual(mpl11.code, try parse("GPL-2.0-only"))
        // Linux's "Dual MPL/GPL" modules: the MPL version is unspecified, GPL-2.0-only decides.
        let dual = try judge("GPL-2.0-only", "LicenseRef-candor-MPL-unspecified OR GPL-2.0-only")
        XCTAssertEqual(dual.verdict, .compatible)
        XCTAssertEqual(dual.code, try parse("GPL-2.0-only"))
        XCTAssertEqual(try judge("LicenseRef-candor-MPL-unspecified OR GPL-2.0-only", "GPL-2.0-only").program, try parse("GPL-2.0-only"))
        // Table: MPL-2.0 reaches GPL-2.0 through its secondary licenses, so its own
        // alternative already allows it; equal verdicts choose the least demanding one.
        let mpl20 = try judge("GPL-2.0-only", "MPL-2.0 OR GPL-2.0-only")
        XCTAssertEqual(mpl20.verdict, .compatible)
        XCTAssertEqual(mpl20.code, try parse("MPL-2.0"))
        let mit = try judge("GPL-2.0-only", "MIT OR GPL-2.0-only")
        XCTAssertEqual(mit.verdict, .compatible)
        XCTAssertEqual(mit.code, try parse("MIT"))
        XCTAssertEqual(try judge("MIT", "GPL-2.0-only OR MIT").code, try parse("MIT"))
        // Neither alternative: GPL-3.0-only shares no version with GPL-2.0-only, Apache-2.0 is
        // GPLv3-only (FSF). The reason names both.
        guard case .incompatible(let why) = try verdict("GPL-2.0-only", "GPL-3.0-only OR Apache-2.0") else {
            return XCTFail("neither alternative is compatible with GPL-2.0-only")
        }
        XCTAssertTrue(why.contains("no alternative of GPL-3.0-only OR Apache-2.0"), why)
        XCTAssertTrue(why.contains("as GPL-3.0-only: ") && why.contains("as Apache-2.0: ") && why.contains("FSF"), why)
        XCTAssertEqual(try judge("GPL-3.0-only", "GPL-3.0-only OR Apache-2.0").verdict, .compatible)
    }

    func testANDNeedsEveryPartAndWITHOnlyWithinScope() throws {
        // AND of ORs: each part chooses for itself; each part must be allowed.
        let both = try judge("GPL-2.0-only", "(MIT OR GPL-3.0-only) AND (Apache-2.0 OR GPL-2.0-or-later)")
        XCTAssertEqual(both.verdict, .compatible)
        XCTAssertEqual(both.code, try parse("MIT AND GPL-2.0-or-later"))
        XCTAssertTrue(try verdict("GPL-2.0-only", "MIT AND (GPL-3.0-only OR Apache-2.0)").isIncompatible)
        // WITH inside an OR: the note lifts the GPL for UAPI headers only, so in MIT code it
        // allows a UAPI header, and elsewhere only the BSD alternative does.
        let gpls = "GPL-2.0-only WITH Linux-syscall-note OR GPL-3.0-only"
        XCTAssertEqual(try judge("MIT", gpls, .include(userSpaceInterface: true)).code,
                       try parse("GPL-2.0-only WITH Linux-syscall-note"))
        XCTAssertEqual(try judge("MIT", "GPL-2.0-only WITH Linux-syscall-note OR BSD-3-Clause", .staticLink).code,
                       try parse("BSD-3-Clause"))
        guard case .incompatible(let why) = try verdict("MIT", gpls, .staticLink) else {
            return XCTFail("neither GPL alternative may be linked into MIT code")
        }
        XCTAssertTrue(why.contains("as GPL-2.0-only WITH Linux-syscall-note: ") && why.contains("as GPL-3.0-only: "), why)
    }

    func testTheProgramChoosesOneAlternativeForAllItsCode() throws {
        // A program under `MIT OR GPL-2.0-only` holding GPL-2.0-only code and Apache-2.0 code
        // at once: as MIT it cannot hold the GPL code, as GPL-2.0-only not the Apache code.
        let program = "MIT OR GPL-2.0-only"
        XCTAssertEqual(try judge(program, "GPL-2.0-only").program, try parse("GPL-2.0-only"))
        XCTAssertEqual(try judge(program, "Apache-2.0").program, try parse("MIT"))
        guard case .incompatible(let why) = try verdict(program, "GPL-2.0-only AND Apache-2.0") else {
            return XCTFail("no one alternative of the program holds both")
        }
        XCTAssertTrue(why.contains("no alternative of the program's MIT OR GPL-2.0-only") && why.contains("as MIT: ")
                      && why.contains("as GPL-2.0-only: "), why)
        // A program under two licenses at once (AND) needs the code allowed by both.
        XCTAssertTrue(try verdict("GPL-2.0-only AND GPL-3.0-only", "GPL-2.0-or-later").isIncompatible == false)
        XCTAssertTrue(try verdict("MIT AND GPL-2.0-only", "Apache-2.0").isIncompatible)
    }

    func testAWeakCopyleftCopyTakesItsFileWithIt() throws {
        XCTAssertEqual(try verdict("MIT", "MPL-2.0", .staticLink), .compatible, "MPL-2.0 files keep their license beside MIT files")
        XCTAssertTrue(try verdict("MIT", "MPL-2.0", .copy).isIncompatible, "MPL-2.0 1.10: a file containing Covered Software")
        XCTAssertEqual(try verdict("GPL-2.0-only", "MPL-2.0", .copy), .compatible, "MPL-2.0's secondary licenses include GPL-2.0")
        XCTAssertTrue(try verdict("GPL-2.0-only", "MPL-1.1", .copy).isIncompatible)
        XCTAssertTrue(try verdict("MIT", "LGPL-2.1-only", .copy).isIncompatible)
        XCTAssertEqual(try verdict("GPL-2.0-only", "LGPL-2.1-or-later", .copy), .compatible)
        // Linux's MPL/GPL files copied into MIT code: neither alternative allows it.
        guard case .incompatible(let why) = try verdict("MIT", "GPL-2.0-only OR MPL-1.1", .copy) else {
            return XCTFail("a copy of MPL/GPL code in an MIT file")
        }
        XCTAssertTrue(why.contains("as GPL-2.0-only: ") && why.contains("as MPL-1.1: "), why)
        XCTAssertEqual(try verdict("MIT", "GPL-2.0-only OR MIT", .copy), .compatible)
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
