// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// End to end on a small project built at test time: a git repository with a GPL "driver"
// built by make, an MIT shim header, and a fake Debian archive (a local directory of
// .dsc/.orig files) behind an injectable fetcher.

import Foundation
import Inventory
import XCTest
@testable import SourceOffer

/// The tag that the fixture files carry, assembled at run time so that scanning this
/// test source does not read the fixtures' licenses as its own.
private let licenseTag = "SPDX-License-" + "Identifier:"

/// A fake apt source: serves `<package>_<version without epoch>.dsc` and the files beside it.
struct LocalSourceFetcher: DebianSourceFetcher {
    var directory: String
    final class Counter: @unchecked Sendable { var calls = 0 }
    var counter = Counter()

    func fetch(package: String, version: String, into target: String) throws -> String {
        counter.calls += 1
        let upstream = version.split(separator: ":", maxSplits: 1).last.map(String.init) ?? version
        let dsc = "\(package)_\(upstream).dsc"
        guard FileManager.default.fileExists(atPath: directory + "/" + dsc) else {
            throw SourceOfferError.sourceUnavailable(component: package, version: version, reason: "no \(dsc) in the fake archive")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix(package + "_") {
            try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: target + "/" + name)
        }
        return dsc
    }
}

final class BundleTests: XCTestCase {
    var work = ""
    var repo: String { work + "/repo" }
    var archive: String { work + "/archive" }

    override func setUpWithError() throws {
        work = NSTemporaryDirectory() + "bundle-test-\(UUID().uuidString)"
        try write("hypervisor/drivers/drv.c", """
            // \(licenseTag) GPL-2.0-only
            #include "shim.h"
            int main(void) { return SHIM_VERSION + 42; }

            """)
        try write("hypervisor/shim/shim.h", "// \(licenseTag) MIT\n#define SHIM_VERSION 1\n")
        try write("hypervisor/Makefile", """
            build/drv: drivers/drv.c shim/shim.h
            \t@mkdir -p build
            \tgcc -O2 -g0 -ffile-prefix-map=$(CURDIR)=. -Ishim drivers/drv.c -o build/drv

            """)
        try write("hypervisor/run.sh", "#!/bin/sh\nexec ./build/drv\n", executable: true)
        try write(".gitignore", "build/\n.build/\n")
        try write("licenses/GPL-2.0-only.txt", "GNU GENERAL PUBLIC LICENSE Version 2 (test copy)\n")
        try write("README", "demo\n")
        try git("init", "-q", "-b", "main")
        try git("add", "-A")
        try git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "initial")
        let make = try FileSystem.run(["make", "-C", "hypervisor", "build/drv"], in: repo)
        XCTAssertEqual(make.status, 0, make.output)
        // The fake Debian archive: tool 1:2.0-1, and a "bad" package whose orig is corrupted.
        try makeSourcePackage("tool", "2.0", "1:2.0-1", corrupt: false)
        try makeSourcePackage("bad", "3.0", "3.0-1", corrupt: true)
        try write("bin/tool", "tool binary\n", root: work)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: work)
    }

    // MARK: helpers

    func write(_ path: String, _ text: String, executable: Bool = false, root: String? = nil) throws {
        let full = (root ?? repo) + "/" + path
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: full).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        if executable { chmod(full, 0o755) }
    }

    func git(_ arguments: String...) throws {
        let result = try FileSystem.run(["git"] + arguments, in: repo)
        XCTAssertEqual(result.status, 0, result.output)
    }

    func makeSourcePackage(_ name: String, _ upstream: String, _ version: String, corrupt: Bool) throws {
        let orig = Array("orig tarball of \(name) \(upstream)\n".utf8)
        let debian = Array("debian dir of \(name)\n".utf8)
        let revision = version.split(separator: ":").last!
        let origName = "\(name)_\(upstream).orig.tar.gz", debianName = "\(name)_\(revision).debian.tar.xz"
        try write(origName, String(decoding: orig, as: UTF8.self) + (corrupt ? "tampered\n" : ""), root: archive)
        try write(debianName, String(decoding: debian, as: UTF8.self), root: archive)
        try write("\(name)_\(revision).dsc", """
            Format: 3.0 (quilt)
            Source: \(name)
            Version: \(version)
            Checksums-Sha256:
             \(FileSystem.sha256(orig)) \(orig.count) \(origName)
             \(FileSystem.sha256(debian)) \(debian.count) \(debianName)

            """, root: archive)
    }

    func release() -> ReleaseDescription {
        ReleaseDescription(
            product: "Demo", version: "1.0", date: "2026-01-02", contact: "Demo Source Desk", email: "src@demo.example",
            address: ["Demo Street 1", "Demo City"],
            parts: [.init(name: "drivers", license: "GPL-2.0-only AND MIT",
                          sources: ["hypervisor/Makefile", "hypervisor/drivers", "hypervisor/shim", "hypervisor/run.sh"],
                          build: ["make", "-C", "hypervisor", "build/drv"], binaries: ["hypervisor/build/drv"],
                          toolchain: ["gcc --version"])],
            shipped: [.init(component: "tool", binaries: [work + "/bin/tool"])])
    }

    func components(toolVersion: String? = "1:2.0-1") -> [Inventory.Component] {
        [
            Component(id: "declared:tool", kind: .declared, name: "tool", version: "1:2.0-1+b1",
                      concludedLicense: "GPL-2.0-or-later", sourcePackage: "tool", sourceVersion: toolVersion),
            Component(id: "swift:libfoo", kind: .swiftPackage, name: "libfoo", version: "1.2.3",
                      concludedLicense: "MIT", copyrightText: "Copyright (c) 2020 Foo Authors"),
            Component(id: "deb:libc6", kind: .debianPackage, name: "libc6", concludedLicense: "LGPL-2.1-or-later",
                      distribution: .providedByPlatform),
            Component(id: "tree", kind: .sourceTree, name: "demo", concludedLicense: "GPL-2.0-only AND MIT"),
        ]
    }

    func request(_ components: [Inventory.Component]? = nil, allowDirty: Bool = false) -> BundleRequest {
        BundleRequest(tree: repo, release: release(),
                      policy: SourceObligationPolicy(licenses: ["GPL-2.0-only", "GPL-2.0-or-later", "LGPL-2.1-or-later"]),
                      components: components ?? self.components(), allowDirty: allowDirty, sourceDateEpoch: 1_767_312_000,
                      cacheDirectory: work + "/cache", licenseText: { "Text of \($0)\n" })
    }

    func build(_ request: BundleRequest? = nil, into directory: String = "out") throws -> BundleResult {
        try SourceOfferBundle.build(request ?? self.request(), into: work + "/" + directory,
                                    fetcher: LocalSourceFetcher(directory: archive))
    }

    func assertError(_ body: @autoclosure () throws -> Any, contains parts: [String],
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            for part in parts { XCTAssertTrue("\(error)".contains(part), "\"\(error)\" lacks \"\(part)\"", file: file, line: line) }
        }
    }

    /// Rewrites one file inside a bundle (and optionally its manifest checksum).
    func tamper(_ path: String, updateManifest: Bool, _ change: (inout [UInt8]) -> Void) throws -> String {
        let original = try FileSystem.read(path)
        var entries = try TarReader.entries(try XZ.decompress(original))
        guard let index = entries.firstIndex(where: { $0.path.hasSuffix("/source/hypervisor/drivers/drv.c") }) else {
            XCTFail("drv.c not in the bundle"); return path
        }
        change(&entries[index].contents)
        if updateManifest, let m = entries.firstIndex(where: { $0.path.hasSuffix("/MANIFEST.json") }) {
            var manifest = try BundleManifest.decode(entries[m].contents)
            let inner = String(entries[index].path.drop(while: { $0 != "/" }).dropFirst())
            for i in manifest.files.indices where manifest.files[i].path == inner {
                manifest.files[i].sha256 = FileSystem.sha256(entries[index].contents)
            }
            entries[m].contents = manifest.encoded()
        }
        let tampered = work + "/tampered.tar.xz"
        try FileSystem.writeAtomically(try XZ.compress(try TarWriter.archive(entries, mtime: 0)), to: tampered)
        return tampered
    }

    // MARK: tests

    func testBundleHoldsSourceOfferLicensesAndVerifies() throws {
        let result = try build()
        XCTAssertTrue(result.archive.hasSuffix("/out/demo-1.0-source.tar.xz"))
        let entries = try TarReader.entries(try XZ.decompress(try FileSystem.read(result.archive)))
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        let root = "demo-1.0-source/"
        for path in ["MANIFEST.json", "WRITTEN-OFFER.txt", "SOURCE-ACCOMPANIES-BINARIES.txt", "THIRD-PARTY-NOTICES.txt",
                     "licenses/GPL-2.0-only.txt", "licenses/GPL-2.0-or-later.txt", "licenses/MIT.txt",
                     "components/drivers/BUILDING.txt", "components/drivers/source/hypervisor/Makefile",
                     "components/drivers/source/hypervisor/drivers/drv.c", "components/drivers/source/hypervisor/shim/shim.h",
                     "components/tool/tool_2.0-1.dsc", "components/tool/tool_2.0.orig.tar.gz",
                     "components/tool/tool_2.0-1.debian.tar.xz"] {
            XCTAssertNotNil(byPath[root + path], path)
        }
        XCTAssertNil(byPath[root + "components/drivers/source/README"], "only the part's sources")
        XCTAssertNil(byPath[root + "licenses/LGPL-2.1-or-later.txt"], "libc6 is provided by the platform")
        XCTAssertEqual(byPath[root + "components/drivers/source/hypervisor/run.sh"]?.executable, true)
        XCTAssertEqual(byPath[root + "licenses/GPL-2.0-only.txt"].map { String(decoding: $0.contents, as: UTF8.self) },
                       "GNU GENERAL PUBLIC LICENSE Version 2 (test copy)\n", "the tree's own license text comes first")
        let offer = String(decoding: byPath[root + "WRITTEN-OFFER.txt"]!.contents, as: UTF8.self)
        for needle in ["Product: Demo", "Version: 1.0", "Release date: 2026-01-02", "2029-01-02", "Demo Source Desk",
                       "Demo Street 1", "src@demo.example", "drivers 1.0 (GPL-2.0-only AND MIT)", "tool 1:2.0-1+b1, from Debian source package tool 1:2.0-1 (GPL-2.0-or-later)"] {
            XCTAssertTrue(offer.contains(needle), needle)
        }
        let notices = String(decoding: byPath[root + "THIRD-PARTY-NOTICES.txt"]!.contents, as: UTF8.self)
        XCTAssertTrue(notices.contains("libfoo 1.2.3"))
        XCTAssertTrue(notices.contains("Copyright (c) 2020 Foo Authors"))
        XCTAssertTrue(notices.contains("License text: MIT\n\nText of MIT"))

        let manifest = result.manifest
        XCTAssertEqual(manifest.sourceDateEpoch, 1_767_312_000)
        XCTAssertFalse(manifest.dirtyTree)
        XCTAssertEqual(manifest.components.map(\.name), ["drivers", "tool"])
        let drv = try FileSystem.read(repo + "/hypervisor/build/drv")
        XCTAssertEqual(manifest.components[0].binaries.first?.sha256, FileSystem.sha256(drv))
        XCTAssertEqual(manifest.components[0].binaries.first?.builtPath, "hypervisor/build/drv")
        XCTAssertTrue(manifest.components[0].toolchain?.first?.version.contains("gcc") ?? false)
        XCTAssertEqual(manifest.components[1].sourceVersion, "1:2.0-1")
        XCTAssertEqual(manifest.components[1].binaries.first?.sha256, FileSystem.sha256(Array("tool binary\n".utf8)))

        let verification = try BundleVerifier.verify(archive: result.archive)
        XCTAssertEqual(verification.rebuilt.map(\.path), ["hypervisor/build/drv"])
        XCTAssertEqual(verification.checkedSourcePackages, ["components/tool/tool_2.0-1.dsc"])
        XCTAssertEqual(verification.checkedFiles, manifest.files.count)
        XCTAssertTrue(verification.description.contains("drivers: rebuilt hypervisor/build/drv equals the shipped binary"), verification.description)
    }

    func testBuildingTwiceGivesTheSameBytesAndUsesTheCache() throws {
        let fetcher = LocalSourceFetcher(directory: archive)
        let first = try SourceOfferBundle.build(request(), into: work + "/one", fetcher: fetcher)
        let second = try SourceOfferBundle.build(request(), into: work + "/two", fetcher: fetcher)
        XCTAssertEqual(first.sha256, second.sha256)
        XCTAssertEqual(try FileSystem.read(first.archive), try FileSystem.read(second.archive))
        XCTAssertEqual(fetcher.counter.calls, 1, "the second build must come from the cache")
        // A corrupted cache entry is not trusted: it is fetched again.
        let cached = work + "/cache/tool_1%3a2.0-1/tool_2.0.orig.tar.gz"
        try Data("evil".utf8).write(to: URL(fileURLWithPath: cached))
        let third = try SourceOfferBundle.build(request(), into: work + "/three", fetcher: fetcher)
        XCTAssertEqual(third.sha256, first.sha256)
        XCTAssertEqual(fetcher.counter.calls, 2)
    }

    func testDirtyTreeIsRefusedUnlessAllowedAndThenRecorded() throws {
        try write("hypervisor/drivers/drv.c", "// \(licenseTag) GPL-2.0-only\nint main(void) { return 7; }\n")
        try write("notes.txt", "untracked\n")
        assertError(try build(), contains: ["uncommitted changes", "hypervisor/drivers/drv.c", "notes.txt", "--allow-dirty"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/out/demo-1.0-source.tar.xz"), "no partial bundle")
        let result = try build(request(allowDirty: true))
        XCTAssertTrue(result.manifest.dirtyTree)
        XCTAssertEqual(result.manifest.dirtyPaths, ["hypervisor/drivers/drv.c", "notes.txt"])
        // The source still comes from the commit, never from the working tree.
        let entries = try TarReader.entries(try XZ.decompress(try FileSystem.read(result.archive)))
        let drv = entries.first { $0.path.hasSuffix("/drivers/drv.c") }
        XCTAssertTrue(String(decoding: drv?.contents ?? [], as: UTF8.self).contains("return SHIM_VERSION + 42"))
    }

    func testMissingSourceVersionStopsTheBundleNamingIt() throws {
        var missing = components()
        missing[0].sourceVersion = "1:9.9-1"
        assertError(try build(request(missing)), contains: ["component tool 1:9.9-1", "source not available", "no tool_9.9-1.dsc"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/out/demo-1.0-source.tar.xz"), "no partial bundle")

        var noOrigin = components()
        noOrigin[0].sourcePackage = nil
        assertError(try build(request(noOrigin)), contains: ["component tool 1:2.0-1+b1", "source unknown", "no origin"])

        assertError(try build(request(Array(components().dropFirst()))),
                    contains: ["component tool (no version)", "ships its binaries (\(work)/bin/tool)", "no distributed component"])

        let gplBinary = Component(id: "binary:x", kind: .binary, name: "x", concludedLicense: "GPL-2.0-only", location: "out/x")
        assertError(try build(request(components() + [gplBinary])), contains: ["component x", "no [[part]]"])
    }

    func testCorruptedUpstreamFileIsRefused() throws {
        let bad = Component(id: "declared:bad", kind: .declared, name: "bad", version: "3.0-1",
                            concludedLicense: "GPL-2.0-only", sourcePackage: "bad", sourceVersion: "3.0-1")
        assertError(try build(request(components() + [bad])), contains: ["bad_3.0.orig.tar.gz", "size mismatch"])
    }

    func testVerifyFailsWhenOneSourceByteChanges() throws {
        let result = try build()
        let tampered = try tamper(result.archive, updateManifest: false) { bytes in
            let index = bytes.firstIndex(of: UInt8(ascii: "4"))!
            bytes[index] = UInt8(ascii: "5")
        }
        assertError(try BundleVerifier.verify(archive: tampered),
                    contains: ["demo-1.0-source/components/drivers/source/hypervisor/drivers/drv.c", "SHA-256 mismatch"])
        // With the manifest updated too, the rebuild shows the source no longer corresponds.
        let consistent = try tamper(result.archive, updateManifest: true) { bytes in
            let index = bytes.firstIndex(of: UInt8(ascii: "4"))!
            bytes[index] = UInt8(ascii: "5")
        }
        assertError(try BundleVerifier.verify(archive: consistent),
                    contains: ["rebuild of drivers", "hypervisor/build/drv differs from the shipped binary"])
    }

    func testVerifyRefusesHostileAndIncompleteArchives() throws {
        let result = try build()
        let entries = try TarReader.entries(try XZ.decompress(try FileSystem.read(result.archive)))
        func verify(_ bytes: [UInt8]) throws {
            let path = work + "/hostile.tar.xz"
            try FileSystem.writeAtomically(try XZ.compress(bytes), to: path)
            _ = try BundleVerifier.verify(archive: path, rebuild: false)
        }
        // An extra file that is not in the manifest.
        let extra = try TarWriter.archive(entries + [TarEntry(path: "demo-1.0-source/extra.sh", contents: [1])], mtime: 0)
        assertError(try verify(extra), contains: ["extra.sh is in the archive but not listed"])
        // A listed file that is missing.
        let missing = try TarWriter.archive(entries.filter { !$0.path.hasSuffix("WRITTEN-OFFER.txt") }, mtime: 0)
        assertError(try verify(missing), contains: ["WRITTEN-OFFER.txt is listed but missing"])
        // A file outside the top directory.
        let outside = try TarWriter.archive(entries + [TarEntry(path: "zzz", contents: [1])], mtime: 0)
        assertError(try verify(outside), contains: ["zzz", "outside the bundle's top directory"])
        // Raw hostile header: a path with .. after the real entries.
        var raw = try TarWriter.archive(entries, mtime: 0)
        while raw.count % 512 == 0, raw.suffix(512).allSatisfy({ $0 == 0 }) { raw.removeLast(512) }
        raw += TarWriter.header(name: Array("demo-1.0-source/../../evil".utf8), mode: 0o644, size: 0, mtime: 0, type: UInt8(ascii: "0"))
        raw += [UInt8](repeating: 0, count: 1024)
        assertError(try verify(raw), contains: ["demo-1.0-source/../../evil", "parent directory component"])
        // Not an xz file at all.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: work + "/garbage.tar.xz"))
        assertError(try BundleVerifier.verify(archive: work + "/garbage.tar.xz"), contains: ["xz"])
    }

    func testMissingShippedBinaryIsAnError() throws {
        try FileManager.default.removeItem(atPath: repo + "/hypervisor/build/drv")
        assertError(try build(), contains: ["part drivers", "hypervisor/build/drv does not exist"])
        // --binary supplies the shipped file from elsewhere.
        try write("elsewhere/drv", "prebuilt\n", root: work)
        var explicit = request()
        explicit.binaries = [work + "/elsewhere/drv", work + "/bin/tool"]
        let result = try build(explicit)
        XCTAssertEqual(result.manifest.components[0].binaries.first?.path, work + "/elsewhere/drv")
        XCTAssertEqual(result.manifest.otherBinaries.map(\.path), [work + "/bin/tool"])
    }

    func testTimestampComesFromSourceDateEpochOrTheCommit() throws {
        var request = self.request()
        request.sourceDateEpoch = nil
        let commitTime = try FileSystem.run(["git", "log", "-1", "--format=%ct"], in: repo)
        unsetenv("SOURCE_DATE_EPOCH")
        XCTAssertEqual(try build(request).manifest.sourceDateEpoch, Int(commitTime.output.trimmed("\n")))
        setenv("SOURCE_DATE_EPOCH", "1234567", 1)
        defer { unsetenv("SOURCE_DATE_EPOCH") }
        let result = try build(request, into: "epoch")
        XCTAssertEqual(result.manifest.sourceDateEpoch, 1_234_567)
        let listing = try FileSystem.run(["tar", "--utc", "-tvJf", result.archive], in: work)
        XCTAssertTrue(listing.output.split(separator: "\n").allSatisfy { $0.contains("1970-01-15 06:56") }, listing.output)
        setenv("SOURCE_DATE_EPOCH", "yesterday", 1)
        assertError(try build(request, into: "bad"), contains: ["SOURCE_DATE_EPOCH", "yesterday"])
    }

    func testNoticesCarryApacheNoticeFiles() throws {
        try write("vendor/libbar/NOTICE", "libbar\nCopyright 2019 The Bar Authors\n", root: work)
        let bar = Component(id: "swift:libbar", kind: .swiftPackage, name: "libbar", version: "0.9",
                            concludedLicense: "Apache-2.0", location: work + "/vendor/libbar")
        try write(".build/checkouts/TOMLKit/NOTICE", "TOMLKit notice\n")
        let toml = Component(id: "swift:tomlkit", kind: .swiftPackage, name: "tomlkit", version: "0.6.0", concludedLicense: "MIT")
        let result = try build(request(components() + [bar, toml]))
        let entries = try TarReader.entries(try XZ.decompress(try FileSystem.read(result.archive)))
        let notices = String(decoding: entries.first { $0.path.hasSuffix("THIRD-PARTY-NOTICES.txt") }?.contents ?? [], as: UTF8.self)
        XCTAssertTrue(notices.contains("NOTICE file of libbar:\n\nlibbar\nCopyright 2019 The Bar Authors"), notices)
        XCTAssertTrue(notices.contains("NOTICE file of tomlkit:\n\nTOMLKit notice"), notices)
        XCTAssertTrue(notices.contains("License text: Apache-2.0"), notices)
        XCTAssertTrue(result.manifest.licenses.contains("Apache-2.0"))
    }

    func testSourcePathMissingFromTheCommitIsAnError() throws {
        var request = self.request()
        request.release.parts[0].sources.append("hypervisor/not-committed")
        assertError(try build(request), contains: ["part drivers", "hypervisor/not-committed", "is not in commit"])
    }

    /// A tree that is a subdirectory of its repository: paths stay relative to the tree.
    func testTreeInsideALargerRepository() throws {
        let outer = work + "/outer"
        try FileManager.default.createDirectory(atPath: outer, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: repo + "/.git")
        try FileManager.default.moveItem(atPath: repo, toPath: outer + "/proj")
        for arguments in [["init", "-q"], ["add", "-A"], ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "outer"]] {
            let result = try FileSystem.run(["git"] + arguments, in: outer)
            XCTAssertEqual(result.status, 0, result.output)
        }
        var request = self.request()
        request.tree = outer + "/proj"
        let result = try build(request)
        XCTAssertTrue(result.manifest.files.contains { $0.path == "components/drivers/source/hypervisor/drivers/drv.c" })
        XCTAssertEqual(result.manifest.components[0].binaries.first?.path, "hypervisor/build/drv")
        XCTAssertEqual(try BundleVerifier.verify(archive: result.archive).rebuilt.count, 1)
    }

    /// The real thing: busybox's Debian source package from the deb-src entry `make setup` adds.
    func testRealAptSourceForInstalledBusybox() throws {
        let query = try FileSystem.run(["dpkg-query", "-W", "-f", "${source:Package} ${source:Version}", "busybox-static"], in: "/")
        guard query.status == 0 else { throw XCTSkip("busybox-static is not installed (make setup installs it)") }
        let fields = query.output.split(separator: " ").map(String.init)
        guard fields.count == 2 else { throw XCTSkip("dpkg-query gave \(query.output)") }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let package: DebianSourcePackage
        do {
            package = try DebianSourcePackage.load(package: fields[0], version: fields[1], fetcher: AptSourceFetcher(),
                                                   cacheDirectory: root + "/.cache/debian-sources")
        } catch SourceOfferError.sourceUnavailable(_, _, let reason) {
            throw XCTSkip("no network or deb-src entry: \(reason)")
        }
        XCTAssertEqual(package.control.source, "busybox")
        XCTAssertEqual(package.control.version, fields[1])
        XCTAssertTrue(package.files.contains { $0.name.contains(".orig.tar.") })
        // A version the archive no longer has stops with apt's reason.
        XCTAssertThrowsError(try DebianSourcePackage.load(package: fields[0], version: "1:0.0.0-0", fetcher: AptSourceFetcher(),
                                                          cacheDirectory: nil)) { error in
            XCTAssertTrue("\(error)".contains("\(fields[0]) 1:0.0.0-0: source not available"), "\(error)")
        }
    }
}
