// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// MANIFEST.json: every other file of the bundle with its SHA-256, and for each component
// the files that make up its source and the shipped binaries they correspond to.

import Foundation

public struct BundleManifest: Codable, Equatable, Sendable {
    public static let formatName = "candor-source-offer/1"

    public struct File: Codable, Equatable, Sendable {
        /// Path inside the bundle's top directory.
        public var path: String
        public var size: UInt64
        public var sha256: String
    }

    public struct Binary: Codable, Equatable, Sendable {
        /// The shipped file as given (path in the tree, or where it was found on the system).
        public var path: String
        public var sha256: String
        /// For binaries this repository builds: where the build command leaves it, relative
        /// to the root of the exported source.
        public var builtPath: String?
    }

    public struct Tool: Codable, Equatable, Sendable {
        public var command: String
        public var version: String
    }

    public struct Component: Codable, Equatable, Sendable {
        public enum Origin: String, Codable, Sendable {
            case repository
            case debian
        }
        public var name: String
        public var version: String?
        public var license: String
        public var origin: Origin
        /// Directory of this component inside the bundle (`components/<name>`).
        public var directory: String
        /// Files of the component's source, relative to the bundle's top directory.
        public var files: [String]
        public var binaries: [Binary]
        /// Repository parts: the released commit, build command and tool versions.
        public var commit: String?
        public var sourceRoot: String?
        public var build: [String]?
        public var toolchain: [Tool]?
        /// Debian components: the source package and the .dsc inside `directory`.
        public var sourcePackage: String?
        public var sourceVersion: String?
        public var dsc: String?
    }

    public var format: String
    public var product: String
    public var version: String
    public var releaseDate: String
    public var offerValidUntil: String
    public var commit: String
    /// True when the bundle was built with --allow-dirty from a tree with uncommitted changes.
    public var dirtyTree: Bool
    public var dirtyPaths: [String]
    public var sourceDateEpoch: Int
    public var components: [Component]
    /// Shipped binaries given with --binary that carry no source obligation.
    public var otherBinaries: [Binary]
    public var licenses: [String]
    public var files: [File]

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and integers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }

    static func decode(_ bytes: [UInt8]) throws -> BundleManifest {
        do {
            let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(bytes))
            guard manifest.format == formatName else {
                throw SourceOfferError.manifest(problem: "format \"\(manifest.format)\", expected \"\(formatName)\"")
            }
            return manifest
        } catch let error as SourceOfferError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw SourceOfferError.manifest(problem: "missing \(key.stringValue) at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw SourceOfferError.manifest(problem: "not a valid manifest: \(error)")
        }
    }
}
