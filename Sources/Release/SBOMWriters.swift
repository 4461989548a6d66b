// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The SBOM formats a release writes: one document, rendered in every format the SBOM
// target knows (SPDX 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD, CycloneDX 1.6 JSON and XML).

import Licensing
import SBOM

extension ReleaseBuilder {
    public static let sbomWriters: [SBOMWriter] = [
        { report, database, context, directory in
            let document = makeSPDXDocument(
                from: report, name: context.name, created: context.created,
                creator: SPDXCreator(tool: "candor-\(context.toolVersion)", organization: context.supplier),
                licenses: { id in
                    database.license(spdxID: id).map { KnownLicense(name: $0.name, text: $0.text, isException: $0.isException) }
                })
            return try SBOMFormat.write(SBOMFormat.allCases, of: document, to: directory, name: context.name)
        },
    ]
}
