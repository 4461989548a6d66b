// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Issue 12's fixtures: each planted violation with its clean twin. Binaries are compiled
// at test time with the system's cc (skipped where there is none).

import Foundation
import XCTest
@testable import Boundaries

final class LicenseVerdictFixtureTests: FixtureTestCase {
    private func paths(_ fixture: FixtureTree, _ names: String...) -> [String] {
        names.map { fixture.root.appendingPathComponent($0).path }
    }

    // MARK: an MIT player that dlopens a GPL codec

    private func playerTree(codecLicense: String) throws -> FixtureTree {
        let fixture = try tree([
            "player.c": header("MIT") + "#include <dlfcn.h>\nint main(void) {\n"
                + "    void *codec = dlopen(\"libgplcodec.so\", RTLD_NOW);\n    return codec == 0;\n}\n",
            "codec.c": header(codecLicense) + "int decode(int frame) { return frame * 2; }\n",
        ])
        try CheckerSupport.compile(["codec.c"], in: fixture.root, output: "libgplcodec.so", flags: ["-g", "-shared", "-fPIC"])
        try CheckerSupport.compile(["player.c"], in: fixture.root, output: "player", flags: ["-g", "-ldl"])
        return fixture
    }

    func testMITPlayerThatDlopensAGPLCodec() throws {
        let fixture = try playerTree(codecLicense: "GPL-2.0-only")
        let report = try CheckerSupport.check(fixture.root.path, binaries: paths(fixture, "player", "libgplcodec.so"), clones: false)
        let finding = try XCTUnwrap(report.findings.first { $0.rule == "gpl-dynamic-load" }, "\(report.findings)")
        XCTAssertEqual(finding.location.path, "player")
        XCTAssertTrue(finding.message.contains("loads libgplcodec.so with dlopen"), finding.message)
        XCTAssertEqual(finding.evidence.map(\.text).prefix(2), ["references dlopen", "names \"libgplcodec.so\" in its read-only data"])
        XCTAssertTrue(finding.evidence.last?.text.contains("GPL-2.0-only") ?? false, "\(finding.evidence)")
    }

    func testPlayerWithAnMITCodecIsClean() throws {
        let fixture = try playerTree(codecLicense: "MIT")
        let report = try CheckerSupport.check(fixture.root.path, binaries: paths(fixture, "player", "libgplcodec.so"), clones: false)
        XCTAssertEqual(report.findings.filter { $0.severity == .error }, [])
    }

    // MARK: an Apache-2.0 library in a GPL-2.0-only program

    private func programTree(libraryLicense: String) throws -> (FixtureTree, BoundaryPolicy) {
        let fixture = try tree([
            "main.c": header("GPL-2.0-only") + "int parse(int);\nint main(void) { return parse(1); }\n",
            "lib/parse.c": header(libraryLicense) + "int parse(int value) { return value - 1; }\n",
        ])
        try CheckerSupport.compile(["main.c", "lib/parse.c"], in: fixture.root, output: "program", flags: ["-g"])
        let policy = BoundaryPolicy(zones: [
            BoundaryPolicy.Zone(name: "program", license: "GPL-2.0-only", paths: ["main.c"], binaries: paths(fixture, "program")),
        ])
        return (fixture, policy)
    }

    func testApacheLibraryInAGPL2OnlyProgramIsAFindingFromTheTable() throws {
        let (fixture, policy) = try programTree(libraryLicense: "Apache-2.0")
        let report = try CheckerSupport.check(fixture.root.path, policy: policy, binaries: paths(fixture, "program"), clones: false)
        let errors = report.findings.filter { $0.severity == .error }
        let finding = try XCTUnwrap(errors.first { $0.rule == "license-combination" }, "\(report.findings)")
        XCTAssertTrue(finding.message.contains("Apache-2.0") && finding.message.contains("GPL-2.0-only"), finding.message)
        XCTAssertTrue(finding.message.contains("FSF"), finding.message)
        XCTAssertTrue(errors.contains { $0.rule == "incompatible-object-in-binary" && $0.message.contains("lib/parse.c") }, "\(errors)")
    }

    func testMITLibraryInAGPL2OnlyProgramIsClean() throws {
        let (fixture, policy) = try programTree(libraryLicense: "MIT")
        let report = try CheckerSupport.check(fixture.root.path, policy: policy, binaries: paths(fixture, "program"), clones: false)
        XCTAssertEqual(report.findings.filter { $0.severity == .error }, [])
    }

    func testGPL3CodeInAGPL2OnlyProgramIsAFinding() throws {
        let (fixture, policy) = try programTree(libraryLicense: "GPL-3.0-or-later")
        let report = try CheckerSupport.check(fixture.root.path, policy: policy, binaries: paths(fixture, "program"), clones: false)
        XCTAssertTrue(report.findings.contains { $0.rule == "license-combination" && $0.message.contains("GPL-3.0-or-later") },
                      "\(report.findings)")
    }

    // MARK: a proprietary out-of-tree module using a GPL-only symbol through a static inline helper

    private func moduleTree(moduleLicense: String) throws -> FixtureTree {
        let fixture = try tree([
            "Kbuild": "obj-m += vendor.o\n",
            "Module.symvers": "0x00000000\tgpl_only_func\tvmlinux\tEXPORT_SYMBOL_GPL\t\n0x00000000\tplain_func\tvmlinux\tEXPORT_SYMBOL\t\n",
            "helper.h": header("LicenseRef-Vendor-Proprietary")
                + "extern int gpl_only_func(int);\nstatic inline int helper(int x) { return gpl_only_func(x); }\n",
            "vendor.c": header("LicenseRef-Vendor-Proprietary") + "#include \"helper.h\"\n"
                + "#define MODULE_LICENSE(l) static const char modinfo_license[] __attribute__((section(\".modinfo\"), used)) = \"license=\" l\n"
                + "MODULE_LICENSE(\"\(moduleLicense)\");\nint init_module(void) { return helper(1); }\n",
        ])
        try CheckerSupport.compile(["-c", "vendor.c"], in: fixture.root, output: "vendor.ko", flags: ["-O2"])
        return fixture
    }

    func testProprietaryModuleUsingAGPLOnlySymbolThroughAnInlineHelperIsFoundInItsKo() throws {
        let fixture = try moduleTree(moduleLicense: "Proprietary")
        let report = try CheckerSupport.check(fixture.root.path, binaries: paths(fixture, "vendor.ko"), clones: false)
        let finding = try XCTUnwrap(report.findings.first { $0.rule == "gpl-only-symbol" }, "\(report.findings)")
        XCTAssertEqual(finding.location.path, "vendor.ko")
        XCTAssertTrue(finding.message.contains("gpl_only_func") && finding.message.contains("undefined symbols"), finding.message)
        XCTAssertEqual(finding.evidence.first?.text, "undefined symbol gpl_only_func (.ko symbol table)")
        XCTAssertEqual(finding.evidence.last?.location, SourceLocation(path: "Module.symvers", line: 1))
        // From source alone the use is in the header, which the module's .c files do not spell out.
        let fromSource = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertFalse(fromSource.findings.contains { $0.rule == "gpl-only-symbol" }, "\(fromSource.findings)")
    }

    func testGPLModuleUsingTheSameSymbolIsClean() throws {
        let fixture = try moduleTree(moduleLicense: "GPL")
        let report = try CheckerSupport.check(fixture.root.path, binaries: paths(fixture, "vendor.ko"), clones: false)
        XCTAssertFalse(report.findings.contains { $0.rule == "gpl-only-symbol" }, "\(report.findings)")
    }

    // MARK: code under openvpn-openssl-exception linked with a library other than OpenSSL

    private func openvpnTree(libraryName: String) throws -> FixtureTree {
        let fixture = try tree([
            "plugin.c": header("GPL-2.0-only WITH openvpn-openssl-exception") + "int crypt_block(int);\n"
                + "int main(void) { return crypt_block(3); }\n",
            "vendor/crypt.c": header(libraryName == "libssl.so" ? "Apache-2.0" : "LicenseRef-Vendor-Proprietary")
                + "int crypt_block(int block) { return block ^ 0x5a; }\n",
        ])
        try CheckerSupport.compile(["vendor/crypt.c"], in: fixture.root, output: libraryName,
                                   flags: ["-g", "-shared", "-fPIC", "-Wl,-soname,\(libraryName)"])
        try CheckerSupport.compile(["plugin.c", "./\(libraryName)"], in: fixture.root, output: "plugin", flags: ["-g"])
        return fixture
    }

    func testOpenVPNExceptionDoesNotCoverAVendorLibrary() throws {
        let fixture = try openvpnTree(libraryName: "libvendor.so")
        let report = try CheckerSupport.check(fixture.root.path, binaries: paths(fixture, "plugin", "libvendor.so"), clones: false)
        let finding = try XCTUnwrap(report.findings.first { $0.rule.hasSuffix("dynamic-link") }, "\(report.findings)")
        XCTAssertEqual(finding.location.path, "plugin")
        XCTAssertTrue(finding.message.contains("LicenseRef-Vendor-Proprietary"), finding.message)
        XCTAssertEqual(finding.evidence.first?.text, "DT_NEEDED libvendor.so")
    }

    func testOpenVPNExceptionCoversOpenSSL() throws {
        let fixture = try openvpnTree(libraryName: "libssl.so")
        let report = try CheckerSupport.check(fixture.root.path, binaries: paths(fixture, "plugin", "libssl.so"), clones: false)
        XCTAssertFalse(report.findings.contains { $0.rule.hasSuffix("dynamic-link") }, "\(report.findings)")
    }

    // MARK: copied code: a dual-licensed kernel file, and a header-less core file

    private static let kernelFunction = """
        static int merge_runs(struct item *items, int count, int (*cmp)(const struct item *, const struct item *))
        {
            int width, left, right, end, i, j, k;
            struct item *scratch = alloc_items(count);
            if (!scratch)
                return -1;
            for (width = 1; width < count; width *= 2) {
                for (left = 0; left < count; left += 2 * width) {
                    right = left + width < count ? left + width : count;
                    end = left + 2 * width < count ? left + 2 * width : count;
                    i = left;
                    j = right;
                    k = left;
                    while (i < right && j < end) {
                        if (cmp(&items[i], &items[j]) <= 0)
                            scratch[k++] = items[i++];
                        else
                            scratch[k++] = items[j++];
                    }
                    while (i < right)
                        scratch[k++] = items[i++];
                    while (j < end)
                        scratch[k++] = items[j++];
                }
                for (i = 0; i < count; i++)
                    items[i] = scratch[i];
            }
            free_items(scratch);
            return 0;
        }

        """

    private static let prelude = "struct item { int key; };\nstruct item *alloc_items(int);\nvoid free_items(struct item *);\n"

    func testDualLicensedKernelFileCopiedIntoMITCodeIsClean() throws {
        let fixture = try tree([
            "lib/sort.c": header("GPL-2.0 OR MIT") + Self.prelude + Self.kernelFunction,
            "app/sort.c": header("MIT") + Self.prelude + Self.kernelFunction,
        ])
        let report = try CheckerSupport.check(fixture.root.path)
        XCTAssertFalse(report.findings.contains { $0.rule == "copied-code" }, "\(report.findings)")
    }

    func testGPLOnlyKernelFileCopiedIntoMITCodeIsFound() throws {
        let fixture = try tree([
            "lib/sort.c": header("GPL-2.0-only") + Self.prelude + Self.kernelFunction,
            "app/sort.c": header("MIT") + Self.prelude + Self.kernelFunction,
        ])
        let report = try CheckerSupport.check(fixture.root.path)
        XCTAssertTrue(report.findings.contains { $0.rule == "copied-code" && $0.location.path == "app/sort.c" }, "\(report.findings)")
    }

    /// Code that many files of the tree share, whatever their license, is idiom: the checked
    /// files count too when telling it from copied code, though they are never originals.
    func testCodeManyFilesOfTheTreeShareIsIdiomButAFewCopiesAreFound() throws {
        func files(copies: Int) -> [String: String] {
            var files = ["lib/sort.c": header("GPL-2.0-only") + Self.prelude + Self.kernelFunction]
            for copy in 0..<copies { files["app/sort\(copy).c"] = header("MIT") + Self.prelude + Self.kernelFunction }
            return files
        }
        let many = try tree(files(copies: 10), name: "idiom-many")
        let quiet = try CheckerSupport.check(many.root.path)
        XCTAssertFalse(quiet.findings.contains { $0.rule == "copied-code" }, "\(quiet.findings)")
        let few = try tree(files(copies: 3), name: "idiom-few")
        let found = try CheckerSupport.check(few.root.path).findings.filter { $0.rule == "copied-code" }
        XCTAssertEqual(found.map(\.location.path), ["app/sort0.c", "app/sort1.c", "app/sort2.c"])
        XCTAssertEqual(Set(found.compactMap { $0.evidence.last?.location.path }), ["lib/sort.c"])
    }

    func testHeaderlessCoreFileCopyingGPLCodeIsFound() throws {
        let fixture = try tree([
            "gpl/sort.c": header("GPL-2.0-only") + Self.prelude + Self.kernelFunction,
            "core/sort.c": Self.prelude + Self.kernelFunction,
        ])
        let report = try CheckerSupport.check(fixture.root.path)
        let finding = try XCTUnwrap(report.findings.first { $0.rule == "copied-code" }, "\(report.findings)")
        XCTAssertEqual(finding.location.path, "core/sort.c")
        XCTAssertEqual(finding.severity, .error)
        XCTAssertTrue(finding.evidence.first?.text.contains("no license statement (all rights reserved)") ?? false, "\(finding.evidence)")
    }

    func testHeaderlessCoreFileWithItsOwnCodeIsClean() throws {
        let fixture = try tree([
            "gpl/sort.c": header("GPL-2.0-only") + Self.prelude + Self.kernelFunction,
            "core/sum.c": "int sum(const int *values, int count) {\n    int total = 0;\n"
                + "    for (int i = 0; i < count; i++) total += values[i];\n    return total;\n}\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path)
        XCTAssertFalse(report.findings.contains { $0.rule == "copied-code" }, "\(report.findings)")
    }

    func testPolicyMayGiveUnlicensedCodeALicense() throws {
        let fixture = try tree([
            "gpl/sort.c": header("GPL-2.0-only") + Self.prelude + Self.kernelFunction,
            "core/sort.c": Self.prelude + Self.kernelFunction,
        ])
        var policy = BoundaryPolicy()
        policy.unlicensed = "GPL-2.0-only"
        let report = try CheckerSupport.check(fixture.root.path, policy: policy)
        XCTAssertFalse(report.findings.contains { $0.rule == "copied-code" }, "\(report.findings)")
    }
    // MARK: OR expressions: the alternative that allows the combination decides

    func testDualLicensedHeadersAreJudgedByTheAlternativeThatAllowsThem() throws {
        let fixture = try tree([
            "drv/main.c": header("GPL-2.0-only") + "#include \"mpl.h\"\n#include \"mit.h\"\n#include \"gpl3.h\"\n"
                + "int main(void) { return 0; }\n",
            "drv/mpl.h": header("MPL-1.1 OR GPL-2.0-only") + "int mpl(void);\n",
            "drv/mit.h": header("MIT OR GPL-2.0-only") + "int mit(void);\n",
            "drv/gpl3.h": header("GPL-3.0-only OR Apache-2.0") + "int gpl3(void);\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        let errors = report.findings.filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.rule), ["incompatible-include"], "\(report.findings)")
        let finding = try XCTUnwrap(errors.first)
        XCTAssertEqual(finding.location, SourceLocation(path: "drv/main.c", line: 5))
        XCTAssertTrue(finding.message.contains("as GPL-3.0-only: ") && finding.message.contains("as Apache-2.0: "), finding.message)
    }

    func testADualMPLGPLModuleIncludingGPLHeadersIsClean() throws {
        // Linux's MODULE_LICENSE("Dual MPL/GPL") without an SPDX line: the module's zone is
        // `LicenseRef-candor-MPL-unspecified OR GPL-2.0-only`, and its GPL-2.0-only
        // alternative holds GPL-2.0-only headers.
        let fixture = try tree([
            "Kbuild": "obj-m += orinoco.o\n",
            "orinoco.c": "#include \"gpl.h\"\nMODULE_LICENSE(\"Dual MPL/GPL\");\nint init_module(void) { return gpl(); }\n",
            "gpl.h": header("GPL-2.0-only") + "int gpl(void);\n",
        ])
        let report = try CheckerSupport.check(fixture.root.path, clones: false)
        XCTAssertTrue(report.zones.contains { $0.name == "module:orinoco" && $0.license == "LicenseRef-candor-MPL-unspecified OR GPL-2.0-only" },
                      "\(report.zones)")
        XCTAssertEqual(report.findings.filter { $0.severity == .error }, [])
    }

    func testAnMPLOrGPLFileCopiedIntoMITCodeIsFoundNamingBothAlternatives() throws {
        let fixture = try tree([
            "wlan/sort.c": header("GPL-2.0-only OR MPL-1.1") + Self.prelude + Self.kernelFunction,
            "app/sort.c": header("MIT") + Self.prelude + Self.kernelFunction,
        ])
        let report = try CheckerSupport.check(fixture.root.path)
        let finding = try XCTUnwrap(report.findings.first { $0.rule == "copied-code" }, "\(report.findings)")
        XCTAssertEqual(finding.location.path, "app/sort.c")
        XCTAssertTrue(finding.message.contains("as GPL-2.0-only: ") && finding.message.contains("as MPL-1.1: "), finding.message)
    }
}
