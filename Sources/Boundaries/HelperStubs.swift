// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
// TEMPORARY: the helpers' API contracts, removed when their branches merge.
import Foundation

public struct IncludeEdge: Codable, Hashable, Sendable {
    public var from: String; public var line: Int; public var spelled: String; public var to: String?
}
public struct TranslationUnit: Codable, Hashable, Sendable {
    public var source: String; public var target: String?; public var arguments: [String]
}
public struct IncludeGraph: Codable, Sendable {
    public var units: [TranslationUnit]
    public var edges: [String: [IncludeEdge]]
    public var problems: [AnalysisProblem]
    public func reachableHeaders(from unit: String) -> [(header: String, chain: [IncludeEdge])] { [] }
}
public enum IncludeGraphBuilder {
    public static func build(root: String, files: [String]?, compileCommands: String?, jobs: Int) throws -> IncludeGraph {
        IncludeGraph(units: [], edges: [:], problems: [])
    }
}
public struct SwiftTarget: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case regular, executable, test, systemLibrary, plugin, macro, binary }
    public var name: String; public var kind: Kind; public var path: String; public var isC: Bool
    public var targetDependencies: [String]; public var productDependencies: [String]; public var sources: [String]
    public var moduleMap: String?; public var publicHeaders: String?
}
public struct SwiftImport: Codable, Hashable, Sendable { public var file: String; public var line: Int; public var module: String }
public struct SwiftPackageGraph: Codable, Sendable {
    public var packageDirectory: String; public var name: String; public var targets: [SwiftTarget]
    public var imports: [SwiftImport]; public var problems: [AnalysisProblem]
    public static func loadAll(root: String, files: [String]?) -> [SwiftPackageGraph] { [] }
    public func target(containing path: String) -> SwiftTarget? { nil }
}
