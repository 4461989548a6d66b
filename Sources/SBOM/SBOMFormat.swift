// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The five SBOM encodings of one SPDXDocument (built once by makeSPDXDocument), and the
// one way to write them: each file through a temporary file in the same directory and a
// rename, so a reader never sees half a document.

import AtomicFile
import Foundation

public enum SBOMFormat: String, CaseIterable, Sendable {
    case spdx2JSON = "spdx-json"
    case spdx2TagValue = "spdx"
    case spdx3JSONLD = "spdx3-jsonld"
    case cycloneDXJSON = "cdx-json"
    case cycloneDXXML = "cdx-xml"

    /// What follows `<Name>` in the file name.
    public var fileSuffix: String {
        switch self {
        case .spdx2JSON: return ".spdx.json"
        case .spdx2TagValue: return ".spdx"
        case .spdx3JSONLD: return ".spdx3.jsonld"
        case .cycloneDXJSON: return ".cdx.json"
        case .cycloneDXXML: return ".cdx.xml"
        }
    }

    /// The document in this format: a pure function of the document.
    public func render(_ document: SPDXDocument) throws(SBOMError) -> Data {
        switch self {
        case .spdx2JSON: return Data(SPDXWriter.json(document).utf8)
        case .spdx2TagValue: return Data(SPDXWriter.tagValue(document).utf8)
        case .spdx3JSONLD: return Data(SPDX3Writer.jsonLD(document).utf8)
        case .cycloneDXJSON: return Data(CycloneDXWriter.json(document).utf8)
        case .cycloneDXXML: return try CycloneDXWriter.xml(document)
        }
    }

    /// Renders every format first, then writes `<directory>/<name><suffix>` for each, in
    /// `formats` order; returns the paths. Nothing is written when a renderer fails.
    @discardableResult
    public static func write(_ formats: [SBOMFormat] = SBOMFormat.allCases, of document: SPDXDocument,
                             to directory: String, name: String) throws(SBOMError) -> [String] {
        var outputs: [(String, Data)] = []
        let base = (directory as NSString).appendingPathComponent(name)
        for format in formats { outputs.append((base + format.fileSuffix, try format.render(document))) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .write(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        for (path, data) in outputs {
            do throws(AtomicFileError) { try AtomicFile.write(data, to: path) } catch {
                throw .write(path: error.path, reason: "cannot \(error.operation): \(error.reason)")
            }
        }
        return outputs.map(\.0)
    }
}
