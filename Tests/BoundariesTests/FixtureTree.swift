// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Fixture trees are written at test time into a temporary directory, so that the
// repository itself never carries the planted violations (nor their license tags) that
// `candor audit` would report. In fixture text, `@LICENSE@` and `@COPYRIGHT@` stand for
// the two SPDX tag keys.

import Foundation
import TestSupport
import XCTest

struct FixtureTree {
    let root: URL

    /// Writes `files` (relative path -> contents) under a fresh temporary directory.
    init(_ files: [String: String], name: String = "fixture") throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("candor-\(name)-\(UUID().uuidString)")
        for (path, contents) in files {
            try write(path, contents)
        }
    }

    func write(_ path: String, _ contents: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(FixtureTree.expand(contents).utf8).write(to: url)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    static func expand(_ text: String) -> String {
        text.replacingOccurrences(of: "@LICENSE@", with: "SPDX-License-" + "Identifier")
            .replacingOccurrences(of: "@COPYRIGHT@", with: "SPDX-File" + "CopyrightText")
    }
}

/// Runs a tool (cc, ar, strip) in `directory`; a failure throws with its output.
func runTool(_ command: [String], in directory: URL) throws {
    try runChecked(command[0], Array(command.dropFirst()), in: directory.path)
}

/// A test case that writes fixture trees and removes them afterwards.
class FixtureTestCase: XCTestCase {
    private var trees: [FixtureTree] = []

    override func tearDown() {
        trees.forEach { $0.remove() }
        trees = []
        super.tearDown()
    }

    func tree(_ files: [String: String], name: String = #function) throws -> FixtureTree {
        let tree = try FixtureTree(files, name: name.filter { $0.isLetter })
        trees.append(tree)
        return tree
    }

    /// The two SPDX tag lines in a C comment.
    func header(_ license: String) -> String {
        "/* @LICENSE@: \(license) */\n/* @COPYRIGHT@: 2026 Fixture Authors */\n"
    }
}
