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
        var parser = ExpressionParser(tokens: try ExpressionParser.tokens(expression, component: component),
                                      expression: expression, component: component)
        let node = try parser.parse()
        return node.obliges { licenses.contains($0.lowercased()) }
    }

    /// The license and exception ids named in `expression`, sorted.
    public static func ids(in expression: String, component: String) throws -> [String] {
        var parser = ExpressionParser(tokens: try ExpressionParser.tokens(expression, component: component),
                                      expression: expression, component: component)
        return Array(try parser.parse().ids).sorted()
    }
}
