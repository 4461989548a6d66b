// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// CycloneDX 1.6 JSON (1.4 and 1.5 read the same way). Components nest; a component of type
// `file` is a file of the component around it (or of metadata.component at the top).

import Foundation

struct CycloneDXReader {
    let root: JSONFields

    func read() throws -> SBOMDocument {
        let path = root.document
        let metadata = try root.object("metadata")
        var created: String?
        var creators: [String] = []
        var name = URL(fileURLWithPath: path).lastPathComponent
        var components: [String: SBOMComponent] = [:]
        var order: [String] = []
        var relationships: [SBOMRelationship] = []
        var subject: String?

        func add(_ element: JSONFields, parent: String?) throws {
            let type = try element.string("type") ?? "library"
            if type == "file" {
                let fileLicenses = try licenses(element)
                var evidence: [String] = []
                var copyrights = copyrightStatements(try element.string("copyright"))
                if let found = try element.object("evidence") {
                    evidence = try licenses(found).all
                    for entry in try found.objects("copyright", name: { index, _ in "\(element.element) evidence.copyright[\(index)]" }) {
                        copyrights.append(try entry.requiredString("text"))
                    }
                }
                let file = SBOMFile(path: try element.requiredString("name"),
                                    concludedLicense: fileLicenses.concluded ?? fileLicenses.declared,
                                    licensesInFile: evidence, copyrights: copyrights, checksums: try hashes(element))
                let owner = parent ?? subject ?? "(document)"
                if components[owner] == nil {
                    components[owner] = SBOMComponent(id: owner, name: "\(name) (files outside any component)")
                    order.append(owner)
                }
                components[owner]!.files.append(file)
                return
            }
            let name = try element.requiredString("name")
            let version = try element.string("version")
            let id = try element.string("bom-ref") ?? element.string("purl") ?? "\(name)@\(version ?? "")"
            guard components[id] == nil else { throw element.error("bom-ref", "duplicate reference \(quoted(id))") }
            let found = try licenses(element)
            var supplier = try element.object("supplier")?.string("name")
            if supplier == nil { supplier = try element.string("publisher") }
            if supplier == nil { supplier = try element.object("manufacturer")?.string("name") }
            var download: [String: String] = [:]
            for reference in try element.objects("externalReferences", name: { index, _ in "\(element.element) externalReferences[\(index)]" }) {
                if let kind = try reference.string("type") { download[kind] = try download[kind] ?? reference.requiredString("url") }
            }
            var copyright = try element.string("copyright")
            if copyright == nil, let evidence = try element.object("evidence") {
                let statements = try evidence.objects("copyright", name: { index, _ in "\(element.element) evidence.copyright[\(index)]" })
                    .map { entry throws in try entry.requiredString("text") }
                copyright = statements.isEmpty ? nil : statements.joined(separator: "\n")
            }
            components[id] = SBOMComponent(
                id: id, name: name, version: version, supplier: supplier, purl: try element.string("purl"),
                downloadLocation: download["source-distribution"] ?? download["vcs"] ?? download["distribution"],
                declaredLicense: found.declared, concludedLicense: found.concluded, copyright: copyright,
                checksums: try hashes(element), distributed: try element.string("scope") != "excluded")
            order.append(id)
            if let parent { relationships.append(SBOMRelationship(from: parent, kind: "CONTAINS", to: id)) }
            for nested in try element.objects("components", name: { index, object in
                "\(element.element) components[\(index)]" + ((object["bom-ref"] as? String).map { " (\($0))" } ?? "")
            }) {
                try add(nested, parent: id)
            }
        }

        if let metadata {
            created = try metadata.string("timestamp")
            if let tools = metadata.object["tools"] {
                // 1.5+: {components: [...], services: [...]}; 1.4: [{vendor, name, version}].
                let list = try (tools is [Any]) ? metadata.objects("tools", name: { index, _ in "metadata.tools[\(index)]" })
                    : (metadata.object("tools")?.objects("components", name: { index, _ in "metadata.tools.components[\(index)]" }) ?? [])
                for tool in list {
                    creators.append("Tool: " + [try tool.string("name"), try tool.string("version")].compactMap { $0 }.joined(separator: "-"))
                }
            }
            for author in try metadata.objects("authors", name: { index, _ in "metadata.authors[\(index)]" }) {
                if let person = try author.string("name") { creators.append("Person: \(person)") }
            }
            if let component = try metadata.object("component") {
                let element = JSONFields(object: component.object, document: path, element: "metadata.component")
                name = try element.string("name") ?? name
                try add(element, parent: nil)
                subject = order.last
            }
        }
        for element in try root.objects("components", name: { index, object in
            "components[\(index)]" + ((object["bom-ref"] as? String).map { " (\($0))" } ?? "")
        }) {
            try add(element, parent: nil)
        }
        for (index, dependency) in try root.objects("dependencies", name: { index, _ in "dependencies[\(index)]" }).enumerated() {
            _ = index
            let from = try dependency.requiredString("ref")
            guard components[from] != nil else { throw dependency.error("ref", "no component with bom-ref \(quoted(from))") }
            for to in try dependency.strings("dependsOn") {
                guard components[to] != nil else { throw dependency.error("dependsOn", "no component with bom-ref \(quoted(to))") }
                relationships.append(SBOMRelationship(from: from, kind: "DEPENDS_ON", to: to))
            }
        }
        let result = order.map { id -> SBOMComponent in
            var component = components[id]!
            component.files.sort { $0.path < $1.path }
            return component
        }
        return SBOMDocument(path: path, format: .cycloneDX, name: name, created: created, creators: creators,
                            components: result.sorted { $0.id < $1.id }, relationships: relationships.sorted())
    }

    struct Licenses {
        var declared: String?
        var concluded: String?
        var all: [String]
    }

    /// `licenses`: entries of `{license: {id | name}}` or `{expression}`, each declared unless
    /// its acknowledgement says concluded; several of one kind are joined with AND.
    private func licenses(_ element: JSONFields) throws -> Licenses {
        var declared: [String] = []
        var concluded: [String] = []
        for (index, entry) in try element.objects("licenses", name: { index, _ in "\(element.element) licenses[\(index)]" }).enumerated() {
            var text: String?
            var acknowledgement = try entry.string("acknowledgement")
            if let expression = try entry.string("expression") {
                text = expression
            } else if let license = try entry.object("license") {
                text = try license.string("id") ?? license.string("name").map { "LicenseRef-" + $0.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "-" }.reduce("") { $0 + String($1) } }
                acknowledgement = try acknowledgement ?? license.string("acknowledgement")
            }
            guard let text else { throw entry.error("licenses[\(index)]", "neither license.id, license.name nor expression") }
            if acknowledgement == "concluded" { concluded.append(text) } else { declared.append(text) }
        }
        func join(_ list: [String]) -> String? {
            if list.count <= 1 { return list.first }
            return list.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " AND ")
        }
        return Licenses(declared: join(declared), concluded: join(concluded), all: declared + concluded)
    }

    private func hashes(_ element: JSONFields) throws -> [String: String] {
        var result: [String: String] = [:]
        for hash in try element.objects("hashes", name: { index, _ in "\(element.element) hashes[\(index)]" }) {
            result[algorithmName(try hash.requiredString("alg"))] = try hash.requiredString("content").lowercased()
        }
        return result
    }
}
