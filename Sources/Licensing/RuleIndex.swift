// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A rule as read from the data: a license text or a `.RULE` file.
struct RuleSource {
    enum Kind: UInt8 { case text = 0, notice = 1, reference = 2, falsePositive = 3 }
    var name: String
    /// SPDX expression; empty for false positives.
    var expression: String
    var kind: Kind
    var minimumCoverage: Int?
    var isContinuous: Bool
    var text: Substring
}

/// The compiled matching index: the words of every rule, and for every run of `gram`
/// consecutive words (an n-gram) the rules and positions where it occurs. Detection looks
/// up the n-grams of a file, so only rules sharing text with the file are ever examined.
struct RuleIndex: Sendable {
    static let gram = 4
    /// Rules shorter than this many words are left out: they are too short to be told
    /// apart from ordinary prose by n-grams (`MIT`, `GPL`).
    static let shortestRule = gram

    // Vocabulary: open-addressing table of word hashes; ids start at 1 (0: unknown word).
    var wordHashes: [UInt64]
    var wordIDs: [UInt16]
    // N-gram table: packed word ids per slot (0: empty); postings of slot i are
    // postings[gramStarts[i] ..< gramStarts[i + 1]].
    var gramKeys: [UInt64]
    var gramStarts: [UInt32]
    var postingRules: [UInt32]
    var postingPositions: [UInt32]
    // Rules.
    var ruleNames: [String]
    var ruleLengths: [UInt32]
    var ruleKinds: [UInt8]
    var ruleMinimumCoverage: [UInt8]
    var ruleContinuous: [UInt8]
    var ruleExpressions: [UInt32]
    var expressions: [String]
    /// Required phrases (`{{...}}`) of rule r: pairs (start, end) of word positions in
    /// phrases[phraseStarts[r] ..< phraseStarts[r + 1]] (two entries per phrase).
    var phraseStarts: [UInt32]
    var phrases: [UInt32]
    /// Two bits per n-gram key in one 64-bit word (a blocked Bloom filter, about 6 bits per
    /// key), made when the index is built or read, never stored: most n-grams of a file are
    /// in no rule, and the filter (a few MB) answers for most of them without a read of the
    /// key table (tens of MB, a cache miss per look-up).
    var gramFilter: [UInt64] = []

    var ruleCount: Int { ruleNames.count }

    /// Word and bit positions of a key in `gramFilter` (`filterMask`: its word count - 1).
    @inline(__always)
    static func filterBits(_ key: UInt64, filterMask: Int) -> (word: Int, bits: UInt64) {
        // High bits of the product: its low bits depend on the key's low bits only.
        let h = key &* 0xC2B2_AE3D_27D4_EB4F
        let word = Int(truncatingIfNeeded: h >> 32) & filterMask
        return (word, 1 << ((h >> 52) & 63) | 1 << (h >> 58))
    }

    static func makeGramFilter(_ keys: [UInt64]) -> [UInt64] {
        // keys.count slots hold at most 70% keys: keys.count / 16 words give 4 bits per slot.
        var filter = [UInt64](repeating: 0, count: max(1, keys.count / 16))
        let mask = filter.count - 1
        for key in keys where key != 0 {
            let (word, bits) = filterBits(key, filterMask: mask)
            filter[word] |= bits
        }
        return filter
    }

    /// False when no rule contains the n-gram; true when one may.
    @inline(__always)
    func mayContainGram(_ key: UInt64) -> Bool {
        let (word, bits) = Self.filterBits(key, filterMask: gramFilter.count - 1)
        return gramFilter[word] & bits == bits
    }

    @inline(__always)
    static func slot(of hash: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// The id of a word, 0 if no rule uses it.
    @inline(__always)
    func wordID(_ hash: UInt64) -> UInt16 {
        let mask = wordHashes.count - 1
        var i = Self.slot(of: hash, mask: mask)
        while true {
            let h = wordHashes[i]
            if h == hash { return wordIDs[i] }
            if h == 0 { return 0 }
            i = (i + 1) & mask
        }
    }

    /// The slot of an n-gram key, or nil when no rule contains it.
    @inline(__always)
    func gramSlot(_ key: UInt64) -> Int? {
        let mask = gramKeys.count - 1
        var i = Self.slot(of: key, mask: mask)
        while true {
            let k = gramKeys[i]
            if k == key { return i }
            if k == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    static func pack(_ a: UInt16, _ b: UInt16, _ c: UInt16, _ d: UInt16) -> UInt64 {
        UInt64(a) << 48 | UInt64(b) << 32 | UInt64(c) << 16 | UInt64(d)
    }

    static func tableSize(for count: Int) -> Int {
        var size = 1024
        while size < count * 2 { size <<= 1 }
        return size
    }

    /// Compiles the rules; skips rules too short to index.
    init(rules: [RuleSource]) {
        var wordHashes = [UInt64](repeating: 0, count: 1 << 16)
        var wordIDs = [UInt16](repeating: 0, count: 1 << 16)
        var nextWordID: UInt16 = 1
        func intern(_ hash: UInt64) -> UInt16 {
            let mask = wordHashes.count - 1
            var i = Self.slot(of: hash, mask: mask)
            while wordHashes[i] != 0 {
                if wordHashes[i] == hash { return wordIDs[i] }
                i = (i + 1) & mask
            }
            // The table is sized for 2^16 words; ScanCode's rules use about 26,000. A word
            // beyond a full table stays unknown, which only weakens matching.
            guard nextWordID < UInt16.max, Int(nextWordID) < wordHashes.count / 4 * 3 else { return 0 }
            wordHashes[i] = hash
            wordIDs[i] = nextWordID
            nextWordID += 1
            return wordIDs[i]
        }

        var words: [UInt16] = []
        var wordStarts: [Int] = [0]
        var names: [String] = [], lengths: [UInt32] = [], kinds: [UInt8] = []
        var coverage: [UInt8] = [], continuous: [UInt8] = [], exprIndex: [UInt32] = []
        var expressions: [String] = [], expressionIDs: [String: UInt32] = [:]
        var phraseStarts: [UInt32] = [0], phrases: [UInt32] = []
        let spdxTag = ["spdx", "license", "identifier"].map { word -> UInt64 in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            fnv1a(word.utf8, into: &h)
            return h
        }

        for rule in rules {
            var text = String(rule.text)
            var hashes: [UInt64] = []
            var phraseMarks: [(offset: Int, opens: Bool)] = []
            var rulePhrases: [UInt32] = []
            text.withUTF8 { buffer in
                var i = 0
                while i + 1 < buffer.count {
                    if buffer[i] == 0x7B && buffer[i + 1] == 0x7B { phraseMarks.append((i, true)); i += 2 }
                    else if buffer[i] == 0x7D && buffer[i + 1] == 0x7D { phraseMarks.append((i, false)); i += 2 }
                    else { i += 1 }
                }
                var scanner = WordScanner(buffer)
                var mark = 0
                var openedAt: Int?
                while let word = scanner.next() {
                    while mark < phraseMarks.count && phraseMarks[mark].offset < word.start {
                        if phraseMarks[mark].opens { openedAt = hashes.count }
                        else if let start = openedAt, start < hashes.count {
                            rulePhrases += [UInt32(start), UInt32(hashes.count)]
                            openedAt = nil
                        }
                        mark += 1
                    }
                    hashes.append(word.hash)
                }
                if let start = openedAt, start < hashes.count, mark < phraseMarks.count {
                    rulePhrases += [UInt32(start), UInt32(hashes.count)]
                }
            }
            // SPDX-License-Identifier lines are tags, read by `SPDXTags`, not rules.
            if hashes.count < Self.shortestRule || Array(hashes.prefix(3)) == spdxTag { continue }
            phrases.append(contentsOf: rulePhrases)
            let ruleWords = hashes.map(intern)
            words.append(contentsOf: ruleWords)
            wordStarts.append(words.count)
            phraseStarts.append(UInt32(phrases.count))
            names.append(rule.name)
            lengths.append(UInt32(ruleWords.count))
            kinds.append(rule.kind.rawValue)
            let defaultCoverage = ruleWords.count < 20 ? 100 : 80
            coverage.append(UInt8(clamping: rule.minimumCoverage ?? defaultCoverage))
            continuous.append(rule.isContinuous ? 1 : 0)
            if let id = expressionIDs[rule.expression] {
                exprIndex.append(id)
            } else {
                let id = UInt32(expressions.count)
                expressions.append(rule.expression)
                expressionIDs[rule.expression] = id
                exprIndex.append(id)
            }
        }

        // N-grams: count per distinct key, then lay the postings out slot by slot.
        let totalGrams = lengths.reduce(0) { $0 + max(0, Int($1) - Self.gram + 1) }
        var gramKeys = [UInt64](repeating: 0, count: Self.tableSize(for: totalGrams / 8 + 1))
        var distinct = 0
        func forEachGram(_ body: (Int, Int, UInt64) -> Void) {
            for r in 0..<lengths.count where lengths[r] >= UInt32(Self.gram) {
                let base = wordStarts[r]
                for p in 0...(Int(lengths[r]) - Self.gram) {
                    let w0 = words[base + p], w1 = words[base + p + 1]
                    let w2 = words[base + p + 2], w3 = words[base + p + 3]
                    if w0 == 0 || w1 == 0 || w2 == 0 || w3 == 0 { continue }
                    body(r, p, Self.pack(w0, w1, w2, w3))
                }
            }
        }
        func slotForInsert(_ key: UInt64) -> Int {
            let mask = gramKeys.count - 1
            var i = Self.slot(of: key, mask: mask)
            while gramKeys[i] != 0 && gramKeys[i] != key { i = (i + 1) & mask }
            return i
        }
        forEachGram { _, _, key in
            if distinct * 10 >= gramKeys.count * 7 {
                let old = gramKeys
                gramKeys = [UInt64](repeating: 0, count: old.count * 2)
                for k in old where k != 0 { gramKeys[slotForInsert(k)] = k }
            }
            let i = slotForInsert(key)
            if gramKeys[i] == 0 { gramKeys[i] = key; distinct += 1 }
        }
        var counts = [UInt32](repeating: 0, count: gramKeys.count)
        forEachGram { _, _, key in counts[slotForInsert(key)] += 1 }
        var gramStarts = [UInt32](repeating: 0, count: gramKeys.count + 1)
        for i in 0..<gramKeys.count { gramStarts[i + 1] = gramStarts[i] + counts[i] }
        var cursor = gramStarts
        let postings = Int(gramStarts[gramKeys.count])
        var postingRules = [UInt32](repeating: 0, count: postings)
        var postingPositions = [UInt32](repeating: 0, count: postings)
        forEachGram { r, p, key in
            let i = slotForInsert(key)
            postingRules[Int(cursor[i])] = UInt32(r)
            postingPositions[Int(cursor[i])] = UInt32(p)
            cursor[i] += 1
        }

        self.wordHashes = wordHashes
        self.wordIDs = wordIDs
        self.gramKeys = gramKeys
        self.gramStarts = gramStarts
        self.postingRules = postingRules
        self.postingPositions = postingPositions
        self.ruleNames = names
        self.ruleLengths = lengths
        self.ruleKinds = kinds
        self.ruleMinimumCoverage = coverage
        self.ruleContinuous = continuous
        self.ruleExpressions = exprIndex
        self.expressions = expressions
        self.phraseStarts = phraseStarts
        self.phrases = phrases
        self.gramFilter = Self.makeGramFilter(gramKeys)
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(array: wordHashes)
        writer.write(array: wordIDs)
        writer.write(array: gramKeys)
        writer.write(array: gramStarts)
        writer.write(array: postingRules)
        writer.write(array: postingPositions)
        writer.write(strings: ruleNames)
        writer.write(array: ruleLengths)
        writer.write(array: ruleKinds)
        writer.write(array: ruleMinimumCoverage)
        writer.write(array: ruleContinuous)
        writer.write(array: ruleExpressions)
        writer.write(strings: expressions)
        writer.write(array: phraseStarts)
        writer.write(array: phrases)
    }

    init(reading reader: inout BinaryReader) throws {
        wordHashes = try reader.readArray()
        wordIDs = try reader.readArray()
        gramKeys = try reader.readArray()
        gramStarts = try reader.readArray()
        postingRules = try reader.readArray()
        postingPositions = try reader.readArray()
        ruleNames = try reader.readStrings()
        ruleLengths = try reader.readArray()
        ruleKinds = try reader.readArray()
        ruleMinimumCoverage = try reader.readArray()
        ruleContinuous = try reader.readArray()
        ruleExpressions = try reader.readArray()
        expressions = try reader.readStrings()
        phraseStarts = try reader.readArray()
        phrases = try reader.readArray()
        try validate()
        gramFilter = Self.makeGramFilter(gramKeys)
    }

    /// Cross-checks sizes and references so that detection can index without traps.
    private func validate() throws {
        let r = ruleNames.count
        let powerOfTwo = { (n: Int) in n > 0 && n & (n - 1) == 0 }
        guard powerOfTwo(wordHashes.count), wordIDs.count == wordHashes.count,
              powerOfTwo(gramKeys.count), gramStarts.count == gramKeys.count + 1,
              postingRules.count == postingPositions.count,
              Int(gramStarts.last ?? 0) == postingRules.count,
              ruleLengths.count == r, ruleKinds.count == r, ruleMinimumCoverage.count == r,
              ruleContinuous.count == r, ruleExpressions.count == r, phraseStarts.count == r + 1,
              Int(phraseStarts.last ?? 0) == phrases.count
        else { throw BinaryReader.Truncated() }
        for i in 0..<gramKeys.count where gramStarts[i] > gramStarts[i + 1] { throw BinaryReader.Truncated() }
        for i in 0..<r {
            guard phraseStarts[i] <= phraseStarts[i + 1], (phraseStarts[i + 1] - phraseStarts[i]) % 2 == 0,
                  Int(ruleExpressions[i]) < expressions.count, RuleSource.Kind(rawValue: ruleKinds[i]) != nil
            else { throw BinaryReader.Truncated() }
        }
        for k in 0..<postingRules.count {
            let rule = Int(postingRules[k])
            guard rule < r, Int(postingPositions[k]) + Self.gram <= Int(ruleLengths[rule]) else {
                throw BinaryReader.Truncated()
            }
        }
    }
}
