// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// CycloneDX 1.6 JSON and XML from the same SPDXDocument the SPDX writers render. Both go
// through one intermediate BOM, so the two encodings carry the same facts. The tree's
// files are not listed (CycloneDX describes components, the SPDX documents list files).
// The XML is written by libxml2 (escaping, encoding) in the order the 1.6 XSD requires.

import Crypto
import Foundation
import Inventory
import XMLTextWriter

public enum CycloneDXWriter {
    static let namespace = "http://cyclonedx.org/schema/bom/1.6"

    public static func json(_ document: SPDXDocument) -> String {
        let bom = CDXBOM(document)
        var root: [String: Any] = ["bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": bom.serialNumber,
                                   "version": 1]
        var metadata: [String: Any] = [
            "timestamp": bom.timestamp,
            "tools": ["components": [["type": "application", "name": bom.toolName, "version": bom.toolVersion]]],
        ]
        if !bom.authors.isEmpty { metadata["authors"] = bom.authors.map { ["name": $0] } }
        if let component = bom.metadataComponent { metadata["component"] = json(component) }
        if let manufacturer = bom.manufacturer { metadata["manufacturer"] = json(manufacturer) }
        if let supplier = bom.supplier { metadata["supplier"] = json(supplier) }
        root["metadata"] = metadata
        root["components"] = bom.components.map { json($0) }
        root["dependencies"] = bom.dependencies.map { ["ref": $0.ref, "dependsOn": $0.dependsOn] as [String: Any] }
        return canonicalJSON(root)
    }

    private static func json(_ entity: CDXEntity) -> [String: Any] {
        var out: [String: Any] = ["name": entity.name]
        if let url = entity.url { out["url"] = [url] }
        if let email = entity.email { out["contact"] = [["email": email]] }
        return out
    }

    private static func json(_ component: CDXComponent) -> [String: Any] {
        var out: [String: Any] = ["type": component.type, "bom-ref": component.ref, "name": component.name]
        if let supplier = component.supplier { out["supplier"] = json(supplier) }
        if !component.authors.isEmpty { out["authors"] = component.authors.map { ["name": $0] } }
        if let version = component.version { out["version"] = version }
        if let description = component.description { out["description"] = description }
        if !component.hashes.isEmpty { out["hashes"] = component.hashes.map { ["alg": $0.0, "content": $0.1] } }
        if let license = component.license {
            out["licenses"] = [["expression": license.expression, "acknowledgement": license.acknowledgement]]
        }
        if let copyright = component.copyright { out["copyright"] = copyright }
        if let purl = component.purl { out["purl"] = purl }
        if !component.externalReferences.isEmpty {
            out["externalReferences"] = component.externalReferences.map { ["type": $0.0, "url": $0.1] }
        }
        if !component.properties.isEmpty { out["properties"] = component.properties.map { ["name": $0.0, "value": $0.1] } }
        return out
    }

    public static func xml(_ document: SPDXDocument) throws(SBOMError) -> Data {
        let bom = CDXBOM(document)
        guard let writer = xml_text_writer_create() else { throw .render(format: "CycloneDX XML", reason: "libxml2: out of memory") }
        defer { xml_text_writer_free(writer) }
        var out = XMLOutput(writer: writer)
        out.check(xml_text_writer_start_document(writer), "document")
        out.start("bom", ["xmlns": namespace, "serialNumber": bom.serialNumber, "version": "1"])
        out.start("metadata")
        out.element("timestamp", bom.timestamp)
        out.start("tools")
        out.start("components")
        out.start("component", ["type": "application"])
        out.element("name", bom.toolName)
        out.element("version", bom.toolVersion)
        out.end()
        out.end()
        out.end()
        if !bom.authors.isEmpty {
            out.start("authors")
            for author in bom.authors {
                out.start("author")
                out.element("name", author)
                out.end()
            }
            out.end()
        }
        if let component = bom.metadataComponent { write(component, to: &out) }
        if let manufacturer = bom.manufacturer { write(manufacturer, as: "manufacturer", to: &out) }
        if let supplier = bom.supplier { write(supplier, as: "supplier", to: &out) }
        out.end()
        out.start("components")
        for component in bom.components { write(component, to: &out) }
        out.end()
        out.start("dependencies")
        for dependency in bom.dependencies {
            out.start("dependency", ["ref": dependency.ref])
            for target in dependency.dependsOn {
                out.start("dependency", ["ref": target])
                out.end()
            }
            out.end()
        }
        out.end()
        out.end()
        var length = 0
        let bytes = xml_text_writer_finish(writer, &length)
        if let failed = out.failed { throw .render(format: "CycloneDX XML", reason: "libxml2 failed at \(failed)") }
        guard let bytes else { throw .render(format: "CycloneDX XML", reason: "libxml2 could not end the document") }
        return Data(bytes: bytes, count: length)
    }

    private static func write(_ entity: CDXEntity, as element: String, to out: inout XMLOutput) {
        out.start(element)
        out.element("name", entity.name)
        if let url = entity.url { out.element("url", url) }
        if let email = entity.email {
            out.start("contact")
            out.element("email", email)
            out.end()
        }
        out.end()
    }

    /// Children in the order of the 1.6 XSD's component sequence.
    private static func write(_ component: CDXComponent, to out: inout XMLOutput) {
        out.start("component", ["type": component.type, "bom-ref": component.ref])
        if let supplier = component.supplier { write(supplier, as: "supplier", to: &out) }
        if !component.authors.isEmpty {
            out.start("authors")
            for author in component.authors {
                out.start("author")
                out.element("name", author)
                out.end()
            }
            out.end()
        }
        out.element("name", component.name)
        if let version = component.version { out.element("version", version) }
        if let description = component.description { out.element("description", description) }
        if !component.hashes.isEmpty {
            out.start("hashes")
            for (algorithm, value) in component.hashes { out.element("hash", value, ["alg": algorithm]) }
            out.end()
        }
        if let license = component.license {
            out.start("licenses")
            out.element("expression", license.expression, ["acknowledgement": license.acknowledgement])
            out.end()
        }
        if let copyright = component.copyright { out.element("copyright", copyright) }
        if let purl = component.purl { out.element("purl", purl) }
        if !component.externalReferences.isEmpty {
            out.start("externalReferences")
            for (type, url) in component.externalReferences {
                out.start("reference", ["type": type])
                out.element("url", url)
                out.end()
            }
            out.end()
        }
        if !component.properties.isEmpty {
            out.start("properties")
            for (name, value) in component.properties { out.element("property", value, ["name": name]) }
            out.end()
        }
        out.end()
    }
}

/// Start/end bookkeeping over the C writer; the first failing call is remembered.
private struct XMLOutput {
    let writer: OpaquePointer
    var failed: String?
    var open: [String] = []

    mutating func check(_ status: Int32, _ what: String) {
        if status < 0 && failed == nil { failed = what }
    }

    mutating func start(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        check(xml_text_writer_start_element(writer, name), name)
        for (key, value) in attributes { check(xml_text_writer_attribute(writer, key, value), "\(name) \(key)") }
        open.append(name)
    }

    mutating func end() {
        check(xml_text_writer_end_element(writer), "/\(open.popLast() ?? "?")")
    }

    mutating func element(_ name: String, _ text: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        start(name, attributes)
        check(xml_text_writer_text(writer, text), "\(name) text")
        end()
    }
}

struct CDXEntity {
    var name: String
    var email: String?
    var url: String?

    /// From SPDX agent form: `Organization: Name (mail@host)` or `Organization: Name (https://...)`.
    init(spdx value: String) {
        var name = value
        for prefix in ["Organization:", "Person:"] where value.hasPrefix(prefix) {
            name = String(value.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        if let open = name.lastIndex(of: "("), name.hasSuffix(")") {
            let contact = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
            if contact.hasPrefix("https://") || contact.hasPrefix("http://"), !contact.contains(" ") {
                url = contact
            } else if contact.contains("@"), !contact.contains(" ") {
                email = contact
            }
            if url != nil || email != nil { name = name[..<open].trimmingCharacters(in: .whitespaces) }
        }
        self.name = name
    }
}

struct CDXComponent {
    var type: String
    var ref: String
    var supplier: CDXEntity?
    var authors: [String]
    var name: String
    var version: String?
    var description: String?
    /// (CycloneDX algorithm name, hex digest).
    var hashes: [(String, String)]
    var license: (expression: String, acknowledgement: String)?
    var copyright: String?
    var purl: String?
    var externalReferences: [(String, String)]
    var properties: [(String, String)]
}

/// The facts both encodings carry, derived once from the SPDX document.
struct CDXBOM {
    var serialNumber: String
    var timestamp: String
    var toolName: String
    var toolVersion: String
    var authors: [String] = []
    var manufacturer: CDXEntity?
    var supplier: CDXEntity?
    var metadataComponent: CDXComponent?
    var components: [CDXComponent] = []
    var dependencies: [(ref: String, dependsOn: [String])] = []

    init(_ document: SPDXDocument) {
        // A UUID (version 5 layout) from the namespace, itself derived from the content.
        var bytes = Array(SHA256.hash(data: Data(document.documentNamespace.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let digits = hex(bytes)
        let parts = [digits.prefix(8), digits.dropFirst(8).prefix(4), digits.dropFirst(12).prefix(4), digits.dropFirst(16).prefix(4),
                     digits.dropFirst(20)]
        serialNumber = "urn:uuid:" + parts.map(String.init).joined(separator: "-")
        timestamp = document.creationInfo.created
        let tool = document.creationInfo.creators.first { $0.hasPrefix("Tool:") }
            .map { String($0.dropFirst("Tool:".count)).trimmingCharacters(in: .whitespaces) } ?? "candor"
        // `candor-0.1.0`: the name and the version after the last dash before a digit.
        if let dash = tool.lastIndex(of: "-"), tool[tool.index(after: dash)...].first?.isNumber == true {
            toolName = String(tool[..<dash])
            toolVersion = String(tool[tool.index(after: dash)...])
        } else {
            toolName = tool
            toolVersion = "unknown"
        }
        for creator in document.creationInfo.creators {
            if creator.hasPrefix("Organization:") {
                manufacturer = CDXEntity(spdx: creator)
                supplier = manufacturer
            } else if creator.hasPrefix("Person:") {
                authors.append(CDXEntity(spdx: creator).name)
            }
        }
        let described = Set(document.relationships.filter { $0.relationshipType == "DESCRIBES" }.map(\.relatedSpdxElement))
        let root = document.packages.first { $0.primaryPackagePurpose == "SOURCE" && described.contains($0.spdxID) }
        let packages = Set(document.packages.map(\.spdxID))
        for package in document.packages {
            let component = Self.component(package)
            if package.spdxID == root?.spdxID { metadataComponent = component } else { components.append(component) }
        }
        // Every component has an entry, so the graph says where dependencies are none.
        var edges: [String: Set<String>] = [:]
        for id in packages { edges[id] = [] }
        for relationship in document.relationships where packages.contains(relationship.spdxElementId)
            && packages.contains(relationship.relatedSpdxElement) {
            switch relationship.relationshipType {
            case "DEPENDS_ON", "DYNAMIC_LINK", "STATIC_LINK", "CONTAINS":
                edges[relationship.spdxElementId, default: []].insert(relationship.relatedSpdxElement)
            case "GENERATED_FROM":
                // A binary is made from the tree: the tree does not need the binary, nor the
                // reverse at run time; CycloneDX has no edge for it.
                break
            default:
                break
            }
        }
        dependencies = edges.keys.sorted().map { ($0, edges[$0]!.sorted()) }
    }

    static func component(_ package: SPDXDocument.Package) -> CDXComponent {
        let types = ["APPLICATION": "application", "LIBRARY": "library", "SOURCE": "application", "OTHER": "data"]
        let algorithms = ["SHA1": "SHA-1", "SHA256": "SHA-256", "SHA384": "SHA-384", "SHA512": "SHA-512", "MD5": "MD5"]
        var license: (String, String)?
        if package.licenseConcluded != "NOASSERTION" {
            license = (package.licenseConcluded, "concluded")
        } else if package.licenseDeclared != "NOASSERTION" {
            license = (package.licenseDeclared, "declared")
        }
        var properties: [(String, String)] = [("candor:distribution", package.distributed ? "distributed" : "providedByPlatform")]
        if license?.1 == "concluded", package.licenseDeclared != "NOASSERTION", package.licenseDeclared != package.licenseConcluded {
            properties.append(("candor:declaredLicense", package.licenseDeclared))
        }
        if let fileName = package.packageFileName {
            // BSI TR-03183-2's CycloneDX properties for a shipped file.
            properties.append(("bsi:component:filename", (fileName as NSString).lastPathComponent))
            properties.append(("bsi:component:executable", "executable"))
            if package.fileFormat == "ELF64" {
                // An ELF executable is no archive, and the code linked into it keeps no
                // metadata of the components it came from (as the SPDX 3 document says).
                properties.append(("bsi:component:archive", "no archive"))
                properties.append(("bsi:component:structured", "unstructured"))
            }
        }
        if let info = package.sourceInfo { properties.append(("candor:sourceInfo", info)) }
        var references: [(String, String)] = []
        let location = package.downloadLocation
        if location != "NOASSERTION" && location != "NONE" {
            references.append((location.hasPrefix("git+") ? "vcs" : "distribution", location))
        }
        let originators = package.originators.isEmpty ? package.originator.map { [$0] } ?? [] : package.originators
        return CDXComponent(
            type: types[package.primaryPackagePurpose ?? ""] ?? "library", ref: package.spdxID,
            supplier: package.supplier == "NOASSERTION" ? nil : CDXEntity(spdx: package.supplier),
            authors: originators.map { CDXEntity(spdx: $0).name }, name: package.name, version: package.versionInfo,
            description: package.comment,
            hashes: package.checksums.compactMap { checksum in algorithms[checksum.algorithm].map { ($0, checksum.checksumValue) } },
            license: license,
            copyright: package.copyrightText == "NOASSERTION" || package.copyrightText == "NONE" ? nil : package.copyrightText,
            purl: package.externalRefs.first { $0.referenceType == "purl" }?.referenceLocator,
            externalReferences: references, properties: properties)
    }
}
