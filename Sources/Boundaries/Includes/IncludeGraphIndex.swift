// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The include graph with its files numbered, for walking it once per unit: a kernel has
// 30,000 units, each reaching about a thousand headers, and a walk over numbers needs no
// hashing of paths. Files are numbered in path order, so sorting numbers sorts paths.
// The walk is the one `IncludeGraph.reachable(from:)` does (the tests compare them).

/// An `IncludeGraph` in numbered form; read-only, so any number of threads can walk it.
struct IncludeGraphIndex: Sendable {
    /// Every file of the graph (includers, headers, units), sorted as `String` sorts.
    let paths: [String]
    let number: [String: Int32]
    /// File `n`'s edges to a resolved header are entries `start[n]..<start[n + 1]`, in
    /// directive order, of `source` (n), `target`, `line` and `edges`.
    private let start: [Int32]
    private let source: [Int32]
    private let target: [Int32]
    private let line: [Int32]
    private let edges: [IncludeEdge]
    /// Unit -> includer number -> lines the unit's compilation does not take.
    private let untaken: [String: [Int32: Set<Int>]]

    init(_ graph: IncludeGraph) {
        var names = Set<String>()
        for unit in graph.units { names.insert(unit.source) }
        for (includer, list) in graph.edges {
            names.insert(includer)
            for edge in list { if let to = edge.to { names.insert(to) } }
        }
        let paths = names.sorted()
        var number: [String: Int32] = [:]
        number.reserveCapacity(paths.count)
        for (index, path) in paths.enumerated() { number[path] = Int32(index) }
        var start: [Int32] = [0]
        var source: [Int32] = []
        var target: [Int32] = []
        var line: [Int32] = []
        var edges: [IncludeEdge] = []
        start.reserveCapacity(paths.count + 1)
        for (index, path) in paths.enumerated() {
            for edge in graph.edges[path] ?? [] {
                guard let to = edge.to else { continue }
                source.append(Int32(index))
                target.append(number[to]!)
                line.append(Int32(clamping: edge.line))
                edges.append(edge)
            }
            start.append(Int32(target.count))
        }
        var untaken: [String: [Int32: Set<Int>]] = [:]
        for (unit, files) in graph.untaken {
            var byNumber: [Int32: Set<Int>] = [:]
            for (file, lines) in files { if let known = number[file] { byNumber[known] = lines } }
            untaken[unit] = byNumber
        }
        self.paths = paths
        self.number = number
        self.start = start
        self.source = source
        self.target = target
        self.line = line
        self.edges = edges
        self.untaken = untaken
    }

    /// One walker's memory, reused from unit to unit (a thread keeps its own).
    struct Walk {
        /// `stamp[n] == epoch`: file n was reached in the current walk, at `depth[n]`
        /// include steps, through edge entry `parent[n]` (-1 for the unit itself).
        fileprivate var stamp: [UInt32]
        fileprivate var epoch: UInt32 = 0
        fileprivate var depth: [Int32]
        fileprivate var parent: [Int32]
        fileprivate var queue: [Int32] = []
        /// The headers the last walk reached, in path order.
        private(set) var headers: [Int32] = []

        init(fileCount: Int) {
            stamp = [UInt32](repeating: 0, count: fileCount)
            depth = [Int32](repeating: 0, count: fileCount)
            parent = [Int32](repeating: -1, count: fileCount)
        }

        /// Include steps from the unit to a header of the last walk.
        func depth(of file: Int32) -> Int { Int(depth[Int(file)]) }

        fileprivate mutating func finish() {
            headers = Array(queue.dropFirst())
            headers.sort()
        }
    }

    /// The files some edge reaches (the headers a unit can reach), in path order.
    func reachedFiles() -> [Int32] { Set(target).sorted() }

    func makeWalk() -> Walk { Walk(fileCount: paths.count) }

    /// Walks from `unit` breadth-first in directive order, as `IncludeGraph.reachable`
    /// does, leaving the headers reached in `walk.headers`.
    func walk(from unit: String, _ walk: inout Walk) {
        walk.queue.removeAll(keepingCapacity: true)
        walk.epoch &+= 1
        if walk.epoch == 0 {
            for index in walk.stamp.indices { walk.stamp[index] = 0 }
            walk.epoch = 1
        }
        guard let first = number[unit] else {
            walk.finish()
            return
        }
        let epoch = walk.epoch
        let skipped = untaken[unit] ?? [:]
        walk.stamp[Int(first)] = epoch
        walk.depth[Int(first)] = 0
        walk.parent[Int(first)] = -1
        walk.queue.append(first)
        var head = 0
        while head < walk.queue.count {
            let file = Int(walk.queue[head])
            head += 1
            let next = walk.depth[file] + 1
            let skippedLines = skipped.isEmpty ? nil : skipped[Int32(file)]
            for entry in Int(start[file])..<Int(start[file + 1]) {
                let to = Int(target[entry])
                guard walk.stamp[to] != epoch else { continue }
                if let skippedLines, skippedLines.contains(Int(line[entry])) { continue }
                walk.stamp[to] = epoch
                walk.depth[to] = next
                walk.parent[to] = Int32(entry)
                walk.queue.append(Int32(to))
            }
        }
        walk.finish()
    }

    /// The shortest include chain of the last walk from its unit to `header`.
    func chain(to header: Int32, in walk: Walk) -> [IncludeEdge] {
        var chain: [IncludeEdge] = []
        var entry = walk.parent[Int(header)]
        while entry >= 0 {
            chain.append(edges[Int(entry)])
            entry = walk.parent[Int(source[Int(entry)])]
        }
        return chain.reversed()
    }
}
