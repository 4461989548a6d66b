// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The one parallel loop of the pipeline: scans, clone detection, include graphs and SBOM
// reading hand the indexes of their work to a fixed number of threads.

import Foundation

public enum Parallel {
    /// Calls `body(&state, index)` for every index in `0..<count` on up to `jobs` threads,
    /// which take `batch` consecutive indexes at a time (bigger batches for cheap items).
    /// Each thread has its own state, made by `makeState`; the states come back in thread order.
    public static func forEach<State>(_ count: Int, jobs: Int, batch: Int = 1, state makeState: () -> State,
                                      _ body: (inout State, Int) -> Void) -> [State] {
        let workers = max(1, min(jobs, count))
        var states = (0..<workers).map { _ in makeState() }
        guard count > 0 else { return states }
        if workers == 1 {
            for index in 0..<count { body(&states[0], index) }
            return states
        }
        let counter = Counter()
        let step = max(1, batch)
        withoutActuallyEscaping(body) { body in
            states.withUnsafeMutableBufferPointer { buffer in
                let shared = SharedBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    while let range = counter.take(step, limit: count) {
                        for index in range { body(&shared.buffer[worker], index) }
                    }
                }
            }
        }
        return states
    }

    /// Calls `body(index)` for every index in `0..<count` on up to `jobs` threads.
    public static func forEach(_ count: Int, jobs: Int, batch: Int = 1, _ body: (Int) -> Void) {
        _ = forEach(count, jobs: jobs, batch: batch, state: { () }) { _, index in body(index) }
    }

    /// `body(index)` for every index in `0..<count` on up to `jobs` threads, in index order.
    public static func map<T>(_ count: Int, jobs: Int, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            // Each index is written by exactly one thread.
            forEach(count, jobs: jobs) { index in shared.buffer[index] = body(index) }
        }
        return results.map { $0! }
    }
}

/// Hands out consecutive index ranges.
private final class Counter: @unchecked Sendable {
    // @unchecked: `next` is only touched under `lock`.
    private let lock = NSLock()
    private var next = 0

    func take(_ size: Int, limit: Int) -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        let range = next..<min(limit, next + size)
        next = range.upperBound
        return range
    }
}

/// A buffer written by several threads at disjoint positions.
private struct SharedBuffer<Element>: @unchecked Sendable {
    // @unchecked: callers write disjoint elements only (one state per thread, one result per index).
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
