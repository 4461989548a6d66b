// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor review`: argument parsing and wiring only.

import ArgumentParser
import Foundation
import Review
import SBOMReader

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Render SBOMs (ours or another tool's) as one self-contained HTML review page.",
        discussion: """
            Reads SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD and CycloneDX 1.6 JSON, whichever tool wrote them, \
            and writes one HTML file that works from file:// with no network: a summary (components, \
            licenses by family, what must be offered as source, what needs attribution, open findings), \
            a sortable, filterable component table with a drill-down to each component's files, the \
            licenses with their obligations, the findings of SARIF logs with their evidence chains, and \
            with --previous what changed since the previous release.
            """)

    @Argument(help: ArgumentHelp("SBOM documents of the release.", valueName: "SBOM"))
    var documents: [String]

    @Option(parsing: .upToNextOption, help: ArgumentHelp("SBOM documents of the previous release.", valueName: "SBOM"))
    var previous: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("SARIF logs of the release (candor audit, boundaries, other tools).", valueName: "SARIF"))
    var findings: [String] = []

    @Option(name: .customLong("previous-findings"), parsing: .upToNextOption,
            help: ArgumentHelp("SARIF logs of the previous release: findings not in them are marked new.", valueName: "SARIF"))
    var previousFindings: [String] = []

    @Option(help: ArgumentHelp("Title of the page (default: the first document's name).", valueName: "TEXT"))
    var title: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write (atomically).", valueName: "FILE.html"))
    var output: String

    func validate() throws {
        if documents.isEmpty { throw ValidationError("name at least one SBOM") }
    }

    func run() throws {
        try reportingErrors {
            let all = try SBOMReader.read(paths: documents + previous)
            let current = Array(all.prefix(documents.count)), before = Array(all.dropFirst(documents.count))
            let input = ReviewInput(
                title: title ?? current[0].name, documents: current,
                findings: try findings.flatMap { path throws in try SARIFReader.read(path: path) },
                previous: before.isEmpty ? nil : before,
                previousFindings: try previousFindings.flatMap { path throws in try SARIFReader.read(path: path) })
            try emit(Data(ReviewPage.render(input).utf8), to: output)
        }
    }
}
