// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Inventory
import Licensing
import XCTest
@testable import SBOM

/// A small hand-built report: a tree with a tagged file, a file with an unknown license id, a
/// license text matched to a scancode LicenseRef, a binary and an old SPDX document; a Swift
/// package; a binary built from the tree that links both and glibc from the platform.
enum Fixture {
    static let emptySHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    static let abcSHA1 = "a9993e364706816aba3e25717850c26c9cd0d89d"

    static func report() -> ScanReport {
        let files = [
            FileRecord(path: "LICENSE", size: 3, sha1: "b" + String(repeating: "1", count: 39),
                       sha256: String(repeating: "1", count: 64), isBinary: false,
                       licenseMatches: [LicenseMatch(expression: "LicenseRef-scancode-public-domain", kind: .text,
                                                     startLine: 1, endLine: 3, score: 100, rule: "public-domain.LICENSE")]),
            FileRecord(path: "Sources/main.swift", size: 0, sha1: emptySHA1, sha256: String(repeating: "2", count: 64),
                       isBinary: false, licenseTags: ["Apache-2.0"],
                       copyrights: ["2026 The Candor Authors"]),
            FileRecord(path: "Sources/odd.c", size: 3, sha1: abcSHA1, sha256: String(repeating: "3", count: 64),
                       isBinary: false, licenseTags: ["Foo-Unknown-1.0", "GPL-2.0-only WITH Linux-syscall-note"]),
            FileRecord(path: "data/config.json", size: 2, sha1: "e" + String(repeating: "4", count: 39),
                       sha256: String(repeating: "7", count: 64), isBinary: false,
                       reuseLicense: "CC0-1.0", reuseCopyrights: ["2026 Data People"], reusePrecedence: "closest"),
            FileRecord(path: "old.spdx.json", size: 2, sha1: "c" + String(repeating: "2", count: 39),
                       sha256: String(repeating: "4", count: 64), isBinary: false),
            FileRecord(path: "tools/blob_1.bin", size: 9, sha1: "d" + String(repeating: "3", count: 39),
                       sha256: String(repeating: "5", count: 64), isBinary: true),
        ]
        let components = [
            Component(id: "binary:.build/debug/demo", kind: .binary, name: "demo", concludedLicense: "Apache-2.0",
                      checksums: ["SHA1": abcSHA1, "SHA256": String(repeating: "6", count: 64),
                                  "SHA512": String(repeating: "8", count: 128)],
                      location: ".build/debug/demo",
                      relationships: [.init(.generatedFrom, "tree"), .init(.staticLink, "swift:swift-argument-parser"),
                                      .init(.dynamicLink, "deb:libc6:amd64")]),
            Component(id: "deb:libc6:amd64", kind: .debianPackage, name: "libc6", version: "2.36-9+deb12u10",
                      purl: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64", supplier: "Organization: Debian",
                      downloadLocation: "https://deb.debian.org/debian/pool/main/g/glibc/",
                      declaredLicense: "LGPL-2.1-or-later", distribution: .providedByPlatform,
                      sourcePackage: "glibc", sourceVersion: "2.36-9+deb12u10"),
            Component(id: "swift:swift-argument-parser", kind: .swiftPackage, name: "swift-argument-parser",
                      version: "1.8.2", purl: "pkg:swift/github.com/apple/swift-argument-parser@1.8.2",
                      supplier: "Organization: Apple Inc.", originators: ["Organization: Apple Inc."],
                      downloadLocation: "git+https://github.com/apple/swift-argument-parser@1.8.2",
                      declaredLicense: "Apache-2.0", concludedLicense: "Apache-2.0",
                      copyrightText: "Copyright (c) 2020 Apple Inc."),
            Component(id: "tree", kind: .sourceTree, name: "demo-source", version: "1.0.0",
                      files: files.map(\.path), gitCommit: "0123456789abcdef0123456789abcdef01234567", gitDirty: true),
        ]
        return ScanReport(root: "/nonexistent/demo", files: files, components: components)
    }

    /// A few known licenses and exceptions; everything else is unknown.
    static func lookup(_ id: String) -> KnownLicense? {
        switch id {
        case "Apache-2.0", "CC0-1.0", "GPL-2.0-only", "LGPL-2.1-or-later":
            return KnownLicense(name: id, text: "text of \(id)", isException: false)
        case "Linux-syscall-note", "GCC-exception-3.1":
            return KnownLicense(name: id, text: "text of \(id)", isException: true)
        case "LicenseRef-scancode-public-domain":
            return KnownLicense(name: "Public Domain", text: "This work is in the public domain.", isException: false)
        default: return nil
        }
    }

    static let created = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func document(_ report: ScanReport = report()) -> SPDXDocument {
        makeSPDXDocument(from: report, name: "demo", created: created,
                         creator: SPDXCreator(tool: "candor-0.1.0", organization: "The Demo Authors"),
                         licenses: lookup)
    }
}

final class SPDXDocumentTests: XCTestCase {
    func testVerificationCodeMatchesAValueComputedByHand() {
        // printf 'a9993e36...d89dda39a3ee...0709' | sha1sum  (the two digests sorted, concatenated)
        XCTAssertEqual(packageVerificationCode(fileSHA1s: [Fixture.emptySHA1, Fixture.abcSHA1]),
                       "29d0dbdfff975c93e2d75e5024fe8b650ec847af")
        XCTAssertEqual(packageVerificationCode(fileSHA1s: [Fixture.abcSHA1.uppercased(), Fixture.emptySHA1]),
                       "29d0dbdfff975c93e2d75e5024fe8b650ec847af")
    }

    func testTreePackageVerificationCodeLeavesOutSPDXDocuments() throws {
        let tree = try XCTUnwrap(Fixture.document().packages.first { $0.name == "demo-source" })
        XCTAssertTrue(tree.filesAnalyzed)
        let code = try XCTUnwrap(tree.packageVerificationCode)
        XCTAssertEqual(code.packageVerificationCodeExcludedFiles, ["./old.spdx.json"])
        let included = Fixture.report().files.filter { $0.path != "old.spdx.json" }.map(\.sha1)
        XCTAssertEqual(code.packageVerificationCodeValue, packageVerificationCode(fileSHA1s: included))
        XCTAssertEqual(tree.supplier, "Organization: The Demo Authors", "the organization supplies its own tree")
        XCTAssertEqual(tree.sourceInfo, "git commit 0123456789abcdef0123456789abcdef01234567 with uncommitted changes")
        XCTAssertEqual(tree.licenseConcluded, "NOASSERTION", "some files state no license")
        XCTAssertTrue(tree.comment?.contains("2 of its 5 files state no license") == true, tree.comment ?? "")
        var licensed = Fixture.report()
        licensed.files = licensed.files.filter { !$0.licenseTags.isEmpty || $0.reuseLicense != nil || $0.path == "old.spdx.json" }
        let concluded = try XCTUnwrap(Fixture.document(licensed).packages.first { $0.name == "demo-source" })
        XCTAssertEqual(concluded.licenseConcluded, "Apache-2.0 AND CC0-1.0 AND LicenseRef-Foo-Unknown-1.0 AND GPL-2.0-only WITH Linux-syscall-note")
        let others = Fixture.document().packages.filter { $0.name != "demo-source" }
        XCTAssertTrue(others.allSatisfy { !$0.filesAnalyzed && $0.packageVerificationCode == nil && $0.licenseInfoFromFiles == nil })
    }

    func testCreationInfoAndNamespaceAreDeterministic() {
        let document = Fixture.document()
        XCTAssertEqual(document.creationInfo.creators, ["Tool: candor-0.1.0", "Organization: The Demo Authors"])
        XCTAssertEqual(document.creationInfo.created, "2026-01-01T00:00:00Z")
        XCTAssertTrue(document.documentNamespace.hasPrefix("https://candor.invalid/spdx/demo-"))
        XCTAssertEqual(document, Fixture.document())
        XCTAssertEqual(SPDXWriter.json(document), SPDXWriter.json(Fixture.document()))
        XCTAssertEqual(SPDXWriter.tagValue(document), SPDXWriter.tagValue(Fixture.document()))

        var changed = Fixture.report()
        changed.files[1].sha1 = Fixture.abcSHA1
        XCTAssertNotEqual(Fixture.document(changed).documentNamespace, document.documentNamespace,
                          "the namespace follows the content")
        let given = makeSPDXDocument(from: Fixture.report(), name: "demo", created: Fixture.created,
                                     creator: SPDXCreator(tool: "candor-0.1.0"),
                                     namespace: "https://example.invalid/x", licenses: Fixture.lookup)
        XCTAssertEqual(given.documentNamespace, "https://example.invalid/x")
        XCTAssertEqual(given.creationInfo.creators, ["Tool: candor-0.1.0"])
    }

    func testJSONKeysAreSorted() throws {
        let json = SPDXWriter.json(Fixture.document())
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["spdxVersion"] as? String, "SPDX-2.3")
        // Top-level keys appear in sorted order in the text.
        let keys = ["SPDXID", "comment", "creationInfo", "dataLicense", "documentNamespace", "files",
                    "hasExtractedLicensingInfos", "name", "packages", "relationships", "spdxVersion"]
        let offsets = try keys.map { key in try XCTUnwrap(json.range(of: "\n  \"\(key)\"")?.lowerBound, key) }
        XCTAssertEqual(offsets, offsets.sorted())
        XCTAssertFalse(json.contains("\\/"), "slashes are not escaped")
        // Everything SPDX 2.3 carries comes back; all originators and the distribution flag
        // are for the other formats (2.3 has one originator and says the latter in comments).
        var expected = Fixture.document()
        for index in expected.packages.indices {
            expected.packages[index].originators = []
            expected.packages[index].distributed = true
        }
        XCTAssertEqual(try JSONDecoder().decode(SPDXDocument.self, from: Data(json.utf8)), expected)
    }

    func testMissingSupplierAndVersionAreFilledFromWhatIsKnown() throws {
        let document = Fixture.document()
        let demo = try XCTUnwrap(document.packages.first { $0.name == "demo" })
        XCTAssertEqual(demo.versionInfo, "1.0.0", "a binary without version has its source's")
        XCTAssertEqual(demo.supplier, "Organization: The Demo Authors")
        XCTAssertTrue(demo.comment?.contains("Version: that of the source it was built from.") == true)
        let parser = try XCTUnwrap(document.packages.first { $0.name == "swift-argument-parser" })
        XCTAssertEqual(parser.supplier, "Organization: Apple Inc.", "the supplier the scan found")
        XCTAssertEqual(parser.originator, "Organization: Apple Inc.")

        var unknown = Fixture.report()
        let index = try XCTUnwrap(unknown.components.firstIndex { $0.name == "swift-argument-parser" })
        unknown.components[index].supplier = nil
        let withoutSupplier = try XCTUnwrap(Fixture.document(unknown).packages.first { $0.name == "swift-argument-parser" })
        XCTAssertEqual(withoutSupplier.supplier, "NOASSERTION", "no supplier is invented from the repository URL")

        let anonymous = makeSPDXDocument(from: Fixture.report(), name: "demo", created: Fixture.created,
                                         creator: SPDXCreator(tool: "candor-0.1.0"), licenses: Fixture.lookup)
        XCTAssertEqual(anonymous.packages.first { $0.name == "demo" }?.supplier, "NOASSERTION")
    }

    func testRepeatedKeysInTheReportDoNotRepeatElements() {
        var report = Fixture.report()
        report.components.append(report.components[1])
        report.files.append(report.files[0])
        let document = Fixture.document(report)
        XCTAssertEqual(document.packages.count, 4)
        XCTAssertEqual(document.files.count, Fixture.report().files.count)
        XCTAssertEqual(document.packages.first { $0.name == "demo-source" }?.packageVerificationCode,
                       Fixture.document().packages.first { $0.name == "demo-source" }?.packageVerificationCode)
    }

    func testIdentifiersAreSanitisedAndUnique() {
        var ids = SPDXIdentifiers()
        XCTAssertEqual(ids.make(prefix: "File", key: "tools/blob_1.bin"), "SPDXRef-File-tools-blob-1.bin")
        XCTAssertEqual(ids.make(prefix: "File", key: "tools/blob-1.bin"), "SPDXRef-File-tools-blob-1.bin-2")
        XCTAssertEqual(ids.make(prefix: "Package", key: "swift:ü"), "SPDXRef-Package-swift--")
        let document = Fixture.document()
        let all = document.packages.map(\.spdxID) + document.files.map(\.spdxID)
        XCTAssertEqual(Set(all).count, all.count)
        for id in all {
            XCTAssertTrue(id.dropFirst("SPDXRef-".count).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }, id)
        }
    }

    func testUnknownLicenseStaysVisibleWithExtractedText() throws {
        let document = Fixture.document()
        let odd = try XCTUnwrap(document.files.first { $0.fileName == "./Sources/odd.c" })
        XCTAssertEqual(odd.licenseInfoInFiles, ["GPL-2.0-only WITH Linux-syscall-note", "LicenseRef-Foo-Unknown-1.0"])
        let unknown = try XCTUnwrap(document.hasExtractedLicensingInfos.first { $0.licenseId == "LicenseRef-Foo-Unknown-1.0" })
        XCTAssertTrue(unknown.extractedText.contains("Foo-Unknown-1.0"))
        XCTAssertTrue(unknown.extractedText.contains("./Sources/odd.c"), unknown.extractedText)

        let tree = try XCTUnwrap(document.packages.first { $0.name == "demo-source" })
        XCTAssertEqual(tree.licenseInfoFromFiles, ["Apache-2.0", "GPL-2.0-only WITH Linux-syscall-note",
                                                   "LicenseRef-Foo-Unknown-1.0", "LicenseRef-scancode-public-domain"])
    }

    func testConcludedLicenseFollowsREUSEPrecedence() throws {
        func file(_ name: String, _ report: ScanReport = Fixture.report()) throws -> SPDXDocument.File {
            try XCTUnwrap(Fixture.document(report).files.first { $0.fileName == name })
        }
        XCTAssertEqual(try file("./Sources/main.swift").licenseConcluded, "Apache-2.0")
        XCTAssertEqual(try file("./Sources/odd.c").licenseConcluded,
                       "LicenseRef-Foo-Unknown-1.0 AND GPL-2.0-only WITH Linux-syscall-note")
        let config = try file("./data/config.json")
        XCTAssertEqual(config.licenseConcluded, "CC0-1.0")
        XCTAssertEqual(config.licenseInfoInFiles, ["NOASSERTION"], "the annotation is not in the file's text")
        XCTAssertEqual(config.copyrightText, "2026 Data People")

        var report = Fixture.report()
        let main = try XCTUnwrap(report.files.firstIndex { $0.path == "Sources/main.swift" })
        report.files[main].reuseLicense = "CC0-1.0"
        report.files[main].reuseCopyrights = ["2026 Someone Else"]
        report.files[main].reusePrecedence = "closest"
        XCTAssertEqual(try file("./Sources/main.swift", report).licenseConcluded, "Apache-2.0")
        XCTAssertEqual(try file("./Sources/main.swift", report).copyrightText, "2026 The Candor Authors")
        report.files[main].reusePrecedence = "aggregate"
        XCTAssertEqual(try file("./Sources/main.swift", report).licenseConcluded, "Apache-2.0 AND CC0-1.0")
        XCTAssertEqual(try file("./Sources/main.swift", report).copyrightText, "2026 The Candor Authors\n2026 Someone Else")
        report.files[main].reusePrecedence = "override"
        XCTAssertEqual(try file("./Sources/main.swift", report).licenseConcluded, "CC0-1.0")
        XCTAssertEqual(try file("./Sources/main.swift", report).copyrightText, "2026 Someone Else")
        XCTAssertEqual(try file("./Sources/main.swift", report).licenseInfoInFiles, ["Apache-2.0"])
    }

    func testEveryLicenseRefHasItsText() throws {
        let document = Fixture.document()
        let json = SPDXWriter.json(document)
        let used = Set(json.matches(of: try Regex<Substring>("LicenseRef-[A-Za-z0-9.\\-]+")).map { String($0.output) })
        XCTAssertEqual(used, Set(document.hasExtractedLicensingInfos.map(\.licenseId)))
        let publicDomain = try XCTUnwrap(document.hasExtractedLicensingInfos.first { $0.licenseId == "LicenseRef-scancode-public-domain" })
        XCTAssertEqual(publicDomain.extractedText, "This work is in the public domain.")
    }

    func testMalformedExpressionsBecomeOneLicenseRefAndNestingIsKept() {
        let references = LicenseReferences(lookup: Fixture.lookup)
        XCTAssertEqual(references.resolve("GPL-2.0-only AND (Apache-2.0 OR Unknown-1)", foundIn: "x"),
                       "GPL-2.0-only AND (Apache-2.0 OR LicenseRef-Unknown-1)")
        XCTAssertEqual(references.resolve("(GPL-2.0-only", foundIn: "x"), "LicenseRef--GPL-2.0-only")
        XCTAssertEqual(references.resolve("Apache-2.0 AND AND GPL-2.0-only", foundIn: "x"),
                       "LicenseRef-Apache-2.0-AND-AND-GPL-2.0-only")
        // Found by the fuzzer: a chain of WITHs is no expression.
        XCTAssertEqual(references.resolve("0+y WITH -y WITH Ly", foundIn: "x"), "LicenseRef-0-y-WITH--y-WITH-Ly")
        XCTAssertEqual(Set(references.extractedLicenses().map(\.licenseId)),
                       ["LicenseRef-Unknown-1", "LicenseRef--GPL-2.0-only", "LicenseRef-Apache-2.0-AND-AND-GPL-2.0-only",
                        "LicenseRef-0-y-WITH--y-WITH-Ly"])
    }

    func testBadExpressionsBecomeLicenseRefs() {
        let references = LicenseReferences(lookup: Fixture.lookup)
        XCTAssertEqual(references.resolve("(Apache-2.0 OR GPL-2.0-only)", foundIn: "x"), "Apache-2.0 OR GPL-2.0-only")
        XCTAssertEqual(references.resolve("Apache-2.0 or", foundIn: "x"), "LicenseRef-Apache-2.0-or")
        XCTAssertEqual(references.resolve("GPL-2.0-only WITH Odd-exception", foundIn: "x"),
                       "LicenseRef-GPL-2.0-only-WITH-Odd-exception")
        XCTAssertEqual(references.resolve("NOASSERTION", foundIn: "x"), "NOASSERTION")
        XCTAssertEqual(references.resolve("GPL-2.0-only WITH Linux-syscall-note", foundIn: "x"),
                       "GPL-2.0-only WITH Linux-syscall-note")
        // An exception is no license; a license is no exception; LicenseRefs are no exceptions.
        XCTAssertEqual(references.resolve("Apache-2.0 AND GCC-exception-3.1", foundIn: "x"),
                       "Apache-2.0 AND LicenseRef-GCC-exception-3.1")
        XCTAssertEqual(references.resolve("GPL-2.0-only WITH Apache-2.0", foundIn: "x"),
                       "LicenseRef-GPL-2.0-only-WITH-Apache-2.0")
        XCTAssertEqual(references.resolve("Foo WITH LicenseRef-bar", foundIn: "x"), "LicenseRef-Foo-WITH-LicenseRef-bar")
        let extracted = Dictionary(uniqueKeysWithValues: references.extractedLicenses().map { ($0.licenseId, $0) })
        XCTAssertEqual(Set(extracted.keys),
                       ["LicenseRef-Apache-2.0-or", "LicenseRef-GPL-2.0-only-WITH-Odd-exception", "LicenseRef-GCC-exception-3.1",
                        "LicenseRef-GPL-2.0-only-WITH-Apache-2.0", "LicenseRef-Foo-WITH-LicenseRef-bar"],
                       "no LicenseRef for the parts of a pair")
        XCTAssertEqual(extracted["LicenseRef-GCC-exception-3.1"]?.extractedText, "text of GCC-exception-3.1")
        XCTAssertTrue(extracted["LicenseRef-Apache-2.0-or"]?.extractedText.contains("does not parse") == true)
    }

    func testRelationshipsAndPlatformComponents() throws {
        let document = Fixture.document()
        func id(_ name: String) throws -> String { try XCTUnwrap(document.packages.first { $0.name == name }).spdxID }
        let demo = try id("demo"), tree = try id("demo-source"), libc = try id("libc6"), parser = try id("swift-argument-parser")
        let triples = Set(document.relationships.map { "\($0.spdxElementId) \($0.relationshipType) \($0.relatedSpdxElement)" })
        for expected in ["SPDXRef-DOCUMENT DESCRIBES \(demo)", "SPDXRef-DOCUMENT DESCRIBES \(tree)",
                         "\(demo) GENERATED_FROM \(tree)", "\(demo) STATIC_LINK \(parser)",
                         "\(demo) DYNAMIC_LINK \(libc)", "\(libc) PROVIDED_DEPENDENCY_OF \(demo)",
                         "\(tree) CONTAINS SPDXRef-File-Sources-main.swift"] {
            XCTAssertTrue(triples.contains(expected), expected)
        }
        XCTAssertFalse(triples.contains("SPDXRef-DOCUMENT DESCRIBES \(libc)"))
        XCTAssertEqual(document.relationships, document.relationships.sorted())
        let libcPackage = try XCTUnwrap(document.packages.first { $0.name == "libc6" })
        XCTAssertTrue(libcPackage.comment?.hasPrefix("Provided by the platform") == true)
        XCTAssertEqual(libcPackage.externalRefs.first?.referenceLocator, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64")
        XCTAssertTrue(try XCTUnwrap(document.packages.first { $0.name == "demo" }).comment?.hasPrefix("Distributed") == true)

        var dangling = Fixture.report()
        dangling.components[0].relationships.append(.init(.dependsOn, "swift:missing"))
        let missing = try XCTUnwrap(Fixture.document(dangling).relationships.first { $0.comment?.contains("swift:missing") == true })
        XCTAssertEqual(missing.relatedSpdxElement, "NOASSERTION")
    }

    func testTagValueFollowsTheSpecificationOrder() {
        let text = SPDXWriter.tagValue(Fixture.document())
        XCTAssertTrue(text.hasPrefix("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: demo\n"))
        // The tree's files follow the tree package; their CONTAINS relationships are implied.
        let tree = text.range(of: "PackageName: demo-source")!.lowerBound
        let file = text.range(of: "FileName: ./Sources/main.swift")!.lowerBound
        XCTAssertLessThan(tree, file)
        XCTAssertFalse(text.contains("CONTAINS SPDXRef-File-Sources-main.swift"))
        XCTAssertTrue(text.contains("PackageVerificationCode: "))
        XCTAssertTrue(text.contains("(excludes: ./old.spdx.json)"))
        XCTAssertTrue(text.contains("FileCopyrightText: <text>2026 The Candor Authors</text>"))
    }

    func testCreationDateComesFromSourceDateEpoch() throws {
        let now = Date(timeIntervalSince1970: 5)
        XCTAssertEqual(try creationDate(environment: [:], now: { now }), now)
        XCTAssertEqual(try creationDate(environment: ["SOURCE_DATE_EPOCH": "1767225600"], now: { now }), Fixture.created)
        XCTAssertThrowsError(try creationDate(environment: ["SOURCE_DATE_EPOCH": "yesterday"], now: { now })) { error in
            XCTAssertEqual("\(error)", "SOURCE_DATE_EPOCH: not a whole number of seconds since 1970-01-01: 'yesterday'")
        }
    }

    func testWriteIsAtomicAndReproducible() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try SPDXWriter.write(Fixture.document(), to: directory, name: "demo")
        XCTAssertEqual(paths, ["\(directory)/demo.spdx.json", "\(directory)/demo.spdx"])
        let first = try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        try SPDXWriter.write(Fixture.document(), to: directory, name: "demo")
        XCTAssertEqual(try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, first)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["demo.spdx", "demo.spdx.json"],
                       "no temporary files left behind")
        XCTAssertThrowsError(try SPDXWriter.write(Fixture.document(), to: "/proc/version/x", name: "demo"))
    }
}
