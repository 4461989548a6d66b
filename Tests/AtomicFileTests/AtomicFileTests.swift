// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import AtomicFile
import Foundation
import XCTest

final class AtomicFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "atomicfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testWritesAndReplacesLeavingNoTemporaryFile() throws {
        let path = directory + "/out.txt"
        try AtomicFile.write(Array("first".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first")
        try AtomicFile.write(Data("second, longer".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second, longer")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["out.txt"])
    }

    func testWritesEmptyAndLargeFiles() throws {
        let empty = directory + "/empty", large = directory + "/large"
        try AtomicFile.write([], to: empty)
        XCTAssertEqual(FileManager.default.contents(atPath: empty), Data())
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(bytes, to: large)
        XCTAssertEqual(FileManager.default.contents(atPath: large), Data(bytes))
    }

    func testRelativePathIsWrittenInTheCurrentDirectory() throws {
        let previous = FileManager.default.currentDirectoryPath
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory))
        try AtomicFile.write(Array("x".utf8), to: "plain")
        XCTAssertEqual(FileManager.default.contents(atPath: directory + "/plain"), Data("x".utf8))
    }

    func testMissingDirectoryErrorNamesThePath() {
        let path = directory + "/missing/out.txt"
        XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(directory + "/missing/.out.txt.tmp-"), text)
            XCTAssertTrue(text.contains("cannot create: No such file or directory"), text)
        }
    }

    func testRenameOntoDirectoryFailsAndKeepsNothingBehind() throws {
        let path = directory + "/taken"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write([1], to: path)) { error in
            XCTAssertEqual((error as? AtomicFileError)?.path, path)
            XCTAssertEqual((error as? AtomicFileError)?.operation, "rename the temporary file into place")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["taken"])
    }
}
