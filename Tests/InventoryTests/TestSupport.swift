// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Licensing
import XCTest
@testable import Inventory

/// Tags assembled at run time, so scanning this repository does not read the test data's
/// tags (some deliberately invalid) as tags of the test sources.
let spdxLicense = "SPDX-" + "License-Identifier:"
let spdxCopyright = "SPDX-" + "FileCopyrightText:"

/// Shared setup: the license database, temporary directories, fixture copies, processes.
enum TestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func database() throws -> LicenseDatabase {
        do {
            return try LicenseDatabase.load()
        } catch {
            throw XCTSkip("license database not available (run scripts/setup.sh): \(error)")
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var created: [String] = []

    /// A fresh directory, removed by `removeTemporaryDirectories` in the test's tearDown.
    static func temporaryDirectory(_ name: String = #function) throws -> String {
        let base = NSTemporaryDirectory() + "candor-inventory-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        lock.lock()
        created.append(base)
        lock.unlock()
        return base
    }

    static func removeTemporaryDirectories() {
        lock.lock()
        let all = created
        created = []
        lock.unlock()
        for dir in all {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: dir + "-cache")
        }
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Copies Fixtures/fake_project (dot files included) to a fresh temporary directory and
    /// adds `src/untagged.c`, the one file without tags: its license comes from REUSE.toml.
    /// It is written here rather than committed, so that every file in the repository
    /// carries its own SPDX header.
    static func copyFakeProject(function: String = #function) throws -> String {
        let target = try temporaryDirectory(function) + "/fake_project"
        try FileManager.default.copyItem(atPath: fixtures + "/fake_project", toPath: target)
        try write("/* No tags here: REUSE.toml's closest annotation supplies them. */\nint untagged(void) { return 1; }\n",
                  to: target + "/src/untagged.c")
        return target
    }

    /// Runs a program; returns stdout; fails the test on a non-zero exit.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], in directory: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "run", code: Int(process.terminationStatus), userInfo: [
                NSLocalizedDescriptionKey: "\(program) \(arguments): \(String(decoding: errors, as: UTF8.self))"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func options(cache: String? = nil, reader: FileReader = .system, respectGitignore: Bool = false) -> ScanOptions {
        var options = ScanOptions(jobs: 2, cacheDirectory: cache, useCache: cache != nil)
        options.reader = reader
        options.respectGitignore = respectGitignore
        return options
    }
}

/// Counts the files the scanner opens, so cache tests measure reads, not time.
final class CountingReader: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var opened: [String] = []

    var reader: FileReader {
        FileReader { [self] path in
            lock.lock()
            opened.append(path.display)
            lock.unlock()
            return try SystemFileStream(path)
        }
    }
}

extension ScanReport {
    func file(_ path: String) -> FileRecord? { files.first { $0.path == path } }
    func component(_ id: String) -> Component? { components.first { $0.id == id } }
    func findings(_ rule: String) -> [Finding] { findings.filter { $0.rule == rule } }
}
