// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ArgumentParser
import Foundation
import Inventory
import Licensing
import Release
import SourceOffer

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write or verify the GPL source-offer bundle of a release.",
        subcommands: [Write.self, Verify.self],
        defaultSubcommand: Write.self)

    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the source-offer bundle: complete corresponding source, written offer, licenses, notices.",
            discussion: """
                It bundles the release that release.toml in the current directory (or --release) describes: the \
                copyleft parts of the tree exported from the committed tree (never the working tree), the exact \
                Debian source packages of the bundled components, the written offer, license texts, third-party \
                notices and MANIFEST.json, as one byte-reproducible DIR/<product>-<version>-source.tar.xz.
                """)

        @Option(name: .shortAndLong, help: ArgumentHelp("Directory to write the bundle into.", valueName: "DIR"))
        var output: String

        @Option(help: ArgumentHelp("The repository whose release is bundled.", valueName: "PATH"))
        var tree: String = "."

        @Option(name: .customLong("binary"), parsing: .upToNextOption,
                help: ArgumentHelp("Shipped binaries built from the tree (their SHA-256 goes into the manifest).", valueName: "BIN"))
        var binaries: [String] = []

        @Option(help: ArgumentHelp("The release description (default: release.toml in the current directory, as for `candor release`).", valueName: "FILE"))
        var release: String?

        @Flag(help: "Bundle even when the tree has uncommitted changes (recorded in the bundle; the source still comes from the commit).")
        var allowDirty = false

        @Option(help: ArgumentHelp("Directory for caches (scan results, license index).", valueName: "DIR"))
        var cache: String?

        func run() throws {
            try reportingErrors {
                let root = URL(fileURLWithPath: tree).standardizedFileURL.path
                let releaseFile = try ReleaseBuilder.releaseFile(release)
                let description = try ReleaseDescription(file: releaseFile)
                let database = try LicenseDatabase.load(cacheDirectory: cache)
                let components = description.componentsFile.map { root + "/" + $0 }
                let options = ScanOptions(cacheDirectory: cache, progress: true, binaries: binaries, componentsFile: components)
                let report = try Scanner(database: database, options: options).scan(root: root)
                let request = try BundleRequest(tree: root, releaseFile: releaseFile, components: report.components,
                                                binaries: binaries, allowDirty: allowDirty,
                                                licenseText: { database.license(spdxID: $0)?.text })
                let result = try SourceOfferBundle.build(request, into: output)
                print("\(result.archive): \(result.size) bytes, SHA-256 \(result.sha256)")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a source-offer bundle: manifest, every checksum, and rebuilt binaries.",
            discussion: """
                Refuses hostile archives (absolute paths, '..', links out, duplicates). Rebuilds every binary the \
                bundle's build scripts make, in a fresh temporary directory, and compares its SHA-256 with the \
                shipped one. The rebuild runs the bundle's own Makefile: verify only bundles you would build.
                """)

        @Argument(help: ArgumentHelp("The bundle archive (.tar.xz).", valueName: "ARCHIVE"))
        var archive: String

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            try reportingErrors {
                let verification = try BundleVerifier.verify(archive: archive)
                switch format {
                case .text:
                    print(verification.description)
                case .json:
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(verification), as: UTF8.self))
                }
            }
        }
    }
}
