// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The SBOM formats a release writes: one document, rendered in every format the SBOM
// target knows (SPDX 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD, CycloneDX 1.6 JSON and XML).

import Foundation
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
            // What the NTIA minimum elements and BSI TR-03183-2 ask for and nothing supplied:
            // named with the release.toml key or flag that fills it (a release still ships).
            for gap in conformanceGaps(of: document) {
                FileHandle.standardError.write(Data("candor release: warning: \(gap)\n".utf8))
            }
            return try SBOMFormat.write(SBOMFormat.allCases, of: document, to: directory, name: context.name)
        },
    ]
}
