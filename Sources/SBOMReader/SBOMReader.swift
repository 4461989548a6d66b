// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Reads SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD and CycloneDX 1.6 JSON, whoever wrote them,
// into one SBOMDocument. The format is recognised from the content, not the file name.

import Foundation
import Synchronization

public enum SBOMReader {
    /// Reads several documents at once, one thread each; throws the first error in `paths` order.
    public static func read(paths: [String]) throws -> [SBOMDocument] {
        let results = Mutex<[Int: Result<SBOMDocument, Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result = Result { try read(path: paths[index]) }
            results.withLock { $0[index] = result }
        }
        return try (0..<paths.count).map { index in try results.withLock { $0[index]! }.get() }
    }

    /// Reads the document at `path`.
    public static func read(path: String) throws -> SBOMDocument {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw SBOMReadError(document: path, problem: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try read(data: data, path: path)
    }

    /// Reads a document from its bytes; `path` names it in errors.
    public static func read(data: Data, path: String) throws -> SBOMDocument {
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
        if let version = root["spdxVersion"] {
            guard let text = version as? String, text.hasPrefix("SPDX-2.") else {
                throw fields.error("spdxVersion", "unsupported value \(describe(version)); expected SPDX-2.3")
            }
            return try SPDX2Reader(root: fields).read()
        }
        if root["@graph"] != nil || root["@context"] != nil {
            return try SPDX3Reader(root: fields).read()
        }
        if let format = root["bomFormat"] {
            guard (format as? String) == "CycloneDX" else {
                throw fields.error("bomFormat", "unsupported value \(describe(format)); expected CycloneDX")
            }
            return try CycloneDXReader(root: fields).read()
        }
        throw SBOMReadError(document: path, problem:
            "not an SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD or CycloneDX 1.6 JSON document (no spdxVersion, @graph or bomFormat)")
    }

    private static func jsonErrorDetail(_ error: Error) -> String {
        let info = (error as NSError).userInfo
        return (info[NSDebugDescriptionErrorKey] as? String) ?? (error as NSError).localizedDescription
    }
}

/// SPDX 2.3 JSON (SPDX 2.2 reads the same way).
struct SPDX2Reader {
    let root: JSONFields

    func read() throws -> SBOMDocument {
        let path = root.document
        let name = try root.string("name") ?? URL(fileURLWithPath: path).lastPathComponent
        let creation = try root.object("creationInfo")
        let created = try creation?.string("created")
        let creators = try creation?.strings("creators") ?? []

        var components: [String: SBOMComponent] = [:]
        var order: [String] = []
        var hasFiles: [String: [String]] = [:]
        for entry in try root.objects("packages", name: { index, object in elementName("packages", index, object) }) {
            let id = try entry.requiredString("SPDXID")
            guard components[id] == nil else { throw entry.error("SPDXID", "duplicate id \(quoted(id))") }
            var purl: String?
            for ref in try entry.objects("externalRefs", name: { index, _ in "\(entry.element) externalRefs[\(index)]" }) {
                if try ref.string("referenceType") == "purl" { purl = try ref.requiredString("referenceLocator") }
            }
            components[id] = SBOMComponent(
                id: id, name: try entry.requiredString("name"), version: asserted(try entry.string("versionInfo")),
                supplier: asserted(try entry.string("supplier")).map(agentName),
                purl: purl, downloadLocation: asserted(try entry.string("downloadLocation")).flatMap { $0 == "NONE" ? nil : $0 },
                declaredLicense: asserted(try entry.string("licenseDeclared")),
                concludedLicense: asserted(try entry.string("licenseConcluded")),
                copyright: asserted(try entry.string("copyrightText")),
                checksums: try checksums(entry))
            order.append(id)
            hasFiles[id] = try entry.strings("hasFiles")
        }

        var files: [String: SBOMFile] = [:]
        for file in try root.objects("files", name: { index, object in elementName("files", index, object) }) {
            let id = try file.requiredString("SPDXID")
            guard files[id] == nil, components[id] == nil else { throw file.error("SPDXID", "duplicate id \(quoted(id))") }
            var path = try file.requiredString("fileName")
            if path.hasPrefix("./") { path.removeFirst(2) }
            files[id] = SBOMFile(
                path: path, concludedLicense: asserted(try file.string("licenseConcluded")),
                licensesInFile: try file.strings("licenseInfoInFiles").compactMap(asserted),
                copyrights: copyrightStatements(try file.string("copyrightText")),
                checksums: try checksums(file))
        }

        func known(_ id: String) -> Bool {
            components[id] != nil || files[id] != nil || id == "SPDXRef-DOCUMENT" || id == "NOASSERTION" || id == "NONE"
                || id.hasPrefix("DocumentRef-")
        }
        var owner: [String: String] = [:]
        for (owningPackage, ids) in hasFiles {
            for id in ids {
                guard files[id] != nil else {
                    throw SBOMReadError(document: path, element: "package \(owningPackage)", field: "hasFiles",
                                        problem: "no file with id \(quoted(id))")
                }
                owner[id] = owner[id] ?? owningPackage
            }
        }
        var relationships: [SBOMRelationship] = []
        var provided: Set<String> = []
        for relation in try root.objects("relationships", name: { index, _ in "relationships[\(index)]" }) {
            let from = try relation.requiredString("spdxElementId")
            let kind = try relation.requiredString("relationshipType")
            let to = try relation.requiredString("relatedSpdxElement")
            guard known(from) else { throw relation.error("spdxElementId", "no element with id \(quoted(from))") }
            guard known(to) else { throw relation.error("relatedSpdxElement", "no element with id \(quoted(to))") }
            switch kind {
            case "CONTAINS" where files[to] != nil && components[from] != nil:
                owner[to] = owner[to] ?? from
            case "CONTAINED_BY" where files[from] != nil && components[to] != nil:
                owner[from] = owner[from] ?? to
            case "PROVIDED_DEPENDENCY_OF" where components[from] != nil:
                provided.insert(from)
                relationships.append(SBOMRelationship(from: from, kind: kind, to: to))
            default:
                // Relationships between files (GENERATED_FROM, ...) stay out of the review model.
                if files[from] == nil && files[to] == nil {
                    relationships.append(SBOMRelationship(from: from, kind: kind, to: to))
                }
            }
        }
        var filesByOwner: [String: [SBOMFile]] = [:]
        for (id, file) in files { filesByOwner[owner[id] ?? "", default: []].append(file) }
        for id in order {
            components[id]!.files = (filesByOwner[id] ?? []).sorted { $0.path < $1.path }
            if provided.contains(id) { components[id]!.distributed = false }
        }
        var result = order.map { components[$0]! }
        if let loose = filesByOwner[""] {
            result.append(SBOMComponent(id: "SPDXRef-DOCUMENT", name: "\(name) (files outside any package)",
                                        files: loose.sorted { $0.path < $1.path }))
        }
        return SBOMDocument(path: path, format: .spdx23, name: name, created: created, creators: creators,
                            components: result.sorted { $0.id < $1.id }, relationships: relationships.sorted())
    }

    private func checksums(_ element: JSONFields) throws -> [String: String] {
        var result: [String: String] = [:]
        for checksum in try element.objects("checksums", name: { index, _ in "\(element.element) checksums[\(index)]" }) {
            result[algorithmName(try checksum.requiredString("algorithm"))] = try checksum.requiredString("checksumValue").lowercased()
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
