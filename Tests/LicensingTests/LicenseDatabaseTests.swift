// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Licensing

final class LicenseDatabaseTests: XCTestCase {
    private func database() throws -> LicenseDatabase { try SharedDatabase.get() }

    func testKnownIDsAndInfo() throws {
        let db = try database()
        XCTAssertTrue(db.isKnown(spdxID: "MIT"))
        XCTAssertTrue(db.isKnown(spdxID: "gpl-2.0+"))
        XCTAssertTrue(db.isKnown(spdxID: "Linux-syscall-note"))
        XCTAssertFalse(db.isKnown(spdxID: "No-Such-License-9"))
        let gpl = try XCTUnwrap(db.license(spdxID: "GPL-2.0"))
        XCTAssertEqual(gpl.spdxID, "GPL-2.0-only")
        XCTAssertEqual(gpl.category, "Copyleft")
        XCTAssertTrue(gpl.text.contains("GNU GENERAL PUBLIC LICENSE"))
        XCTAssertEqual(db.license(spdxID: "Linux-syscall-note")?.isException, true)
        XCTAssertEqual(db.license(spdxID: "MIT")?.isOSIApproved, true)
        XCTAssertEqual(db.dataVersion, "licensedcode-data 32.1.0")
        XCTAssertTrue(db.attribution.contains("CC-BY-4.0"))
    }

    func testIndexDataVersionIsReadFromTheHeaderTheWriterWrites() throws {
        let db = try database()
        let directory = NSTemporaryDirectory() + "candor-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try db.writeIndex(to: directory + "/licenses.index")
        XCTAssertEqual(LicenseDatabase.indexDataVersion(ofFile: directory + "/licenses.index"), db.dataVersion)
        try Data("CANDORL".utf8).write(to: URL(fileURLWithPath: directory + "/short"))
        XCTAssertNil(LicenseDatabase.indexDataVersion(ofFile: directory + "/short"))
        XCTAssertNil(LicenseDatabase.indexDataVersion(ofFile: #filePath))
        XCTAssertNil(LicenseDatabase.indexDataVersion(ofFile: directory + "/missing"))
    }

    func testUnknownIDsOfAnExpression() throws {
        let db = try database()
        let e = try LicenseExpression.parse("MIT OR Foo-1.0 AND GPL-2.0 WITH Bar-exception AND LicenseRef-mine")
        XCTAssertEqual(db.unknownIDs(in: e), ["Bar-exception", "Foo-1.0"])
        XCTAssertEqual(db.unknownIDs(in: try LicenseExpression.parse("LicenseRef-scancode-no-such-key")),
                       ["LicenseRef-scancode-no-such-key"])
    }

    func testScanCodeExpressionsMapToSPDX() {
        let keys = ["gpl-2.0-plus": "GPL-2.0-or-later", "linux-syscall-exception-gpl": "Linux-syscall-note", "mit": "MIT"]
        XCTAssertEqual(LicenseDatabase.spdxExpression("(gpl-2.0-plus WITH linux-syscall-exception-gpl) or mit", spdxByKey: keys),
                       "(GPL-2.0-or-later WITH Linux-syscall-note) OR MIT")
        XCTAssertEqual(LicenseDatabase.spdxExpression("acme-eula", spdxByKey: keys), "LicenseRef-scancode-acme-eula")
    }

    /// A small data directory in ScanCode's layout, so that compiling is quick.
    private func writeSmallData(_ root: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/licenses", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/rules", withIntermediateDirectories: true)
        let files = [
            "licenses/widget.LICENSE": "---\nkey: widget\nname: Widget License\ncategory: Permissive\nspdx_license_key: LicenseRef-Widget\n---\n\nThe widget may be used by anyone for any purpose whatsoever without a fee.\n",
            "licenses/gizmo-exception.LICENSE": "---\r\nkey: gizmo-exception\r\nname: Gizmo exception\r\ncategory: Permissive\r\nis_exception: yes\r\n---\r\n\r\nAs a special exception the gizmo may be linked with anything at all.\r\n",
            "rules/widget_1.RULE": "---\nlicense_expression: widget WITH gizmo-exception\nis_license_notice: yes\n---\n\nThis file is under the {{widget license}} with the gizmo exception attached.\n",
        ]
        for (path, text) in files { try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8) }
    }

    func testCompileCacheAndReload() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("candor-licensing-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeSmallData(root + "/data")
        let cache = root + "/cache"
        let first = try LicenseDatabase.load(dataDirectory: root + "/data", cacheDirectory: cache)
        XCTAssertEqual(first.license(spdxID: "licenseref-widget")?.name, "Widget License")
        XCTAssertEqual(first.license(spdxID: "LicenseRef-scancode-gizmo-exception")?.isException, true)
        let notice = "# This file is under the Widget License with the gizmo exception attached."
        let expected = [LicenseMatch(expression: "LicenseRef-Widget WITH LicenseRef-scancode-gizmo-exception",
                                     kind: .notice, startLine: 1, endLine: 1, score: 100, rule: "widget_1.RULE")]
        XCTAssertEqual(LicenseDetector(database: first).detect(in: notice), expected)
        // The required phrase {{widget license}} must be present.
        XCTAssertEqual(LicenseDetector(database: first).detect(in: notice.replacingOccurrences(of: "Widget License", with: "Gadget")), [])

        let files = try FileManager.default.contentsOfDirectory(atPath: cache)
        XCTAssertEqual(files.filter { $0.hasSuffix(".index") }.count, 1, "\(files)")
        XCTAssertFalse(files.contains { $0.contains(".tmp-") })
        let second = try LicenseDatabase.load(dataDirectory: root + "/data", cacheDirectory: cache)
        XCTAssertEqual(second.index.ruleNames, first.index.ruleNames)
        XCTAssertEqual(second.index.postingRules, first.index.postingRules)
        XCTAssertEqual(second.license(spdxID: "LicenseRef-Widget"), first.license(spdxID: "LicenseRef-Widget"))
        XCTAssertEqual(LicenseDetector(database: second).detect(in: notice), expected)

        // A damaged cache is rebuilt, not trusted.
        let file = cache + "/" + files[0]
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: file))
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: file))
        let third = try LicenseDatabase.load(dataDirectory: root + "/data", cacheDirectory: cache)
        XCTAssertEqual(third.index.ruleNames, first.index.ruleNames)
        XCTAssertEqual(FileManager.default.contents(atPath: file)?.count, bytes.count)

        // Changed data gives a new index; the old one is removed.
        Thread.sleep(forTimeInterval: 0.01)
        try "---\nlicense_expression: widget\nis_license_reference: yes\n---\nsee the widget license file\n"
            .write(toFile: root + "/data/rules/widget_2.RULE", atomically: true, encoding: .utf8)
        let fourth = try LicenseDatabase.load(dataDirectory: root + "/data", cacheDirectory: cache)
        XCTAssertEqual(fourth.index.ruleNames.count, first.index.ruleNames.count + 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".index") }.count, 1)
    }

    func testBadDataFileIsATypedError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("candor-licensing-bad-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeSmallData(root)
        try "license_expression: mit\n".write(toFile: root + "/rules/broken.RULE", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LicenseDatabase.load(dataDirectory: root, cacheDirectory: root + "/cache")) {
            XCTAssertEqual($0 as? LicenseDatabaseError,
                           .badFile(path: root + "/rules/broken.RULE", reason: "front matter: the file does not start with '---'"))
        }
    }

    func testMissingDataIsATypedError() {
        XCTAssertThrowsError(try LicenseDatabase.load(dataDirectory: "/nonexistent/data", cacheDirectory: "/tmp/x")) {
            XCTAssertEqual($0 as? LicenseDatabaseError, .unreadableFile(path: "/nonexistent/data/licenses"))
        }
    }

    func testFrontMatter() throws {
        let m = try FrontMatter(parsing: "---\nkey: mit\nnotes: |\n    a: b\n    - c\nother_spdx_license_keys:\n    - A\n    - 'B'\nis_exception: yes\nminimum_coverage: 80\n---\n\nText {{here}}\n")
        XCTAssertEqual(m.scalars["key"], "mit")
        XCTAssertEqual(m.lists["other_spdx_license_keys"], ["A", "B"])
        XCTAssertTrue(m.flag("is_exception"))
        XCTAssertEqual(m.integer("minimum_coverage"), 80)
        XCTAssertNil(m.scalars["a"])
        XCTAssertEqual(m.text, "\nText {{here}}\n")
        XCTAssertThrowsError(try FrontMatter(parsing: "key: x\n"))
        XCTAssertThrowsError(try FrontMatter(parsing: "---\nkey: x\n"))
        XCTAssertThrowsError(try FrontMatter(parsing: "---\nno colon here\n---\n"))
    }
}
