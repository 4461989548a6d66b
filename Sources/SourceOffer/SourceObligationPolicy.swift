// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Which licenses require the complete corresponding source when a work is distributed in
// binary form: the `[source-obligations]` table of licenses/policy.toml.

import TOMLKit

public struct SourceObligationPolicy: Sendable {
    /// SPDX license ids, compared case-insensitively.
    public var licenses: Set<String>

    public init(licenses: Set<String>) {
        self.licenses = Set(licenses.map { $0.lowercased() })
    }

    /// For a tree without a policy file: the common licenses whose binaries must come with
    /// (or with an offer of) their source.
    public static let copyleft = SourceObligationPolicy(licenses: [
        "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
        "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later",
        "AGPL-3.0-only", "AGPL-3.0-or-later", "MPL-1.1", "MPL-2.0", "EPL-1.0", "EPL-2.0", "CDDL-1.0", "CDDL-1.1",
        "EUPL-1.2", "OSL-3.0", "CPL-1.0",
    ])

    public init(policyFile path: String) throws {
        let text: String
        do { text = try FileSystem.readText(path) } catch {
            throw SourceOfferError.policyFile(path: path, problem: "\(error)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw SourceOfferError.policyFile(path: path, problem: "\(error)")
        }
        guard let list = table["source-obligations"]?.table?["licenses"]?.array else {
            throw SourceOfferError.policyFile(path: path, problem: "needs [source-obligations] with licenses = [\"GPL-2.0-only\", ...]")
        }
        var ids: Set<String> = []
        for (index, item) in list.enumerated() {
            guard let id = item.string, !id.isEmpty else {
                throw SourceOfferError.policyFile(path: path, problem: "source-obligations.licenses[\(index)] is not a license id string")
            }
            ids.insert(id)
        }
        self.init(licenses: ids)
    }

    /// Whether distributing a binary under `expression` obliges us to provide its source.
    /// `A OR B` obliges only if every choice does (the recipient may take either);
    /// `A AND B` if any part does; `X WITH exception` as X does.
    public func requiresSource(_ expression: String, component: String) throws -> Bool {
        try obligationExpression(expression, component: component).obliges { licenses.contains($0.lowercased()) }
    }

    /// The license and exception ids named in `expression`, sorted.
    public static func ids(in expression: String, component: String) throws -> [String] {
        Array(try obligationExpression(expression, component: component).obligationIDs).sorted()
    }
}
