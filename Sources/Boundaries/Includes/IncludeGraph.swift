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
    /// How the unit's includes were chosen.
    public var evidence: IncludeEvidence

    public init(source: String, target: String?, arguments: [String], evidence: IncludeEvidence = .textual(reason: "no compile command")) {
        self.source = source
        self.target = target
        self.arguments = arguments
        self.evidence = evidence
    }
}

/// Whether a unit's includes are the ones its compilation read, and how we know.
public enum IncludeEvidence: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The depfile the tree's build wrote lists the files it read.
    case depfile
    /// Its #if conditions were evaluated with its flags; `undecided` of them could not be,
    /// and all their branches were followed.
    case conditionsEvaluated(undecided: Int)
    /// Every branch followed (no compile command, or the evaluation gave up).
    case textual(reason: String)

    public var description: String {
        switch self {
        case .depfile:
            return "as compiled (depfile)"
        case .conditionsEvaluated(let undecided):
            return "as compiled (conditions evaluated with the unit's flags; \(undecided) condition\(undecided == 1 ? "" : "s") undecided, all their branches followed)"
        case .textual(let reason):
            return "textual (\(reason))"
        }
    }
}

public struct IncludeGraph: Codable, Sendable {
    /// Sorted by source.
    public var units: [TranslationUnit]
    /// Includer -> its directives in line order.
    public var edges: [String: [IncludeEdge]]
    public var problems: [AnalysisProblem]
    /// Unit -> includer -> lines of edges in `edges` that this unit's compilation does not
    /// take (another unit sharing the includer does): a branch of #if false for its flags.
    public var untaken: [String: [String: Set<Int>]]

    public init(units: [TranslationUnit], edges: [String: [IncludeEdge]], problems: [AnalysisProblem],
                untaken: [String: [String: Set<Int>]] = [:]) {
        self.units = units
        self.edges = edges
        self.problems = problems
        self.untaken = untaken
    }

    /// Every header reachable from `unit`, each with its shortest include chain (the first
    /// edge's `from` is `unit`), sorted by header path.
    public func reachableHeaders(from unit: String) -> [(header: String, chain: [IncludeEdge])] {
        let reach = reachable(from: unit)
        return reach.headers.map { ($0, reach.chain(to: $0)) }
    }

    /// The headers reachable from `unit`, with the edge that first reached each: chains are
    /// built only for the few headers a rule reports (a kernel unit reaches a thousand).
    public func reachable(from unit: String) -> IncludeReach {
        // Breadth-first in directive order: the first chain found is a shortest one, and
        // ties go to the earliest directive, so the answer is deterministic.
        var reach = IncludeReach(unit: unit)
        reach.depth[unit] = 0
        var queue = [unit]
        var head = 0
        let skipped = untaken[unit] ?? [:]
        while head < queue.count {
            let file = queue[head]
            head += 1
            let depth = reach.depth[file]!
            let skippedLines = skipped[file] ?? []
            for edge in edges[file] ?? [] {
                guard let target = edge.to, reach.depth[target] == nil, !skippedLines.contains(edge.line) else { continue }
                reach.depth[target] = depth + 1
                reach.parent[target] = edge
                queue.append(target)
            }
        }
        reach.headers = queue.dropFirst().sorted()
        return reach
    }
}

/// The headers one unit reaches, and how.
public struct IncludeReach: Sendable {
    public let unit: String
    /// Sorted by path; the unit itself excluded.
    public internal(set) var headers: [String] = []
    /// Header -> the number of #include steps from the unit.
    public internal(set) var depth: [String: Int] = [:]
    var parent: [String: IncludeEdge] = [:]

    init(unit: String) { self.unit = unit }

    /// The shortest include chain from the unit to `header` (empty for the unit itself).
    public func chain(to header: String) -> [IncludeEdge] {
        var chain: [IncludeEdge] = []
        var file = header
        while let edge = parent[file] {
            chain.append(edge)
            file = edge.from
        }
        return chain.reversed()
    }
}
