// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
import ManagementAPI

/// hypervisor/api/openapi.yaml and the routes the server implements name the same
/// endpoints. The YAML is read as text (no YAML library): under `paths:`, a path is a key
/// indented two spaces, an operation a key indented four.
final class OpenAPIDocumentTests: XCTestCase {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("hypervisor/api/openapi.yaml")

    static func documentedOperations(_ text: String) -> Set<String> {
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options", "trace"]
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if !line.hasPrefix(" ") {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   ") {
                let key = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
                let name = key.hasSuffix(":") ? key.dropLast().trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) : ""
                path = name.hasPrefix("/") ? name : nil
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    func testEveryRouteIsDocumentedAndViceVersa() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# SPDX-License-Identifier: Apache-2.0\n"))
        XCTAssertTrue(text.contains("\nopenapi: 3."), "an OpenAPI 3 document")
        let documented = Self.documentedOperations(text)
        let implemented = Set(APIRoute.allCases.map { "\($0.method) \($0.path)" })
        XCTAssertEqual(documented.subtracting(implemented).sorted(), [], "documented but not implemented")
        XCTAssertEqual(implemented.subtracting(documented).sorted(), [], "implemented but not documented")
    }

    func testTheReaderSeesPathsAndOperationsOnly() {
        let sample = """
            openapi: 3.0.3
            paths:
              /a:
                get:
                  responses: {}
                parameters: []
              "/b":
                # a comment
                put:
                  summary: x
            components:
              schemas:
                get:
                  type: object
            """
        XCTAssertEqual(Self.documentedOperations(sample), ["GET /a", "PUT /b"])
    }
}
