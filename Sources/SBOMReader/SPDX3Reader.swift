// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// SPDX 3.0.1 JSON-LD: a flat @graph of elements joined by Relationship elements. Licenses
// are elements too (hasDeclaredLicense / hasConcludedLicense relationships). Types and
// properties are matched with or without their profile prefix (`software_Package`).

import Foundation

struct SPDX3Reader {
    let root: JSONFields

    func read() throws -> SBOMDocument {
        let path = root.document
        var elements: [String: JSONFields] = [:]
        var order: [String] = []
        for element in try root.objects("@graph", name: { index, object in
            elementName("@graph", index, object, idKey: object["spdxId"] != nil ? "spdxId" : "@id")
        }) {
            let id = try element.string("spdxId") ?? element.string("@id")
            guard let id else { continue }
            guard elements[id] == nil else { throw element.error("spdxId", "duplicate id \(quoted(id))") }
            elements[id] = element
            order.append(id)
        }
        func type(_ element: JSONFields) -> String {
            let raw = (element.object["type"] as? String) ?? (element.object["@type"] as? String) ?? ""
            return String(raw.split(separator: "_").last ?? "")
        }
        func field(_ element: JSONFields, _ key: String, _ prefix: String) throws -> String? {
            try element.string("\(prefix)_\(key)") ?? element.string(key)
        }

        var name = URL(fileURLWithPath: path).lastPathComponent
        var created: String?
        var creators: [String] = []
        var packages: [String: SBOMComponent] = [:]
        var files: [String: SBOMFile] = [:]
        var relations: [JSONFields] = []
        for id in order {
            let element = elements[id]!
            switch type(element) {
            case "SpdxDocument":
                name = try element.string("name") ?? name
            case "CreationInfo":
                created = try element.string("created")
                for agent in try element.strings("createdBy") + element.strings("createdUsing") {
                    creators.append(try elements[agent]?.string("name") ?? agent)
                }
            case "Package":
                var purl = try field(element, "packageUrl", "software")
                for ref in try element.objects("externalIdentifier", name: { index, _ in "\(element.element) externalIdentifier[\(index)]" })
                where try ref.string("externalIdentifierType") == "packageUrl" {
                    purl = try purl ?? ref.requiredString("identifier")
                }
                let supplier = try element.string("suppliedBy").map { agent throws in
                    try elements[agent]?.string("name") ?? agent
                }
                packages[id] = SBOMComponent(
                    id: id, name: try element.requiredString("name"),
                    version: try field(element, "packageVersion", "software"), supplier: supplier, purl: purl,
                    downloadLocation: asserted(try field(element, "downloadLocation", "software")),
                    copyright: asserted(try field(element, "copyrightText", "software")),
                    checksums: try hashes(element))
            case "File":
                var filePath = try element.requiredString("name")
                if filePath.hasPrefix("./") { filePath.removeFirst(2) }
                files[id] = SBOMFile(path: filePath, copyrights: copyrightStatements(try field(element, "copyrightText", "software")),
                                     checksums: try hashes(element))
            case "Relationship":
                relations.append(element)
            default:
                break
            }
        }

        func license(_ id: String, _ relation: JSONFields) throws -> String? {
            if let element = elements[id] {
                switch type(element) {
                case "LicenseExpression":
                    return try element.string("simplelicensing_licenseExpression") ?? element.requiredString("licenseExpression")
                case "NoAssertionLicense": return nil
                case "NoneLicense": return "NONE"
                default:
                    if id.hasPrefix("https://spdx.org/licenses/") { return String(id.dropFirst("https://spdx.org/licenses/".count)) }
                    return try element.string("name") ?? id
                }
            }
            if id.hasSuffix("/NoAssertionLicense") { return nil }
            if id.hasSuffix("/NoneLicense") { return "NONE" }
            if id.hasPrefix("https://spdx.org/licenses/") { return String(id.dropFirst("https://spdx.org/licenses/".count)) }
            throw relation.error("to", "no license element with id \(quoted(id))")
        }

        var owner: [String: String] = [:]
        var relationships: [SBOMRelationship] = []
        var provided: Set<String> = []
        for relation in relations {
            let from = try relation.requiredString("from")
            let kind = try relation.requiredString("relationshipType")
            var targets = try relation.strings("to")
            if targets.isEmpty, let single = try? relation.requiredString("to") { targets = [single] }
            guard elements[from] != nil else { throw relation.error("from", "no element with id \(quoted(from))") }
            switch kind {
            case "hasDeclaredLicense", "hasConcludedLicense":
                let expression = try targets.compactMap { target throws in try license(target, relation) }
                let joined = expression.isEmpty ? nil : expression.joined(separator: " AND ")
                if packages[from] != nil {
                    if kind == "hasDeclaredLicense" { packages[from]!.declaredLicense = joined } else { packages[from]!.concludedLicense = joined }
                } else if files[from] != nil {
                    if kind == "hasDeclaredLicense" { files[from]!.licensesInFile = expression } else { files[from]!.concludedLicense = joined }
                }
            default:
                for target in targets {
                    guard elements[target] != nil else {
                        throw relation.error("to", "no element with id \(quoted(target))")
                    }
                    if kind == "contains", packages[from] != nil, files[target] != nil {
                        owner[target] = owner[target] ?? from
                    } else if packages[from] != nil, packages[target] != nil {
                        if kind == "hasProvidedDependency" { provided.insert(target) }
                        relationships.append(SBOMRelationship(from: from, kind: spdx2Kind(kind), to: target))
                    }
                }
            }
        }
        var filesByOwner: [String: [SBOMFile]] = [:]
        for (id, file) in files { filesByOwner[owner[id] ?? "", default: []].append(file) }
        var result: [SBOMComponent] = []
        for (id, var package) in packages {
            package.files = (filesByOwner[id] ?? []).sorted { $0.path < $1.path }
            package.distributed = !provided.contains(id)
            result.append(package)
        }
        if let loose = filesByOwner[""] {
            result.append(SBOMComponent(id: "(document)", name: "\(name) (files outside any package)",
                                        files: loose.sorted { $0.path < $1.path }))
        }
        return SBOMDocument(path: path, format: .spdx3, name: name, created: created, creators: creators,
                            components: result.sorted { $0.id < $1.id }, relationships: relationships.sorted())
    }

    private func hashes(_ element: JSONFields) throws -> [String: String] {
        var result: [String: String] = [:]
        for hash in try element.objects("verifiedUsing", name: { index, _ in "\(element.element) verifiedUsing[\(index)]" }) {
            guard let algorithm = try hash.string("algorithm"), let value = try hash.string("hashValue") else { continue }
            result[algorithmName(algorithm)] = value.lowercased()
        }
        return result
    }

    /// `dependsOn` -> `DEPENDS_ON`, `hasDynamicLink` -> `DYNAMIC_LINK`.
    private func spdx2Kind(_ kind: String) -> String {
        var name = kind
        if name.hasPrefix("has"), name.count > 3 { name.removeFirst(3) }
        var result = ""
        for character in name {
            if character.isUppercase, !result.isEmpty { result.append("_") }
            result.append(character.uppercased())
        }
        return result
    }
}
