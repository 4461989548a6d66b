// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor release` and `candor license-index`: argument parsing and wiring only.

import ArgumentParser
import Foundation
import Inventory
import Licensing
import Release
import SBOM

struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Write a whole release from its release.toml: SBOMs, distribution/, source bundle, audit.",
        discussion: """
            Reads release.toml in the current directory (or --config): the version, our parts and how they \
            are built, the binaries they ship, the third-party files shipped beside them and the packages \
            they come from, the declared components and the policy. From one scan it writes into DIR the \
            SBOMs, distribution/ (written offer, license texts, notices: what accompanies the binaries), the \
            source-offer bundle, the audit (audit.junit.xml, boundaries.sarif) and components.json, the \
            component set every artefact names. Nothing is written unless all of it can be: DIR is replaced \
            as a whole. Exit status 1 on an error or when the audit fails.
            """)

    @Option(help: ArgumentHelp("The release file (default: release.toml in the current directory).", valueName: "FILE"))
    var config: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Directory to write the release into (replaced as a whole).", valueName: "DIR"))
    var output: String

    @Option(help: ArgumentHelp("Directory for caches: scan results, downloaded .debs and Debian sources (default: <tree>/.cache/candor).", valueName: "DIR"))
    var cache: String?

    @Option(help: ArgumentHelp("Files scanned in parallel.", valueName: "N"))
    var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(name: .customLong("license-data"),
            help: ArgumentHelp("A licensedcode data directory to use instead of the index that ships with candor.", valueName: "DIR"))
    var licenseData: String?

    @Flag(help: "Release even when the tree has uncommitted changes (recorded in the bundle; the source still comes from the commit).")
    var allowDirty = false

    func run() throws {
        var passed = true
        try reportingErrors {
            guard jobs >= 1 else { throw CommandError("--jobs: must be at least 1, got \(jobs)") }
            let created = try creationDate(environment: ProcessInfo.processInfo.environment, now: Date.init)
            let database = try LicenseDatabase.load(dataDirectory: licenseData, cacheDirectory: cache)
            let options = ReleaseOptions(
                configFile: try ReleaseBuilder.releaseFile(config), outputDirectory: output, cacheDirectory: cache, jobs: jobs, allowDirty: allowDirty,
                toolVersion: Candor.version, created: created,
                progress: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            let result = try ReleaseBuilder.build(options, database: database, sbomWriters: ReleaseBuilder.sbomWriters)
            for file in result.files { print(result.directory + "/" + file) }
            print("\(result.components.count) components; bundle SHA-256 \(result.bundleSHA256); audit \(result.auditPassed ? "passed" : "FAILED (see audit.junit.xml)")")
            passed = result.auditPassed
        }
        if !passed { throw ExitCode.failure }
    }
}

/// Compiles the license data into the index that ships beside the executable (`make install`).
struct LicenseIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license-index",
        abstract: "Write the compiled license index that ships with candor (share/candor/licenses.index).",
        shouldDisplay: false)

    @Option(name: .shortAndLong, help: ArgumentHelp("The index file to write (atomically).", valueName: "FILE"))
    var output: String

    @Option(name: .customLong("license-data"),
            help: ArgumentHelp("The licensedcode data directory to compile (default: $CANDOR_LICENSE_DATA, else the .venv of the repository around the current directory).", valueName: "DIR"))
    var licenseData: String?

    func run() throws {
        try reportingErrors {
            // Never from an index beside the executable: the point is to compile the data.
            let database = try LicenseDatabase.load(dataDirectory: licenseData, executable: nil)
            try database.writeIndex(to: output)
            print("\(output): \(database.dataVersion)")
        }
    }
}
