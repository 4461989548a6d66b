// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// SPDX 2.3 JSON decoded with JSONDecoder into the few fields the review reads: on a 70 MB
// document this is several times faster than JSONSerialization's dictionaries of Any, and
// the keys nobody reads (fileTypes, annotations, ...) are never materialised. Decoding is
// lenient: a field of the wrong type is remembered, not thrown, so SPDX2Reader can name the
// element (index and SPDXID) and the field in its error.

import Foundation

/// A field of the wrong type (or an element that is not an object), as found while decoding.
struct FieldProblem {
    var field: String?
    var text: String
}

/// Reads one JSON object's fields without throwing; the first wrong one is kept in `problem`.
struct LenientFields<Key: CodingKey> {
    private let container: KeyedDecodingContainer<Key>?
    private(set) var problem: FieldProblem?

    init(_ decoder: Decoder, keyedBy: Key.Type) {
        container = try? decoder.container(keyedBy: Key.self)
        if container == nil { problem = FieldProblem(field: nil, text: "expected an object, got \(describeValue(decoder))") }
    }

    private mutating func note(_ key: Key, _ text: String) {
        if problem == nil { problem = FieldProblem(field: key.stringValue, text: text) }
    }

    /// A string field; nil when absent, null or of the wrong type (then noted).
    mutating func string(_ key: Key) -> String? {
        guard let container else { return nil }
        do {
            switch try container.decodeIfPresent(WrittenString.self, forKey: key) {
            case .string(let text): return text
            case .other(let what): note(key, "expected a string, got \(what)")
            case nil: break
            }
        } catch {
            note(key, "\(error)")
        }
        return nil
    }

    /// An array of strings; empty when absent.
    mutating func strings(_ key: Key) -> [String] {
        guard let container else { return [] }
        do {
            guard let list = try container.decodeIfPresent(WrittenList<WrittenString>.self, forKey: key) else { return [] }
            switch list {
            case .items(let items):
                var result: [String] = []
                result.reserveCapacity(items.count)
                for (index, item) in items.enumerated() {
                    switch item {
                    case .string(let text): result.append(text)
                    case .other(let what):
                        note(key, "expected a string, got \(what)")
                        problem?.field = "\(key.stringValue)[\(index)]"
                        return []
                    }
                }
                return result
            case .other(let what): note(key, "expected an array, got \(what)")
            }
        } catch {
            note(key, "\(error)")
        }
        return []
    }

    /// An array of objects decoded as `T`; empty when absent.
    mutating func objects<T: Decodable>(_ key: Key, as: T.Type = T.self) -> [T] {
        guard let container else { return [] }
        do {
            switch try container.decodeIfPresent(WrittenList<T>.self, forKey: key) {
            case .items(let items): return items
            case .other(let what): note(key, "expected an array, got \(what)")
            case nil: break
            }
        } catch {
            note(key, "\(error)")
        }
        return []
    }

    /// A nested object decoded as `T`.
    mutating func object<T: Decodable>(_ key: Key, as: T.Type = T.self) -> T? {
        guard let container else { return nil }
        do { return try container.decodeIfPresent(T.self, forKey: key) } catch { note(key, "\(error)") }
        return nil
    }
}

/// A value that should be a string.
enum WrittenString: Decodable {
    case string(String)
    /// Something else, described for a message.
    case other(String)

    init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self = .string(text)
        } else {
            self = .other(describeValue(decoder))
        }
    }
}

/// A value that should be an array.
enum WrittenList<Element: Decodable>: Decodable {
    case items([Element])
    case other(String)

    init(from decoder: Decoder) throws {
        guard var list = try? decoder.unkeyedContainer() else {
            self = .other(describeValue(decoder))
            return
        }
        var items: [Element] = []
        if let count = list.count { items.reserveCapacity(count) }
        while !list.isAtEnd { items.append(try list.decode(Element.self)) }
        self = .items(items)
    }
}

/// The same words as `describe(_:)` uses for JSONSerialization values.
func describeValue(_ decoder: Decoder) -> String {
    if let value = try? decoder.singleValueContainer() {
        if value.decodeNil() { return "null" }
        if let text = try? value.decode(String.self) { return "string \(quoted(text))" }
        if let flag = try? value.decode(Bool.self) { return "boolean \(flag)" }
        if let number = try? value.decode(Int.self) { return "number \(number)" }
        if let number = try? value.decode(Double.self) { return "number \(number)" }
    }
    return (try? decoder.unkeyedContainer()) != nil ? "an array" : "an object"
}

extension CodingUserInfoKey {
    /// `SBOMDetail` of a decode: `.components` leaves each file's body out.
    static let sbomDetail = CodingUserInfoKey(rawValue: "candor.sbomDetail")!
}

/// The top level of any JSON SBOM: what tells the formats apart, and for SPDX 2 the body.
struct SBOMTopLevel: Decodable {
    var spdxVersion: WrittenString?
    var hasGraph: Bool
    var bomFormat: WrittenString?
    var spdx2: SPDX2JSON?

    private enum Key: String, CodingKey { case spdxVersion, bomFormat, graph = "@graph", context = "@context" }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        spdxVersion = try container.decodeIfPresent(WrittenString.self, forKey: .spdxVersion)
        hasGraph = container.contains(.graph) || container.contains(.context)
        bomFormat = try container.decodeIfPresent(WrittenString.self, forKey: .bomFormat)
        if case .string(let version) = spdxVersion, version.hasPrefix("SPDX-2.") {
            spdx2 = try SPDX2JSON(from: decoder)
        }
    }
}

struct SPDX2JSON: Decodable {
    struct CreationInfo: Decodable {
        var created: String?
        var creators: [String]
        var problem: FieldProblem?
        private enum Key: String, CodingKey { case created, creators }
        init(from decoder: Decoder) throws {
            var fields = LenientFields(decoder, keyedBy: Key.self)
            created = fields.string(.created)
            creators = fields.strings(.creators)
            problem = fields.problem
        }
    }

    struct Checksum: Decodable {
        var algorithm: String?
        var value: String?
        var problem: FieldProblem?
        private enum Key: String, CodingKey { case algorithm, checksumValue }
        init(from decoder: Decoder) throws {
            var fields = LenientFields(decoder, keyedBy: Key.self)
            algorithm = fields.string(.algorithm)
            value = fields.string(.checksumValue)
            problem = fields.problem
        }
    }

    struct ExternalRef: Decodable {
        var type: String?
        var locator: String?
        var problem: FieldProblem?
        private enum Key: String, CodingKey { case referenceType, referenceLocator }
        init(from decoder: Decoder) throws {
            var fields = LenientFields(decoder, keyedBy: Key.self)
            type = fields.string(.referenceType)
            locator = fields.string(.referenceLocator)
            problem = fields.problem
        }
    }

    struct Package: Decodable {
        var id, name, version, supplier, downloadLocation, declared, concluded, copyright: String?
        var externalRefs: [ExternalRef]
        var checksums: [Checksum]
        var hasFiles: [String]
        var problem: FieldProblem?
        private enum Key: String, CodingKey {
            case SPDXID, name, versionInfo, supplier, downloadLocation, licenseDeclared, licenseConcluded, copyrightText
            case externalRefs, checksums, hasFiles
        }
        init(from decoder: Decoder) throws {
            var fields = LenientFields(decoder, keyedBy: Key.self)
            id = fields.string(.SPDXID)
            name = fields.string(.name)
            version = fields.string(.versionInfo)
            supplier = fields.string(.supplier)
            downloadLocation = fields.string(.downloadLocation)
            declared = fields.string(.licenseDeclared)
            concluded = fields.string(.licenseConcluded)
            copyright = fields.string(.copyrightText)
            externalRefs = fields.objects(.externalRefs)
            checksums = fields.objects(.checksums)
            hasFiles = fields.strings(.hasFiles)
            problem = fields.problem
        }
    }

    struct File: Decodable {
        var id: String?
        /// Nil when the decode asked for components only.
        var body: Body?
        var problem: FieldProblem?
        struct Body {
            var fileName: String?
            var concluded: String?
            var licensesInFile: [String]
            var copyright: String?
            var checksums: [Checksum]
        }
        private enum Key: String, CodingKey { case SPDXID, fileName, licenseConcluded, licenseInfoInFiles, copyrightText, checksums }
        init(from decoder: Decoder) throws {
            var fields = LenientFields(decoder, keyedBy: Key.self)
            id = fields.string(.SPDXID)
            if decoder.userInfo[.sbomDetail] as? SBOMDetail != .components {
                body = Body(fileName: fields.string(.fileName), concluded: fields.string(.licenseConcluded),
                            licensesInFile: fields.strings(.licenseInfoInFiles), copyright: fields.string(.copyrightText),
                            checksums: fields.objects(.checksums))
            }
            problem = fields.problem
        }
    }

    struct Relationship: Decodable {
        var from, kind, to: String?
        var problem: FieldProblem?
        private enum Key: String, CodingKey { case spdxElementId, relationshipType, relatedSpdxElement }
        init(from decoder: Decoder) throws {
            var fields = LenientFields(decoder, keyedBy: Key.self)
            from = fields.string(.spdxElementId)
            kind = fields.string(.relationshipType)
            to = fields.string(.relatedSpdxElement)
            problem = fields.problem
        }
    }

    var name: String?
    var creationInfo: CreationInfo?
    var packages: [Package]
    var files: [File]
    var relationships: [Relationship]
    var problem: FieldProblem?

    private enum Key: String, CodingKey { case name, creationInfo, packages, files, relationships }

    init(from decoder: Decoder) throws {
        var fields = LenientFields(decoder, keyedBy: Key.self)
        name = fields.string(.name)
        creationInfo = fields.object(.creationInfo)
        packages = fields.objects(.packages)
        files = fields.objects(.files)
        relationships = fields.objects(.relationships)
        problem = fields.problem
    }
}
