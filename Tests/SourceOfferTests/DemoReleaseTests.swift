// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The demo release of this repository, as `hypervisor/release.toml` describes it: the GPL
// drivers at the released commit and busybox's Debian source package at exactly the
// installed version. Needs the drivers' toolchain and apt's deb-src (skips without them).

import Foundation
import Inventory
import XCTest
@testable import SourceOffer

final class DemoReleaseTests: XCTestCase {
    func testDemoReleaseBundleIsReproducibleAndVerifies() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let release = try ReleaseDescription(file: root + "/hypervisor/release.toml")
        let policy = try SourceObligationPolicy(policyFile: root + "/licenses/policy.toml")
        let make = try FileSystem.run(["make", "-C", "hypervisor"] + (release.parts.first?.build.dropFirst(3) ?? []), in: root)
        guard make.status == 0 else { return XCTFail("the drivers do not build: \(make.output.suffix(300))") }
        // What the inventory scan reports for hypervisor/components.toml's busybox entry.
        let query = try FileSystem.run(["dpkg-query", "-W", "-f", "${Version} ${source:Package} ${source:Version}", "busybox-static"], in: "/")
        let fields = query.output.split(separator: " ").map(String.init)
        guard query.status == 0, fields.count == 3 else { throw XCTSkip("busybox-static is not installed (make setup installs it)") }
        let busybox = Component(id: "declared:busybox", kind: .declared, name: "busybox", version: fields[0],
                                concludedLicense: "GPL-2.0-only", sourcePackage: fields[1], sourceVersion: fields[2])
        let output = NSTemporaryDirectory() + "candor-demo-bundle-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        // A developer's tree may be dirty; the flag is then recorded in the bundle.
        let request = BundleRequest(tree: root, release: release, policy: policy, components: [busybox], allowDirty: true,
                                    cacheDirectory: root + "/.cache/debian-sources")
        let start = Date()
        let first: BundleResult
        do {
            first = try SourceOfferBundle.build(request, into: output + "/one")
        } catch let SourceOfferError.sourceUnavailable(component, version, reason) {
            throw XCTSkip("\(component) \(version): no network or deb-src entry: \(reason)")
        }
        let built = Date()
        let second = try SourceOfferBundle.build(request, into: output + "/two")
        XCTAssertEqual(first.sha256, second.sha256, "two builds from the same commit must be byte-identical")

        let names = first.manifest.files.map(\.path)
        XCTAssertTrue(names.contains("components/busybox/busybox_\(fields[2].split(separator: ":").last!).dsc"), "\(names)")
        XCTAssertTrue(names.contains("components/candor-drivers/source/hypervisor/drivers/blk.c"))
        XCTAssertTrue(names.contains("components/candor-drivers/source/hypervisor/shim/candor_shim.h"))
        XCTAssertTrue(names.contains("WRITTEN-OFFER.txt") && names.contains("licenses/GPL-2.0-only.txt") && names.contains("licenses/MIT.txt"))
        XCTAssertEqual(first.manifest.components.first { $0.name == "busybox" }?.sourceVersion, fields[2])

        let sources = release.parts.flatMap(\.sources)
        if let changed = first.manifest.dirtyPaths.first(where: { path in sources.contains { path == $0 || path.hasPrefix($0 + "/") } }) {
            throw XCTSkip("\(changed) differs from the commit, so the shipped drivers cannot match the committed source; commit to verify")
        }
        let verifyStart = Date()
        let verification = try BundleVerifier.verify(archive: first.archive)
        XCTAssertEqual(verification.rebuilt.map(\.path).sorted(), (release.parts.first?.binaries ?? []).sorted())
        print(String(format: "demo bundle: %d bytes, %d files, sha256 %@; build %.1f s (first, cache warm or cold), verify with rebuild %.1f s",
                     first.size, first.manifest.files.count, first.sha256, built.timeIntervalSince(start), Date().timeIntervalSince(verifyStart)))
    }
}
