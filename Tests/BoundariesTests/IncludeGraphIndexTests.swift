// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Boundaries

final class IncludeGraphIndexTests: XCTestCase {
    private func edge(_ from: String, _ line: Int, _ to: String?) -> IncludeEdge {
        IncludeEdge(from: from, line: line, spelled: "\"\(to ?? "missing.h")\"", to: to)
    }

    /// A diamond, a cycle back to a unit, an unresolved include, a header reached at two
    /// depths, and a line one unit's compilation does not take.
    private var graph: IncludeGraph {
        IncludeGraph(
            units: [TranslationUnit(source: "a.c", target: nil, arguments: []),
                    TranslationUnit(source: "b.c", target: nil, arguments: []),
                    TranslationUnit(source: "lonely.c", target: nil, arguments: [])],
            edges: [
                "a.c": [edge("a.c", 1, "z/top.h"), edge("a.c", 2, "m.h"), edge("a.c", 3, nil), edge("a.c", 4, "deep.h")],
                "b.c": [edge("b.c", 1, "m.h"), edge("b.c", 2, "a.c")],
                "z/top.h": [edge("z/top.h", 3, "m.h"), edge("z/top.h", 4, "deep.h")],
                "m.h": [edge("m.h", 1, "deep.h"), edge("m.h", 2, "z/top.h")],
                "deep.h": [edge("deep.h", 7, "/usr/include/stdio.h")],
                "/usr/include/stdio.h": [],
            ],
            problems: [],
            untaken: ["b.c": ["m.h": [1]]])
    }

    func testWalkFindsWhatReachableFindsForEveryUnit() {
        let graph = graph
        let index = IncludeGraphIndex(graph)
        // One walk reused across units, as each thread does.
        var walk = index.makeWalk()
        for unit in graph.units.map(\.source) + ["not-a-unit.c"] {
            let expected = graph.reachable(from: unit)
            index.walk(from: unit, &walk)
            XCTAssertEqual(walk.headers.map { index.paths[Int($0)] }, expected.headers, unit)
            for header in walk.headers {
                let path = index.paths[Int(header)]
                XCTAssertEqual(walk.depth(of: header), expected.depth[path], "\(unit) -> \(path)")
                XCTAssertEqual(index.chain(to: header, in: walk), expected.chain(to: path), "\(unit) -> \(path)")
            }
        }
    }

    func testUntakenLineIsNotFollowedAndChainsAreShortest() {
        let index = IncludeGraphIndex(graph)
        var walk = index.makeWalk()
        index.walk(from: "b.c", &walk)
        let deep = index.number["deep.h"]!
        // m.h line 1 is untaken for b.c: deep.h comes through a.c (b.c -> a.c -> deep.h).
        XCTAssertEqual(index.chain(to: deep, in: walk).map(\.from), ["b.c", "a.c"])
        index.walk(from: "a.c", &walk)
        XCTAssertEqual(walk.depth(of: deep), 1)
        XCTAssertEqual(walk.headers.map { index.paths[Int($0)] }, ["/usr/include/stdio.h", "deep.h", "m.h", "z/top.h"])
    }
}
