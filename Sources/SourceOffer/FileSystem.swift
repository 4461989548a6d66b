// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// File and process helpers: every failure becomes a SourceOfferError naming the path.

import Crypto
import Foundation

enum FileSystem {
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SourceOfferError.io(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file")
        }
        return [UInt8](data)
    }

    static func readText(_ path: String) throws -> String {
        let bytes = try read(path)
        guard let text = String(validatingUTF8Bytes: bytes) else { throw SourceOfferError.io(path: path, message: "not UTF-8 text") }
        return text
    }

    /// Writes through a temporary file in the same directory and a rename, so readers see
    /// the old file or the whole new one, never a part.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(bytes).write(to: temporary)
            if rename(temporary.path, path) != 0 {
                throw SourceOfferError.io(path: path, message: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? SourceOfferError { throw error }
            throw SourceOfferError.io(path: path, message: "\(error.localizedDescription)")
        }
    }

    static func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw SourceOfferError.io(path: path, message: "cannot create directory: \(error.localizedDescription)")
        }
    }

    static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "candor-\(label)-\(UUID().uuidString)"
        try createDirectory(path)
        return path
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    struct ProcessResult {
        var status: Int32
        var output: String
    }

    /// Runs `arguments` (looked up in PATH) in `directory`, stdout and stderr together.
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw SourceOfferError.io(path: arguments.first ?? "", message: "cannot run: \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}

extension String {
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        guard let s = String(bytes: bytes, encoding: .utf8) else { return nil }
        self = s
    }
}
