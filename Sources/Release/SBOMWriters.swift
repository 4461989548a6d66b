// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The SBOM formats a release writes, one element per format, each through the SBOM target.

import Licensing
import SBOM

extension ReleaseBuilder {
    public static let sbomWriters: [SBOMWriter] = [
        // SPDX 2.3 JSON and tag-value: <product>.spdx.json, <product>.spdx.
        { report, database, context, directory in
            let document = makeSPDXDocument(
                from: report, name: context.name, created: context.created,
                creator: SPDXCreator(tool: "candor-\(context.toolVersion)", organization: context.supplier),
                licenses: { id in
                    database.license(spdxID: id).map { KnownLicense(name: $0.name, text: $0.text, isException: $0.isException) }
                })
            return try SPDXWriter.write(document, to: directory, name: context.name)
        },
    ]
}
