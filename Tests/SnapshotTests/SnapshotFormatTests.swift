// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
@testable import Snapshot

/// The snapshot directory without a VM: written atomically, read back, and refused with
/// a one-line error naming the file and the value when it is not what it says.
final class SnapshotFormatTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("candor-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    static let pageSize = SnapshotFormat.pageSize

    /// Two regions, mostly zero, with data on a few pages (one at each end).
    private func sampleMemory() -> [[UInt8]] {
        var low = [UInt8](repeating: 0, count: 16 * Self.pageSize)
        for i in 0..<100 { low[i] = UInt8(i) }
        low[5 * Self.pageSize + 7] = 0xaa
        var high = [UInt8](repeating: 0, count: 8 * Self.pageSize)
        high[high.count - 1] = 0x55
        return [low, high]
    }

    private func facts(_ memory: [[UInt8]]) -> SnapshotFacts {
        SnapshotFacts(vcpuCount: 2, memoryRegions: [SnapshotMemoryRegion(start: 0, size: UInt64(memory[0].count)),
                                                    SnapshotMemoryRegion(start: 0x10_0000, size: UInt64(memory[1].count))],
                      kvmAPIVersion: 12, cpuidSHA256: String(repeating: "ab", count: 32),
                      kernelStructureSizes: ["xsave": 4096], devices: ["serial"])
    }

    private func write(_ name: String = "snap", state: [UInt8] = Array(#"{"vcpus":[]}"#.utf8)) throws -> (String, [[UInt8]], SnapshotManifest) {
        let memory = sampleMemory()
        let path = scratch.appendingPathComponent(name).path
        let manifest = try memory[0].withUnsafeBytes { low in
            try memory[1].withUnsafeBytes { high in
                try SnapshotWriter.write(to: path, facts: facts(memory), state: state, memory: [low, high])
            }
        }
        return (path, memory, manifest)
    }

    private func load(_ reader: SnapshotReader) throws -> [[UInt8]] {
        var low = [UInt8](repeating: 0, count: 16 * Self.pageSize)
        var high = [UInt8](repeating: 0, count: 8 * Self.pageSize)
        try low.withUnsafeMutableBytes { l in try high.withUnsafeMutableBytes { h in try reader.loadMemory(into: [l, h]) } }
        return [low, high]
    }

    private func expectError(_ directory: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try { let reader = try SnapshotReader(directory: directory); _ = try load(reader) }(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), file: file, line: line)
        }
    }

    func testRoundTripKeepsStateAndMemoryAndLeavesHoles() throws {
        let (path, memory, manifest) = try write()
        let reader = try SnapshotReader(directory: path)
        XCTAssertEqual(reader.manifest, manifest)
        XCTAssertEqual(reader.manifest.formatVersion, SnapshotFormat.version)
        XCTAssertEqual(String(decoding: reader.state, as: UTF8.self), #"{"vcpus":[]}"#)
        XCTAssertEqual(try load(reader), memory)
        // Only three pages hold data: the file is sparse.
        var info = stat()
        XCTAssertEqual(stat(reader.memoryPath, &info), 0)
        XCTAssertEqual(Int(info.st_size), 24 * Self.pageSize)
        XCTAssertLessThan(Int(info.st_blocks) * 512, 24 * Self.pageSize / 2, "zero pages are holes")
        // Nothing but the three files; no temporary directory left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path).sorted(), ["memory", "snapshot.json", "state.json"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["snap"])
    }

    func testAnExistingDirectoryIsNeverReplaced() throws {
        let (path, _, _) = try write()
        XCTAssertThrowsError(try write()) { XCTAssertEqual("\($0)", "\(path): already exists; a snapshot is written to a new directory") }
    }

    func testCorruptStateIsRefusedNamingTheFileAndChecksum() throws {
        let (path, _, manifest) = try write()
        let state = path + "/state.json"
        try Data(#"{"vcpus":[1]}"#.prefix(12).utf8).write(to: URL(fileURLWithPath: state))
        let found = SnapshotFormat.sha256(Array(#"{"vcpus":[1]"#.utf8))
        expectError(path, "\(state): SHA-256 \(found) does not match the manifest's \(manifest.part("state.json")!.sha256); the file is corrupt")
    }

    func testCorruptMemoryIsRefusedNamingTheFileAndChecksum() throws {
        let (path, memory, manifest) = try write()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/memory"))
        try handle.seek(toOffset: UInt64(9 * Self.pageSize))
        try handle.write(contentsOf: Data([1]))
        try handle.close()
        var changed = memory
        changed[0][9 * Self.pageSize] = 1
        let found = SnapshotFormat.sha256(changed[0] + changed[1])
        expectError(path, "\(path)/memory: SHA-256 \(found) does not match the manifest's \(manifest.part("memory")!.sha256); the file is corrupt")
    }

    func testTruncatedMemoryIsRefused() throws {
        let (path, _, _) = try write()
        XCTAssertEqual(truncate(path + "/memory", off_t(10 * Self.pageSize)), 0)
        expectError(path, "\(path)/memory: \(10 * Self.pageSize) bytes, the manifest says \(24 * Self.pageSize) (truncated)")
    }

    func testWrongVersionIsRefusedBeforeAnythingElse() throws {
        let (path, _, _) = try write()
        let manifestPath = path + "/snapshot.json"
        var text = try String(contentsOfFile: manifestPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"format_version\" : 2", with: "\"format_version\" : 7")
        try text.write(toFile: manifestPath, atomically: false, encoding: .utf8)
        expectError(path, "\(manifestPath): format_version 7 is not supported; this candor-vm reads version 2")
    }

    func testGarbageAndMissingManifestsAreOneLineErrors() throws {
        let (path, _, _) = try write()
        let manifestPath = path + "/snapshot.json"
        try Data("PK\u{3}\u{4} not json".utf8).write(to: URL(fileURLWithPath: manifestPath))
        expectError(path, "\(manifestPath): not a valid snapshot file: no format_version: not a Candor snapshot manifest (not valid JSON)")
        try Data(#"{"format_version": 2, "writer": "x", "parts": []}"#.utf8).write(to: URL(fileURLWithPath: manifestPath))
        expectError(path, "\(manifestPath): not a valid snapshot file: missing field facts")
        try FileManager.default.removeItem(atPath: manifestPath)
        expectError(path, "\(manifestPath): cannot open: No such file or directory")
    }

    func testManifestWithInconsistentSizesIsRefused() throws {
        let memory = sampleMemory()
        var manifest = SnapshotManifest(facts: facts(memory), parts: [
            SnapshotPart(file: "state.json", size: 2, sha256: String(repeating: "0", count: 64)),
            SnapshotPart(file: "memory", size: 4096, sha256: String(repeating: "0", count: 64)),
        ])
        XCTAssertThrowsError(try SnapshotManifest.decode(manifest.encoded(), path: "m.json")) {
            XCTAssertEqual("\($0)", "m.json: not a valid snapshot file: the memory part's size 4096 is not the memory regions' total \(24 * Self.pageSize)")
        }
        manifest.parts[1].size = UInt64(24 * Self.pageSize)
        manifest.parts[0].sha256 = "XYZ"
        XCTAssertThrowsError(try SnapshotManifest.decode(manifest.encoded(), path: "m.json")) {
            XCTAssertEqual("\($0)", "m.json: not a valid snapshot file: part state.json: sha256 XYZ is not 64 lowercase hex digits")
        }
        manifest.parts[0].sha256 = String(repeating: "0", count: 64)
        XCTAssertEqual(try SnapshotManifest.decode(manifest.encoded(), path: "m.json"), manifest)
    }
}
