// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Typed access to a parsed JSON object that turns every wrong type into an SBOMReadError
// naming the document, the element and the field.

import Foundation

struct JSONFields {
    let object: [String: Any]
    let document: String
    /// Named only when an error needs it: a big document has hundreds of thousands of elements.
    let name: () -> String
    var element: String { name() }

    init(object: [String: Any], document: String, element: @autoclosure @escaping () -> String) {
        self.object = object
        self.document = document
        self.name = element
    }

    func error(_ field: String?, _ problem: String) -> SBOMReadError {
        SBOMReadError(document: document, element: element, field: field, problem: problem)
    }

    /// A string field; nil when absent or null.
    func string(_ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw error(key, "expected a string, got \(describe(value))") }
        return text
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw error(key, "missing") }
        guard !text.isEmpty else { throw error(key, "empty") }
        return text
    }

    /// An array field; empty when absent.
    func array(_ key: String) throws -> [Any] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let items = value as? [Any] else { throw error(key, "expected an array, got \(describe(value))") }
        return items
    }

    /// An array of objects, each wrapped with `name(index, object)` as its element name.
    func objects(_ key: String, name: @escaping (Int, [String: Any]) -> String) throws -> [JSONFields] {
        var result: [JSONFields] = []
        for (index, item) in try array(key).enumerated() {
            guard let object = item as? [String: Any] else {
                throw error("\(key)[\(index)]", "expected an object, got \(describe(item))")
            }
            result.append(JSONFields(object: object, document: document, element: name(index, object)))
        }
        return result
    }

    /// An array of strings.
    func strings(_ key: String) throws -> [String] {
        var result: [String] = []
        for (index, item) in try array(key).enumerated() {
            guard let text = item as? String else {
                throw error("\(key)[\(index)]", "expected a string, got \(describe(item))")
            }
            result.append(text)
        }
        return result
    }

    func object(_ key: String) throws -> JSONFields? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let nested = value as? [String: Any] else { throw error(key, "expected an object, got \(describe(value))") }
        return JSONFields(object: nested, document: document, element: self.element)
    }
}

/// A short description of a JSON value for messages: its type and, for scalars, the value.
func describe(_ value: Any) -> String {
    switch value {
    case let text as String: return "string \(quoted(text))"
    case is NSNull: return "null"
    case let number as NSNumber: return "number \(number)"
    case is [Any]: return "an array"
    case is [String: Any]: return "an object"
    default: return "\(type(of: value))"
    }
}

/// A value quoted for a message, cut to 80 characters.
func quoted(_ text: String) -> String {
    let cut = text.count > 80 ? String(text.prefix(80)) + "..." : text
    return "\"\(cut)\""
}

/// NOASSERTION (and empty) mean the document does not say.
func asserted(_ value: String?) -> String? {
    guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty,
          value != "NOASSERTION" else { return nil }
    return value
}

/// Copyright text split into statements, one per line; NONE/NOASSERTION give none.
func copyrightStatements(_ text: String?) -> [String] {
    guard let text = asserted(text), text != "NONE" else { return [] }
    return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Algorithm names as SPDX 2.3 spells them: `SHA-256` and `sha256` both become `SHA256`.
func algorithmName(_ name: String) -> String {
    name.uppercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
}
