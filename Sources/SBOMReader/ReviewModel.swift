// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The neutral model every SBOM format is read into: what a reviewer needs, no more. Readers
// fill it; the review page, `candor diff` and the inventory conversion consume it.

/// One SBOM document, whatever its format.
public struct SBOMDocument: Codable, Hashable, Sendable {
    public enum Format: String, Codable, Sendable {
        case spdx23 = "SPDX 2.3"
        case spdx3 = "SPDX 3.0.1"
        case cycloneDX = "CycloneDX 1.6"
    }
    /// The path it was read from (for messages).
    public var path: String
    public var format: Format
    public var name: String
    /// Creation time as written in the document, if any.
    public var created: String?
    /// Tools and organizations that wrote it.
    public var creators: [String]
    /// Sorted by `id`.
    public var components: [SBOMComponent]
    /// Sorted.
    public var relationships: [SBOMRelationship]

    public init(path: String, format: Format, name: String, created: String? = nil, creators: [String] = [],
                components: [SBOMComponent] = [], relationships: [SBOMRelationship] = []) {
        self.path = path
        self.format = format
        self.name = name
        self.created = created
        self.creators = creators
        self.components = components
        self.relationships = relationships
    }
}

public struct SBOMComponent: Codable, Hashable, Sendable {
    /// The element's id in its document (SPDXID, spdxId, bom-ref).
    public var id: String
    public var name: String
    public var version: String?
    public var supplier: String?
    public var purl: String?
    /// Where the source can be had; nil when the document does not say (NOASSERTION).
    public var downloadLocation: String?
    public var declaredLicense: String?
    public var concludedLicense: String?
    public var copyright: String?
    /// Lower-case hex digests keyed by upper-case algorithm name (`SHA1`, `SHA256`).
    public var checksums: [String: String]
    /// False when the document says the platform provides it (not distributed).
    public var distributed: Bool
    /// Sorted by path.
    public var files: [SBOMFile]

    public init(id: String, name: String, version: String? = nil, supplier: String? = nil, purl: String? = nil,
                downloadLocation: String? = nil, declaredLicense: String? = nil, concludedLicense: String? = nil,
                copyright: String? = nil, checksums: [String: String] = [:], distributed: Bool = true,
                files: [SBOMFile] = []) {
        self.id = id
        self.name = name
        self.version = version
        self.supplier = supplier
        self.purl = purl
        self.downloadLocation = downloadLocation
        self.declaredLicense = declaredLicense
        self.concludedLicense = concludedLicense
        self.copyright = copyright
        self.checksums = checksums
        self.distributed = distributed
        self.files = files
    }

    /// The license that governs the component: concluded where known, else declared.
    public var effectiveLicense: String? { concludedLicense ?? declaredLicense }
}

public struct SBOMFile: Codable, Hashable, Sendable {
    public var path: String
    public var concludedLicense: String?
    /// Licenses seen in the file (SPDX licenseInfoInFiles, CycloneDX evidence).
    public var licensesInFile: [String]
    public var copyrights: [String]
    public var checksums: [String: String]

    public init(path: String, concludedLicense: String? = nil, licensesInFile: [String] = [],
                copyrights: [String] = [], checksums: [String: String] = [:]) {
        self.path = path
        self.concludedLicense = concludedLicense
        self.licensesInFile = licensesInFile
        self.copyrights = copyrights
        self.checksums = checksums
    }

    /// The file's license: concluded where known, else what was seen in it.
    public var effectiveLicense: String? {
        concludedLicense ?? (licensesInFile.isEmpty ? nil : licensesInFile.joined(separator: " AND "))
    }
}

public struct SBOMRelationship: Codable, Hashable, Sendable, Comparable {
    public var from: String
    /// Upper-case SPDX 2.3 spelling (`CONTAINS`, `DEPENDS_ON`, `DYNAMIC_LINK`, ...).
    public var kind: String
    public var to: String

    public init(from: String, kind: String, to: String) {
        self.from = from
        self.kind = kind
        self.to = to
    }

    public static func < (a: SBOMRelationship, b: SBOMRelationship) -> Bool {
        (a.from, a.kind, a.to) < (b.from, b.kind, b.to)
    }
}

/// Invalid or inconsistent input: names the document, the element and the field.
public struct SBOMReadError: Error, Equatable, CustomStringConvertible {
    public var document: String
    public var element: String?
    public var field: String?
    public var problem: String

    public init(document: String, element: String? = nil, field: String? = nil, problem: String) {
        self.document = document
        self.element = element
        self.field = field
        self.problem = problem
    }

    public var description: String {
        var place = document
        if let element { place += ": \(element)" }
        if let field { place += ": \(field)" }
        return "\(place): \(problem)"
    }
}
