// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Renders an SPDXDocument as JSON (sorted keys) and as tag-value (fields in the order of the
// SPDX 2.3 specification), and writes both files atomically.

import Foundation

public enum SPDXWriter {
    /// SPDX 2.3 JSON, keys sorted, two-space indentation, newline at the end.
    public static func json(_ document: SPDXDocument) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Only strings, booleans, arrays and objects: encoding cannot fail.
        guard let data = try? encoder.encode(document), let text = String(data: data, encoding: .utf8) else {
            preconditionFailure("JSONEncoder failed on an SPDXDocument")
        }
        return text + "\n"
    }

    /// SPDX 2.3 tag-value. Files not contained in a package come first; each package is
    /// followed by the files it CONTAINS, which is what tag-value readers expect, so those
    /// CONTAINS relationships are implied rather than written again.
    public static func tagValue(_ document: SPDXDocument) -> String {
        var out = TagValueOutput()
        out.line("SPDXVersion", document.spdxVersion)
        out.line("DataLicense", document.dataLicense)
        out.line("SPDXID", document.spdxID)
        out.line("DocumentName", document.name)
        out.line("DocumentNamespace", document.documentNamespace)
        for creator in document.creationInfo.creators { out.line("Creator", creator) }
        out.line("Created", document.creationInfo.created)
        out.text("DocumentComment", document.comment)

        let packageIDs = Set(document.packages.map(\.spdxID))
        var containedBy: [String: [String]] = [:]
        var placed: Set<String> = []
        var implied: Set<SPDXDocument.Relationship> = []
        for relationship in document.relationships
        where relationship.relationshipType == "CONTAINS" && packageIDs.contains(relationship.spdxElementId)
            && relationship.comment == nil && !placed.contains(relationship.relatedSpdxElement) {
            containedBy[relationship.spdxElementId, default: []].append(relationship.relatedSpdxElement)
            placed.insert(relationship.relatedSpdxElement)
            implied.insert(relationship)
        }
        let files = Dictionary(document.files.map { ($0.spdxID, $0) }, uniquingKeysWith: { first, _ in first })
        for file in document.files where !placed.contains(file.spdxID) {
            write(file, to: &out)
        }
        for package in document.packages {
            write(package, to: &out)
            for id in containedBy[package.spdxID] ?? [] {
                if let file = files[id] { write(file, to: &out) }
            }
        }
        for license in document.hasExtractedLicensingInfos {
            out.blank()
            out.line("LicenseID", license.licenseId)
            out.text("ExtractedText", license.extractedText)
            out.line("LicenseName", license.name)
            out.text("LicenseComment", license.comment)
        }
        out.blank()
        for relationship in document.relationships where !implied.contains(relationship) {
            out.line("Relationship", "\(relationship.spdxElementId) \(relationship.relationshipType) \(relationship.relatedSpdxElement)")
            out.text("RelationshipComment", relationship.comment)
        }
        return out.text
    }

    /// Writes `<directory>/<name>.spdx.json` and `<directory>/<name>.spdx` atomically;
    /// returns the two paths.
    @discardableResult
    public static func write(_ document: SPDXDocument, to directory: String, name: String) throws(SBOMError) -> [String] {
        try SBOMFormat.write([.spdx2JSON, .spdx2TagValue], of: document, to: directory, name: name)
    }

    private static func write(_ package: SPDXDocument.Package, to out: inout TagValueOutput) {
        out.blank()
        out.line("PackageName", package.name)
        out.line("SPDXID", package.spdxID)
        out.line("PackageVersion", package.versionInfo)
        out.line("PackageFileName", package.packageFileName)
        out.line("PackageSupplier", package.supplier)
        out.line("PackageOriginator", package.originator)
        out.line("PackageDownloadLocation", package.downloadLocation)
        out.line("FilesAnalyzed", package.filesAnalyzed ? "true" : "false")
        if let code = package.packageVerificationCode {
            let excluded = code.packageVerificationCodeExcludedFiles
            out.line("PackageVerificationCode", code.packageVerificationCodeValue
                        + (excluded.isEmpty ? "" : " (excludes: \(excluded.joined(separator: ", ")))"))
        }
        for checksum in package.checksums {
            out.line("PackageChecksum", "\(checksum.algorithm): \(checksum.checksumValue)")
        }
        out.text("PackageSourceInfo", package.sourceInfo)
        out.line("PackageLicenseConcluded", package.licenseConcluded)
        for info in package.licenseInfoFromFiles ?? [] { out.line("PackageLicenseInfoFromFiles", info) }
        out.line("PackageLicenseDeclared", package.licenseDeclared)
        out.text("PackageCopyrightText", package.copyrightText)
        out.text("PackageComment", package.comment)
        for ref in package.externalRefs {
            out.line("ExternalRef", "\(ref.referenceCategory) \(ref.referenceType) \(ref.referenceLocator)")
        }
        out.line("PrimaryPackagePurpose", package.primaryPackagePurpose)
    }

    private static func write(_ file: SPDXDocument.File, to out: inout TagValueOutput) {
        out.blank()
        out.line("FileName", file.fileName)
        out.line("SPDXID", file.spdxID)
        for type in file.fileTypes { out.line("FileType", type) }
        for checksum in file.checksums {
            out.line("FileChecksum", "\(checksum.algorithm): \(checksum.checksumValue)")
        }
        out.line("LicenseConcluded", file.licenseConcluded)
        for info in file.licenseInfoInFiles { out.line("LicenseInfoInFile", info) }
        out.text("FileCopyrightText", file.copyrightText)
        out.text("FileComment", file.comment)
    }

}

/// Tag-value lines; free text goes in `<text>` blocks.
private struct TagValueOutput {
    var text = ""

    mutating func line(_ tag: String, _ value: String?) {
        guard let value else { return }
        text += "\(tag): \(value)\n"
    }

    /// NONE and NOASSERTION stay bare; anything else is wrapped so that newlines and colons
    /// survive. A literal `</text>` in the value would end the block early, so it is escaped.
    mutating func text(_ tag: String, _ value: String?) {
        guard let value else { return }
        if value == "NONE" || value == "NOASSERTION" {
            line(tag, value)
        } else {
            text += "\(tag): <text>\(value.replacingOccurrences(of: "</text>", with: "&lt;/text>"))</text>\n"
        }
    }

    mutating func blank() {
        text += "\n"
    }
}
