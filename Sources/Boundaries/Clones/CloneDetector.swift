// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Matching checked (non-GPL) files against a clone index. Every k-gram of a query file is
// looked up (queries are small; the index holds only winnowed fingerprints), hits are
// chained along diagonals (query position and reference position advancing together),
// nearby chains merged, and only regions of enough tokens and lines are reported: a single
// shared fingerprint is never a match.

import Foundation
import Parallel

public struct CloneMatch: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// path, line, endLine in the checked (non-GPL) file.
    public var query: SourceLocation
    /// path, line, endLine in the GPL file or corpus file (corpus paths are relative to the
    /// corpus root, prefixed with the corpus name, e.g. "linux-source-6.1/drivers/x.c").
    public var reference: SourceLocation
    /// Size of the matched region in normalised tokens.
    public var tokens: Int
    /// Size in query lines.
    public var lines: Int

    public init(query: SourceLocation, reference: SourceLocation, tokens: Int, lines: Int) {
        self.query = query
        self.reference = reference
        self.tokens = tokens
        self.lines = lines
    }

    public var description: String {
        "\(query.path):\(query.line ?? 0)-\(query.endLine ?? 0): \(reference.path):\(reference.line ?? 0)-\(reference.endLine ?? 0) (\(tokens) tokens, \(lines) lines)"
    }

    public static func < (a: CloneMatch, b: CloneMatch) -> Bool {
        (a.query, a.reference, a.tokens) < (b.query, b.reference, b.tokens)
    }
}

public struct CloneDetector: Sendable {
    public var minimumTokens: Int
    public var minimumLines: Int
    /// A fingerprint found in at most this many reference files is rare: evidence of where
    /// the code came from. One found in more is idiom that independent code shares (a
    /// debugfs read, an ioctl skeleton, a `duplicate_state`, an error check after a call),
    /// though not common enough for the index to drop it (CloneParameters.commonFiles).
    public var rareFiles: Int
    /// Rare fingerprints a region must share with its original to be reported.
    public var minimumRareFingerprints: Int
    /// A fingerprint the checked file itself holds more often than this is no evidence
    /// either: it is that file's own skeleton (a hundred XDR encoders and decoders of one
    /// shape, QMI message tables), which a file of the same kind shares.
    public var maximumRepeats: Int

    /// 60 normalised tokens and 10 lines: a disguised 20-line kernel function had 66 tokens
    /// or more in 600 planted copies, and half of 20 lines still counts when an edit
    /// splits a copy in two. Shorter runs are idiom (a getopt loop, a struct walk) that
    /// independent code shares.
    ///
    /// Idiom is told from copying as MOSS and Dolos do, by how many files hold it: a region
    /// must share 5 distinct fingerprints with its original that are found in at most 8
    /// other files (a copy's original may itself have a few copies or forks) and at most 4
    /// times in the checked file. On the whole Linux 6.1 tree (the checked files counted
    /// beside the GPL ones) that took the copied-code findings from 803 to 151: rare
    /// fingerprints alone to 274, counting the checked files too to 217, each fingerprint
    /// once to 199, the repeat limit to 151. A hand-checked sample of the 803 had 1 real
    /// copy in 10; the dropped ones sampled were shared idiom (chained across fingerprints
    /// many files share, so holding few rare ones). Of 150 planted kernel functions (against
    /// the whole kernel, plant_clones.py seed 5) 148 are still found; the other 2 are
    /// functions found in many kernel files once names are abstracted (a sound board probe,
    /// a reset-controller probe). A higher minimum size costs more recall for less: 100
    /// tokens alone kept 315 of the 803 but lost 4 of the 150.
    public init(minimumTokens: Int = 60, minimumLines: Int = 10, rareFiles: Int = 8, minimumRareFingerprints: Int = 5,
                maximumRepeats: Int = 4) {
        self.minimumTokens = minimumTokens
        self.minimumLines = minimumLines
        self.rareFiles = rareFiles
        self.minimumRareFingerprints = minimumRareFingerprints
        self.maximumRepeats = maximumRepeats
    }

    /// Matches of the query files against the index, merged into maximal regions, sorted.
    public func matches(query: [(path: String, text: String)], in index: CloneIndex, jobs: Int) -> [CloneMatch] {
        let states = Parallel.forEach(query.count, jobs: jobs, state: { [CloneMatch]() }) { found, item in
            var text = query[item].text
            let nested = CloneTokenizer.nestsComments(path: query[item].path)
            let tokens = text.withUTF8 { CloneTokenizer.tokenize($0, nestedComments: nested) }
            found += matches(path: query[item].path, tokens: tokens, in: index)
        }
        return states.flatMap { $0 }.sorted()
    }

    /// The same for files of a tree, each read when a worker reaches it (unreadable or
    /// non-UTF-8 files match nothing).
    func matches(root: String, paths: [String], in index: CloneIndex, jobs: Int) -> [CloneMatch] {
        let states = Parallel.forEach(paths.count, jobs: jobs, state: { [CloneMatch]() }) { found, item in
            guard var text = try? String(contentsOfFile: root + "/" + paths[item], encoding: .utf8) else { return }
            let nested = CloneTokenizer.nestsComments(path: paths[item])
            let tokens = text.withUTF8 { CloneTokenizer.tokenize($0, nestedComments: nested) }
            found += matches(path: paths[item], tokens: tokens, in: index)
        }
        return states.flatMap { $0 }.sorted()
    }

    /// A run of hits on one diagonal of one reference file.
    struct Chain {
        var file: UInt32
        var queryStart: Int, queryEnd: Int         // token range, end exclusive
        var referenceStart: Int, referenceEnd: Int
        var referenceLine: UInt32, referenceEndLine: UInt32
        var hits: Int
        /// Hits on rare fingerprints.
        var rareHits: Int
        /// Reference position minus query position of the last chain joined.
        var diagonal: Int
    }

    /// Tables and runs of like statements (`{ "name", fn, NULL },` rows; `a->x = b->x;`)
    /// repeat a few k-grams and use few kinds of token: any two such runs line up, copied or
    /// not. A region must use 10 or more kinds of token and hold 2/3 x minimumTokens
    /// distinct k-grams. The false matches this removes (our ckvm.c switch copying exit
    /// fields, check.c's table of test cases, against the kernel) had 5-9 kinds and 8-39
    /// distinct k-grams. On 1200 planted kernel functions it cost 3 of 1195 found copies,
    /// all of them runs of like statements themselves.
    func isVaried(kinds: ArraySlice<UInt16>, hashes: ArraySlice<UInt64>) -> Bool {
        Set(kinds).count >= 10 && 3 * Set(hashes).count >= 2 * minimumTokens
    }

    /// Longer tables pass that (a 40-row mode table, generated register accessors, a run of
    /// stub functions: their few row shapes hold enough k-grams), so 9 in 20 of a region's
    /// lines must also differ in shape (their normalised tokens). The bench skips functions
    /// under half as code no token-based detector can tell from independent work; a matched
    /// region is such a function less a distinct line or two at its edges, hence a little
    /// under half (at half, 1 of 300 planted functions was lost). On the whole Linux tree
    /// more than half the copied-code findings were under (1,746 to 803): a hand-checked
    /// sample of them was tables and runs of like statements.
    func hasVariedLines(kinds: ArraySlice<UInt16>, lines: ArraySlice<UInt32>) -> Bool {
        var shapes = Set<UInt64>(), lineCount = 0
        var shape: UInt64 = 0, line = lines.first ?? 0
        for (kind, tokenLine) in zip(kinds, lines) {
            if tokenLine != line {
                shapes.insert(shape)
                lineCount += 1
                (shape, line) = (0, tokenLine)
            }
            shape = Winnowing.mix(shape &* 0x100000001B3 &+ UInt64(kind))
        }
        shapes.insert(shape)
        lineCount += 1
        return 20 * shapes.count >= 9 * lineCount
    }

    /// A run of like statements (`*p++ = f(a->b);`, `x == &a.b.c ||`, rows of a table) lines
    /// up with another such run at one fingerprint per row, so its hits are the same few
    /// fingerprints again and again: one piece of evidence each, however often it recurs.
    /// The rare fingerprints of the region's query k-grams found in its reference file,
    /// each counted once.
    func distinctRareFingerprints(_ chain: Chain, k: Int, hashes: [UInt64], rare: [Bool], ranges: [Range<Int>],
                                  view: CloneIndexView) -> Int {
        var seen = Set<UInt64>()
        // A chain's k-grams start at queryStart ... queryEnd - k.
        for position in chain.queryStart...(chain.queryEnd - k) {
            guard rare[position], !seen.contains(hashes[position]),
                  ranges[position].contains(where: { view.file($0) == chain.file }) else { continue }
            seen.insert(hashes[position])
        }
        return seen.count
    }

    /// Whether a chain may start a region: a lone short hit cannot. Dropped as soon as it
    /// ends, since most hits of a repetitive file are lone hits on diagonals of their own.
    func keeps(_ chain: Chain) -> Bool {
        chain.hits >= 2 || chain.queryEnd - chain.queryStart >= minimumTokens
    }

    /// Hits held at once while chaining one query file (16 bytes each).
    static let hitsPerPass = 1 << 22

    func matches(path: String, tokens: CloneTokens, in index: CloneIndex) -> [CloneMatch] {
        let k = index.parameters.k
        let w = index.parameters.w
        let hashes = Winnowing.kgramHashes(tokens.kinds, k: k)
        guard !hashes.isEmpty else { return [] }
        let storage = index.storage
        let isReference = index.isReference
        let own = index.countedOnly[path] // this file's number, if it is indexed too

        // (file, diagonal, query position, index entry) of every hit, 16 bytes: a register
        // header of 800,000 k-grams has 12 million hits. Positions and tokens of one file
        // are far below 2^31.
        struct Hit { var file: UInt32; var diagonal: Int32; var query: UInt32; var entry: UInt32 }
        var chains: [Chain] = []
        var rare: [Bool] = [] // per query k-gram: its fingerprint is rare in the index
        var ranges: [Range<Int>] = []
        storage.withView { view in
            ranges = hashes.map { view.range(of: $0) }
            // Entries of a fingerprint are sorted by file: count the distinct ones, this
            // file left out.
            rare = ranges.map { range in
                var files = 0, last = UInt32.max
                for entry in range where view.file(entry) != last {
                    last = view.file(entry)
                    if last != own { files += 1 }
                }
                return files > 0 && files <= rareFiles // none: nothing to hit
            }
            // ... and one this file repeats more than maximumRepeats times is its own
            // pattern. (Equal k-grams have equal lookups, so counting the rare ones suffices.)
            var occurrences: [UInt64: Int] = [:]
            for position in hashes.indices where rare[position] { occurrences[hashes[position], default: 0] += 1 }
            for position in hashes.indices where rare[position] && occurrences[hashes[position]]! > maximumRepeats {
                rare[position] = false
            }
            let total = ranges.reduce(0) { $0 + $1.count }
            // A chain never leaves its diagonal, so hits can be chained a share of the
            // diagonals at a time: the same chains, in bounded memory.
            let passes = max(1, (total + Self.hitsPerPass - 1) / Self.hitsPerPass)
            var hits: [Hit] = []
            hits.reserveCapacity(passes == 1 ? total : total / passes + total / passes / 4)
            for pass in 0..<passes {
                hits.removeAll(keepingCapacity: true)
                for (position, range) in ranges.enumerated() {
                    for entry in range where isReference[Int(view.file(entry))] {
                        let diagonal = Int(view.token(entry)) - position
                        guard passes == 1 || (diagonal % passes + passes) % passes == pass else { continue }
                        hits.append(Hit(file: view.file(entry), diagonal: Int32(clamping: diagonal),
                                        query: UInt32(position), entry: UInt32(entry)))
                    }
                }
                hits.sort { ($0.file, $0.diagonal, $0.query) < ($1.file, $1.diagonal, $1.query) }
                // Consecutive hits on a diagonal are at most w apart in a copy; allow more, since
                // common fingerprints inside the copy were dropped from the index.
                let gap = 3 * (k + w)
                var current: Chain?
                for hit in hits {
                    let query = Int(hit.query), diagonal = Int(hit.diagonal), entry = Int(hit.entry)
                    let line = view.line(entry)
                    let endLine = UInt32(clamping: Int(line) + Int(view.span(entry)))
                    let reference = query + diagonal
                    if var chain = current, chain.file == hit.file,
                       chain.referenceStart - chain.queryStart == diagonal, query <= chain.queryEnd - k + gap {
                        chain.queryEnd = max(chain.queryEnd, query + k)
                        chain.referenceEnd = max(chain.referenceEnd, reference + k)
                        chain.referenceLine = min(chain.referenceLine, line)
                        chain.referenceEndLine = max(chain.referenceEndLine, endLine)
                        chain.hits += 1
                        if rare[query] { chain.rareHits += 1 }
                        current = chain
                    } else {
                        if let chain = current, keeps(chain) { chains.append(chain) }
                        current = Chain(file: hit.file, queryStart: query, queryEnd: query + k,
                                        referenceStart: reference, referenceEnd: reference + k,
                                        referenceLine: line, referenceEndLine: endLine, hits: 1,
                                        rareHits: rare[query] ? 1 : 0, diagonal: diagonal)
                    }
                }
                if let chain = current, keeps(chain) { chains.append(chain) }
            }
        }
        guard !chains.isEmpty else { return [] }

        // An edit in the copy (an inserted or deleted statement) shifts the diagonal: join
        // chains of one reference file that follow each other in both files. Between the
        // last k-gram before an edit of m tokens and the first after it lie at most m + 2w
        // unmatched tokens, so a gap of k + w joins edits of a statement or so; wider gaps
        // would join two pieces of common idiom (an options table, then a getopt loop)
        // into one "copy". The same bound holds for the shift of the diagonal itself: a
        // chain far off the region's diagonal is the region's code lining up with another
        // part of the reference (runs of like statements: a 50-line `case X: p->a = b;`
        // ladder would otherwise join one 8-line ladder of the reference again and again),
        // so it starts a region of its own, and a region is joined by the chain closest to
        // its diagonal among the regions still open. A joining chain starts past the
        // region's last k-gram in both files, so no part of the original is used twice.
        chains.sort { ($0.file, $0.queryStart, $0.referenceStart) < ($1.file, $1.queryStart, $1.referenceStart) }
        var merged: [Chain] = []
        var open: [Int] = [] // regions of the current file that a later chain may still join
        // The most recent ones only: a register table against another has thousands of
        // diagonals at once, and each chain would be compared with all of them.
        let openLimit = 64
        let joinGap = k + w
        for chain in chains {
            open.removeAll { merged[$0].file != chain.file || merged[$0].queryEnd + joinGap < chain.queryStart }
            var best: (region: Int, shift: Int)?
            for region in open {
                let last = merged[region]
                // Past the region's last k-gram in both files: a copy advances through its original.
                guard chain.queryStart > last.queryEnd - k, chain.referenceStart > last.referenceEnd - k,
                      chain.referenceStart <= last.referenceEnd + joinGap else { continue }
                let shift = abs((chain.referenceStart - chain.queryStart) - last.diagonal)
                if shift <= joinGap, shift < best?.shift ?? Int.max { best = (region, shift) }
            }
            if let (region, _) = best {
                var last = merged[region]
                last.queryEnd = max(last.queryEnd, chain.queryEnd)
                last.referenceEnd = max(last.referenceEnd, chain.referenceEnd)
                last.referenceLine = min(last.referenceLine, chain.referenceLine)
                last.referenceEndLine = max(last.referenceEndLine, chain.referenceEndLine)
                last.hits += chain.hits
                last.rareHits += chain.rareHits
                last.diagonal = chain.diagonal
                merged[region] = last
            } else {
                merged.append(chain)
                open.append(merged.count - 1)
                if open.count > openLimit { open.removeFirst(open.count - openLimit) }
            }
        }

        // Keep regions big enough; where one query region matches several reference files
        // (the kernel has copies of its own code), report the longest, then first by path.
        var candidates = storage.withView { view in
            merged.filter { chain in
                let tokensLong = chain.queryEnd - chain.queryStart >= minimumTokens
                let lines = Int(tokens.lines[chain.queryEnd - 1]) - Int(tokens.lines[chain.queryStart]) + 1
                return tokensLong && lines >= minimumLines && chain.hits >= 2 && chain.rareHits >= minimumRareFingerprints
                    && isVaried(kinds: tokens.kinds[chain.queryStart..<chain.queryEnd],
                                hashes: hashes[chain.queryStart...(chain.queryEnd - k)])
                    && distinctRareFingerprints(chain, k: k, hashes: hashes, rare: rare, ranges: ranges, view: view)
                        >= minimumRareFingerprints
            }
        }
        candidates.sort { a, b in
            let (la, lb) = (a.queryEnd - a.queryStart, b.queryEnd - b.queryStart)
            if la != lb { return la > lb }
            if a.hits != b.hits { return a.hits > b.hits }
            let (pa, pb) = (storage.paths[Int(a.file)], storage.paths[Int(b.file)])
            if pa != pb { return pa.utf8.lexicographicallyPrecedes(pb.utf8) }
            return (a.queryStart, a.referenceStart) < (b.queryStart, b.referenceStart)
        }
        var accepted: [Chain] = []
        for candidate in candidates {
            let length = candidate.queryEnd - candidate.queryStart
            let covered = accepted.reduce(0) { sum, other in
                sum + max(0, min(other.queryEnd, candidate.queryEnd) - max(other.queryStart, candidate.queryStart))
            }
            if 2 * covered < length { accepted.append(candidate) }
        }
        // Tested only now: a stretch whose longest match is a table is a table, and the
        // shorter matches of parts of it (with other files) must not stand in for it.
        accepted.removeAll { chain in
            !hasVariedLines(kinds: tokens.kinds[chain.queryStart..<chain.queryEnd],
                            lines: tokens.lines[chain.queryStart..<chain.queryEnd])
        }
        return accepted.map { chain in
            let line = Int(tokens.lines[chain.queryStart])
            let endLine = Int(tokens.lines[chain.queryEnd - 1])
            return CloneMatch(
                query: SourceLocation(path: path, line: line, endLine: endLine),
                reference: SourceLocation(path: storage.paths[Int(chain.file)], line: Int(chain.referenceLine),
                                          endLine: Int(chain.referenceEndLine)),
                tokens: chain.queryEnd - chain.queryStart, lines: endLine - line + 1)
        }
    }
}
