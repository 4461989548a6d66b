// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor diff`: argument parsing and wiring only.

import ArgumentParser
import Foundation
import Review
import SBOMReader

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two releases' SBOMs for CI: components, versions, licenses, copyleft, source, findings.",
        discussion: """
            OLD and NEW are SBOM documents (SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD or CycloneDX 1.6 JSON). \
            Components are matched by package URL without its version, else by name. Change kinds: \
            \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", ")). Exit status 1 when a change \
            of a kind named in --fail-on occurs (or an input is invalid), else 0.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @Argument(help: ArgumentHelp("The SBOM of the earlier release.", valueName: "OLD"))
    var old: String

    @Argument(help: ArgumentHelp("The SBOM of the later release.", valueName: "NEW"))
    var new: String

    @Option(help: "Output format: text, json or markdown (for a pull-request comment).")
    var format: Format = .text

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Change kinds that fail the run, comma-separated.", valueName: "KIND,..."))
    var failOn: String?

    @Option(name: .customLong("old-findings"), parsing: .upToNextOption, help: ArgumentHelp("SARIF logs of the earlier release.", valueName: "SARIF"))
    var oldFindings: [String] = []

    @Option(name: .customLong("new-findings"), parsing: .upToNextOption, help: ArgumentHelp("SARIF logs of the later release.", valueName: "SARIF"))
    var newFindings: [String] = []

    func run() throws {
        var failing: Set<ChangeKind> = []
        try reportingErrors {
            for name in (failOn ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let kind = ChangeKind(rawValue: name) else {
                    throw CommandError("--fail-on: unknown kind \"\(name)\"; expected one of "
                                       + ChangeKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                failing.insert(kind)
            }
            // The two documents are read at once, without their files: reading dominates on big SBOMs.
            let documents = try SBOMReader.read(paths: [old, new], detail: .components)
            let before = Release(label: old, documents: [documents[0]],
                                 findings: try oldFindings.flatMap { path throws in try SARIFReader.read(path: path) })
            let after = Release(label: new, documents: [documents[1]],
                                findings: try newFindings.flatMap { path throws in try SARIFReader.read(path: path) })
            let diff = ReleaseDiff(old: before, new: after)
            switch format {
            case .text: print(diff.text(), terminator: "")
            case .json: print(try diff.json(), terminator: "")
            case .markdown: print(diff.markdown(), terminator: "")
            }
            let hit = failing.filter { diff.count($0) > 0 }.map(\.rawValue).sorted()
            if !hit.isEmpty {
                FileHandle.standardError.write(Data("candor diff: failing on \(hit.joined(separator: ", "))\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
