// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for clone detection's tokenizer, winnowing and index reader. Built by
// scripts/fuzz.sh CloneTokenizer (the sources are compiled into this module, hence no
// import). Properties: nothing traps; every token has a line and lines never go back nor
// past the last line; doubling every blank changes neither kinds nor lines; winnowing keeps
// a position in every window; the index reader rejects or accepts any bytes (even with a
// valid checksum) without trapping, and matching the input against itself works.

import Foundation

/// A small valid index to patch. Made per input: LeakSanitizer counts a Swift global's
/// buffer as leaked.
func referenceIndex() -> Data {
    CloneIndex.build(files: [(path: "ref.c", text: """
    static int sum(const int *v, unsigned n)
    {
        int total = 0;
        for (unsigned i = 0; i < n; i++) {
            if (v[i] < 0)
                continue;
            total += v[i] * 2 - (v[i] >> 1);
        }
        return total ? total : -1;
    }
    """)], jobs: 1).storage.data
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCloneTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    for nested in [false, true] {
        let tokens = CloneTokenizer.tokenize(bytes, nestedComments: nested)
        guard tokens.kinds.count == tokens.lines.count else { fatalError("a token without a line") }
        var previous: UInt32 = 1
        for line in tokens.lines {
            if line < previous || line > UInt32(newlines + 1) { fatalError("line \(line) after \(previous) of \(newlines + 1)") }
            previous = line
        }
        let spaced = bytes.flatMap { $0 == 0x20 ? [0x20, 0x20] : [$0] }
        let respaced = spaced.withUnsafeBufferPointer { CloneTokenizer.tokenize($0, nestedComments: nested) }
        if respaced != tokens { fatalError("doubling blanks changed the tokens") }

        let k = 1 + (size % 7), w = 1 + (size % 5)
        let hashes = Winnowing.kgramHashes(tokens.kinds, k: k)
        let kept = Winnowing.select(hashes, window: w)
        var last = -1
        for position in kept {
            if position <= last || position >= hashes.count { fatalError("selection out of order") }
            if position - last > w && last >= 0 { fatalError("a window without a fingerprint") }
            last = position
        }
    }

    // The index reader, on the input as it is and on a valid index patched with it and
    // given a matching checksum (so the structural checks behind the checksum run too).
    _ = try? CloneIndexStorage(data: Data(bytes))
    var patched = referenceIndex()
    for (offset, byte) in bytes.enumerated() where 8 + offset < patched.count { patched[8 + offset] ^= byte }
    let sum = CloneIndexStorage.checksum(patched)
    for index in 0..<8 { patched[56 + index] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(index))) }
    if let storage = try? CloneIndexStorage(data: patched) {
        let index = CloneIndex(storage: storage)
        let text = String(decoding: bytes, as: UTF8.self)
        _ = CloneDetector(minimumTokens: 10, minimumLines: 1).matches(query: [(path: "q.c", text: text)], in: index, jobs: 1)
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let own = CloneIndex.build(files: [(path: "a.c", text: text)], jobs: 1)
    _ = CloneDetector(minimumTokens: 10, minimumLines: 1).matches(query: [(path: "b.swift", text: text)], in: own, jobs: 1)
    return 0
}
