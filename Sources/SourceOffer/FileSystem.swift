// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// File and process helpers: every failure becomes a SourceOfferError naming the path.

import AtomicFile
import Crypto
import Foundation
import Inventory
import Processes

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

    /// The shared atomic writer, its failure as a SourceOfferError.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        do throws(AtomicFileError) { try AtomicFile.write(bytes, to: path) } catch {
            throw SourceOfferError.io(path: error.path, message: "cannot \(error.operation): \(error.reason)")
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
        hex(SHA256.hash(data: bytes))
    }

    struct ProcessResult {
        var status: Int32
        var output: String
    }

    /// Runs `arguments` (looked up in PATH) in `directory`, stdout and stderr together.
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
        do {
            let output = try ProcessRunner.run("/usr/bin/env", arguments, directory: directory, environment: environment, timeout: nil)
            return ProcessResult(status: output.status, output: output.combined)
        } catch {
            throw SourceOfferError.io(path: arguments.first ?? "", message: "cannot run: \(error.localizedDescription)")
        }
    }
}

extension String {
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        guard let s = String(bytes: bytes, encoding: .utf8) else { return nil }
        self = s
    }
}
