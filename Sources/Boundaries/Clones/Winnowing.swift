// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// k-gram hashing and winnowing (Schleimer, Wilkerson, Aiken, SIGMOD 2003): of every window
// of `w` consecutive k-gram hashes the smallest is kept, so two texts sharing a run of at
// least k + w - 1 tokens always share a kept fingerprint, while only about 2/(w+1) of all
// positions are stored.

enum Winnowing {
    /// Hash of every k-gram of `kinds`: element p covers tokens p ..< p + k.
    static func kgramHashes(_ kinds: [UInt16], k: Int) -> [UInt64] {
        let n = kinds.count
        guard k > 0, n >= k else { return [] }
        let base: UInt64 = 0x100000001B3
        var top: UInt64 = 1 // base^(k-1): the weight of the token that leaves the window
        for _ in 1..<k { top = top &* base }
        var result = [UInt64](repeating: 0, count: n - k + 1)
        kinds.withUnsafeBufferPointer { kinds in
            var rolling: UInt64 = 0
            for j in 0..<k { rolling = rolling &* base &+ UInt64(kinds[j]) &+ 1 }
            result[0] = mix(rolling)
            var p = 1
            while p + k <= n {
                rolling = (rolling &- (UInt64(kinds[p - 1]) &+ 1) &* top) &* base &+ UInt64(kinds[p + k - 1]) &+ 1
                result[p] = mix(rolling)
                p += 1
            }
        }
        return result
    }

    /// A polynomial hash modulo 2^64 is weak in its low bits; the finaliser spreads every
    /// input bit over the whole word, so minima are evenly placed.
    @inline(__always) static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    /// Positions of the fingerprints winnowing keeps from `hashes` with window `w`: the
    /// rightmost minimum of each window, each position once, in increasing order.
    static func select(_ hashes: [UInt64], window w: Int) -> [Int] {
        let n = hashes.count
        guard n > 0 else { return [] }
        let w = max(1, min(w, n))
        var selected: [Int] = []
        selected.reserveCapacity(2 * n / (w + 1) + 4)
        // Monotonic deque of positions whose hashes increase from front to back.
        var deque = [Int](repeating: 0, count: n)
        var head = 0
        var tail = 0
        hashes.withUnsafeBufferPointer { h in
            for e in 0..<n {
                while tail > head && h[deque[tail - 1]] >= h[e] { tail -= 1 }
                deque[tail] = e
                tail += 1
                if deque[head] <= e - w { head += 1 }
                if e >= w - 1 {
                    let minimum = deque[head]
                    if selected.last != minimum { selected.append(minimum) }
                }
            }
        }
        return selected
    }
}
