// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Supplier SBOMs as input: the components of a read document become components of the
// inventory, so a release lists them with their licenses, hashes and relationships.

import Inventory
import Licensing

extension SBOMDocument {
    /// The document's components as inventory components (kind `.declared`), ids prefixed
    /// with `sbom:<document name>:` so they cannot collide with the scanner's. Only
    /// relationships between two of its components are kept. Errors name the document, the
    /// element and the field when a component's license is not an SPDX expression.
    public func inventoryComponents() throws -> [Component] {
        let prefix = "sbom:\(name):"
        var byID: [String: [Component.Relationship]] = [:]
        let known = Set(components.map(\.id))
        for relationship in relationships where known.contains(relationship.from) && known.contains(relationship.to) {
            let kind: Component.Relationship.Kind
            switch relationship.kind {
            case "CONTAINS": kind = .contains
            case "DEPENDS_ON": kind = .dependsOn
            case "DYNAMIC_LINK": kind = .dynamicLink
            case "STATIC_LINK": kind = .staticLink
            case "GENERATED_FROM": kind = .generatedFrom
            default: continue
            }
            byID[relationship.from, default: []].append(.init(kind, prefix + relationship.to))
        }
        return try components.map { component throws -> Component in
            for (field, value) in [("declared license", component.declaredLicense), ("concluded license", component.concludedLicense)] {
                guard let value, value != "NONE" else { continue }
                do {
                    _ = try LicenseExpression.parse(value)
                } catch {
                    throw SBOMReadError(document: path, element: component.id, field: field,
                                        problem: "not an SPDX license expression: \(quoted(value)) (\(error))")
                }
            }
            return Component(
                id: prefix + component.id, kind: .declared, name: component.name, version: component.version,
                purl: component.purl, supplier: component.supplier.map { "Organization: \($0)" },
                downloadLocation: component.downloadLocation, declaredLicense: component.declaredLicense,
                concludedLicense: component.concludedLicense, copyrightText: component.copyright,
                distribution: component.distributed ? .distributed : .providedByPlatform,
                checksums: component.checksums, files: component.files.map(\.path),
                comment: "From the supplier SBOM \(path) (\(format.rawValue)).",
                relationships: (byID[component.id] ?? []).sorted())
        }
    }
}
