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

    /// Changes whenever detection changes what it reports for the same text and data, so
    /// that caches of earlier results are not reused (see `ScanCache`).
    public static let version = "8"

    /// Everything detected, the whole text read as license prose (no path: no code).
    public func detect(in text: String) -> [LicenseMatch] {
        analyze(text, path: nil).matches
    }

    /// License evidence of a file: what it states and what its code merely mentions, and the
    /// one expression detected for it. `path` chooses the comment syntax (nil: prose).
    public func analyze(_ text: String, path: String?) -> LicenseDetection {
        var text = text
        return text.withUTF8 { analyze(bytes: $0, path: path) }
    }

    func analyze(bytes: UnsafeBufferPointer<UInt8>, path: String?) -> LicenseDetection {
        let regions = SourceContext.regions(of: bytes, path: path)
        let stated = TextRegion.stated.rawValue, code = TextRegion.code.rawValue
        var detection = LicenseDetection()
        var tagLines = Set<Int>()
        for (tag, offset) in SPDXTags.extractWithOffsets(from: bytes) {
            tagLines.insert(tag.line)
            var region = regions[offset]
            if region == TextRegion.ignored.rawValue { continue }
            // A tag that opens its line after comment-like punctuation only is the file's,
            // whatever the lexer thought (`// SPDX-...` in a shell script); one after code
            // or a quote (a regex, a string literal) is a mention.
            if region == code && Self.onlyPunctuationBefore(offset, in: bytes) { region = stated }
            if region == stated { detection.tags.append(tag) }
            guard tag.kind == .license else { continue }
            let expression = (try? LicenseExpression.parse(tag.value).normalized.description) ?? tag.value
            let match = LicenseMatch(expression: expression, kind: .tag, startLine: tag.line, endLine: tag.line,
                                     score: 100, rule: "tag")
            if region == stated { detection.matches.append(match) } else { detection.mentions.append(match) }
        }
        let index = database.index

        // Words of the file in two streams, stated and code (tag lines left out: they are tags).
        // Words come in line order, so the tag lines are passed through once, in order.
        let sortedTagLines = tagLines.sorted()
        var nextTagLine = 0
        var statedWords: [UInt16] = [], codeWords: [UInt16] = []
        var statedLines: [UInt32] = [], codeLines: [UInt32] = []
        statedWords.reserveCapacity(bytes.count / 6)
        statedLines.reserveCapacity(bytes.count / 6)
        var scanner = WordScanner(bytes)
        while let word = scanner.next() {
            let region = regions[word.start]
            if region != stated && region != code { continue }
            let line = scanner.line
            while nextTagLine < sortedTagLines.count && sortedTagLines[nextTagLine] < line { nextTagLine += 1 }
            if nextTagLine < sortedTagLines.count && sortedTagLines[nextTagLine] == line { continue }
            if region == stated {
                statedWords.append(index.wordID(word.hash))
                statedLines.append(UInt32(truncatingIfNeeded: line))
            } else {
                codeWords.append(index.wordID(word.hash))
                codeLines.append(UInt32(truncatingIfNeeded: line))
            }
        }
        let words = [statedWords, codeWords], lines = [statedLines, codeLines]
        for stream in 0..<2 {
            for m in findRuleMatches(words: words[stream], index: index) {
                let kind: LicenseMatch.Kind = switch RuleSource.Kind(rawValue: index.ruleKinds[m.rule]) {
                case .text: .text
                case .notice: .notice
                default: .reference
                }
                let base = index.expressions[Int(index.ruleExpressions[m.rule])]
                var match = LicenseMatch(expression: base, kind: kind,
                                         startLine: Int(lines[stream][m.start]), endLine: Int(lines[stream][m.end]),
                                         score: (m.score * 100).rounded() / 100, rule: index.ruleNames[m.rule])
                if m.isModified {
                    match.expression = Self.modifiedReference(base)
                    match.modifiedFrom = base
                    match.extractedText = Self.lines(bytes, match.startLine, match.endLine)
                }
                if stream == 0 { detection.matches.append(match) } else { detection.mentions.append(match) }
            }
        }
        // MODULE_LICENSE() calls: one finding each, with the kernel's meaning of the string
        // (`KernelModuleLicense`); rule matches of the same lines (ScanCode has rules for
        // some of these strings, with other readings) would count the call twice.
        let moduleLicenses = bytes.count < 14 ? [] : Declarations.moduleLicenses(bytes, regions: regions, path: path)
        if !moduleLicenses.isEmpty {
            func insideCall(_ m: LicenseMatch) -> Bool {
                (m.kind == .text || m.kind == .notice || m.kind == .reference) && moduleLicenses.contains {
                    $0.match.startLine <= m.startLine && m.endLine <= $0.match.endLine
                }
            }
            detection.matches.removeAll(where: insideCall)
            detection.mentions.removeAll(where: insideCall)
            for call in moduleLicenses where !call.isLive { detection.mentions.append(call.match) }
        }
        // A grant to use the text in documents under a license ("may be used in documents
        // licensed under the GNU Free Documentation License") names a license the file is
        // not under: ScanCode calls it a notice, but it is a mention.
        func isUseGrant(_ m: LicenseMatch) -> Bool {
            (m.kind == .notice || m.kind == .reference || (m.kind == .declaration && !Declarations.isModuleLicense(m)))
                && UseGrants.isDocumentUseGrant(Self.lines(bytes, m.startLine, m.endLine))
        }
        let grants = detection.matches.filter(isUseGrant)
        if !grants.isEmpty {
            detection.matches.removeAll(where: isUseGrant)
            detection.mentions += grants
        }
        // Declarations, where no rule already matched the same lines.
        let ruleLines = detection.matches.filter { $0.kind != .tag } + grants
        for d in Declarations.find(bytes, regions: regions, path: path, database: database)
            + moduleLicenses.filter(\.isLive).map(\.match)
        where !ruleLines.contains(where: { $0.startLine <= d.endLine && d.startLine <= $0.endLine }) {
            if isUseGrant(d) {
                detection.mentions.append(d)
                continue
            }
            detection.matches.append(d)
            // A manifest's field is a declaration, not also a mention.
            detection.mentions.removeAll { $0.startLine <= d.endLine && d.startLine <= $0.endLine }
        }
        detection.matches = dropCopyrightLineReferences(detection.matches, bytes: bytes)
        let order: (LicenseMatch, LicenseMatch) -> Bool = {
            ($0.startLine, $0.endLine, $0.kind, $0.expression, $0.rule)
                < ($1.startLine, $1.endLine, $1.kind, $1.expression, $1.rule)
        }
        detection.matches.sort(by: order)
        detection.mentions.sort(by: order)
        detection.expression = conclude(detection.matches, bytes: bytes)
        detection.contradictions = contradictions(detection.matches)
        return detection
    }

    static func onlyPunctuationBefore(_ offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = offset - 1
        while k >= 0 && bytes[k] != 0x0A {
            let b = bytes[k]
            let lower = b | 0x20
            if (lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
                || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "`") || b == UInt8(ascii: "^")
                || b == UInt8(ascii: "(") || b == UInt8(ascii: "[") || b == UInt8(ascii: "=") {
                return false
            }
            k -= 1
        }
        return true
    }

    /// `LicenseRef-candor-modified-<base>`: valid SPDX id characters only.
    static func modifiedReference(_ base: String) -> String {
        let safe = base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? String($0) : "-" }.joined()
        return "LicenseRef-candor-modified-" + safe
    }

    /// Lines `from...to` (1-based) of the text, at most 8 KiB.
    static func lines(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
        var line = 1, start = 0, end = bytes.count
        var i = 0
        while i < bytes.count {
            if line == from && start == 0 && from > 1 { start = i }
            if bytes[i] == 0x0A {
                line += 1
                if line == from { start = i + 1 }
                if line == to + 1 { end = i; break }
            }
            i += 1
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<max(start, min(end, start + 8192))])
        return String(decoding: slice, as: UTF8.self)
    }

    /// A match that lies on copyright lines only is a name, not a license: "Copyright (C)
    /// 2004 Sam Hocevar" does not make a file WTFPL. A copyright line that goes on to state
    /// its license ("... Unicode, Inc. and others. License & terms of use: <url>", ICU's
    /// one-line notice) is a statement, not a name.
    func dropCopyrightLineReferences(_ matches: [LicenseMatch], bytes: UnsafeBufferPointer<UInt8>) -> [LicenseMatch] {
        let candidates = matches.filter { $0.kind != .tag && $0.kind != .declaration && $0.endLine - $0.startLine < 3 }
        guard !candidates.isEmpty else { return matches }
        var copyrightLines = Set<Int>()
        let wanted = Set(candidates.flatMap { $0.startLine...$0.endLine })
        var line = 1, start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            if wanted.contains(line) {
                // A copyright statement's line: short, and opening with its keyword.
                let text = Declarations.stripCommentLead(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)).lowercased()
                if text.count < 200, ["copyright", "(c)", "©", "portions copyright"].contains(where: { text.hasPrefix($0) }),
                   !text.contains("licen") {
                    copyrightLines.insert(line)
                }
            }
            line += 1
            start = i + 1
        }
        return matches.filter { m in
            !(m.kind != .tag && m.kind != .declaration && m.endLine - m.startLine < 3
              && (m.startLine...m.endLine).allSatisfy { copyrightLines.contains($0) })
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
        /// A license text matched with words missing, changed or added, or only in part.
        var isModified = false
    }

    /// Words a license text may differ by (missing plus inserted) and still be that license:
    /// room for a changed placeholder, not for an edited clause.
    static func tolerance(ruleLength: Int) -> Int { max(3, ruleLength / 200) }
    /// Texts shorter than this are not reported as modified or partial (too little to judge).
    static let shortestJudgedText = 40
    /// A license text covered at least this far (percent), in pieces, is a partial match.
    static let partialCoverage = 50

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
            let key = RuleIndex.pack(w0, w1, w2, w3)
            if index.mayContainGram(key), let slot = index.gramSlot(key) { hits.append((p, slot)) }
        }
        guard !hits.isEmpty else { return [] }
        // Per-rule counters are 16-bit (saturating) so that the array stays small enough
        // to come from the heap rather than fresh pages; `touched` lists the rules counted.
        var hitCounts = [UInt16](repeating: 0, count: index.ruleCount)
        var touched: [Int] = []
        hitCounts.withUnsafeMutableBufferPointer { counts in
            index.gramStarts.withUnsafeBufferPointer { starts in
                index.postingRules.withUnsafeBufferPointer { postingRules in
                    for hit in hits {
                        for k in Int(starts[hit.slot])..<Int(starts[hit.slot + 1]) {
                            let r = Int(postingRules[k])
                            let c = counts[r]
                            if c == 0 { touched.append(r) }
                            if c < UInt16.max { counts[r] = c + 1 }
                        }
                    }
                }
            }
        }

        // 2. Candidates: rules with enough hits to reach their minimum coverage. From here
        // on hitCounts[r] holds the candidate number + 1 (0: not a candidate).
        var candidates: [(rule: Int, hits: Int)] = []
        var saturated = false
        for r in touched {
            let length = Int(index.ruleLengths[r])
            let needed = (length * Int(index.ruleMinimumCoverage[r]) + 99) / 100 - (gram - 1)
            if Int(hitCounts[r]) >= max(1, needed) {
                saturated = saturated || hitCounts[r] == UInt16.max
                candidates.append((r, Int(hitCounts[r])))
                hitCounts[r] = UInt16(candidates.count)
            } else {
                hitCounts[r] = 0
            }
        }
        guard !candidates.isEmpty else { return [] }
        // Exact hit counts when a 16-bit counter saturated.
        if saturated {
            for c in candidates.indices { candidates[c].hits = 0 }
            index.gramStarts.withUnsafeBufferPointer { starts in
                index.postingRules.withUnsafeBufferPointer { postingRules in
                    for hit in hits {
                        for k in Int(starts[hit.slot])..<Int(starts[hit.slot + 1]) {
                            let c = Int(hitCounts[Int(postingRules[k])])
                            if c > 0 { candidates[c - 1].hits += 1 }
                        }
                    }
                }
            }
        }

        // 3. Per candidate, its hits in file order, (file position, rule position), laid
        // out flat: candidate c owns hitFile/hitRule[offsets[c] ..< offsets[c + 1]].
        var offsets = [Int](repeating: 0, count: candidates.count + 1)
        for (c, candidate) in candidates.enumerated() { offsets[c + 1] = offsets[c] + candidate.hits }
        var fill = offsets
        var hitFile = [Int32](repeating: 0, count: offsets[candidates.count])
        var hitRule = [Int32](repeating: 0, count: offsets[candidates.count])
        fill.withUnsafeMutableBufferPointer { fill in
            hitFile.withUnsafeMutableBufferPointer { hitFile in
                hitRule.withUnsafeMutableBufferPointer { hitRule in
                    hitCounts.withUnsafeBufferPointer { candidateNumber in
                        index.gramStarts.withUnsafeBufferPointer { starts in
                            index.postingRules.withUnsafeBufferPointer { postingRules in
                                index.postingPositions.withUnsafeBufferPointer { postingPositions in
                                    for hit in hits {
                                        for k in Int(starts[hit.slot])..<Int(starts[hit.slot + 1]) {
                                            let c = Int(candidateNumber[Int(postingRules[k])]) - 1
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
        for (c, (r, _)) in candidates.enumerated() {
            align(rule: r, files: hitFile[offsets[c]..<offsets[c + 1]], rules: hitRule[offsets[c]..<offsets[c + 1]],
                  index: index, into: &found)
        }

        // 5. Overlaps: bigger and better matches first (each rule word the file lacks
        // costs two matched ones, so MIT's full text beats the longer JSON license that
        // embeds it); a match mostly inside an accepted one is dropped. Accepted
        // false-positive rules suppress what they overlap.
        // An exact license text beats an overlapping modified one: the file holds it as is.
        func overlaps(_ a: RuleMatch, _ b: RuleMatch) -> Bool {
            (min(a.end, b.end) - max(a.start, b.start) + 1) * 2 > min(a.end - a.start + 1, b.end - b.start + 1)
        }
        // So are exact notices that together make up most of a modified match's words: the
        // same notice twice with code between (GCC's limits.h) is two notices, not one
        // edited text of a longer rule.
        let exact = found.filter { !$0.isModified && $0.covered == Int(index.ruleLengths[$0.rule])
            && index.ruleKinds[$0.rule] != RuleSource.Kind.falsePositive.rawValue }
        let exactTexts = exact.filter { index.ruleKinds[$0.rule] == RuleSource.Kind.text.rawValue }
        func exactlyExplained(_ m: RuleMatch) -> Bool {
            let inside = exact.map { (max($0.start, m.start), min($0.end, m.end)) }.filter { $0.0 <= $0.1 }.sorted { $0 < $1 }
            var words = 0, reached = m.start - 1
            for (start, end) in inside where end > reached {
                words += end - max(start, reached + 1) + 1
                reached = end
            }
            return words * 3 >= (m.end - m.start + 1) * 2
        }
        for k in found.indices where found[k].isModified
            && (exactTexts.contains(where: { overlaps($0, found[k]) }) || exactlyExplained(found[k])) {
            found[k].covered -= 1 << 20
        }
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

        let judged = index.ruleKinds[r] == RuleSource.Kind.text.rawValue && length >= Self.shortestJudgedText
        var pieces: [RuleMatch] = []   // chains of a judged text too small on their own
        let resultsBefore = results.count

        func close() {
            guard firstFile >= 0 else { return }
            defer { intervals.removeAll(keepingCapacity: true); firstFile = -1; covered = 0 }
            let end = lastFile + gram - 1
            guard covered * 100 >= length * minimum else {
                if judged && covered >= 2 * gram { pieces.append(RuleMatch(rule: r, start: firstFile, end: end, covered: covered, score: 0)) }
                return
            }
            if continuous && (intervals.count != 1 || covered != length) { return }
            let p0 = Int(index.phraseStarts[r]), p1 = Int(index.phraseStarts[r + 1])
            var k = p0
            while k + 1 < p1 {
                let a = Int(index.phrases[k]), b = Int(index.phrases[k + 1])
                if !intervals.contains(where: { $0.start <= a && b <= $0.end }) { return }
                k += 2
            }
            var match = RuleMatch(rule: r, start: firstFile, end: end, covered: covered,
                                  score: Double(covered) * 100 / Double(length))
            if judged {
                // Under half of a license text is not that text, edited or not.
                guard covered * 100 >= length * Self.partialCoverage else { return }
                let inserted = max(0, end - firstFile + 1 - covered)
                match.isModified = (length - covered) + inserted > Self.tolerance(ruleLength: length)
            }
            results.append(match)
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
        // No whole match: pieces of the text close to each other, together covering enough of
        // it, are the text with parts edited or missing.
        guard judged, results.count == resultsBefore, !pieces.isEmpty else { return }
        var group: [RuleMatch] = []
        func flush() {
            defer { group.removeAll() }
            let total = group.reduce(0) { $0 + $1.covered }
            guard let first = group.first, let last = group.last, total * 100 >= length * Self.partialCoverage else { return }
            let covered = min(total, length)
            results.append(RuleMatch(rule: r, start: first.start, end: last.end, covered: covered,
                                     score: Double(covered) * 100 / Double(length), isModified: true))
        }
        for piece in pieces {
            if let last = group.last, piece.start - last.end > 8 * gap { flush() }
            group.append(piece)
        }
        flush()
    }
}
