// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor release`: one scan of the tree and its shipped binaries, enriched with what the
// scan alone cannot see (the exact Debian packages shipped and the sources they were built
// using, code vendored in dependencies, code statically linked into our binaries), then
// every artefact rendered from that one component set. A linear recipe: any step that
// fails stops the release, and nothing is written until every artefact is ready in a
// staging directory that is then renamed into place.

import Audit
import Boundaries
import Foundation
import Inventory
import Licensing
import Review
import SBOM
import SBOMReader
import SourceOffer

public struct ReleaseOptions: Sendable {
    /// The release file (`release.toml`).
    public var configFile: String
    /// The directory that receives the release (e.g. `reports/0.1.0`); replaced as a whole.
    public var outputDirectory: String
    /// Caches: per-file scan results, downloaded .debs and Debian sources.
    public var cacheDirectory: String?
    public var jobs: Int
    public var allowDirty: Bool
    /// The tool's version, recorded in the SBOM and the SARIF.
    public var toolVersion: String
    /// Creation time of the SBOMs (the caller reads `SOURCE_DATE_EPOCH` or the clock).
    public var created: Date
    /// One progress line per long step.
    public var progress: @Sendable (String) -> Void

    public init(configFile: String, outputDirectory: String, cacheDirectory: String? = nil, jobs: Int = 2,
                allowDirty: Bool = false, toolVersion: String, created: Date,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.configFile = configFile
        self.outputDirectory = outputDirectory
        self.cacheDirectory = cacheDirectory
        self.jobs = jobs
        self.allowDirty = allowDirty
        self.toolVersion = toolVersion
        self.created = created
        self.progress = progress
    }
}

/// What a release wrote.
public struct ReleaseResult: Sendable {
    public var directory: String
    /// Paths relative to `directory`, sorted.
    public var files: [String]
    public var components: [ReleaseComponent]
    public var bundle: String
    public var bundleSHA256: String
    public var auditPassed: Bool
}

/// One entry of the release's component set (`components.json`): every artefact names
/// exactly these.
public struct ReleaseComponent: Codable, Hashable, Sendable, Comparable {
    public var id: String
    /// `Component.Kind`: sourceTree, binary, swiftPackage, debianPackage, ...
    public var kind: String
    public var name: String
    public var version: String?
    public var license: String
    public var distribution: String

    public static func < (a: ReleaseComponent, b: ReleaseComponent) -> Bool { a.id < b.id }
}

public struct ReleaseError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Renders the SBOMs of a release into a directory; one entry per format, so adding a
/// format is one more element (see `ReleaseBuilder.sbomWriters`).
public typealias SBOMWriter = @Sendable (_ report: ScanReport, _ database: LicenseDatabase, _ context: SBOMContext,
                                         _ directory: String) throws -> [String]

public struct SBOMContext: Sendable {
    public var name: String
    public var supplier: String
    public var toolVersion: String
    public var created: Date
}

public enum ReleaseBuilder {
    public static func build(_ options: ReleaseOptions, database: LicenseDatabase, sbomWriters: [SBOMWriter]) throws -> ReleaseResult {
        let configPath = try releaseFile(options.configFile)
        let description = try ReleaseDescription(file: configPath)
        let configDirectory = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
        let tree = URL(fileURLWithPath: description.tree.map { $0.hasPrefix("/") ? $0 : configDirectory + "/" + $0 } ?? configDirectory)
            .standardizedFileURL.path
        func inTree(_ path: String) -> String { path.hasPrefix("/") ? path : tree + "/" + path }
        guard let supplier = description.supplier else {
            throw ReleaseError("\(configPath): release.supplier is missing; name the person or organization that supplies the release (the SBOMs' supplier and creator)")
        }
        // Absolute: downloads and git run in other working directories.
        let givenCache = options.cacheDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let cache = givenCache ?? tree + "/.cache"

        // 1. Everything the release file names must exist, and the tree must be committed,
        // before anything is scanned.
        let ourBinaries = description.parts.flatMap(\.binaries).map(inTree)
        for part in description.parts {
            for binary in part.binaries where !FileManager.default.fileExists(atPath: inTree(binary)) {
                throw ReleaseError("\(configPath): part \(part.name): binary \(binary) does not exist; build it first (\(part.build.joined(separator: " ")))")
            }
        }
        for shipped in description.shipped {
            for binary in shipped.binaries where !FileManager.default.fileExists(atPath: inTree(binary)) {
                throw ReleaseError("\(configPath): shipped \(shipped.component): binary \(binary) does not exist")
            }
            for script in shipped.installedBy where !FileManager.default.fileExists(atPath: inTree(script)) {
                throw ReleaseError("\(configPath): shipped \(shipped.component): installed_by \(script) does not exist")
            }
        }
        for sbom in description.supplierSBOMs where !FileManager.default.fileExists(atPath: inTree(sbom)) {
            throw ReleaseError("\(configPath): sbom \(sbom) does not exist")
        }
        if let components = description.componentsFile, !FileManager.default.fileExists(atPath: inTree(components)) {
            throw ReleaseError("\(configPath): release.components \(components) does not exist")
        }
        let policyPath = description.policy.map(inTree) ?? (FileManager.default.fileExists(atPath: tree + "/licenses/policy.toml") ? tree + "/licenses/policy.toml" : nil)
        if let policyPath, !FileManager.default.fileExists(atPath: policyPath) {
            throw ReleaseError("\(configPath): release.policy \(policyPath) does not exist")
        }

        if !options.allowDirty {
            let dirty = try SourceOfferBundle.uncommittedPaths(tree: tree)
            if !dirty.isEmpty { throw SourceOfferError.dirtyTree(paths: dirty) }
        }

        // 2. The one scan.
        options.progress("release: scanning \(tree) and \(ourBinaries.count) binaries")
        let scanOptions = ScanOptions(jobs: options.jobs, cacheDirectory: givenCache, progress: false,
                                      binaries: ourBinaries, componentsFile: description.componentsFile.map(inTree))
        var report = try Scanner(database: database, options: scanOptions).scan(root: tree)
        // Supplier SBOMs: their components join the one component set.
        for sbom in description.supplierSBOMs {
            options.progress("release: supplier SBOM \(sbom)")
            for component in try SBOMReader.read(path: inTree(sbom)).inventoryComponents() {
                guard !report.components.contains(where: { $0.id == component.id }) else {
                    throw ReleaseError("\(inTree(sbom)): component \(component.id) is already in the release (two supplier SBOMs with the same document name?)")
                }
                report.components.append(component)
            }
        }

        // 3. What the scan cannot see: the shipped Debian files (checked against their .debs)
        // and the sources they were built using; dependencies' vendored code; code linked
        // into our binaries.
        var notices: [String: String] = [:]
        var requiredSources = Set<String>()
        for shipped in description.shipped {
            guard let package = shipped.package, let version = shipped.version else { continue }
            options.progress("release: checking \(shipped.component) against \(package) \(version)")
            let deb = try DebianBinaryPackage.fetch(package: package, version: version, cacheDirectory: cache + "/debs")
            for (binary, pathInPackage) in zip(shipped.binaries, shipped.packagePaths) {
                try deb.checkIdentical(shipped: inTree(binary), pathInPackage: pathInPackage)
            }
            guard let index = report.components.firstIndex(where: { $0.name == shipped.component && $0.distribution == .distributed }) else {
                throw ReleaseError("\(configPath): shipped \(shipped.component): no distributed component of that name; declare it in \(description.componentsFile ?? "a components file (release.components)")")
            }
            let facts = DebianFacts(deb)
            var component = report.components[index]
            if component.version != deb.version {
                component.comment = [component.comment, "version \(deb.version) from the shipped .deb (the host has \(component.version ?? "none"))"]
                    .compactMap { $0 }.joined(separator: "; ")
            }
            component.version = deb.version
            component.sourcePackage = deb.sourcePackage
            component.sourceVersion = deb.sourceVersion
            component.purl = facts.purl
            component.downloadLocation = "https://snapshot.debian.org/package/\(deb.sourcePackage)/\(deb.sourceVersion)/"
            for reference in deb.builtUsing {
                options.progress("release: \(reference.field) \(reference.package) \(reference.version)")
                let used = try DebianFacts.builtUsingComponent(reference, by: deb, database: database, cacheDirectory: cache + "/debian-sources")
                component.relationships.append(.init(.staticLink, used.id))
                requiredSources.insert(used.id)
                if !report.components.contains(where: { $0.id == used.id }) { report.components.append(used) }
            }
            report.components[index] = component
        }
        let dependencies = DependencyNotices(tree: tree, database: database, cacheDirectory: givenCache, jobs: options.jobs)
        for (index, component) in report.components.enumerated() where component.kind == .swiftPackage {
            options.progress("release: notices of \(component.name) from its checkout")
            guard let found = try dependencies.notices(for: component) else { continue }
            notices[component.id] = found.text
            // What the package's files say, after what the scan already knew.
            let known = (report.components[index].copyrightText ?? "").split(separator: "\n").map(String.init)
                .filter { $0 != "NOASSERTION" && $0 != "NONE" && !$0.isEmpty }
            let merged = known + found.copyrights.filter { !known.contains($0) }
            if !merged.isEmpty { report.components[index].copyrightText = merged.joined(separator: "\n") }
        }
        options.progress("release: code linked into the binaries")
        let embedded = EmbeddedCode.find(in: ourBinaries, tree: tree, database: database,
                                         linkInputs: toolchainArchives(report.components))
        for code in embedded {
            notices[code.component.id] = code.notice
            report.components.append(code.component)
            for binary in code.binaries {
                if let index = report.components.firstIndex(where: { $0.kind == .binary && $0.location.map(inTree) == binary }) {
                    report.components[index].relationships.append(.init(.staticLink, code.component.id))
                }
            }
        }
        for index in report.components.indices { report.components[index].relationships.sort() }
        report.components.sort { $0.id < $1.id }
        let set = componentSet(report)

        // 4. Staging: every artefact first goes here.
        let output = URL(fileURLWithPath: options.outputDirectory).standardizedFileURL.path
        let parent = URL(fileURLWithPath: output).deletingLastPathComponent().path
        try createDirectory(parent)
        let staging = parent + "/.\(URL(fileURLWithPath: output).lastPathComponent).staging-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: staging)
        try createDirectory(staging)
        var done = false
        defer { if !done { try? FileManager.default.removeItem(atPath: staging) } }

        // SBOMs.
        options.progress("release: SBOMs")
        let context = SBOMContext(name: description.product, supplier: supplier, toolVersion: options.toolVersion, created: options.created)
        var sbomReport = report
        // Our own binaries are supplied by the release's supplier (`Name <mail>` keeps its
        // contact, in the same agent form as the SBOMs' creator).
        let supplierAgent = SPDXCreator(tool: "", organization: supplier).organizationAgent ?? "Organization: \(supplier)"
        for index in sbomReport.components.indices where sbomReport.components[index].kind == .binary || sbomReport.components[index].kind == .sourceTree {
            if sbomReport.components[index].supplier == nil { sbomReport.components[index].supplier = supplierAgent }
        }
        for writer in sbomWriters { _ = try writer(sbomReport, database, context, staging) }

        // The source bundle.
        options.progress("release: source bundle")
        var request = BundleRequest(tree: tree, release: description,
                                    policy: try policyPath.map { try SourceObligationPolicy(policyFile: $0) } ?? .copyleft,
                                    components: report.components, binaries: ourBinaries, allowDirty: options.allowDirty,
                                    cacheDirectory: cache + "/debian-sources",
                                    licenseText: { database.license(spdxID: $0)?.text })
        request.componentNotices = notices
        request.requiredSources = requiredSources
        request.archiveCacheDirectory = cache + "/archives"
        for shipped in description.shipped {
            for script in shipped.installedBy {
                let url = URL(fileURLWithPath: inTree(script))
                let executable = FileManager.default.isExecutableFile(atPath: url.path)
                request.additionalFiles.append(.init(path: "install/\(shipped.component)/\(script)", contents: try read(url.path), executable: executable))
            }
        }
        if FileManager.default.fileExists(atPath: tree + "/Package.resolved") {
            request.additionalFiles.append(.init(path: "build/Package.resolved", contents: try read(tree + "/Package.resolved")))
        }
        let bundle = try SourceOfferBundle.build(request, into: staging)
        let bundleName = URL(fileURLWithPath: bundle.archive).lastPathComponent

        // distribution/: what accompanies the binaries.
        options.progress("release: distribution/")
        let distribution = staging + "/distribution"
        try createDirectory(distribution + "/licenses")
        try write(WrittenOffer.offer(release: description, covered: bundle.covered, bundleName: bundleName, sha256: bundle.sha256),
                  to: distribution + "/WRITTEN-OFFER.txt")
        try write(bundle.notices, to: distribution + "/NOTICES.txt")
        var licenseTexts = bundle.licenseTexts
        for component in set {
            for id in (try? LicenseExpression.parse(component.license).normalized).map({ $0.licenseIDs.union($0.exceptionIDs) }) ?? []
            where licenseTexts[id] == nil {
                if let text = (try? String(contentsOfFile: tree + "/licenses/\(id).txt", encoding: .utf8)) ?? database.license(spdxID: id)?.text,
                   !text.isEmpty {
                    licenseTexts[id] = text
                }
            }
        }
        for (id, text) in licenseTexts { try write(text, to: distribution + "/licenses/\(id).txt") }

        // The audit, over the same scan.
        options.progress("release: audit")
        let policy = try policyPath.map { try BoundaryPolicy(file: $0) } ?? BoundaryPolicy()
        let boundaryOptions = BoundaryCheckOptions(binaries: ourBinaries, detectClones: true, cacheDirectory: cache + "/candor", jobs: options.jobs)
        let boundaries = try BoundaryChecker(policy: policy, report: report, database: database, options: boundaryOptions).check()
        let audit = Auditor.audit(scan: report, boundaries: boundaries, policy: policy,
                                  exempt: description.auditExempt + policy.auditExempt)
        try JUnitReport.write(audit, to: staging + "/audit.junit.xml")
        var sarif = try BoundaryReportFormat.sarif(boundaries, toolVersion: options.toolVersion)
        sarif.append(contentsOf: Data("\n".utf8))
        try write(sarif, to: staging + "/boundaries.sarif")

        // The review page, against the previous release where there is one.
        options.progress("release: review.html")
        let sbomName = description.product + ".spdx.json"
        var review = ReviewInput(title: "\(description.product) \(description.version)",
                                 // Named as they lie in the release folder, so the page does not depend on where it was written.
                                 documents: [try SBOMReader.read(data: Data(try read(staging + "/" + sbomName)), path: sbomName)],
                                 findings: try SARIFReader.read(path: staging + "/boundaries.sarif"))
        if let earlier = previousRelease(in: parent, before: description.version, sbomName: sbomName) {
            options.progress("release: comparing with \(earlier)")
            review.previous = [try SBOMReader.read(data: Data(try read(earlier + "/" + sbomName)),
                                                   path: "../" + URL(fileURLWithPath: earlier).lastPathComponent + "/" + sbomName)]
            if FileManager.default.fileExists(atPath: earlier + "/boundaries.sarif") {
                review.previousFindings = try SARIFReader.read(path: earlier + "/boundaries.sarif")
            }
        }
        try write(ReviewPage.render(review), to: staging + "/review.html")

        // The component set every artefact names.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try write(try encoder.encode(set) + Data("\n".utf8), to: staging + "/components.json")

        // 5. Into place: the old release (if any) goes only once the new one is complete.
        let files = try listFiles(staging)
        let previous = parent + "/.\(URL(fileURLWithPath: output).lastPathComponent).previous-\(ProcessInfo.processInfo.processIdentifier)"
        if FileManager.default.fileExists(atPath: output) {
            guard rename(output, previous) == 0 else { throw ReleaseError("\(output): cannot replace: \(String(cString: strerror(errno)))") }
        }
        guard rename(staging, output) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(previous, output)
            throw ReleaseError("\(output): cannot move the release into place: \(reason)")
        }
        done = true
        try? FileManager.default.removeItem(atPath: previous)
        return ReleaseResult(directory: output, files: files, components: set,
                             bundle: output + "/" + bundleName, bundleSHA256: bundle.sha256, auditPassed: audit.passed)
    }

    /// The release file of `candor release` and `candor bundle`: the one given, else
    /// `release.toml` in the current directory; an absolute path that exists.
    public static func releaseFile(_ given: String?) throws -> String {
        let path = URL(fileURLWithPath: given ?? "release.toml").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReleaseError("\(given ?? "release.toml"): no such release file (pass --config FILE or run where release.toml is)")
        }
        return path
    }

    /// The newest sibling release directory (`<parent>/<version>/`) of a version older than
    /// `version` that holds the SPDX JSON SBOM, or nil: what the review compares against.
    static func previousRelease(in parent: String, before version: String, sbomName: String) -> String? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).sorted()
        return names.filter { $0.first?.isNumber == true && compareVersions($0, version) < 0 }
            .filter { FileManager.default.fileExists(atPath: parent + "/" + $0 + "/" + sbomName) }
            .max { compareVersions($0, $1) < 0 }
            .map { parent + "/" + $0 }
    }

    /// The static archives of the toolchains whose libraries are linked into the binaries
    /// (`usr/lib/swift_static/<os>/*.a`), each with its toolchain component: where code
    /// found inside the binaries may have come from.
    static func toolchainArchives(_ components: [Component]) -> [EmbeddedCode.LinkInput] {
        let toolchains = components.filter { $0.kind == .toolchainLibrary && $0.distribution == .distributed }
        var inputs: [EmbeddedCode.LinkInput] = []
        for root in Set(toolchains.compactMap(\.location)).sorted() {
            let base = root + "/usr/lib/swift_static"
            for os in ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted() {
                for file in ((try? FileManager.default.contentsOfDirectory(atPath: base + "/" + os)) ?? []).sorted() where file.hasSuffix(".a") {
                    let id = SwiftToolchain.componentID(ofLibrary: file)
                    guard let owner = toolchains.first(where: { $0.id == id && $0.location == root }) else { continue }
                    inputs.append(.init(archive: base + "/" + os + "/" + file, suppliedBy: owner))
                }
            }
        }
        return inputs
    }

    /// The distributed components other than our own tree: what SBOM, notices, bundle and audit share.
    static func componentSet(_ report: ScanReport) -> [ReleaseComponent] {
        report.components.filter { $0.distribution == .distributed }.map { component in
            ReleaseComponent(id: component.id, kind: component.kind.rawValue, name: component.name, version: component.version,
                             license: component.concludedLicense ?? component.declaredLicense ?? "NOASSERTION",
                             distribution: component.distribution.rawValue)
        }.sorted()
    }

    // MARK: - Files

    static func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw ReleaseError("\(path): cannot create directory: \(error.localizedDescription)")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReleaseError("\(path): cannot read") }
        return [UInt8](data)
    }

    /// Files in the staging directory, which nobody else sees until it is renamed: a plain write is enough.
    static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    static func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw ReleaseError("\(path): cannot write: \(error.localizedDescription)")
        }
    }

    static func listFiles(_ root: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { throw ReleaseError("\(root): cannot list") }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }
}
