// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// An SPDX 2.3 document as plain values. Property names are the SPDX JSON field names, so
// the JSON writer is a `JSONEncoder` with sorted keys; the tag-value writer walks the same
// values. Strings hold the SPDX spellings (`NOASSERTION`, `NONE`, `Organization: X`).

public struct SPDXDocument: Codable, Hashable, Sendable {
    public var spdxVersion = "SPDX-2.3"
    public var dataLicense = "CC0-1.0"
    public var spdxID = "SPDXRef-DOCUMENT"
    public var name: String
    public var documentNamespace: String
    public var creationInfo: CreationInfo
    public var comment: String?
    /// Sorted by SPDXID.
    public var packages: [Package]
    /// Sorted by file name.
    public var files: [File]
    /// Sorted by license id.
    public var hasExtractedLicensingInfos: [ExtractedLicense]
    /// Sorted by element, type, related element.
    public var relationships: [Relationship]

    enum CodingKeys: String, CodingKey {
        case spdxVersion, dataLicense, spdxID = "SPDXID", name, documentNamespace, creationInfo
        case comment, packages, files, hasExtractedLicensingInfos, relationships
    }

    public struct CreationInfo: Codable, Hashable, Sendable {
        /// `Tool: candor-<version>`, `Organization: <name>`.
        public var creators: [String]
        /// `YYYY-MM-DDThh:mm:ssZ`.
        public var created: String
    }

    public struct Checksum: Codable, Hashable, Sendable {
        /// `SHA1`, `SHA256`, ...
        public var algorithm: String
        public var checksumValue: String
    }

    public struct ExternalRef: Codable, Hashable, Sendable {
        public var referenceCategory: String
        public var referenceType: String
        public var referenceLocator: String
    }

    public struct VerificationCode: Codable, Hashable, Sendable {
        public var packageVerificationCodeValue: String
        /// `./`-prefixed names of the package's files left out of the code (SPDX documents).
        public var packageVerificationCodeExcludedFiles: [String]
    }

    public struct Package: Codable, Hashable, Sendable {
        public var spdxID: String
        public var name: String
        public var versionInfo: String?
        public var packageFileName: String?
        public var supplier: String
        /// The upstream author (`Person: X` or `Organization: X`), when known.
        public var originator: String?
        public var downloadLocation: String
        public var filesAnalyzed: Bool
        public var packageVerificationCode: VerificationCode?
        public var checksums: [Checksum]
        public var sourceInfo: String?
        public var licenseConcluded: String
        /// Present only when `filesAnalyzed`.
        public var licenseInfoFromFiles: [String]?
        public var licenseDeclared: String
        public var copyrightText: String
        public var comment: String?
        public var externalRefs: [ExternalRef]
        public var primaryPackagePurpose: String?
        /// Every upstream author (SPDX 2.3 has room for one, `originator`; SPDX 3 and
        /// CycloneDX take them all). Not written to SPDX 2.3.
        public var originators: [String] = []
        /// Whether the release hands the package out (false: the platform provides it).
        public var distributed = true
        /// The format of the shipped file `packageFileName` (`ELF64`), when it was read as one.
        /// Not written to SPDX 2.3; SPDX 3 derives BSI TR-03183-2's file properties from it.
        public var fileFormat: String?

        enum CodingKeys: String, CodingKey {
            case spdxID = "SPDXID", name, versionInfo, packageFileName, supplier, originator, downloadLocation
            case filesAnalyzed, packageVerificationCode, checksums, sourceInfo, licenseConcluded
            case licenseInfoFromFiles, licenseDeclared, copyrightText, comment, externalRefs
            case primaryPackagePurpose
        }
    }

    public struct File: Codable, Hashable, Sendable {
        public var spdxID: String
        /// `./` followed by the path relative to the scanned root.
        public var fileName: String
        public var fileTypes: [String]
        public var checksums: [Checksum]
        public var licenseConcluded: String
        public var licenseInfoInFiles: [String]
        public var copyrightText: String
        public var comment: String?

        enum CodingKeys: String, CodingKey {
            case spdxID = "SPDXID", fileName, fileTypes, checksums, licenseConcluded
            case licenseInfoInFiles, copyrightText, comment
        }
    }

    public struct ExtractedLicense: Codable, Hashable, Sendable {
        public var licenseId: String
        public var extractedText: String
        public var name: String
        public var comment: String?
    }

    public struct Relationship: Codable, Hashable, Sendable, Comparable {
        public var spdxElementId: String
        public var relationshipType: String
        /// An SPDXID, or `NOASSERTION` when the related component is not in the report.
        public var relatedSpdxElement: String
        public var comment: String?

        public static func < (a: Relationship, b: Relationship) -> Bool {
            (a.spdxElementId, a.relationshipType, a.relatedSpdxElement, a.comment ?? "")
                < (b.spdxElementId, b.relationshipType, b.relatedSpdxElement, b.comment ?? "")
        }
    }
}
