// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor release` of a project that is not Candor, generated here: a GPL C program that
// links zlib from Debian and ships Debian's libz beside it. Its release must verify, check
// the shipped libz against the zlib1g .deb, and name one component set in every artefact.
// Needs cc, zlib's headers and apt (skips with a message without them).

import Foundation
import Inventory
import Licensing
import TestSupport
import XCTest
@testable import Release
@testable import SourceOffer

final class ForeignReleaseTests: XCTestCase {
    static let database: Result<LicenseDatabase, Error> = Result { try LicenseDatabase.load() }

    @discardableResult
    private func run(_ arguments: [String], in directory: String) throws -> String {
        let result = try FileSystem.run(arguments, in: directory, environment: ["LC_ALL": "C"])
        guard result.status == 0 else { throw ProcessFailure(command: arguments, run: ProcessRun(status: result.status, output: result.output)) }
        return result.output
    }

    /// The real file of zlib1g's libz.so.1 and the package's version.
    private func hostZlib() throws -> (path: String, version: String) {
        let version = try run(["dpkg-query", "-W", "-f", "${Version}", "zlib1g"], in: "/")
        let files = try run(["dpkg", "-L", "zlib1g"], in: "/").split(separator: "\n").map(String.init)
        guard let path = files.first(where: { $0.contains("/libz.so.1.") }) else { throw XCTSkip("zlib1g lists no libz.so.1.x") }
        return (path, version)
    }

    private func makeProject(zlib: (path: String, version: String)) throws -> String {
        let root = NSTemporaryDirectory() + "candor-foreign-\(UUID().uuidString)/hello"
        try FileManager.default.createDirectory(atPath: root + "/dist", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: root).deletingLastPathComponent().path) }
        // Spelled in two pieces so that the scan of this repository does not take them for this file's tags.
        let tag = "SPDX-License-" + "Identifier", copyright = "SPDX-File" + "CopyrightText"
        let header = "\(tag): GPL-2.0-or-later\n# \(copyright): 2026 Example Person"
        let files: [String: String] = [
            "hello.c": """
                // \(tag): GPL-2.0-or-later
                // \(copyright): 2026 Example Person
                #include <stdio.h>
                #include <string.h>
                #include <zlib.h>
                int main(void) {
                    const char *text = "hello, hello, hello";
                    printf("%s: crc32 %lx\\n", text, crc32(0, (const Bytef *)text, (uInt)strlen(text)));
                    return 0;
                }

                """,
            "Makefile": "# \(header)\nbuild/hello: hello.c\n\tmkdir -p build\n\tcc -O2 -o build/hello hello.c -lz\n",
            ".gitignore": "# \(header)\n/build/\n/dist/\n",
            "components.toml": "# \(header)\n[[component]]\nname = \"zlib\"\norigin = \"debian:zlib1g\"\ndistribution = \"distributed\"\n",
            "release.toml": """
                # \(header)
                [release]
                product = "Hello"
                version = "1.0.0"
                date = "2026-12-01"
                supplier = "Example Org <sbom@example.org>"
                components = "components.toml"

                [offer]
                contact = "Example Org, Source Requests"
                email = "source@example.org"
                address = ["1 Example Road", "Example Town"]

                [[part]]
                name = "hello"
                license = "GPL-2.0-or-later"
                sources = ["hello.c", "Makefile"]
                build = ["make", "build/hello"]
                binaries = ["build/hello"]
                toolchain = ["cc --version"]

                [[shipped]]
                component = "zlib"
                binaries = ["dist/libz.so.1"]
                package = "zlib1g"
                version = "\(zlib.version)"
                package_paths = ["\(zlib.path)"]
                installed_by = ["install.sh"]

                """,
            "install.sh": "#!/bin/sh\n# \(header)\n# Puts the host's libz beside the program.\ncp \"$(readlink -f /lib/x86_64-linux-gnu/libz.so.1)\" dist/libz.so.1\n",
        ]
        for (name, text) in files { try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8) }
        try run(["git", "init", "-q"], in: root)
        try run(["git", "add", "-A"], in: root)
        try run(["git", "-c", "user.name=Example", "-c", "user.email=e@example.org", "commit", "-q", "-m", "hello"], in: root)
        try run(["make", "build/hello"], in: root)
        try FileManager.default.copyItem(atPath: zlib.path, toPath: root + "/dist/libz.so.1")
        return root
    }

    func testForeignProjectReleasesAndVerifies() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/zlib.h") else { throw XCTSkip("zlib1g-dev is not installed") }
        let database: LicenseDatabase
        do { database = try Self.database.get() } catch { throw XCTSkip("license data not available: \(error)") }
        let zlib = try hostZlib()
        let root = try makeProject(zlib: zlib)
        let output = URL(fileURLWithPath: root).deletingLastPathComponent().path + "/out/1.0.0"
        let cache = URL(fileURLWithPath: root).deletingLastPathComponent().path + "/cache"
        var options = ReleaseOptions(configFile: root + "/release.toml", outputDirectory: output, cacheDirectory: cache, jobs: 2,
                                     toolVersion: "test", created: Date(timeIntervalSince1970: 1_764_547_200))
        options.progress = { _ in }
        let result: ReleaseResult
        do {
            result = try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)
        } catch let SourceOfferError.sourceUnavailable(component, version, reason) {
            throw XCTSkip("\(component) \(version) cannot be downloaded here: \(reason)")
        }

        // Every artefact is there.
        for file in ["Hello.spdx.json", "Hello.spdx", "Hello.spdx3.jsonld", "Hello.cdx.json", "Hello.cdx.xml", "review.html",
                     "hello-1.0.0-source.tar.xz", "audit.junit.xml", "boundaries.sarif",
                     "components.json", "distribution/WRITTEN-OFFER.txt", "distribution/NOTICES.txt",
                     "distribution/licenses/GPL-2.0-or-later.txt", "distribution/licenses/Zlib.txt"] {
            XCTAssertTrue(result.files.contains(file), "\(file) missing from \(result.files)")
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: output).deletingLastPathComponent().path)
                        .contains { $0.contains("staging") }, "the staging directory is gone")

        // The supplier's mail reaches the SPDX 3 document: one agent creates it and supplies
        // and makes the tree and hello (BSI TR-03183-2's creators, with their contact).
        let graph = ((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/Hello.spdx3.jsonld")))
            as? [String: Any])?["@graph"] as? [[String: Any]]) ?? []
        let creator = try XCTUnwrap(graph.first { $0["type"] as? String == "CreationInfo" }?["createdBy"] as? [String]).first
        let agent = try XCTUnwrap(graph.first { $0["spdxId"] as? String == creator })
        XCTAssertEqual(agent["name"] as? String, "Example Org")
        XCTAssertEqual((agent["externalIdentifier"] as? [[String: Any]])?.first?["identifier"] as? String, "sbom@example.org")
        let packages = graph.filter { $0["type"] as? String == "software_Package" }
        let ours = packages.filter { ["source", "application"].contains($0["software_primaryPurpose"] as? String ?? "") }
        XCTAssertEqual(ours.count, 2, "the tree and hello: \(packages.map { $0["name"] ?? "?" })")
        for package in ours {
            let name = package["name"] as? String ?? "?"
            XCTAssertEqual(package["suppliedBy"] as? String, creator, name)
            XCTAssertEqual(package["originatedBy"] as? [String], [creator].compactMap { $0 }, name)
        }

        // One component set: the SBOM, the notices and the audit name each of its members.
        let set = result.components
        let zlibComponent = try XCTUnwrap(set.first { $0.name == "zlib" })
        XCTAssertEqual(zlibComponent.version, zlib.version, "the version comes from the shipped .deb")
        let sbom = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/Hello.spdx.json"))) as? [String: Any]
        let packageNames = Set(((sbom?["packages"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        let notices = try String(contentsOfFile: output + "/distribution/NOTICES.txt", encoding: .utf8)
        let junit = try String(contentsOfFile: output + "/audit.junit.xml", encoding: .utf8)
        let written = try JSONDecoder().decode([ReleaseComponent].self, from: Data(contentsOf: URL(fileURLWithPath: output + "/components.json")))
        XCTAssertEqual(written, set)
        for component in set {
            XCTAssertTrue(packageNames.contains(component.name), "SBOM lacks \(component.name): \(packageNames.sorted())")
            // Our own tree and binaries are judged file by file; every third-party component by name.
            guard component.kind != "sourceTree", component.kind != "binary" else { continue }
            XCTAssertTrue(notices.contains(component.name), "notices lack \(component.name)")
            XCTAssertTrue(junit.contains("component \(component.id)"), "audit lacks \(component.id)")
        }

        // The offer beside the binaries names the archive and its digest; the bundle verifies
        // (rebuilding hello from its source) and carries the install script.
        let offer = try String(contentsOfFile: output + "/distribution/WRITTEN-OFFER.txt", encoding: .utf8)
        XCTAssertTrue(offer.contains("hello-1.0.0-source.tar.xz") && offer.contains(result.bundleSHA256), offer)
        let verification = try BundleVerifier.verify(archive: result.bundle)
        XCTAssertEqual(verification.rebuilt.map(\.path), ["build/hello"])
        XCTAssertTrue(verification.manifest.files.contains { $0.path == "install/zlib/install.sh" })

        // Deterministic: a second release of the same commit is the same, file for file.
        options.outputDirectory = output + "-again"
        let again = try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)
        XCTAssertEqual(again.files, result.files)
        XCTAssertEqual(again.bundleSHA256, result.bundleSHA256)
        for file in result.files where !file.hasSuffix(".tar.xz") {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output + "/" + file)),
                           try Data(contentsOf: URL(fileURLWithPath: output + "-again/" + file)), file)
        }

        // A shipped file that differs from its package: one line naming it, nothing written.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/dist/libz.so.1")))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/dist/libz.so.1"))
        options.outputDirectory = output + "-bad"
        XCTAssertThrowsError(try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)) { error in
            XCTAssertTrue("\(error)".contains("dist/libz.so.1") && "\(error)".contains("zlib1g"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + "-bad"))
    }

    func testMissingBinaryIsOneLineNamingTheFile() throws {
        let database: LicenseDatabase
        do { database = try Self.database.get() } catch { throw XCTSkip("license data not available: \(error)") }
        let root = NSTemporaryDirectory() + "candor-missing-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try """
            [release]
            product = "Hello"
            version = "1.0.0"
            date = "2026-12-01"
            supplier = "Example Org"
            [offer]
            contact = "Example Org"
            email = "source@example.org"
            address = ["1 Example Road"]
            [[part]]
            name = "hello"
            license = "MIT"
            sources = ["hello.c"]
            build = ["make"]
            binaries = ["build/hello"]

            """.write(toFile: root + "/release.toml", atomically: true, encoding: .utf8)
        let options = ReleaseOptions(configFile: root + "/release.toml", outputDirectory: root + "/out", toolVersion: "test", created: Date())
        XCTAssertThrowsError(try ReleaseBuilder.build(options, database: database, sbomWriters: [])) { error in
            XCTAssertEqual("\(error)", "\(root)/release.toml: part hello: binary build/hello does not exist; build it first (make)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/out"))
    }
}
