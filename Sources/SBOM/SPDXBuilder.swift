// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// ScanReport -> SPDXDocument: a pure function of the report, the injected clock value and
// the injected license texts, so equal inputs give byte-equal documents.

import Crypto
import Foundation
import Inventory
import Licensing

/// Who made the document: `Tool: <tool>` and, when given, `Organization: <organization>`.
public struct SPDXCreator: Hashable, Sendable {
    /// e.g. `candor-0.1.0`.
    public var tool: String
    /// Also taken as the supplier of the scanned tree and of binaries that have none.
    public var organization: String?

    public init(tool: String, organization: String? = nil) {
        self.tool = tool
        self.organization = organization
    }

    /// `Organization: Name (mail or URL)` from `Name`, `Name <mail>` or `Name (https://...)`;
    /// a value already in agent form is kept.
    public var organizationAgent: String? {
        guard let organization, !organization.isEmpty else { return nil }
        if organization.hasPrefix("Person:") || organization.hasPrefix("Organization:") { return organization }
        return "Organization: " + organization.replacingOccurrences(of: "<", with: "(").replacingOccurrences(of: ">", with: ")")
    }
}

/// Builds the SPDX 2.3 document for `report`.
/// - Parameters:
///   - created: the creation time (the caller reads the clock or `SOURCE_DATE_EPOCH`).
///   - namespace: the document namespace; nil derives
///     `https://candor.invalid/spdx/<name>-<SHA-256 of the document without namespace>`.
///   - licenses: what the license database knows about an id (SPDX id, exception or
///     `LicenseRef-`), nil when nothing; an id it does not know, an exception used as a
///     license and a pair with an unlisted exception become `LicenseRef-`s with extracted text.
public func makeSPDXDocument(from report: ScanReport, name: String, created: Date, creator: SPDXCreator,
                             namespace: String? = nil, licenses: (String) -> KnownLicense?) -> SPDXDocument {
    withoutActuallyEscaping(licenses) { lookup in
        var builder = SPDXBuilder(report: report, creator: creator, licenses: LicenseReferences(lookup: lookup))
        var document = SPDXDocument(
            name: name, documentNamespace: "",
            creationInfo: .init(creators: ["Tool: \(creator.tool)"] + (creator.organizationAgent.map { [$0] } ?? []),
                                created: spdxTimestamp(created)),
            comment: "Packages commented \"\(SPDXBuilder.providedNote)\" are expected on the target system "
                + "and are not distributed with the release; their relationship PROVIDED_DEPENDENCY_OF says so too.",
            packages: [], files: [], hasExtractedLicensingInfos: [], relationships: [])
        builder.build(into: &document)
        document.documentNamespace = namespace ?? derivedNamespace(of: document)
        return document
    }
}

/// SPDX 2.3 §7.9: SHA-1 over the sorted, concatenated lower-case SHA-1 hex digests of the files.
public func packageVerificationCode(fileSHA1s: [String]) -> String {
    let joined = fileSHA1s.map { $0.lowercased() }.sorted().joined()
    return hex(Insecure.SHA1.hash(data: Data(joined.utf8)))
}

/// `YYYY-MM-DDThh:mm:ssZ` in UTC, as SPDX wants it.
func spdxTimestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}

/// The namespace depends only on the content, so it is the same for the same content.
private func derivedNamespace(of document: SPDXDocument) -> String {
    var copy = document
    copy.documentNamespace = ""
    let digest = hex(SHA256.hash(data: Data(SPDXWriter.json(copy).utf8)))
    return "https://candor.invalid/spdx/\(SPDXIdentifiers.sanitize(document.name))-\(digest)"
}

struct SPDXBuilder {
    static let providedNote = "Provided by the platform at run time; not distributed with the release."
    static let distributedNote = "Distributed with the release."

    let report: ScanReport
    let creator: SPDXCreator
    let licenses: LicenseReferences
    var ids = SPDXIdentifiers()

    init(report: ScanReport, creator: SPDXCreator, licenses: LicenseReferences) {
        self.report = report
        self.creator = creator
        self.licenses = licenses
    }

    mutating func build(into document: inout SPDXDocument) {
        // Ids and paths are unique keys of the report; should one repeat, the first stands.
        var seenComponents: Set<String> = [], seenFiles: Set<String> = []
        let components = report.components.sorted { $0.id < $1.id }.filter { seenComponents.insert($0.id).inserted }
        let files = report.files.sorted { $0.path < $1.path }.filter { seenFiles.insert($0.path).inserted }
        var fileIDs: [String: String] = [:]
        var fileTerms: [String: [String]] = [:]
        for file in files {
            let spdxFile = makeFile(file)
            fileIDs[file.path] = spdxFile.spdxID
            fileTerms[file.path] = spdxFile.licenseInfoInFiles
            document.files.append(spdxFile)
        }
        var packageIDs: [String: String] = [:]
        for component in components {
            packageIDs[component.id] = ids.make(prefix: "Package", key: component.id)
        }
        let byID = Dictionary(components.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let versions = byID.mapValues(\.version)
        var relationships: [SPDXDocument.Relationship] = []
        var targeted: Set<String> = []
        for component in components {
            let id = packageIDs[component.id]!
            document.packages.append(makePackage(component, id: id, fileTerms: fileTerms,
                                                 versions: versions))
            for path in component.files {
                relationships.append(.init(spdxElementId: id, relationshipType: "CONTAINS",
                                           relatedSpdxElement: fileIDs[path] ?? "NOASSERTION",
                                           comment: fileIDs[path] == nil ? "file \(path) is not in the report" : nil))
            }
            for relationship in component.relationships.sorted() {
                targeted.insert(relationship.target)
                guard let target = packageIDs[relationship.target], let related = byID[relationship.target] else {
                    relationships.append(.init(spdxElementId: id, relationshipType: relationship.kind.rawValue,
                                               relatedSpdxElement: "NOASSERTION",
                                               comment: "component \(relationship.target) is not in the report"))
                    continue
                }
                relationships.append(.init(spdxElementId: id, relationshipType: relationship.kind.rawValue,
                                           relatedSpdxElement: target, comment: nil))
                // What the release hands out relies on the platform for this one.
                if related.distribution == .providedByPlatform, component.distribution == .distributed,
                   relationship.kind != .contains {
                    relationships.append(.init(spdxElementId: target, relationshipType: "PROVIDED_DEPENDENCY_OF",
                                               relatedSpdxElement: id, comment: Self.providedNote))
                }
            }
        }
        // The document describes the tree and the binaries, and anything nothing else points at.
        for component in components
        where component.kind == .sourceTree || component.kind == .binary || !targeted.contains(component.id) {
            relationships.append(.init(spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES",
                                       relatedSpdxElement: packageIDs[component.id]!, comment: nil))
        }
        document.packages.sort { $0.spdxID < $1.spdxID }
        document.relationships = Array(Set(relationships)).sorted()
        document.hasExtractedLicensingInfos = licenses.extractedLicenses()
    }

    private mutating func makeFile(_ file: FileRecord) -> SPDXDocument.File {
        let location = "./" + file.path
        // licenseInfoInFile: what the file's own text states (its one detected expression;
        // license names in its code are mentions, not included).
        var terms: [String] = []
        for expression in [file.statedLicense].compactMap({ $0 }) {
            for term in licenses.terms(of: licenses.resolve(expression, foundIn: location)) where !terms.contains(term) {
                terms.append(term)
            }
        }
        // licenseConcluded: the file's tags combined with a REUSE annotation as REUSE says,
        // and the copyright statements likewise.
        let concluded = file.concludedLicense
        var copyrightSources = [file.copyrights, file.reuseCopyrights]
        switch (file.reuseLicense, file.reusePrecedence) {
        case (_?, "override"):
            copyrightSources = [file.reuseCopyrights]
        case (_?, "aggregate"), (nil, _):
            break
        case (_?, _):
            if !file.copyrights.isEmpty { copyrightSources = [file.copyrights] }
        }
        var copyrights: [String] = []
        for copyright in copyrightSources.joined() where !copyrights.contains(copyright) {
            copyrights.append(copyright)
        }
        // Finding nothing is not knowing there is nothing: the tool asserts nothing then.
        let nothing = "NOASSERTION"
        return SPDXDocument.File(
            spdxID: ids.make(prefix: "File", key: file.path),
            fileName: location,
            fileTypes: [Self.fileType(of: file)],
            checksums: [.init(algorithm: "SHA1", checksumValue: file.sha1),
                        .init(algorithm: "SHA256", checksumValue: file.sha256)],
            licenseConcluded: licenses.resolve(concluded ?? "NOASSERTION", foundIn: location),
            licenseInfoInFiles: terms.isEmpty ? [nothing] : terms.sorted(),
            // No statement found is not proof that there is none: NOASSERTION.
            copyrightText: copyrights.isEmpty ? "NOASSERTION" : copyrights.joined(separator: "\n"),
            comment: file.reuseLicense.map { "REUSE annotation (\(file.reusePrecedence ?? "closest")): \($0)." })
    }

    private func makePackage(_ component: Component, id: String, fileTerms: [String: [String]],
                             versions: [String: String?]) -> SPDXDocument.Package {
        let location = "package \(component.name)"
        // Only a source tree lists files (see Component.files), so only it is analysed.
        let analyzed = !component.files.isEmpty
        var verificationCode: SPDXDocument.VerificationCode?
        var infoFromFiles: [String]?
        if analyzed {
            let members = Set(component.files)
            var seen: Set<String> = []
            let records = report.files.filter { members.contains($0.path) && seen.insert($0.path).inserted }
            let excluded = records.filter { Self.isSPDXDocument($0.path) }
            verificationCode = .init(
                packageVerificationCodeValue: packageVerificationCode(
                    fileSHA1s: records.filter { !Self.isSPDXDocument($0.path) }.map(\.sha1)),
                packageVerificationCodeExcludedFiles: excluded.map { "./" + $0.path }.sorted())
            let terms = Set(component.files.flatMap { fileTerms[$0] ?? [] }).subtracting(["NONE", "NOASSERTION"])
            infoFromFiles = terms.isEmpty ? ["NOASSERTION"] : terms.sorted()
        }
        var comment = [component.distribution == .providedByPlatform ? Self.providedNote : Self.distributedNote]
        var concluded = component.concludedLicense
        if concluded == nil, analyzed {
            // The tree's license is concluded from its files only when each of them has one.
            let members = Set(component.files)
            let records = report.files.filter { members.contains($0.path) && !Self.isSPDXDocument($0.path) }
            let unlicensed = records.filter { $0.concludedLicense == nil }.count
            if unlicensed == 0, !records.isEmpty {
                concluded = LicenseExpression.conjunction(records.compactMap(\.concludedLicense).sorted())
                comment.append("License concluded from the licenses of all its files.")
            } else if unlicensed > 0 {
                comment.append("License not concluded: \(unlicensed) of its \(records.count) files state no license.")
            }
        }
        var supplier = component.supplier.map(Agent.spdx)
        if supplier == nil, component.kind == .sourceTree || component.kind == .binary {
            supplier = creator.organizationAgent
        }
        var version = component.version
        if version == nil, component.kind == .binary,
           let source = component.relationships.first(where: { $0.kind == .generatedFrom }),
           let sourceVersion = versions[source.target] ?? nil {
            version = sourceVersion
            comment.append("Version: that of the source it was built from.")
        }
        let originators = (component.originators ?? []).map(Agent.spdx)
        var sourceInfo: [String] = []
        if let source = component.sourcePackage {
            sourceInfo.append("built from Debian source package \(source)" + (component.sourceVersion.map { " \($0)" } ?? ""))
        }
        if let commit = component.gitCommit {
            sourceInfo.append("git commit \(commit)" + (component.gitDirty == true ? " with uncommitted changes" : ""))
        }
        // A tree's location is an absolute path of the machine that scanned it: left out.
        if let where_ = component.location, component.kind != .sourceTree { comment.append("Location: \(where_).") }
        if let note = component.comment { comment.append(note) }
        return SPDXDocument.Package(
            spdxID: id,
            name: component.name,
            versionInfo: version,
            packageFileName: component.kind == .binary ? component.location : nil,
            supplier: supplier ?? "NOASSERTION",
            originator: originators.first,
            downloadLocation: component.downloadLocation ?? "NOASSERTION",
            filesAnalyzed: analyzed,
            packageVerificationCode: verificationCode,
            checksums: component.checksums.map { .init(algorithm: $0.key.uppercased(), checksumValue: $0.value.lowercased()) }
                .sorted { $0.algorithm < $1.algorithm },
            sourceInfo: sourceInfo.isEmpty ? nil : sourceInfo.joined(separator: "; "),
            licenseConcluded: licenses.resolve(concluded ?? "NOASSERTION", foundIn: location),
            licenseInfoFromFiles: infoFromFiles,
            licenseDeclared: licenses.resolve(component.declaredLicense ?? "NOASSERTION", foundIn: location),
            copyrightText: component.copyrightText ?? "NOASSERTION",
            comment: comment.joined(separator: " "),
            externalRefs: component.purl.map {
                [.init(referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: $0)]
            } ?? [],
            primaryPackagePurpose: Self.purpose(of: component.kind),
            originators: originators,
            distributed: component.distribution == .distributed,
            fileFormat: component.kind == .binary ? component.fileFormat : nil)
    }

    static func isSPDXDocument(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map { String($0).lowercased() } ?? ""
        return [".spdx", ".spdx.json", ".spdx.yaml", ".spdx.yml", ".spdx.rdf", ".spdx.xml", ".spdx.rdf.xml"]
            .contains { name.hasSuffix($0) }
    }

    static func purpose(of kind: Component.Kind) -> String? {
        switch kind {
        case .sourceTree: return "SOURCE"
        case .binary: return "APPLICATION"
        case .swiftPackage, .debianPackage, .toolchainLibrary: return "LIBRARY"
        case .data: return "OTHER"
        case .declared: return nil
        }
    }

    static func fileType(of file: FileRecord) -> String {
        if isSPDXDocument(file.path) { return "SPDX" }
        if file.isBinary { return "BINARY" }
        let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
        let suffix = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!).lowercased() : ""
        let source: Set = ["swift", "c", "h", "cc", "cpp", "hpp", "m", "s", "asm", "py", "sh", "rs", "go", "js", "ts",
                           "java", "pl", "rb", "ld", "lds", "mk", "cmake", "modulemap"]
        if source.contains(suffix) || name == "Makefile" || name == "Package.swift" { return "SOURCE" }
        if ["md", "rst", "adoc", "txt", "html"].contains(suffix) { return "DOCUMENTATION" }
        return "TEXT"
    }
}
