// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The C/C++ include graph of a tree: which file includes which header, on which line, as
// the compiler would resolve it. Facts only; the checker decides what is allowed.

/// One `#include` directive and the header it resolves to.
public struct IncludeEdge: Codable, Hashable, Sendable {
    /// The includer: tree-relative, or absolute when outside the tree.
    public var from: String
    /// 1-based line of the directive in `from` (0 for a `-include` given on the command line).
    public var line: Int
    /// As written, with delimiters: `<linux/kvm.h>` or `"b.h"`.
    public var spelled: String
    /// The resolved header, tree-relative or absolute; nil when it was not found.
    public var to: String?

    public init(from: String, line: Int, spelled: String, to: String?) {
        self.from = from
        self.line = line
        self.spelled = spelled
        self.to = to
    }
}

public struct TranslationUnit: Codable, Hashable, Sendable {
    /// Tree-relative path of the source (or of a module map's header).
    public var source: String
    /// The SwiftPM target the source belongs to, when known.
    public var target: String?
    /// The flags the includes were resolved with (from compile_commands.json, or inferred).
    public var arguments: [String]

    public init(source: String, target: String?, arguments: [String]) {
        self.source = source
        self.target = target
        self.arguments = arguments
    }
}

public struct IncludeGraph: Codable, Sendable {
    /// Sorted by source.
    public var units: [TranslationUnit]
    /// Includer -> its directives in line order.
    public var edges: [String: [IncludeEdge]]
    public var problems: [AnalysisProblem]

    public init(units: [TranslationUnit], edges: [String: [IncludeEdge]], problems: [AnalysisProblem]) {
        self.units = units
        self.edges = edges
        self.problems = problems
    }

    /// Every header reachable from `unit`, each with its shortest include chain (the first
    /// edge's `from` is `unit`), sorted by header path.
    public func reachableHeaders(from unit: String) -> [(header: String, chain: [IncludeEdge])] {
        // Breadth-first in directive order: the first chain found is a shortest one, and
        // ties go to the earliest directive, so the answer is deterministic.
        var chains: [String: [IncludeEdge]] = [unit: []]
        var queue = [unit]
        var head = 0
        while head < queue.count {
            let file = queue[head]
            head += 1
            let chain = chains[file]!
            for edge in edges[file] ?? [] {
                guard let target = edge.to, chains[target] == nil else { continue }
                chains[target] = chain + [edge]
                queue.append(target)
            }
        }
        chains[unit] = nil
        return chains.map { (header: $0.key, chain: $0.value) }.sorted { $0.header < $1.header }
    }
}
