// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
@testable import Review
import SBOMReader
import XCTest

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
/// The SBOM fixtures live beside the reader's tests.
let fixtures = "\(repository)/Tests/SBOMReaderTests/Fixtures"

/// An SBOM written to attack the page: markup and script in every field a page shows.
func hostileDocument() -> SBOMDocument {
    SBOMDocument(path: "hostile.json", format: .cycloneDX, name: "</script><script>window.__pwned=3</script>", components: [
        SBOMComponent(id: "x\"><img src=x onerror=\"window.__pwned=4\">",
                      name: "<img src=x onerror=\"window.__pwned=1\">", version: "1.0\u{2028}",
                      supplier: "<b>evil</b>", purl: "pkg:generic/evil@1.0", downloadLocation: "javascript:window.__pwned=5",
                      declaredLicense: "MIT", files: [
                        SBOMFile(path: "</script><script>window.__pwned=2</script>", concludedLicense: "MIT",
                                 copyrights: ["<!-- Copyright & <evil> -->"]),
                      ]),
    ])
}

final class ReviewTests: XCTestCase {
    /// The families are Licensing's (LicenseSemantics); the review adds only absent, NONE and unparsable.
    func testLicenseFamilies() {
        XCTAssertEqual(family(of: "MIT"), .family(.permissive))
        XCTAssertEqual(family(of: "Apache-2.0"), .family(.permissive))
        XCTAssertEqual(family(of: "GPL-2.0-only"), .family(.strongCopyleft))
        XCTAssertEqual(family(of: "GPL-2.0+"), .family(.strongCopyleft))
        XCTAssertEqual(family(of: "AGPL-3.0-or-later"), .family(.networkCopyleft), "copyleft that reaches network use")
        XCTAssertEqual(family(of: "LGPL-2.1-or-later"), .family(.weakLibraryCopyleft))
        XCTAssertEqual(family(of: "MPL-2.0"), .family(.weakFileCopyleft))
        // The exception lifts the copyleft only for some uses (user space), which a document
        // does not tell: the code itself stays GPL (Licensing judges the use in `verdict`).
        XCTAssertEqual(family(of: "GPL-2.0-only WITH Linux-syscall-note"), .family(.strongCopyleft))
        XCTAssertEqual(family(of: "MIT OR GPL-2.0-only"), .family(.permissive), "the recipient may choose MIT")
        XCTAssertEqual(family(of: "MIT AND GPL-2.0-only"), .family(.strongCopyleft))
        XCTAssertEqual(family(of: "(MIT OR Apache-2.0) AND LGPL-2.1-only"), .family(.weakLibraryCopyleft))
        XCTAssertEqual(family(of: "CC0-1.0"), .family(.permissive))
        XCTAssertEqual(family(of: "LicenseRef-proprietary"), .family(.proprietary), "all rights reserved")
        XCTAssertEqual(family(of: "MIT AND AND"), .unrecognized)
        XCTAssertEqual(family(of: nil), .unknown)
        XCTAssertEqual(family(of: "NOASSERTION"), .unknown)
        XCTAssertEqual(family(of: "NONE"), .none)
        XCTAssertTrue(LicenseClass.family(.strongCopyleft).requiresSource)
        XCTAssertTrue(LicenseClass.family(.weakFileCopyleft).requiresSource)
        XCTAssertFalse(LicenseClass.family(.permissive).requiresSource)
        XCTAssertTrue(LicenseClass.family(.permissive).requiresAttribution)
        XCTAssertFalse(LicenseClass.family(.proprietary).requiresSource)
        XCTAssertFalse(LicenseClass.none.requiresAttribution)
        XCTAssertEqual(LicenseClass.allCases.prefix(2), [.family(.proprietary), .family(.networkCopyleft)], "most demanding first")
        XCTAssertEqual(Set(LicenseClass.allCases.map(\.rawValue)).count, LicenseClass.allCases.count)
    }

    func testVersionComparison() {
        XCTAssertLessThan(compareVersions("1.2.11", "1.2.13"), 0)
        XCTAssertLessThan(compareVersions("1.9", "1.10"), 0)
        XCTAssertGreaterThan(compareVersions("2.0", "1.9"), 0)
        XCTAssertLessThan(compareVersions("2.0-rc1", "2.0-rc2"), 0)
        XCTAssertEqual(compareVersions("1.0", "1.0"), 0)
        XCTAssertLessThan(compareVersions("1.0", "1.0.1"), 0)
        XCTAssertLessThan(compareVersions("2.0-rc1", "2.0"), 0, "a pre-release comes before its release")
        XCTAssertGreaterThan(compareVersions("2.0", "2.0~beta1"), 0)
        XCTAssertLessThan(compareVersions("2.0-rc1", "2.0.1"), 0)
        XCTAssertGreaterThan(compareVersions("1.35.0-4", "1.35.0"), 0, "a Debian revision comes after the upstream version")
        XCTAssertEqual(compareVersions("1.01", "1.1"), 0)
    }

    func releases() throws -> (Release, Release) {
        (Release(label: "release-1", documents: [try SBOMReader.read(path: "\(fixtures)/release-1.spdx.json")]),
         Release(label: "release-2", documents: [try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json")]))
    }

    func testDiffOfTwoReleases() throws {
        let (old, new) = try releases()
        let diff = ReleaseDiff(old: old, new: new)
        XCTAssertEqual(diff.text(), """
            candor diff: release-1 -> release-2
            new-component: busybox 1:1.35.0-4 (GPL-2.0-only)
            removed-component: oldlib 1.0 (BSD-3-Clause)
            version-change: demo-app 1.0 -> 2.0 (upgrade)
            version-change: libfoo 2.0 -> 1.9 (downgrade)
            version-change: zlib 1.2.11 -> 1.2.13 (upgrade)
            license-change: libfoo: MIT -> GPL-2.0-only (Permissive -> Strong copyleft)
            new-copyleft: busybox: GPL-2.0-only (new strong copyleft component)
            new-copyleft: libfoo: GPL-2.0-only (now strong copyleft)
            removed-source: libbar: was https://example.org/libbar-3.1.tar.gz (the SBOM no longer says where its source is)
            1 new-component, 1 removed-component, 3 version-change, 1 license-change, 2 new-copyleft, 1 removed-source, 0 new-finding

            """)
        XCTAssertEqual(ReleaseDiff(old: new, new: new).changes, [], "a release compared with itself has no changes")

        // The same release read from SPDX 3.0.1 and CycloneDX: the same components, no changes
        // between the two formats in versions (their license details differ by design of the fixtures).
        let spdx3 = Release(label: "3", documents: [try SBOMReader.read(path: "\(fixtures)/release-2.spdx3.json")])
        let cdx = Release(label: "cdx", documents: [try SBOMReader.read(path: "\(fixtures)/release-2.cdx.json")])
        XCTAssertEqual(ReleaseDiff(old: spdx3, new: cdx).changes.filter { $0.kind != .licenseChange && $0.kind != .newCopyleft }, [])

        let findings = try SARIFReader.read(path: "\(fixtures)/findings.sarif")
        var withFindings = new
        withFindings.findings = findings
        var moved = new
        moved.findings = findings.map { var f = $0; f.location = f.location.replacingOccurrences(of: ":4", with: ":9"); return f }
        XCTAssertEqual(ReleaseDiff(old: new, new: withFindings).count(.newFinding), 2)
        XCTAssertEqual(ReleaseDiff(old: moved, new: withFindings).count(.newFinding), 0, "a finding that moved lines is not new")
    }

    func testDiffFormats() throws {
        let (old, new) = try releases()
        let diff = ReleaseDiff(old: old, new: new)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try diff.json().utf8)) as? [String: Any])
        XCTAssertEqual((json["counts"] as? [String: Int])?["version-change"], 3)
        XCTAssertEqual((json["changes"] as? [Any])?.count, diff.changes.count)
        let markdown = diff.markdown()
        XCTAssertTrue(markdown.hasPrefix("### candor diff: release-1 → release-2\n"), markdown)
        XCTAssertTrue(markdown.contains("| New copyleft | 2 |"), markdown)
        XCTAssertTrue(markdown.contains("| libfoo | MIT | GPL-2.0-only | Permissive -&gt; Strong copyleft |"), markdown)

        let hostile = Release(label: "x", documents: [hostileDocument()])
        let escaped = ReleaseDiff(old: old, new: hostile).markdown()
        XCTAssertFalse(escaped.contains("<img"), escaped)
        XCTAssertTrue(escaped.contains("&lt;img src=x onerror=\"window.\\_\\_pwned=1\"&gt;"), escaped)
    }

    func testSARIFFindingsWithEvidence() throws {
        let findings = try SARIFReader.read(path: "\(fixtures)/findings.sarif")
        XCTAssertEqual(findings.count, 2)
        XCTAssertEqual(findings[0].rule, "gpl-include")
        XCTAssertEqual(findings[0].location, "src/core.c:4")
        XCTAssertEqual(findings[0].evidence.map(\.location), ["src/core.c:4", "include/a.h:3"])
        XCTAssertEqual(findings[0].evidence.map(\.text), ["includes a.h", "includes gpl.h"])
        XCTAssertEqual(findings[1].evidence.map(\.text), ["no SPDX tag"], "related locations when there is no code flow")
        XCTAssertThrowsError(try SARIFReader.read(path: "\(fixtures)/release-2.spdx.json")) { error in
            XCTAssertEqual("\(error)", "\(fixtures)/release-2.spdx.json: runs: missing: not a SARIF 2.1.0 log")
        }
    }

    func testSummary() throws {
        let current = try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json")
        let summary = ReviewPage.summary(ReviewInput(title: "t", documents: [current]))
        let names = current.components.map(\.name)
        XCTAssertEqual(summary.components, 6)
        XCTAssertEqual(summary.distributed, 5)
        XCTAssertEqual(summary.files, 4)
        XCTAssertEqual(summary.mustOfferSource.map { names[$0] }, ["busybox", "libbar", "libfoo"])
        XCTAssertEqual(summary.needsAttribution.map { names[$0] }, ["demo-app", "busybox", "libbar", "libfoo", "zlib"])
    }

    /// Untrusted SBOM text can neither close the data block nor become markup.
    func testPageEscapesUntrustedInput() throws {
        let page = ReviewPage.render(ReviewInput(title: "<title>&", documents: [hostileDocument()]))
        XCTAssertFalse(page.contains("<img"), "markup from the SBOM reached the page")
        XCTAssertFalse(page.contains("window.__pwned=3</script>"))
        XCTAssertEqual(page.components(separatedBy: "</script>").count, 3, "only the page's own two script elements")
        XCTAssertFalse(page.contains("\u{2028}"))
        XCTAssertTrue(page.contains("<title>Review: &lt;title&gt;&amp;</title>"))
        // The data block is JSON that gives the text back exactly.
        let start = try XCTUnwrap(page.range(of: "<script type=\"application/json\" id=\"review-data\">"))
        let end = try XCTUnwrap(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
        let data = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(page[start.upperBound..<end.lowerBound].utf8)) as? [String: Any])
        let component = try XCTUnwrap((data["components"] as? [[String: Any]])?.first)
        XCTAssertEqual(component["name"] as? String, "<img src=x onerror=\"window.__pwned=1\">")
        XCTAssertEqual(component["version"] as? String, "1.0\u{2028}")
        XCTAssertEqual(((data["files"] as? [[Any]])?.first?.first as? String), "</script><script>window.__pwned=2</script>")
    }

    /// No network: inline style and script only, and a policy that allows nothing else.
    func testPageIsSelfContained() throws {
        let page = ReviewPage.render(ReviewInput(title: "t", documents: [try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json")]))
        XCTAssertFalse(page.contains(" src="), "no external script or image")
        XCTAssertFalse(page.contains("rel=\"stylesheet\""))
        XCTAssertTrue(page.contains("default-src 'none'"))
        XCTAssertTrue(page.contains("script-src 'sha256-"))
        XCTAssertEqual(page, ReviewPage.render(ReviewInput(title: "t", documents: [try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json")])),
                       "the page is deterministic")
    }
}
