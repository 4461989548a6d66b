// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import TestSupport
import XCTest

/// Builds small real ELF files and archives with the host C toolchain at test time.
struct Toolchain {
    let directory: URL

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else {
            throw XCTSkip("no C compiler at /usr/bin/cc to build ELF test inputs")
        }
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("candor-elf-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Runs a tool in the work directory; fails the test with its output on a non-zero exit.
    func run(_ tool: String, _ arguments: [String]) throws {
        try runChecked(tool, arguments, in: directory.path)
    }

    func cc(_ arguments: String...) throws { try run("/usr/bin/cc", arguments) }

    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
