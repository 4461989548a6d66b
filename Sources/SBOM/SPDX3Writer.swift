// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// SPDX 3.0.1 JSON-LD from the same SPDXDocument the 2.3 writers render: a pure function of
// it. Every element shares one CreationInfo; ids are the 2.3 ids under the document
// namespace, so both versions name the same things. NOASSERTION values are left out (in
// SPDX 3 an absent property asserts nothing); NONE licenses use the NoneLicense individual.
//
// BSI TR-03183-2 v2.1.0 maps its fields onto SPDX 3.0.1 (and `ntia-checker -c bsi` checks
// them): the creator's email or URL as an externalIdentifier of the agent, each component's
// file as a `software_File` its package `hasDistributionArtifact` (name, SHA-512, file
// properties in `software_additionalPurpose`), the completeness of every dependency
// relationship, licenses through `hasConcludedLicense` / `hasDeclaredLicense`.

import Foundation

public enum SPDX3Writer {
    static let context = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    static let creationInfo = "_:creationinfo"

    public static func jsonLD(_ document: SPDXDocument) -> String {
        var graph = SPDX3Graph(document: document)
        return canonicalJSON(["@context": context, "@graph": graph.build()])
    }
}

/// Builds the @graph; `elements` collects every element id the SpdxDocument lists.
private struct SPDX3Graph {
    let document: SPDXDocument
    var nodes: [[String: Any]] = []
    var elements: [String] = []
    var agents: [String: String] = [:]
    var licenseElements: [String: String] = [:]
    var relationshipCount = 0
    var ids = SPDXIdentifiers()
    let extracted: [String: SPDXDocument.ExtractedLicense]
    /// The `Organization:` or `Person:` creators of the document.
    let creatorAgents: Set<String>
    /// Package id -> the ids of the shipped binaries whose file carries it.
    let carriers: [String: [String]]

    init(document: SPDXDocument) {
        self.document = document
        extracted = Dictionary(document.hasExtractedLicensingInfos.map { ($0.licenseId, $0) }, uniquingKeysWith: { a, _ in a })
        creatorAgents = Set(document.creationInfo.creators.filter { $0.hasPrefix("Organization:") || $0.hasPrefix("Person:") })
        carriers = Self.carriers(of: document)
    }

    /// Which shipped files carry each package to its users: a binary the release distributes
    /// is the file of itself, of the tree it was built from, and of what it links statically
    /// or contains (their code is in it). A library the platform provides is in no file of
    /// the release, so it has none here.
    static func carriers(of document: SPDXDocument) -> [String: [String]] {
        let shipped = Set(document.packages.filter { $0.packageFileName != nil && $0.distributed }.map(\.spdxID))
        let packages = Set(document.packages.map(\.spdxID))
        var carriers: [String: Set<String>] = [:]
        for id in shipped { carriers[id, default: []].insert(id) }
        for relationship in document.relationships where shipped.contains(relationship.spdxElementId)
            && packages.contains(relationship.relatedSpdxElement)
            && ["GENERATED_FROM", "STATIC_LINK", "CONTAINS"].contains(relationship.relationshipType) {
            carriers[relationship.relatedSpdxElement, default: []].insert(relationship.spdxElementId)
        }
        return carriers.mapValues { $0.sorted() }
    }

    func iri(_ id: String) -> String { "\(document.documentNamespace)#\(id)" }

    mutating func add(_ node: [String: Any], element: Bool = true) {
        var node = node
        node["creationInfo"] = SPDX3Writer.creationInfo
        if element, let id = node["spdxId"] as? String { elements.append(id) }
        nodes.append(node)
    }

    mutating func build() -> [[String: Any]] {
        // Who made it: the organization or person among the creators, else the tool itself.
        let toolName = document.creationInfo.creators.first { $0.hasPrefix("Tool:") }
            .map { String($0.dropFirst("Tool:".count)).trimmingCharacters(in: .whitespaces) } ?? "candor"
        let tool = iri(ids.make(prefix: "Tool", key: toolName))
        add(["type": "Tool", "spdxId": tool, "name": toolName])
        var creators = document.creationInfo.creators.filter { !$0.hasPrefix("Tool:") }.map { agent($0) }
        if creators.isEmpty {
            let software = iri(ids.make(prefix: "SoftwareAgent", key: toolName))
            add(["type": "SoftwareAgent", "spdxId": software, "name": toolName])
            creators = [software]
        }
        var info: [String: Any] = ["type": "CreationInfo", "@id": SPDX3Writer.creationInfo, "specVersion": "3.0.1",
                                   "created": document.creationInfo.created, "createdBy": creators,
                                   "createdUsing": [tool]]
        if let comment = document.comment { info["comment"] = comment }
        nodes.insert(info, at: 0)

        for file in document.files { addFile(file) }
        for package in document.packages { addPackage(package) }
        for package in document.packages {
            let files = (carriers[package.spdxID] ?? []).map { iri($0 + "-artifact") }
            relate(iri(package.spdxID), "hasDistributionArtifact", files)
        }
        addRelationships()

        let sbom = iri("SPDXRef-Sbom")
        let described = document.relationships.filter { $0.spdxElementId == document.spdxID && $0.relationshipType == "DESCRIBES" }
            .map { iri($0.relatedSpdxElement) }
        let members = elements
        add(["type": "software_Sbom", "spdxId": sbom, "name": document.name, "software_sbomType": ["analyzed"],
             "rootElement": described, "element": members, "profileConformance": ["core", "software", "simpleLicensing"]])
        let dataLicense = license("CC0-1.0") ?? "expandedlicensing_NoAssertionLicense"
        add(["type": "SpdxDocument", "spdxId": iri(document.spdxID), "name": document.name,
             "dataLicense": dataLicense, "profileConformance": ["core", "software", "simpleLicensing"],
             "rootElement": [sbom], "element": elements.filter { $0 != iri(document.spdxID) }], element: false)
        return nodes
    }

    /// The element of an agent in SPDX 2 form (`Person: X`, `Organization: X`), made once.
    mutating func agent(_ value: String) -> String {
        if let known = agents[value] { return known }
        let isPerson = value.hasPrefix("Person:")
        let name = value.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? value
        let id = iri(ids.make(prefix: isPerson ? "Person" : "Organization", key: name))
        var node: [String: Any] = ["type": isPerson ? "Person" : "Organization", "spdxId": id, "name": name]
        // `Name (mail@host)` or `Name (https://...)`: the contact is an identifier of its own.
        let entity = CDXEntity(spdx: value)
        if let mail = entity.email {
            node["name"] = entity.name
            node["externalIdentifier"] = [["type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": mail]]
        } else if let url = entity.url {
            node["name"] = entity.name
            node["externalIdentifier"] = [["type": "ExternalIdentifier", "externalIdentifierType": "urlScheme", "identifier": url]]
        }
        add(node)
        agents[value] = id
        return id
    }

    /// The element of a license expression (an SPDX 2 string), made once per expression;
    /// nil for NOASSERTION, the NoneLicense individual for NONE.
    mutating func license(_ expression: String) -> String? {
        if expression == "NOASSERTION" { return nil }
        if expression == "NONE" { return "expandedlicensing_NoneLicense" }
        if let known = licenseElements[expression] { return known }
        let id = iri(ids.make(prefix: "License", key: expression))
        var node: [String: Any] = ["type": "simplelicensing_LicenseExpression", "spdxId": id,
                                   "simplelicensing_licenseExpression": expression]
        let refs = Set(expression.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
            .split(separator: " ").map(String.init).filter { $0.hasPrefix("LicenseRef-") }).sorted()
        if !refs.isEmpty {
            node["simplelicensing_customIdToUri"] = refs.map { ref in
                ["type": "DictionaryEntry", "key": ref, "value": licenseText(ref)] as [String: Any]
            }
        }
        add(node)
        licenseElements[expression] = id
        return id
    }

    /// The SimpleLicensingText element of a LicenseRef, from the document's extracted texts.
    mutating func licenseText(_ ref: String) -> String {
        let id = iri(ref)
        if licenseElements[ref] != nil { return id }
        licenseElements[ref] = id
        let text = extracted[ref]
        var node: [String: Any] = ["type": "simplelicensing_SimpleLicensingText", "spdxId": id,
                                   "simplelicensing_licenseText": text?.extractedText ?? "No text known for \(ref)."]
        if let name = text?.name { node["name"] = name }
        if let comment = text?.comment { node["comment"] = comment }
        add(node)
        return id
    }

    /// Relationship types that enumerate what an element consists of or needs: TR-03183-2
    /// wants each to say whether its list is complete.
    static let dependencyTypes: Set<String> = ["contains", "dependsOn", "hasDynamicLink", "hasStaticLink",
                                                "hasProvidedDependency"]

    mutating func relate(_ from: String, _ type: String, _ to: [String], comment: String? = nil) {
        guard !to.isEmpty else { return }
        relationshipCount += 1
        var node: [String: Any] = ["type": "Relationship", "spdxId": iri("SPDXRef-Relationship-\(relationshipCount)"),
                                   "from": from, "relationshipType": type, "to": to]
        if let comment { node["comment"] = comment }
        // A scan finds what it finds and cannot prove there is no more: noAssertion, and
        // incomplete where it knows a target is missing from the report.
        if Self.dependencyTypes.contains(type) {
            node["completeness"] = to.contains("NoAssertionElement") ? "incomplete" : "noAssertion"
        }
        add(node)
    }

    mutating func addLicenses(of element: String, concluded: String, declared: [String]) {
        if let id = license(concluded) { relate(element, "hasConcludedLicense", [id]) }
        let declaredIDs = declared.compactMap { license($0) }
        relate(element, "hasDeclaredLicense", declaredIDs)
    }

    static func hashes(_ checksums: [SPDXDocument.Checksum]) -> [[String: Any]] {
        checksums.compactMap { checksum in
            let algorithm = ["SHA1": "sha1", "SHA224": "sha224", "SHA256": "sha256", "SHA384": "sha384",
                             "SHA512": "sha512", "MD5": "md5"][checksum.algorithm]
            return algorithm.map { ["type": "Hash", "algorithm": $0, "hashValue": checksum.checksumValue] }
        }
    }

    mutating func addFile(_ file: SPDXDocument.File) {
        let id = iri(file.spdxID)
        var node: [String: Any] = ["type": "software_File", "spdxId": id,
                                   "name": file.fileName.hasPrefix("./") ? String(file.fileName.dropFirst(2)) : file.fileName,
                                   "verifiedUsing": Self.hashes(file.checksums), "software_fileKind": "file"]
        let purpose = ["SOURCE": "source", "DOCUMENTATION": "documentation", "SPDX": "bom", "BINARY": "other", "TEXT": "other"]
        if let first = file.fileTypes.first, let value = purpose[first] { node["software_primaryPurpose"] = value }
        if file.copyrightText != "NOASSERTION" { node["software_copyrightText"] = file.copyrightText }
        if let comment = file.comment { node["comment"] = comment }
        add(node)
        addLicenses(of: id, concluded: file.licenseConcluded,
                    declared: file.licenseInfoInFiles.filter { $0 != "NOASSERTION" })
    }

    mutating func addPackage(_ package: SPDXDocument.Package) {
        let id = iri(package.spdxID)
        var node: [String: Any] = ["type": "software_Package", "spdxId": id, "name": package.name,
                                   "verifiedUsing": Self.hashes(package.checksums)]
        if let version = package.versionInfo { node["software_packageVersion"] = version }
        if package.downloadLocation != "NOASSERTION" && package.downloadLocation != "NONE" {
            node["software_downloadLocation"] = package.downloadLocation
        }
        if package.supplier != "NOASSERTION" { node["suppliedBy"] = agent(package.supplier) }
        var originators = package.originators.isEmpty ? package.originator.map { [$0] } ?? [] : package.originators
        // The organization that creates the SBOM and supplies its own tree and the binaries
        // built from it made them too (TR-03183-2's component creator).
        if originators.isEmpty, ["SOURCE", "APPLICATION"].contains(package.primaryPackagePurpose ?? ""),
           creatorAgents.contains(package.supplier) {
            originators = [package.supplier]
        }
        if !originators.isEmpty { node["originatedBy"] = originators.map { agent($0) } }
        if let purl = package.externalRefs.first(where: { $0.referenceType == "purl" })?.referenceLocator {
            node["software_packageUrl"] = purl
            node["externalIdentifier"] = [["type": "ExternalIdentifier", "externalIdentifierType": "packageUrl",
                                           "identifier": purl]]
        }
        let purposes = ["SOURCE": "source", "APPLICATION": "application", "LIBRARY": "library", "OTHER": "other"]
        if let purpose = package.primaryPackagePurpose.flatMap({ purposes[$0] }) { node["software_primaryPurpose"] = purpose }
        if package.copyrightText != "NOASSERTION" { node["software_copyrightText"] = package.copyrightText }
        if let info = package.sourceInfo { node["software_sourceInfo"] = info }
        if let comment = package.comment { node["comment"] = comment }
        add(node)
        addLicenses(of: id, concluded: package.licenseConcluded, declared: [package.licenseDeclared])
        // A shipped file: its name (not its path) and hashes as the file that is distributed,
        // linked from every package it carries once all are made.
        if let path = package.packageFileName, package.distributed {
            var file: [String: Any] = ["type": "software_File", "spdxId": iri(package.spdxID + "-artifact"),
                                       "name": (path as NSString).lastPathComponent, "software_fileKind": "file",
                                       "verifiedUsing": Self.hashes(package.checksums), "software_primaryPurpose": "executable"]
            var comment = "Built at \(path)."
            if package.fileFormat == "ELF64" {
                // TR-03183-2's file properties, in the purposes its SPDX 3 mapping names.
                file["software_additionalPurpose"] = ["firmware"]
                comment += " software_additionalPurpose carries the file properties of BSI TR-03183-2: an ELF "
                    + "executable, no archive, unstructured (firmware): the code linked into it keeps no metadata of "
                    + "the components it came from."
            }
            file["comment"] = comment
            add(file)
        }
    }

    /// SPDX 2.3 relationships in SPDX 3 terms; DESCRIBES becomes the Sbom's rootElement.
    mutating func addRelationships() {
        let forward = ["CONTAINS": "contains", "DEPENDS_ON": "dependsOn", "DYNAMIC_LINK": "hasDynamicLink",
                       "STATIC_LINK": "hasStaticLink"]
        // Grouped by (from, type), so one relationship lists every target.
        var grouped: [String: [String]] = [:]
        var comments: [String: String] = [:]
        var order: [String] = []
        func key(_ from: String, _ type: String) -> String { from + "\u{0}" + type }
        for relationship in document.relationships where relationship.relationshipType != "DESCRIBES" {
            var from = iri(relationship.spdxElementId)
            var to = relationship.relatedSpdxElement == "NOASSERTION" ? "NoAssertionElement" : iri(relationship.relatedSpdxElement)
            let type: String
            if let mapped = forward[relationship.relationshipType] {
                type = mapped
            } else if relationship.relationshipType == "GENERATED_FROM" {
                type = "generates"
                swap(&from, &to)
            } else if relationship.relationshipType == "PROVIDED_DEPENDENCY_OF" {
                type = "hasProvidedDependency"
                swap(&from, &to)
            } else {
                type = "other"
            }
            // A relationship with a comment (a target missing from the report) stays alone.
            if let comment = relationship.comment, to == "NoAssertionElement" {
                relate(from, type, [to], comment: comment)
                continue
            }
            let k = key(from, type)
            if grouped[k] == nil { order.append(k) }
            if !(grouped[k] ?? []).contains(to) { grouped[k, default: []].append(to) }
            if let comment = relationship.comment { comments[k] = comment }
        }
        for k in order {
            let parts = k.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            relate(parts[0], parts[1], grouped[k] ?? [], comment: comments[k])
        }
    }
}

/// JSON with sorted keys, two-space indentation and a final newline: the same bytes for
/// the same value.
func canonicalJSON(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value,
                                                 options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
          let text = String(data: data, encoding: .utf8) else {
        preconditionFailure("JSONSerialization failed on a value made of strings, numbers, arrays and objects")
    }
    return text + "\n"
}
