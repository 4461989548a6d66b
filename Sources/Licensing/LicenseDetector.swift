// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// Finds license evidence in a file's text: SPDX tags, and license texts, notices and
/// references from the database's rules. Immutable, so one detector serves many threads.
public struct LicenseDetector: Sendable {
    public let database: LicenseDatabase
    /// How far (in words) two matched n-grams of one rule may lie apart, in the file or in
    /// the rule, and still count as one match: room for a changed copyright line or a few
    /// inserted words, not for a missing paragraph.
    static let maximumGap = 24

    public init(database: LicenseDatabase) { self.database = database }

    public func detect(in text: String) -> [LicenseMatch] {
        var text = text
        return text.withUTF8 { detect(bytes: $0) }
    }

    func detect(bytes: UnsafeBufferPointer<UInt8>) -> [LicenseMatch] {
        let tags = SPDXTags.extract(from: bytes)
        var matches = tags.filter { $0.kind == .license }.map { tag -> LicenseMatch in
            let expression = (try? LicenseExpression.parse(tag.value).normalized.description) ?? tag.value
            return LicenseMatch(expression: expression, kind: .tag, startLine: tag.line, endLine: tag.line,
                                score: 100, rule: "tag")
        }
        var tagLines = [Bool](repeating: false, count: (tags.map(\.line).max() ?? 0) + 1)
        for tag in tags { tagLines[tag.line] = true }
        let index = database.index

        // Words of the file (tag lines left out: they are reported as tags).
        var words: [UInt16] = []
        var lines: [UInt32] = []
        words.reserveCapacity(bytes.count / 6)
        lines.reserveCapacity(bytes.count / 6)
        var scanner = WordScanner(bytes)
        while let word = scanner.next() {
            if scanner.line < tagLines.count && tagLines[scanner.line] { continue }
            words.append(index.wordID(word.hash))
            lines.append(UInt32(truncatingIfNeeded: scanner.line))
        }

        let found = findRuleMatches(words: words, index: index)
        for m in found {
            let kind: LicenseMatch.Kind = switch RuleSource.Kind(rawValue: index.ruleKinds[m.rule]) {
            case .text: .text
            case .notice: .notice
            default: .reference
            }
            matches.append(LicenseMatch(
                expression: index.expressions[Int(index.ruleExpressions[m.rule])], kind: kind,
                startLine: Int(lines[m.start]), endLine: Int(lines[m.end]),
                score: (m.score * 100).rounded() / 100, rule: index.ruleNames[m.rule]))
        }
        return matches.sorted {
            ($0.startLine, $0.endLine, $0.kind, $0.expression, $0.rule)
                < ($1.startLine, $1.endLine, $1.kind, $1.expression, $1.rule)
        }
    }

    struct RuleMatch {
        var rule: Int
        /// First and last word of the match in the file.
        var start: Int
        var end: Int
        /// Rule words covered by the match.
        var covered: Int
        /// covered / rule words, in percent.
        var score: Double
    }

    /// N-gram lookup, candidate rules, alignment, then overlap resolution.
    func findRuleMatches(words: [UInt16], index: RuleIndex) -> [RuleMatch] {
        let gram = RuleIndex.gram
        guard words.count >= gram else { return [] }

        // 1. Every n-gram of the file that some rule contains; per rule, how many hits.
        // (The hot loops use buffer pointers: the index was validated when it was loaded.)
        var hits: [(position: Int, slot: Int)] = []
        for p in 0...(words.count - gram) {
            let w0 = words[p], w1 = words[p + 1], w2 = words[p + 2], w3 = words[p + 3]
            if w0 == 0 || w1 == 0 || w2 == 0 || w3 == 0 { continue }
            if let slot = index.gramSlot(RuleIndex.pack(w0, w1, w2, w3)) { hits.append((p, slot)) }
        }
        guard !hits.isEmpty else { return [] }
        var hitCounts = [UInt32](repeating: 0, count: index.ruleCount)
        hitCounts.withUnsafeMutableBufferPointer { counts in
            index.gramStarts.withUnsafeBufferPointer { starts in
                index.postingRules.withUnsafeBufferPointer { postingRules in
                    for hit in hits {
                        for k in Int(starts[hit.slot])..<Int(starts[hit.slot + 1]) {
                            counts[Int(postingRules[k])] &+= 1
                        }
                    }
                }
            }
        }

        // 2. Candidates: rules with enough hits to reach their minimum coverage.
        var candidateSlot = [Int32](repeating: -1, count: index.ruleCount)
        var candidates: [Int] = []
        for r in 0..<index.ruleCount where hitCounts[r] > 0 {
            let length = Int(index.ruleLengths[r])
            let needed = (length * Int(index.ruleMinimumCoverage[r]) + 99) / 100 - (gram - 1)
            if Int(hitCounts[r]) >= max(1, needed) {
                candidateSlot[r] = Int32(candidates.count)
                candidates.append(r)
            }
        }
        guard !candidates.isEmpty else { return [] }

        // 3. Per candidate, its hits in file order, (file position, rule position), laid
        // out flat: candidate c owns hitFile/hitRule[offsets[c] ..< offsets[c + 1]].
        var offsets = [Int](repeating: 0, count: candidates.count + 1)
        for (c, r) in candidates.enumerated() { offsets[c + 1] = offsets[c] + Int(hitCounts[r]) }
        var fill = offsets
        var hitFile = [Int32](repeating: 0, count: offsets[candidates.count])
        var hitRule = [Int32](repeating: 0, count: offsets[candidates.count])
        fill.withUnsafeMutableBufferPointer { fill in
            hitFile.withUnsafeMutableBufferPointer { hitFile in
                hitRule.withUnsafeMutableBufferPointer { hitRule in
                    candidateSlot.withUnsafeBufferPointer { candidateSlot in
                        index.gramStarts.withUnsafeBufferPointer { starts in
                            index.postingRules.withUnsafeBufferPointer { postingRules in
                                index.postingPositions.withUnsafeBufferPointer { postingPositions in
                                    for hit in hits {
                                        for k in Int(starts[hit.slot])..<Int(starts[hit.slot + 1]) {
                                            let c = Int(candidateSlot[Int(postingRules[k])])
                                            if c >= 0 {
                                                hitFile[fill[c]] = Int32(hit.position)
                                                hitRule[fill[c]] = Int32(postingPositions[k])
                                                fill[c] += 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        // 4. Align: chain hits that advance together in file and rule.
        var found: [RuleMatch] = []
        for (c, r) in candidates.enumerated() {
            align(rule: r, files: hitFile[offsets[c]..<offsets[c + 1]], rules: hitRule[offsets[c]..<offsets[c + 1]],
                  index: index, into: &found)
        }

        // 5. Overlaps: bigger and better matches first (each rule word the file lacks
        // costs two matched ones, so MIT's full text beats the longer JSON license that
        // embeds it); a match mostly inside an accepted one is dropped. Accepted
        // false-positive rules suppress what they overlap.
        func weight(_ m: RuleMatch) -> Int { m.covered - 2 * (Int(index.ruleLengths[m.rule]) - m.covered) }
        found.sort {
            (weight($0), $0.score, -$0.start) > (weight($1), $1.score, -$1.start)
                || ((weight($0), $0.score, -$0.start) == (weight($1), $1.score, -$1.start)
                    && index.ruleNames[$0.rule] < index.ruleNames[$1.rule])
        }
        var accepted: [RuleMatch] = []
        for m in found {
            let span = m.end - m.start + 1
            let clashes = accepted.contains { a in
                let overlap = min(a.end, m.end) - max(a.start, m.start) + 1
                return overlap * 2 > min(span, a.end - a.start + 1)
            }
            if !clashes { accepted.append(m) }
        }
        return accepted.filter { index.ruleKinds[$0.rule] != RuleSource.Kind.falsePositive.rawValue }
    }

    /// Chains of hits for one rule (parallel slices, in file order); each chain that
    /// covers enough of the rule (and all its required phrases) is a match.
    func align(rule r: Int, files: ArraySlice<Int32>, rules: ArraySlice<Int32>, index: RuleIndex,
               into results: inout [RuleMatch]) {
        let gram = RuleIndex.gram
        let gap = Self.maximumGap
        let length = Int(index.ruleLengths[r])
        let minimum = Int(index.ruleMinimumCoverage[r])
        let continuous = index.ruleContinuous[r] != 0

        var intervals: [(start: Int, end: Int)] = []   // covered rule words, [start, end)
        var firstFile = -1, lastFile = -1, lastRule = -1, covered = 0

        func close() {
            guard firstFile >= 0 else { return }
            defer { intervals.removeAll(keepingCapacity: true); firstFile = -1; covered = 0 }
            guard covered * 100 >= length * minimum else { return }
            if continuous && (intervals.count != 1 || covered != length) { return }
            let p0 = Int(index.phraseStarts[r]), p1 = Int(index.phraseStarts[r + 1])
            var k = p0
            while k + 1 < p1 {
                let a = Int(index.phrases[k]), b = Int(index.phrases[k + 1])
                if !intervals.contains(where: { $0.start <= a && b <= $0.end }) { return }
                k += 2
            }
            results.append(RuleMatch(rule: r, start: firstFile, end: lastFile + gram - 1, covered: covered,
                                     score: Double(covered) * 100 / Double(length)))
        }

        var i = files.startIndex
        while i < files.endIndex {
            // All hits at this file position (one per occurrence of the n-gram in the rule).
            let file = Int(files[i])
            var j = i
            var smallest = Int.max
            while j < files.endIndex && files[j] == files[i] { smallest = min(smallest, Int(rules[j])); j += 1 }
            var chosen = -1
            if firstFile >= 0 && file - lastFile <= gap {
                // Continue the chain with the rule position closest to the current diagonal.
                let expected = lastRule + (file - lastFile)
                var best = Int.max
                for k in i..<j {
                    let candidate = Int(rules[k])
                    guard candidate > lastRule && candidate - lastRule <= gap else { continue }
                    let distance = abs(candidate - expected)
                    if distance < best { best = distance; chosen = candidate }
                }
            }
            if chosen < 0 {
                if firstFile >= 0 && file - lastFile <= gap && file <= lastFile + gram - 1 {
                    // An n-gram inside the chain that fits nowhere (a repeated phrase): skip.
                    i = j
                    continue
                }
                close()
                chosen = smallest
                firstFile = file
            }
            let end = chosen + gram
            if let last = intervals.last, chosen <= last.end {
                covered += end - max(last.end, chosen)
                intervals[intervals.count - 1].end = max(last.end, end)
            } else {
                covered += gram
                intervals.append((chosen, end))
            }
            lastFile = file
            lastRule = chosen
            i = j
        }
        close()
    }
}
