// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The compliance tool: argument parsing and wiring only.

import ArgumentParser
import Foundation
import Inventory
import Licensing
import SBOM

struct Candor: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "candor",
        abstract: "Know what is inside a release: its components, their licenses, and the SBOM that says so.",
        discussion: """
            Point candor at a source tree (and the binaries built from it) to list every component, \
            the license evidence of every file, and to write SPDX 2.3 documents and the source-offer \
            bundle; `boundaries` checks that code under one license meets code under another only where \
            the policy allows, and `audit` is the CI gate over all of it.
            """,
        version: version,
        subcommands: [Scan.self, SBOMCommand.self, BundleCommand.self, BoundariesCommand.self, AuditCommand.self,
                      ClonesCommand.self, ReleaseCommand.self, LicenseIndexCommand.self, ReviewCommand.self, DiffCommand.self])
}

/// Options shared by the commands that scan a tree.
struct ScanArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The source tree to inventory.", valueName: "PATH"))
    var path: String

    @Option(name: .customLong("binary"), parsing: .upToNextOption,
            help: ArgumentHelp("Built binaries to inventory with the tree: their linked libraries, Debian packages and toolchain runtime. Repeat or list several.", valueName: "BIN"))
    var binaries: [String] = []

    @Option(help: ArgumentHelp("Files scanned in parallel.", valueName: "N"))
    var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(help: ArgumentHelp("Directory for caches: per-file scan results and the compiled license index (default: .cache/candor in the repository, else ~/.cache/candor).", valueName: "DIR"))
    var cache: String?

    @Option(name: .customLong("components"),
            help: ArgumentHelp("A components.toml declaring bundled third-party components (e.g. hypervisor/components.toml).", valueName: "FILE"))
    var componentsFile: String?

    @Flag(name: .customLong("respect-gitignore"),
          help: "Outside a git work tree, leave out what the tree's .gitignore files ignore (by default a source drop is scanned whole; inside a git work tree git's rules always apply).")
    var respectGitignore = false

    @Option(name: .customLong("license-data"),
            help: ArgumentHelp("A licensedcode data directory to use instead of the index that ships with candor (default: $CANDOR_LICENSE_DATA, else licenses.index beside the executable or in ../share/candor/, else the .venv of the repository around the current directory, installed by `make setup`).", valueName: "DIR"))
    var licenseData: String?

    /// Scans PATH, then loads the license database (if the scan has not) for the caller.
    func scan() throws -> (ScanReport, LicenseDatabase) {
        let (report, database) = try scanLazily()
        return (report, try database.database())
    }

    /// Scans PATH; the license database is read only if the scan needs it (a re-scan of an
    /// unchanged tree does not).
    func scanLazily() throws -> (ScanReport, LazyLicenseDatabase) {
        guard jobs >= 1 else { throw CommandError("--jobs: must be at least 1, got \(jobs)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandError("\(path): no such file or directory")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CommandError("\(path): not readable")
        }
        for binary in binaries where !FileManager.default.isReadableFile(atPath: binary) {
            throw CommandError("--binary \(binary): no such readable file")
        }
        let database = try LazyLicenseDatabase.locate(dataDirectory: licenseData, cacheDirectory: cache)
        var options = ScanOptions(jobs: jobs, cacheDirectory: cache, progress: true, binaries: binaries,
                                  componentsFile: componentsFile)
        options.respectGitignore = respectGitignore
        let report = try Scanner(database: database, options: options).scan(root: path)
        return (report, database)
    }
}

/// One line on standard error, then exit status 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, turning any error into one line `candor: <what>` and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("candor: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inventory a source tree and print what was found.",
        discussion: """
            text prints one `path:line: rule: message` line per finding, then counts; json prints the \
            whole report (files, components, findings). Exit status 1 when PATH is missing or unreadable.
            """)

    @OptionGroup var arguments: ScanArguments

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let (report, _) = try arguments.scanLazily()
            switch format {
            case .json:
                let json = ReportJSON.encode(report) + [UInt8(ascii: "\n")]
                json.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
                fflush(stdout)
            case .text:
                for finding in report.findings.sorted() { print(finding) }
                let bySeverity = Dictionary(grouping: report.findings, by: \.severity)
                print("\(report.files.count) files, \(report.components.count) components, "
                      + "\(bySeverity[.error]?.count ?? 0) errors, \(bySeverity[.warning]?.count ?? 0) warnings, "
                      + "\(bySeverity[.note]?.count ?? 0) notes")
            }
        }
    }
}

struct SBOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbom",
        abstract: "Write the SBOM of a source tree and its binaries: SPDX 2.3, SPDX 3.0.1 and CycloneDX 1.6.",
        discussion: """
            Writes DIR/NAME.spdx.json and DIR/NAME.spdx (SPDX 2.3), DIR/NAME.spdx3.jsonld (SPDX 3.0.1 \
            JSON-LD), DIR/NAME.cdx.json and DIR/NAME.cdx.xml (CycloneDX 1.6), all from one scan, and \
            prints their paths. The creation time is SOURCE_DATE_EPOCH when set, so the output is \
            reproducible; the document namespace is derived from the content unless --namespace is given.

            Values the NTIA minimum elements and BSI TR-03183-2 require but the scan cannot know (the \
            supplier of your own tree and binaries, a dependency's supplier, a version, the mail or URL \
            of the SBOM's creator, the license of a file of your tree) are errors, each naming the flag, \
            release.toml key or file that provides it, and nothing is written: the SBOM would not be \
            conformant. With --allow-gaps they are warnings and the documents are written with \
            NOASSERTION there. Values no flag can give (a dependency's author's mail, its concluded \
            license, the file of a library the platform provides) are left out, never guessed.
            """)

    @OptionGroup var arguments: ScanArguments

    @Option(name: .shortAndLong, help: ArgumentHelp("Directory to write the documents into.", valueName: "DIR"))
    var output: String

    @Option(help: ArgumentHelp("Document name and file name stem (default: the tree's name).", valueName: "NAME"))
    var name: String?

    @Option(help: ArgumentHelp("Organization that creates the document and supplies the tree and its binaries; "
                               + "'NAME <mail>' or 'NAME (https://...)' adds the contact BSI TR-03183-2 asks for.",
                               valueName: "NAME"))
    var organization: String?

    @Option(name: .customLong("supplier"),
            help: ArgumentHelp("Supplier of a component, by name or id: 'swift-foo=Organization: Foo Inc.' (repeatable).",
                               valueName: "COMPONENT=SUPPLIER"))
    var suppliers: [String] = []

    @Flag(help: ArgumentHelp("Write the documents even when values the NTIA minimum elements or BSI TR-03183-2 "
                             + "require are missing (NOASSERTION there)."))
    var allowGaps = false

    @Option(help: ArgumentHelp("Document namespace URI (default: derived from the content).", valueName: "URI"))
    var namespace: String?

    func run() throws {
        try reportingErrors {
            let created = try creationDate(environment: ProcessInfo.processInfo.environment, now: Date.init)
            var given: [String: String] = [:]
            for entry in suppliers {
                guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex,
                      !entry[entry.index(after: eq)...].trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ValidationError("--supplier: expected COMPONENT=SUPPLIER, got '\(entry)'")
                }
                given[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
            let (scanned, database) = try arguments.scan()
            let (report, unknown) = applyingSuppliers(given, to: scanned)
            if let first = unknown.first {
                throw ValidationError("--supplier: no component named '\(first)' in the scan of \(arguments.path)")
            }
            let treeName = report.components.first { $0.kind == .sourceTree }?.name
            let documentName = name ?? treeName ?? URL(fileURLWithPath: arguments.path).standardizedFileURL.lastPathComponent
            let document = makeSPDXDocument(
                from: report, name: documentName, created: created,
                creator: SPDXCreator(tool: "candor-\(Candor.version)", organization: organization),
                namespace: namespace, licenses: { id in
                    database.license(spdxID: id).map { KnownLicense(name: $0.name, text: $0.text, isException: $0.isException) }
                })
            let gaps = conformanceGaps(of: document)
            for gap in gaps {
                FileHandle.standardError.write(Data("candor: \(allowGaps ? "warning" : "error"): \(gap)\n".utf8))
            }
            if !allowGaps && !gaps.isEmpty {
                throw ValidationError("\(gaps.count) value\(gaps.count == 1 ? "" : "s") the NTIA minimum elements or BSI TR-03183-2 require \(gaps.count == 1 ? "is" : "are") missing; nothing written (--allow-gaps writes them as NOASSERTION)")
            }
            for path in try SBOMFormat.write(of: document, to: output, name: documentName) { print(path) }
        }
    }
}

Candor.main()
