// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Licensing
import XCTest
@testable import Boundaries

final class PolicyTests: XCTestCase {
    private var trees: [FixtureTree] = []

    override func tearDown() {
        trees.forEach { $0.remove() }
        trees = []
    }

    private func policyFile(_ text: String) throws -> String {
        let tree = try FixtureTree(["policy.toml": text], name: "policy")
        trees.append(tree)
        return tree.root.appendingPathComponent("policy.toml").path
    }

    private func policyError(_ text: String) throws -> String {
        let path = try policyFile(text)
        do {
            _ = try BoundaryPolicy(file: path)
        } catch let error as PolicyError {
            XCTAssertTrue(error.description.hasPrefix(path + ": "), error.description)
            return String(error.description.dropFirst(path.count + 2))
        }
        XCTFail("accepted: \(text)")
        return ""
    }

    func testReadsEveryTable() throws {
        let policy = try BoundaryPolicy(file: try policyFile("""
            [boundaries]
            exceptions = ["Linux-syscall-note"]
            ignore = ["Tests/**/Fixtures/**"]
            references = ["/src/linux"]
            [[zones]]
            name = "shim"
            license = "Apache-2.0"
            paths = ["Sources/CKVM/**"]
            include = ["uapi"]
            [[zones]]
            name = "drivers"
            paths = ["drivers/**"]
            targets = ["Drivers"]
            binaries = ["build/drv-*"]
            [[header-sets]]
            name = "uapi"
            paths = ["/usr/include/linux/**"]
            require-exception = "Linux-syscall-note"
            [[crossings]]
            from = "shim"
            to = "drivers"
            allow = ["ipc", "dynamic-link"]
            via = "shim"
            [[combinations]]
            licenses = ["MIT", "GPL-2.0-only"]
            [licenses]
            allowed = ["MIT"]
            denied = ["AGPL-3.0-only"]
            [audit]
            exempt = ["LICENSES/*"]
            """))
        XCTAssertEqual(policy.zones.map(\.name), ["shim", "drivers"])
        XCTAssertEqual(policy.zones[0].mayInclude, ["uapi"])
        XCTAssertNil(policy.zones[1].license)
        XCTAssertEqual(policy.zones[1].targets, ["Drivers"])
        XCTAssertEqual(policy.headerSets.map(\.name), ["uapi"])
        XCTAssertEqual(policy.crossing(from: "shim", to: "drivers")?.allow, [.ipc, .dynamicLink])
        XCTAssertNil(policy.crossing(from: "drivers", to: "shim"))
        XCTAssertEqual(policy.combinations, [["GPL-2.0-only", "MIT"]])
        XCTAssertEqual(policy.boundaryExceptions, ["Linux-syscall-note"])
        XCTAssertEqual(policy.deniedLicenses, ["AGPL-3.0-only"])
        XCTAssertEqual(policy.auditExempt, ["LICENSES/*"])
        XCTAssertEqual(policy.references, ["/src/linux"])
    }

    func testWithoutHeaderSetsTheLinuxUAPISetApplies() throws {
        let policy = try BoundaryPolicy(file: try policyFile("[[zones]]\nname = \"a\"\npaths = [\"a/**\"]\ninclude = [\"linux-uapi\"]\n"))
        XCTAssertEqual(policy.headerSets, [BoundaryPolicy.linuxUAPI])
        XCTAssertEqual(BoundaryPolicy().headerSets, [BoundaryPolicy.linuxUAPI])
    }

    func testErrorsNameTheKeyAndTheValue() throws {
        XCTAssertEqual(try policyError("[[zones]]\nname = \"a\"\ninclude = [\"nope\"]\n"),
                       "zones[0].include: \"nope\" is not a header set (known: linux-uapi)")
        XCTAssertEqual(try policyError("[[zones]]\nname = \"a\"\n[[zones]]\nname = \"a\"\n"), "zones: zone \"a\" is defined twice")
        XCTAssertEqual(try policyError("[[zones]]\nname = \"a\"\n[[crossings]]\nfrom = \"a\"\nto = \"b\"\n"),
                       "crossings[0].to: \"b\" is not a zone")
        XCTAssertTrue(try policyError("[[zones]]\nname = \"a\"\n[[crossings]]\nfrom = \"a\"\nto = \"a\"\nallow = [\"telepathy\"]\n")
            .hasPrefix("crossings[0].allow: \"telepathy\" is not one of include, import, link"))
        XCTAssertTrue(try policyError("[[zones]]\nname = \"a\"\nlicense = \"MIT OR\"\n")
            .hasPrefix("zones[0].license: \"MIT OR\" is not an SPDX expression"))
        XCTAssertEqual(try policyError("[[zones]]\nlicense = \"MIT\"\n"), "zones[0].name: is missing")
        XCTAssertEqual(try policyError("zones = 3\n"), "zones: must be an array of tables ([[zones]])")
        XCTAssertEqual(try policyError("[[combinations]]\nlicenses = [\"MIT\"]\n"),
                       "combinations[0].licenses: needs exactly two license ids, got 1")
        XCTAssertTrue(try policyError("[[zones]\n").hasPrefix("not valid TOML"))
    }

    func testUnreadablePolicyFileIsAnError() {
        XCTAssertThrowsError(try BoundaryPolicy(file: "/nonexistent/policy.toml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/policy.toml: cannot read"), "\(error)")
        }
    }

    func testLicenseTerms() throws {
        // Whether code under a license may not go into all-rights-reserved code: the `gpl-`
        // rules and the originals of clone detection ask it.
        let judge = LicenseJudge(unlicensed: nil)
        func copyleft(_ text: String, _ use: CombinationUse = .staticLink) -> Bool { judge.isCopyleft(text, use: use) }
        XCTAssertTrue(copyleft("GPL-2.0-only"))
        XCTAssertTrue(copyleft("GPL-2.0+"))
        XCTAssertTrue(copyleft("AGPL-3.0-or-later"))
        XCTAssertTrue(copyleft("MIT AND GPL-2.0-only"))
        XCTAssertFalse(copyleft("MIT OR GPL-2.0-only"), "the MIT alternative allows it")
        XCTAssertFalse(copyleft("GPL-2.0 WITH Linux-syscall-note", .include(userSpaceInterface: true)))
        XCTAssertTrue(copyleft("GPL-2.0 WITH Linux-syscall-note", .staticLink), "the note covers user space only")
        XCTAssertFalse(copyleft("LGPL-2.1-or-later"), "static linking is allowed where users can relink")
        XCTAssertTrue(copyleft("LGPL-2.1-or-later", .copy), "a copy is a work based on the library")
        XCTAssertTrue(copyleft("MPL-1.1 OR GPL-2.0-only", .copy), "a copy makes its file MPL-1.1 or GPL")
        XCTAssertFalse(copyleft("MPL-2.0", .staticLink))
        XCTAssertFalse(copyleft("Apache-2.0", .copy))
        XCTAssertTrue(copyleft("GPL-2.0-only WITH Some-other-exception"))
        XCTAssertFalse(copyleft("LicenseRef-scancode-proprietary-license", .copy))
        XCTAssertTrue(judge.offersGPL("MIT OR GPL-2.0-only"))
        XCTAssertFalse(judge.offersGPL("MIT"))
        XCTAssertNil(LicenseTerms.parse("NOASSERTION"))
    }
}
