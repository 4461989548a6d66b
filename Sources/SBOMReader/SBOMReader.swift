// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Reads SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD and CycloneDX 1.6 JSON, whoever wrote them,
// into one SBOMDocument. The format is recognised from the content, not the file name.

import Foundation
import Parallel

/// How much of a document to read.
public enum SBOMDetail: Sendable {
    /// Everything the review shows, down to each file.
    case files
    /// Components and relationships only (what `candor diff` compares); components keep no files.
    case components
}

public enum SBOMReader {
    /// Reads several documents at once, one thread each; throws the first error in `paths` order.
    public static func read(paths: [String], detail: SBOMDetail = .files) throws -> [SBOMDocument] {
        try Parallel.map(paths.count, jobs: paths.count) { index in Result { try read(path: paths[index], detail: detail) } }
            .map { try $0.get() }
    }

    /// Reads the document at `path`.
    public static func read(path: String, detail: SBOMDetail = .files) throws -> SBOMDocument {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw SBOMReadError(document: path, problem: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try read(data: data, path: path, detail: detail)
    }

    /// Reads a document from its bytes; `path` names it in errors.
    public static func read(data: Data, path: String, detail: SBOMDetail = .files) throws -> SBOMDocument {
        // SPDX 2 (the big documents) decodes in one typed pass; the other formats and
        // top-level errors go through JSONSerialization.
        let decoder = JSONDecoder()
        decoder.userInfo[.sbomDetail] = detail
        if let top = try? decoder.decode(SBOMTopLevel.self, from: data), let body = top.spdx2 {
            var document = try SPDX2Reader(json: body, document: path, detail: detail).read()
            if detail == .components { document.dropFiles() }
            return document
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SBOMReadError(document: path, problem: "not valid JSON: \(jsonErrorDetail(error))")
        }
        guard let root = parsed as? [String: Any] else {
            throw SBOMReadError(document: path, problem: "expected a JSON object at the top level, got \(describe(parsed))")
        }
        let fields = JSONFields(object: root, document: path, element: "document")
        var document: SBOMDocument
        if let version = root["spdxVersion"] {
            guard let text = version as? String, text.hasPrefix("SPDX-2.") else {
                throw fields.error("spdxVersion", "unsupported value \(describe(version)); expected SPDX-2.3")
            }
            // Only reached when the typed decode failed on a valid JSON object.
            throw SBOMReadError(document: path, problem: "cannot decode the SPDX 2 document")
        } else if root["@graph"] != nil || root["@context"] != nil {
            document = try SPDX3Reader(root: fields).read()
        } else if let format = root["bomFormat"] {
            guard (format as? String) == "CycloneDX" else {
                throw fields.error("bomFormat", "unsupported value \(describe(format)); expected CycloneDX")
            }
            document = try CycloneDXReader(root: fields).read()
        } else {
            throw SBOMReadError(document: path, problem:
                "not an SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD or CycloneDX 1.6 JSON document (no spdxVersion, @graph or bomFormat)")
        }
        if detail == .components { document.dropFiles() }
        return document
    }

    private static func jsonErrorDetail(_ error: Error) -> String {
        let info = (error as NSError).userInfo
        return (info[NSDebugDescriptionErrorKey] as? String) ?? (error as NSError).localizedDescription
    }
}

extension SBOMDocument {
    mutating func dropFiles() {
        for index in components.indices { components[index].files = [] }
    }
}

/// SPDX 2.3 JSON (SPDX 2.2 reads the same way), from its typed decode.
struct SPDX2Reader {
    let json: SPDX2JSON
    let document: String
    let detail: SBOMDetail

    private func check(_ problem: FieldProblem?, _ element: @autoclosure () -> String) throws {
        if let problem { throw SBOMReadError(document: document, element: element(), field: problem.field, problem: problem.text) }
    }

    private func required(_ value: String?, _ element: @autoclosure () -> String, _ field: String) throws -> String {
        guard let value else { throw SBOMReadError(document: document, element: element(), field: field, problem: "missing") }
        guard !value.isEmpty else { throw SBOMReadError(document: document, element: element(), field: field, problem: "empty") }
        return value
    }

    private static func name(_ array: String, _ index: Int, _ id: String?) -> String {
        id.map { "\(array)[\(index)] (\($0))" } ?? "\(array)[\(index)]"
    }

    func read() throws -> SBOMDocument {
        let path = document
        try check(json.problem, "document")
        let name = json.name ?? URL(fileURLWithPath: path).lastPathComponent
        try check(json.creationInfo?.problem, "document")
        let created = json.creationInfo?.created
        let creators = json.creationInfo?.creators ?? []

        var components: [String: SBOMComponent] = [:]
        var order: [String] = []
        var hasFiles: [String: [String]] = [:]
        for (index, entry) in json.packages.enumerated() {
            let element = Self.name("packages", index, entry.id)
            try check(entry.problem, element)
            let id = try required(entry.id, element, "SPDXID")
            guard components[id] == nil else {
                throw SBOMReadError(document: path, element: element, field: "SPDXID", problem: "duplicate id \(quoted(id))")
            }
            var purl: String?
            for (refIndex, ref) in entry.externalRefs.enumerated() {
                let refElement = "\(element) externalRefs[\(refIndex)]"
                try check(ref.problem, refElement)
                if ref.type == "purl" { purl = try required(ref.locator, refElement, "referenceLocator") }
            }
            components[id] = SBOMComponent(
                id: id, name: try required(entry.name, element, "name"), version: asserted(entry.version),
                supplier: asserted(entry.supplier).map(agentName),
                purl: purl, downloadLocation: asserted(entry.downloadLocation).flatMap { $0 == "NONE" ? nil : $0 },
                declaredLicense: asserted(entry.declared), concludedLicense: asserted(entry.concluded),
                copyright: asserted(entry.copyright), checksums: try checksums(entry.checksums, element))
            order.append(id)
            hasFiles[id] = entry.hasFiles
        }

        // Files by id; without detail only their ids are kept (to check references).
        var files: [String: SBOMFile] = [:]
        var fileIDs: Set<String> = []
        files.reserveCapacity(detail == .files ? json.files.count : 0)
        fileIDs.reserveCapacity(json.files.count)
        for (index, file) in json.files.enumerated() {
            let element = Self.name("files", index, file.id)
            try check(file.problem, element)
            let id = try required(file.id, element, "SPDXID")
            guard !fileIDs.contains(id), components[id] == nil else {
                throw SBOMReadError(document: path, element: element, field: "SPDXID", problem: "duplicate id \(quoted(id))")
            }
            fileIDs.insert(id)
            guard let body = file.body else { continue }
            var filePath = try required(body.fileName, element, "fileName")
            if filePath.hasPrefix("./") { filePath.removeFirst(2) }
            files[id] = SBOMFile(
                path: filePath, concludedLicense: asserted(body.concluded),
                licensesInFile: body.licensesInFile.compactMap(asserted),
                copyrights: copyrightStatements(body.copyright),
                checksums: try checksums(body.checksums, element))
        }

        func known(_ id: String) -> Bool {
            components[id] != nil || fileIDs.contains(id) || id == "SPDXRef-DOCUMENT" || id == "NOASSERTION" || id == "NONE"
                || id.hasPrefix("DocumentRef-")
        }
        var owner: [String: String] = [:]
        for (owningPackage, ids) in hasFiles.sorted(by: { $0.key < $1.key }) {
            for id in ids {
                guard fileIDs.contains(id) else {
                    throw SBOMReadError(document: path, element: "package \(owningPackage)", field: "hasFiles",
                                        problem: "no file with id \(quoted(id))")
                }
                owner[id] = owner[id] ?? owningPackage
            }
        }
        var relationships: [SBOMRelationship] = []
        var provided: Set<String> = []
        for (index, relation) in json.relationships.enumerated() {
            let element = "relationships[\(index)]"
            try check(relation.problem, element)
            let from = try required(relation.from, element, "spdxElementId")
            let kind = try required(relation.kind, element, "relationshipType")
            let to = try required(relation.to, element, "relatedSpdxElement")
            guard known(from) else {
                throw SBOMReadError(document: path, element: element, field: "spdxElementId", problem: "no element with id \(quoted(from))")
            }
            guard known(to) else {
                throw SBOMReadError(document: path, element: element, field: "relatedSpdxElement", problem: "no element with id \(quoted(to))")
            }
            switch kind {
            case "CONTAINS" where fileIDs.contains(to) && components[from] != nil:
                owner[to] = owner[to] ?? from
            case "CONTAINED_BY" where fileIDs.contains(from) && components[to] != nil:
                owner[from] = owner[from] ?? to
            case "PROVIDED_DEPENDENCY_OF" where components[from] != nil:
                provided.insert(from)
                relationships.append(SBOMRelationship(from: from, kind: kind, to: to))
            default:
                // Relationships between files (GENERATED_FROM, ...) stay out of the review model.
                if !fileIDs.contains(from) && !fileIDs.contains(to) {
                    relationships.append(SBOMRelationship(from: from, kind: kind, to: to))
                }
            }
        }
        var filesByOwner: [String: [SBOMFile]] = [:]
        var looseFiles = false
        for id in fileIDs where owner[id] == nil { looseFiles = true; break }
        for (id, file) in files { filesByOwner[owner[id] ?? "", default: []].append(file) }
        for id in order {
            components[id]!.files = (filesByOwner[id] ?? []).sorted { $0.path < $1.path }
            if provided.contains(id) { components[id]!.distributed = false }
        }
        var result = order.map { components[$0]! }
        if looseFiles {
            result.append(SBOMComponent(id: "SPDXRef-DOCUMENT", name: "\(name) (files outside any package)",
                                        files: (filesByOwner[""] ?? []).sorted { $0.path < $1.path }))
        }
        return SBOMDocument(path: path, format: .spdx23, name: name, created: created, creators: creators,
                            components: result.sorted { $0.id < $1.id }, relationships: relationships.sorted())
    }

    private func checksums(_ list: [SPDX2JSON.Checksum], _ element: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, checksum) in list.enumerated() {
            let checksumElement = "\(element) checksums[\(index)]"
            try check(checksum.problem, checksumElement)
            result[algorithmName(try required(checksum.algorithm, checksumElement, "algorithm"))] =
                try required(checksum.value, checksumElement, "checksumValue").lowercased()
        }
        return result
    }
}

/// `packages[3] (SPDXRef-x)`: the index, and the id where there is one.
func elementName(_ array: String, _ index: Int, _ object: [String: Any], idKey: String = "SPDXID") -> String {
    if let id = object[idKey] as? String { return "\(array)[\(index)] (\(id))" }
    return "\(array)[\(index)]"
}

/// `Organization: Debian (email)` -> `Debian (email)`.
func agentName(_ text: String) -> String {
    for prefix in ["Organization:", "Person:", "Tool:"] where text.hasPrefix(prefix) {
        return text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
    }
    return text
}
