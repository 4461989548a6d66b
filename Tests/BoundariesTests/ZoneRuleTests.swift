// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Policy-driven rules over small trees: header sets, declared crossings, and the rules on
// this repository itself.

import Foundation
import XCTest
@testable import Boundaries

final class ZoneRuleTests: FixtureTestCase {
    private var zonePolicy: BoundaryPolicy {
        var policy = BoundaryPolicy()
        policy.headerSets = [.init(name: "uapi", paths: ["uapi/**"], requiredException: "Linux-syscall-note")]
        policy.zones = [
            .init(name: "shim", license: "Apache-2.0", paths: ["shim/**"], mayInclude: ["uapi"]),
            .init(name: "core", license: "Apache-2.0", paths: ["core/**"]),
            .init(name: "drivers", license: "MIT", paths: ["drivers/**"]),
            .init(name: "uapi", paths: ["uapi/**"]),
        ]
        policy.crossings = [.init(from: "core", to: "drivers", allow: [.ipc], via: "shim")]
        return policy
    }

    func testOnlyTheNamedZoneMayIncludeAHeaderSet() throws {
        let fixture = try tree([
            "shim/kvm.c": header("Apache-2.0") + "#include \"../uapi/kvm.h\"\n",
            "core/vm.c": header("Apache-2.0") + "#include \"../uapi/kvm.h\"\n",
            "uapi/kvm.h": header("GPL-2.0 WITH Linux-syscall-note") + "#define KVM 1\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, policy: zonePolicy, clones: false)
        XCTAssertEqual(report.findings.map(\.rule), ["header-set-not-allowed"], "\(report.findings)")
        XCTAssertEqual(report.findings.first?.location, SourceLocation(path: "core/vm.c", line: 3))
        XCTAssertEqual(report.findings.first?.fromZone, "core")
        XCTAssertTrue(report.findings.first?.message.contains("may be included only by shim") ?? false)
    }

    func testEveryHeaderOfASetMustCarryItsException() throws {
        let fixture = try tree([
            "shim/kvm.c": header("Apache-2.0") + "#include \"../uapi/kvm.h\"\n",
            "uapi/kvm.h": header("GPL-2.0 WITH Linux-syscall-note") + "#include \"types.h\"\n",
            "uapi/types.h": header("GPL-2.0-only") + "typedef int s32;\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, policy: zonePolicy, clones: false)
        let finding = try XCTUnwrap(report.findings.first { $0.rule == "header-without-exception" }, "\(report.findings)")
        XCTAssertTrue(finding.message.contains("shim/kvm.c includes uapi/kvm.h includes uapi/types.h"), finding.message)
        XCTAssertTrue(finding.message.contains("GPL-2.0-only without Linux-syscall-note"), finding.message)
        // The GPL header two levels down is also GPL code in Apache-2.0 code.
        XCTAssertEqual(Set(report.findings.map(\.rule)), ["header-without-exception", "gpl-include"])
    }

    func testACrossingThePolicyDoesNotAllow() throws {
        let fixture = try tree([
            "core/vm.c": header("Apache-2.0") + "#include \"../drivers/blk.h\"\n",
            "drivers/blk.h": header("MIT") + "int blk(void);\n",
            "shim/ok.c": header("Apache-2.0") + "#include \"../drivers/blk.h\"\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, policy: zonePolicy, clones: false)
        XCTAssertEqual(report.findings.map(\.rule), ["forbidden-crossing"], "\(report.findings)")
        let finding = try XCTUnwrap(report.findings.first)
        XCTAssertEqual(finding.location, SourceLocation(path: "core/vm.c", line: 3))
        XCTAssertEqual([finding.fromZone, finding.toZone], ["core", "drivers"])
        XCTAssertTrue(finding.message.hasSuffix("the policy allows only ipc through shim"), finding.message)
        let counted = report.crossings.filter { $0.fromZone == "core" && $0.toZone == "drivers" }
        XCTAssertEqual(counted.map(\.kind), ["include"])
        XCTAssertEqual(counted.first?.violations, 1)
        XCTAssertEqual(report.crossings.first { $0.fromZone == "shim" }?.violations, 0)
    }

    func testLicensePairsInOneBinaryComeFromTheCompatibilityTable() throws {
        let fixture = try tree([
            "app/main.c": header("GPL-2.0-only") + "int helper(void);\nint parse(void);\nint main(void) { return helper() + parse(); }\n",
            "app/helper.c": header("MIT") + "int helper(void) { return 0; }\n",
            "app/parse.c": header("Apache-2.0") + "int parse(void) { return 0; }\n",
        ])
        try CheckerSupport.compile(["app/main.c", "app/helper.c", "app/parse.c"], in: fixture.root, output: "app-bin", flags: ["-g"])
        var policy = BoundaryPolicy()
        let binary = fixture.root.appendingPathComponent("app-bin").path
        let report = try CheckerSupport.check(fixture.root.path, policy: policy, binaries: [binary], clones: false)
        let findings = report.findings.filter { $0.rule == "license-combination" }
        // MIT goes with both; Apache-2.0 and GPL-2.0-only do not (FSF), without any hand-listed pair.
        XCTAssertEqual(findings.count, 1, "\(report.findings)")
        XCTAssertTrue(findings.first?.message.hasPrefix("app-bin combines Apache-2.0 and GPL-2.0-only code: ") ?? false,
                      "\(findings)")
        XCTAssertEqual(findings.first?.evidence.map(\.location.path), ["app/parse.c", "app/main.c"])
        // The policy may allow a pair the table does not.
        policy.combinations = [["Apache-2.0", "GPL-2.0-only"]]
        let allowed = try CheckerSupport.check(fixture.root.path, policy: policy, binaries: [binary], clones: false)
        XCTAssertFalse(allowed.findings.contains { $0.rule == "license-combination" }, "\(allowed.findings)")
    }

    func testFindingsInUndistributedZonesAreWarnings() throws {
        let fixture = try tree([
            "tests/probe.c": header("MIT") + "#include \"../gpl/gpl.h\"\n",
            "gpl/gpl.h": header("GPL-2.0-only") + "int gpl(void);\n",
        ])
        var policy = BoundaryPolicy()
        policy.zones = [.init(name: "tests", paths: ["tests/**"], distributed: false)]
        let report = try CheckerSupport.check(fixture.root.path, policy: policy, clones: false)
        XCTAssertEqual(report.findings.map(\.rule), ["gpl-include"])
        XCTAssertEqual(report.findings.first?.severity, .warning)
        XCTAssertTrue(report.findings.first?.message.hasSuffix("(zone tests is not distributed)") ?? false)
        XCTAssertEqual(report.errorCount, 0)
    }

    func testADebianLibraryIsGPLOnlyWithoutLGPLOrAnException() {
        XCTAssertTrue(CheckRunRules.isGPLLibrary("GPL-3.0-or-later"))
        XCTAssertTrue(CheckRunRules.isGPLLibrary("GPL-2.0-only AND BSD-3-Clause"))
        XCTAssertFalse(CheckRunRules.isGPLLibrary("LGPL-2.1-or-later AND GPL-2.0-or-later"))
        XCTAssertFalse(CheckRunRules.isGPLLibrary("GPL-3.0-or-later WITH GCC-exception-3.1 AND GPL-3.0-only"))
        XCTAssertFalse(CheckRunRules.isGPLLibrary("LicenseRef-Debian-GPL-2-with-linking-exception AND GPL-2.0-or-later"))
        XCTAssertFalse(CheckRunRules.isGPLLibrary("MIT"))
        XCTAssertFalse(CheckRunRules.isGPLLibrary(nil))
    }

    /// DESIGN.md's rules on this very repository: of the non-GPL code only Sources/CKVM
    /// includes Linux headers, all with the syscall note; the core never links GPL code; drivers are reached only
    /// through the shim. The binaries are checked when they are built.
    func testThisRepositoryKeepsItsBoundaries() throws {
        let root = CheckerSupport.repositoryRoot
        let policy = try BoundaryPolicy(file: root + "/licenses/policy.toml")
        let binaries = [".build/debug/candor-vm", "hypervisor/build/candor-blk", "hypervisor/build/candor-rng"]
            .map { root + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        let report = try CheckerSupport.check(root, policy: policy, binaries: binaries, clones: false)
        XCTAssertEqual(report.findings.filter { $0.severity == .error }.map(\.description), [])
        let linux = report.crossings.filter { $0.kind == "include" && $0.toZone.contains("Linux-syscall-note") }
        // Of the non-GPL code only the KVM shim includes them; the GPL drivers may (candor-net's
        // TAP backend needs <linux/if_tun.h>), GPL code including GPL headers being no crossing of licenses.
        XCTAssertEqual(Set(linux.map(\.fromZone)).subtracting(["gpl-drivers"]), ["kvm-shim"], "\(report.crossings)")
        // The core meets the drivers only over IPC (rule 3), shown from the binaries.
        XCTAssertFalse(report.crossings.contains { $0.fromZone == "core" && $0.toZone == "gpl-drivers" && $0.kind != "ipc" },
                       "\(report.crossings)")
        if binaries.count == 3 {
            let separation = report.findings.filter { $0.rule == "separate-programs" }
            XCTAssertEqual(separation.count, 2, "\(report.findings)")
            XCTAssertTrue(separation.allSatisfy { $0.message.contains("no static or dynamic linkage found; they communicate over vhost-user") },
                          "\(separation)")
            XCTAssertTrue(report.crossings.contains { $0.fromZone == "gpl-drivers" && $0.toZone == "driver-shim" && $0.kind == "link" },
                          "\(report.crossings)")
        } else {
            print("ZoneRuleTests: binaries not built (\(binaries.count) of 3); run `make drivers` to check them too")
        }
    }
}
