// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The review page in a real browser: headless Chromium driven by selenium (browser_test.py).
// The page and the screenshots are kept in .build/review-screens/.

import Foundation
import Review
import SBOMReader
import TestSupport
import XCTest

final class ReviewBrowserTests: XCTestCase {
    func testPageInHeadlessChromium() throws {
        let python = "\(repository)/.venv/bin/python"
        for (path, what) in [("/usr/bin/chromium", "Debian's chromium"), ("/usr/bin/chromedriver", "Debian's chromium-driver"),
                             (python, "the .venv")] where !FileManager.default.isExecutableFile(atPath: path) {
            throw XCTSkip("\(what) is missing (\(path)); run `make setup`")
        }
        guard try runProcess(python, ["-c", "import selenium"]).status == 0 else { throw XCTSkip("selenium is not installed in .venv; run `make setup`") }

        let screens = "\(repository)/.build/review-screens"
        try FileManager.default.createDirectory(atPath: screens, withIntermediateDirectories: true)
        let hostile = hostileDocument()
        let input = ReviewInput(
            title: "demo-release-2", documents: [try SBOMReader.read(path: "\(fixtures)/release-2.spdx.json"), hostile],
            findings: try SARIFReader.read(path: "\(fixtures)/findings.sarif"),
            previous: [try SBOMReader.read(path: "\(fixtures)/release-1.spdx.json")])
        let page = "\(screens)/review.html"
        try Data(ReviewPage.render(input).utf8).write(to: URL(fileURLWithPath: page), options: .atomic)
        let expected: [String: Any] = [
            "counts": ["count-components": 7, "count-distributed": 6, "count-files": 5, "count-licenses": 7,
                       "count-source": 3, "count-attribution": 6, "count-findings": 2],
            "license": "GPL-2.0-only", "licenseRows": 2,
            "drill": "demo-app", "drillFiles": 2, "drillFile": "src/main.c", "drillCopyright": "Copyright 2026 Example Corp",
            "licenses": 7, "findings": 2, "firstFindingSteps": 2,
            "changes": ["new-component": 2, "removed-component": 1, "upgrade": 2, "downgrade": 1, "license-change": 1,
                        "new-copyleft": 2, "removed-source": 1, "new-finding": 2],
            "hostile": hostile.components[0].name,
        ]
        let expectedPath = "\(screens)/expected.json"
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: expectedPath))
        let result = try runProcess(python, ["\(repository)/Tests/ReviewTests/browser_test.py", page, screens, expectedPath])
        print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("browser test: PASS"), result.output)
        for name in ["1-summary.png", "2-filtered.png", "3-drilldown.png", "4-changes.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(screens)/\(name)"), "no screenshot \(name)")
        }
    }
}

/// `candor review` and `candor diff` as users run them (the debug build of `candor`).
final class ReviewCommandTests: XCTestCase {
    func candor() throws -> String {
        let path = "\(repository)/.build/debug/candor"
        guard FileManager.default.isExecutableFile(atPath: path) else { throw NotBuilt(path, how: "run `swift build`") }
        return path
    }

    func testDiffExitStatusAndFormats() throws {
        let candor = try candor()
        let old = "\(fixtures)/release-1.spdx.json", new = "\(fixtures)/release-2.spdx.json"
        let text = try runProcess(candor, ["diff", old, new])
        XCTAssertEqual(text.status, 0, text.output)
        XCTAssertTrue(text.output.contains("new-copyleft: busybox: GPL-2.0-only"), text.output)
        let failing = try runProcess(candor, ["diff", old, new, "--fail-on", "new-finding,new-copyleft"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.output.contains("candor diff: failing on new-copyleft"), failing.output)
        XCTAssertEqual(try runProcess(candor, ["diff", old, new, "--fail-on", "new-finding"]).status, 0)
        let markdown = try runProcess(candor, ["diff", old, new, "--format", "markdown"])
        XCTAssertTrue(markdown.output.hasPrefix("### candor diff:"), markdown.output)
        let bad = try runProcess(candor, ["diff", old, new, "--fail-on", "everything"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.output.contains("--fail-on: unknown kind \"everything\""), bad.output)
        let missing = try runProcess(candor, ["diff", old, "/nonexistent.json"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.hasPrefix("candor: /nonexistent.json: cannot read"), missing.output)
    }

    func testReviewWritesThePage() throws {
        let candor = try candor()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("candor-review-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try runProcess(candor, ["review", "\(fixtures)/release-2.spdx.json", "\(fixtures)/release-2.cdx.json",
                                      "--previous", "\(fixtures)/release-1.spdx.json", "--findings", "\(fixtures)/findings.sarif",
                                      "-o", output])
        XCTAssertEqual(result.status, 0, result.output)
        let page = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(page.contains("\"format\":\"CycloneDX 1.6\""))
        XCTAssertTrue(page.contains("\"diff\":{\"previous\":\"demo-release-1\""))
        let bad = try runProcess(candor, ["review", "\(fixtures)/findings.sarif", "-o", output])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.output.hasPrefix("candor: \(fixtures)/findings.sarif: not an SPDX 2.3 JSON"), bad.output)
    }
}
