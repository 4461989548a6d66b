// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Clone detection: a GPL function of our own driver (hypervisor/drivers/blk.c), disguised
// at test time (identifiers renamed, whitespace reflowed, comments stripped) and pasted into
// non-GPL code, is found with both locations; an unrelated function of the same size is not.
// The fixtures are made here, never committed, so the repository's own audit does not see
// a planted copy.

import Foundation
import XCTest
@testable import Boundaries

final class CloneDetectionTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func repositoryFile(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The lines of the C function whose definition starts with `signature`, to its
    /// closing brace at column 0.
    static func function(_ signature: String, in text: String) throws -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(signature) }, "no \(signature)")
        let end = try XCTUnwrap(lines[start...].firstIndex { $0 == "}" })
        return Array(lines[start...end])
    }

    static let cKeywords: Set<String> = [
        "bool", "break", "case", "char", "const", "continue", "default", "do", "else", "enum",
        "for", "goto", "if", "int", "long", "return", "sizeof", "static", "struct", "switch",
        "unsigned", "void", "while",
    ]

    /// What a copier hiding a copy does: comments gone, every name replaced, one statement
    /// part per line with other indentation, continuation lines joined.
    static func disguise(_ code: String) -> String {
        var out = ""
        var names: [String: String] = [:]
        let chars = Array(code.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "/" && i + 1 < chars.count && chars[i + 1] == "*" {
                i += 2
                while i + 1 < chars.count && !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
                i += 2
            } else if c == "/" && i + 1 < chars.count && chars[i + 1] == "/" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
            } else if c == "\"" {
                var j = i + 1
                while j < chars.count && chars[j] != "\"" { j += chars[j] == "\\" ? 2 : 1 }
                out.unicodeScalars.append(contentsOf: chars[i...j])
                i = j + 1
            } else if CharacterSet.letters.contains(c) || c == "_" {
                var j = i
                while j < chars.count && (CharacterSet.alphanumerics.contains(chars[j]) || chars[j] == "_") { j += 1 }
                let word = String(String.UnicodeScalarView(chars[i..<j]))
                if cKeywords.contains(word) {
                    out += word
                } else {
                    if names[word] == nil { names[word] = "q\(names.count)z" }
                    out += names[word]!
                }
                i = j
            } else {
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        var lines: [String] = []
        for line in out.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let collapsed = trimmed.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                .replacingOccurrences(of: "\t", with: " ")
            if let last = lines.last, last.hasSuffix(",") || last.hasSuffix("||") {
                lines[lines.count - 1] = last + " " + collapsed // reflowed: continuation joined
            } else {
                let depth = line.prefix { $0 == "\t" }.count
                lines.append(String(repeating: "  ", count: depth) + collapsed)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Non-GPL code around the pasted function: a header and a tail of ordinary C.
    static let prefix = """
        /* @LICENSE@: MIT */
        #include <stdint.h>
        #include "core.h"

        static unsigned int ring_space(const struct ring *r)
        {
        \treturn r->size - (r->head - r->tail);
        }

        """
    static let suffix = """

        int core_start(struct core *c)
        {
        \tif (!c->ready)
        \t\treturn -1;
        \tc->started = 1;
        \treturn ring_space(&c->ring) > 0 ? 0 : -2;
        }
        """

    func gplIndex() throws -> (index: CloneIndex, text: String) {
        let text = try Self.repositoryFile("hypervisor/drivers/blk.c")
        return (CloneIndex.build(files: [(path: "hypervisor/drivers/blk.c", text: text)], jobs: 2), text)
    }

    func testDisguisedGPLFunctionPastedIntoTheCoreIsFoundWithBothLocations() throws {
        let (index, blk) = try gplIndex()
        let original = try Self.function("static uint8_t blk_rw(", in: blk)
        let blkLines = blk.split(separator: "\n", omittingEmptySubsequences: false)
        let originalStart = try XCTUnwrap(blkLines.firstIndex { $0.hasPrefix("static uint8_t blk_rw(") }) + 1
        let pasted = Self.disguise(original.joined(separator: "\n"))
        XCTAssertFalse(pasted.contains("blk") || pasted.contains("/*") || pasted.contains("\t"))
        let text = FixtureTree.expand(Self.prefix) + pasted + "\n" + Self.suffix
        let pastedStart = Self.prefix.split(separator: "\n", omittingEmptySubsequences: false).count
        let pastedEnd = pastedStart + pasted.split(separator: "\n").count - 1

        let matches = CloneDetector().matches(query: [(path: "Sources/Core/core.c", text: text)], in: index, jobs: 2)
        XCTAssertEqual(matches.count, 1, "\(matches)")
        let match = try XCTUnwrap(matches.first)
        XCTAssertEqual(match.query.path, "Sources/Core/core.c")
        XCTAssertEqual(match.reference.path, "hypervisor/drivers/blk.c")
        // Both ranges lie inside the function and cover most of it.
        let queryLine = try XCTUnwrap(match.query.line), queryEnd = try XCTUnwrap(match.query.endLine)
        XCTAssertGreaterThanOrEqual(queryLine, pastedStart)
        XCTAssertLessThanOrEqual(queryEnd, pastedEnd)
        XCTAssertGreaterThan(queryEnd - queryLine, (pastedEnd - pastedStart) * 3 / 4)
        let referenceLine = try XCTUnwrap(match.reference.line), referenceEnd = try XCTUnwrap(match.reference.endLine)
        XCTAssertGreaterThanOrEqual(referenceLine, originalStart)
        XCTAssertLessThanOrEqual(referenceEnd, originalStart + original.count - 1)
        XCTAssertGreaterThan(referenceEnd - referenceLine, original.count * 3 / 4)
        XCTAssertEqual(match.lines, queryEnd - queryLine + 1)
        XCTAssertGreaterThan(match.tokens, 250)
    }

    func testUnrelatedFunctionOfTheSameSizeIsNotAMatch() throws {
        let (index, _) = try gplIndex()
        let twin = try Self.function("static int set_mem_table(", in: try Self.repositoryFile("hypervisor/shim/device.c"))
        XCTAssertGreaterThan(twin.count, 40)
        let text = FixtureTree.expand(Self.prefix) + Self.disguise(twin.joined(separator: "\n")) + "\n" + Self.suffix
        XCTAssertEqual(CloneDetector().matches(query: [(path: "Sources/Core/core.c", text: text)], in: index, jobs: 2), [])
        // Our own MIT C code shares idioms with the GPL drivers (getopt_long option tables and
        // loops, vhost-user set-up) but no copied region: the repository's audit relies on it.
        let drivers = try ["blk.c", "rng.c"].map { name in
            (path: "hypervisor/drivers/" + name, text: try Self.repositoryFile("hypervisor/drivers/" + name))
        }
        var ours: [(path: String, text: String)] = []
        for directory in ["hypervisor/shim", "hypervisor/guest", "hypervisor/tests"] {
            for file in try CorpusFiles.list(root: Self.repositoryRoot.appendingPathComponent(directory).path) {
                ours.append((directory + "/" + file.relativePath, try Self.repositoryFile(directory + "/" + file.relativePath)))
            }
        }
        XCTAssertTrue(ours.contains { $0.path == "hypervisor/tests/bench.c" })
        XCTAssertEqual(CloneDetector().matches(query: ours, in: CloneIndex.build(files: drivers, jobs: 2), jobs: 2), [])
    }

    func testResultsDoNotDependOnTheNumberOfJobs() throws {
        let (index, blk) = try gplIndex()
        let queries = try ["static uint8_t blk_rw(", "static uint8_t blk_request(", "static void usage("].enumerated().map { n, signature in
            (path: "q\(n).c", text: Self.disguise(try Self.function(signature, in: blk).joined(separator: "\n")))
        }
        let one = CloneDetector().matches(query: queries, in: index, jobs: 1)
        XCTAssertEqual(one, CloneDetector().matches(query: queries.reversed(), in: index, jobs: 2))
        XCTAssertEqual(one.map(\.query.path), ["q0.c", "q1.c"], "usage() is too short to report")
        XCTAssertEqual(one, one.sorted())
    }

    // MARK: tokenizer

    func kinds(_ text: String, swift: Bool = false) -> [String] {
        let tokens = CloneTokenizer.tokenize(text, nestedComments: swift)
        return tokens.kinds.map { kind in
            switch kind {
            case CloneTokenizer.identifier: return "I"
            case CloneTokenizer.literal: return "L"
            case 3..<64: return CloneTokenizer.keywords[Int(kind) - 3]
            case 64..<256: return CloneTokenizer.operators[Int(kind) - 64]
            default: return String(UnicodeScalar(UInt8(kind - 256)))
            }
        }
    }

    func testTokenizerAbstractsNamesAndLiteralsAndKeepsKeywordsAndOperators() {
        XCTAssertEqual(kinds("if (p->len >= 0x1F) return count++;"),
                       ["if", "(", "I", "->", "I", ">=", "L", ")", "return", "I", "++", ";"])
        XCTAssertEqual(kinds(#"x = "a \" // not a comment"; c = '\''; y = 1.5e-3f;"#),
                       ["I", "=", "L", ";", "I", "=", "L", ";", "I", "=", "L", ";"])
        // Words that are keywords only in other languages are names in C, so renamable.
        XCTAssertEqual(kinds("new class in func self"), ["I", "I", "I", "I", "I"])
        XCTAssertEqual(kinds("a <<= b ... c"), ["I", "<<=", "I", "...", "I"])
    }

    func testTokenizerSkipsCommentsAndContinuationsAndCountsLines() {
        let text = "int a; // one\n/* two\n three */ long b;\n#define M(x) \\\n  (x + 1)\n\"s\ntr\" c"
        let tokens = CloneTokenizer.tokenize(text, nestedComments: false)
        // A plain string ends at its line's end at the latest: one bad quote spoils one line.
        XCTAssertEqual(kinds(text), ["int", "I", ";", "long", "I", ";", "#", "I", "I", "(", "I", ")", "(", "I", "+", "L", ")",
                                     "L", "I", "L"])
        XCTAssertEqual(tokens.lines, [1, 1, 1, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 7, 7])
        // Renaming, reflowing and dropping comments leave the kinds unchanged.
        XCTAssertEqual(kinds("int   zz;\n\n long\tqq; #define N(y) (y+2) \"s\" tr \"\""), kinds(text))
    }

    func testSwiftCommentsNestButCCommentsDoNot() {
        let text = "a /* outer /* inner */ still comment */ b"
        XCTAssertEqual(kinds(text, swift: true), ["I", "I"])
        XCTAssertEqual(kinds(text, swift: false), ["I", "I", "I", "*", "/", "I"])
        XCTAssertTrue(CloneTokenizer.nestsComments(path: "Sources/KVM/VCPU.swift"))
        XCTAssertFalse(CloneTokenizer.nestsComments(path: "hypervisor/shim/device.c"))
        let multiline = "let s = \"\"\"\n  one \" two\n  \"\"\"\nlet r = #\"a\"b\"#; x"
        XCTAssertEqual(kinds(multiline, swift: true), ["I", "I", "=", "L", "I", "I", "=", "L", ";", "I"])
        XCTAssertEqual(CloneTokenizer.tokenize(multiline, nestedComments: true).lines, [1, 1, 1, 1, 4, 4, 4, 4, 4, 4])
    }

    func testTokenizerSurvivesUnterminatedConstructs() {
        for text in ["/* open", "\"open", "'", "#\"raw", "\"\"\"", "a \\", "0x", ".5", "`x", "\u{FF}\u{0}"] {
            let tokens = CloneTokenizer.tokenize(text, nestedComments: true)
            XCTAssertEqual(tokens.kinds.count, tokens.lines.count, text)
        }
    }

    // MARK: winnowing

    func testSharedRunOfThresholdLengthAlwaysSharesAFingerprint() {
        var generator = SystemRandomNumberGenerator()
        let (k, w) = (CloneParameters.standard.k, CloneParameters.standard.w)
        for _ in 0..<50 {
            let shared = (0..<(k + w - 1)).map { _ in UInt16.random(in: 1...40, using: &generator) }
            let a = (0..<30).map { _ in UInt16.random(in: 1...40, using: &generator) } + shared
            let b = shared + (0..<50).map { _ in UInt16.random(in: 1...40, using: &generator) }
            let ha = Winnowing.kgramHashes(a, k: k), hb = Winnowing.kgramHashes(b, k: k)
            let fa = Set(Winnowing.select(ha, window: w).map { ha[$0] })
            let fb = Set(Winnowing.select(hb, window: w).map { hb[$0] })
            XCTAssertFalse(fa.isDisjoint(with: fb))
        }
        // Density: about 2/(w+1) of the positions are kept.
        let long = (0..<20_000).map { _ in UInt16.random(in: 1...40, using: &generator) }
        let kept = Winnowing.select(Winnowing.kgramHashes(long, k: k), window: w).count
        XCTAssertEqual(Double(kept) / 20_000, 2.0 / Double(w + 1), accuracy: 0.03)
    }

    // MARK: the common-code filter and repetitive code

    func testCodeFoundInManyReferenceFilesIsNotEvidence() throws {
        let blk = try Self.repositoryFile("hypervisor/drivers/blk.c")
        let function = try Self.function("static uint8_t blk_rw(", in: blk).joined(separator: "\n")
        let query = [(path: "core.c", text: Self.disguise(function))]
        let references = (0..<3).map { (path: "ref\($0).c", text: "int pad\($0);\n" + function) }
        var parameters = CloneParameters.standard
        parameters.commonFiles = 3
        XCTAssertEqual(CloneDetector().matches(query: query, in: CloneIndex.build(files: references, jobs: 2, parameters: parameters),
                                               jobs: 1).count, 1)
        parameters.commonFiles = 2
        XCTAssertEqual(CloneDetector().matches(query: query, in: CloneIndex.build(files: references, jobs: 2, parameters: parameters),
                                               jobs: 1), [])
    }

    /// Code that many reference files share (here 12, under the index's common-code cut of
    /// 32, so its fingerprints stay in the index) is idiom, not evidence of copying; code
    /// found in one file is. A query holding both is reported once, for the rare code.
    func testIdiomOfManyReferenceFilesIsNotACopyButRareCodeBesideItIs() throws {
        let blk = try Self.repositoryFile("hypervisor/drivers/blk.c")
        let idiom = try Self.function("static int blk_open(", in: blk).joined(separator: "\n")
        let rare = try Self.function("static uint8_t blk_rw(", in: blk).joined(separator: "\n")
        var references = (0..<12).map { (path: "idiom\($0).c", text: "int pad\($0);\n" + idiom) }
        references.append((path: "original.c", text: rare))
        let index = CloneIndex.build(files: references, jobs: 2)
        let query = [(path: "core.c", text: Self.disguise(idiom) + "\n" + Self.suffix + "\n" + Self.disguise(rare))]

        let found = CloneDetector().matches(query: query, in: index, jobs: 1)
        XCTAssertEqual(found.map(\.reference.path), ["original.c"], "\(found)")
        // Without the filter the idiom is a match too: the test exercises it.
        let unfiltered = CloneDetector(minimumRareFingerprints: 0).matches(query: query, in: index, jobs: 1)
        XCTAssertEqual(unfiltered.count, 2, "\(unfiltered)")
        // Up to rareFiles files holding the code, it is still rare.
        XCTAssertEqual(CloneDetector(rareFiles: 12).matches(query: query, in: index, jobs: 1).count, 2)
    }

    /// A run of like statements against another hits the same few fingerprints once per
    /// row: they are counted once each, so such a run is not evidence however long it is,
    /// while a copied function's fingerprints are all distinct.
    func testRecurringFingerprintsOfARunOfLikeStatementsCountOnce() throws {
        let row = "\tif (dev->regs[4] & 1) {\n\t\tcount += read_status(dev, flags & 3);\n\t\tdev->last = 2;\n\t}\n"
        let run = "void poll(struct dev *dev, int flags)\n{\n\tint count = 0;\n" + String(repeating: row, count: 30) + "}\n"
        let function = try Self.function("static uint8_t blk_rw(", in: try Self.repositoryFile("hypervisor/drivers/blk.c"))
            .joined(separator: "\n")
        let index = CloneIndex.build(files: [(path: "gpl.c", text: run + "\n" + function)], jobs: 1)
        func counts(_ text: String) -> (positions: Int, distinct: Int) {
            let tokens = CloneTokenizer.tokenize(text, nestedComments: false)
            let k = index.parameters.k
            let hashes = Winnowing.kgramHashes(tokens.kinds, k: k)
            return index.storage.withView { view in
                let ranges = hashes.map { view.range(of: $0) }
                let chain = CloneDetector.Chain(file: 0, queryStart: 0, queryEnd: tokens.count, referenceStart: 0,
                                                referenceEnd: tokens.count, referenceLine: 1, referenceEndLine: 1,
                                                hits: 0, rareHits: 0, diagonal: 0)
                let distinct = CloneDetector().distinctRareFingerprints(
                    chain, k: k, hashes: hashes, rare: hashes.map { _ in true }, ranges: ranges, view: view)
                return (ranges.filter { !$0.isEmpty }.count, distinct)
            }
        }
        let short = counts(String(repeating: row, count: 10)), long = counts(String(repeating: row, count: 30))
        XCTAssertGreaterThan(long.positions, 2 * short.positions, "every row hits")
        XCTAssertEqual(long.distinct, short.distinct, "a longer run is no more evidence")
        XCTAssertLessThanOrEqual(long.distinct, 8)
        let copy = counts(Self.disguise(function))
        XCTAssertGreaterThan(copy.distinct, 2 * CloneDetector().minimumRareFingerprints, "\(copy)")
    }

    /// Code the checked file itself repeats more than maximumRepeats times is that file's
    /// own skeleton (a hundred XDR decoders of one shape), not evidence of a copy.
    func testCodeTheCheckedFileRepeatsIsItsOwnPatternNotACopy() throws {
        let (index, blk) = try gplIndex()
        let copy = Self.disguise(try Self.function("static uint8_t blk_rw(", in: blk).joined(separator: "\n"))
        func text(copies: Int) -> String {
            FixtureTree.expand(Self.prefix) + Array(repeating: copy, count: copies).joined(separator: "\n" + Self.suffix + "\n")
        }
        let limit = CloneDetector().maximumRepeats
        let some = CloneDetector().matches(query: [(path: "core.c", text: text(copies: limit))], in: index, jobs: 1)
        XCTAssertEqual(some.count, limit, "\(some)")
        XCTAssertEqual(CloneDetector().matches(query: [(path: "core.c", text: text(copies: limit + 1))], in: index, jobs: 1), [])
    }

    func testTablesOfLikeRowsDoNotMatch() {
        func table(_ name: String, rows: Int) -> String {
            "static const struct test \(name)[] = {\n"
                + (0..<rows).map { "\t{ \"\(name) case \($0)\", run_\(name)_\($0), NULL },\n" }.joined() + "};\n"
        }
        let index = CloneIndex.build(files: [(path: "gpl.c", text: table("ata", rows: 40))], jobs: 1)
        XCTAssertEqual(CloneDetector().matches(query: [(path: "check.c", text: table("virtq", rows: 30))], in: index, jobs: 1), [])
    }

    /// A generated register header of another chip (per register its address, per field a
    /// mask, a shift and an inline accessor) lines up with one of a GPL driver once names and
    /// literals are abstracted: 78 lines of five line shapes, with enough kinds of token and
    /// distinct k-grams to have been reported before. Its twin, a copied function of 28
    /// lines (a run of like assignments at its end), is still found.
    func testTableLikeRegionIsNotACopyButAFunctionOfTheSameLengthIs() throws {
        func registers(_ chip: String, base: Int) -> String {
            var text = ""
            for register in 0..<8 {
                let name = "\(chip)_REG\(register)"
                text += "#define REG_\(name) 0x\(String(base + 4 * register, radix: 16))\n"
                for field in 0..<[2, 0, 1, 3, 1, 0, 2, 1][register] {
                    text += "#define \(name)_F\(field)__MASK 0x\(String(0xff << (8 * field), radix: 16))\n"
                    text += "#define \(name)_F\(field)__SHIFT \(8 * field)\n"
                    text += "static inline uint32_t \(name)_F\(field)(uint32_t val)\n{\n"
                    text += "\treturn ((val) << \(name)_F\(field)__SHIFT) & \(name)_F\(field)__MASK;\n}\n"
                }
            }
            return text
        }
        let index = CloneIndex.build(files: [(path: "gpl.h", text: registers("A6XX", base: 0x800))], jobs: 1)
        let table = registers("GEN7", base: 0x1c00)
        let tokens = CloneTokenizer.tokenize(table, nestedComments: false)
        let hashes = Winnowing.kgramHashes(tokens.kinds, k: CloneParameters.standard.k)
        XCTAssertTrue(CloneDetector().isVaried(kinds: tokens.kinds[...], hashes: hashes[...]), "the older tests pass it")
        XCTAssertFalse(CloneDetector().hasVariedLines(kinds: tokens.kinds[...], lines: tokens.lines[...]))
        XCTAssertEqual(CloneDetector().matches(query: [(path: "ours.h", text: table)], in: index, jobs: 1), [])

        let (blkIndex, blk) = try gplIndex()
        let function = Self.disguise(try Self.function("static int blk_open(", in: blk).joined(separator: "\n"))
        let text = FixtureTree.expand(Self.prefix) + function + "\n" + Self.suffix
        let found = CloneDetector().matches(query: [(path: "Sources/Core/core.c", text: text)], in: blkIndex, jobs: 1)
        XCTAssertEqual(found.map(\.reference.path), ["hypervisor/drivers/blk.c"], "\(found)")
        XCTAssertGreaterThanOrEqual(found.first?.lines ?? 0, 20)
    }

    // MARK: the cached corpus index

    func corpus() throws -> FixtureTree {
        let blk = try Self.repositoryFile("hypervisor/drivers/blk.c")
        return try FixtureTree([
            "drivers/block/blk.c": blk,
            "drivers/char/rng.c": try Self.repositoryFile("hypervisor/drivers/rng.c"),
            "Documentation/blk.rst": blk, // not source: not indexed
        ], name: "clone-corpus")
    }

    /// A run of like statements that matches one short stretch of the original again and
    /// again is not a copy of it: the regions a copy is joined from advance through the
    /// original. An edit inside a real copy still joins its two halves.
    func testRepeatingOneStretchOfTheOriginalIsNotACopyButAnEditedCopyIs() {
        let block = """
            \tif (dev->state != READY) {
            \t\tcount = read_status(dev, flags & MASK, &err);
            \t\tdev->count++;
            \t\treturn count > limit ? -EBUSY : count + 1;
            \t}

            """
        let tail = """
            \tlist_add_tail(&dev->node, &devices);
            \twake_up_all(&dev->wait);
            \tspin_unlock(&dev->lock);
            \treturn 0;
            }

            """
        let original = "int open_device(struct dev *dev, int flags)\n{\n\tint count, err = 0;\n\n\tspin_lock(&dev->lock);\n" + block + tail
        let index = CloneIndex.build(files: [(path: "gpl.c", text: original)], jobs: 1)
        // Four times the original's 5-line block: 19 lines, every k-gram of it found in the original.
        let repeated = "static int poll_all(struct dev *dev, int flags)\n{\n\tint count, err = 0;\n\n"
            + String(repeating: block, count: 4) + "\treturn 0;\n}\n"
        XCTAssertEqual(CloneDetector().matches(query: [(path: "ours.c", text: repeated)], in: index, jobs: 1), [])
        // The original with one statement inserted after the block: neither half alone is 60 tokens.
        let edited = original.replacingOccurrences(of: block, with: block + "\tpr_info(\"opened %d\\n\", flags);\n")
        let found = CloneDetector().matches(query: [(path: "ours.c", text: edited)], in: index, jobs: 1)
        XCTAssertEqual(found.map(\.query.line), [1], "\(found)")
        XCTAssertEqual(found.first?.reference.path, "gpl.c")
    }

    func testLookupFindsEveryFingerprintsEntriesAndNothingElse() throws {
        let index = try gplIndex().index
        XCTAssertGreaterThan(index.fingerprintCount, 100)
        index.storage.withView { view in
            let hashes = (0..<view.count).map(view.hash)
            for value in Set(hashes) {
                let first = hashes.firstIndex(of: value)!, last = hashes.lastIndex(of: value)!
                XCTAssertEqual(view.range(of: value), first..<(last + 1))
            }
            // Absent values: below, between and above the stored ones, and at the edges of
            // the lookup directory's slots.
            let stored = Set(hashes)
            let edges: [UInt64] = [0, 1, .max, .max - 1, 1 << 48, (1 << 48) - 1, hashes[0] &- 1, hashes[hashes.count - 1] &+ 1]
            for value in edges + hashes.map({ $0 ^ 1 }) where !stored.contains(value) {
                XCTAssertTrue(view.range(of: value).isEmpty, "\(value)")
            }
        }
    }

    func testCorpusIndexIsCachedAndLoadsToTheSameResults() throws {
        let tree = try corpus()
        defer { tree.remove() }
        let cache = tree.root.appendingPathComponent(".cache").path
        var notes: [String] = []
        let built = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 2) { notes.append($0) }
        XCTAssertTrue(notes.contains { $0.hasPrefix("indexing kernel: 2 source files") }, "\(notes)")
        XCTAssertEqual(built.fileCount, 2)
        notes = []
        let loaded = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 2) { notes.append($0) }
        XCTAssertEqual(notes, [], "a warm start neither indexes nor complains")
        XCTAssertEqual(loaded.storage.data, built.storage.data)
        XCTAssertEqual(loaded.storage.paths, ["kernel/drivers/block/blk.c", "kernel/drivers/char/rng.c"])

        let function = try Self.function("static uint8_t blk_rw(", in: try Self.repositoryFile("hypervisor/drivers/blk.c"))
        let query = [(path: "core.c", text: Self.disguise(function.joined(separator: "\n")))]
        let matches = CloneDetector().matches(query: query, in: loaded, jobs: 2)
        XCTAssertEqual(matches, CloneDetector().matches(query: query, in: built, jobs: 2))
        XCTAssertEqual(matches.map(\.reference.path), ["kernel/drivers/block/blk.c"])
    }

    func testCorruptOrTruncatedCacheIsRebuilt() throws {
        let tree = try corpus()
        defer { tree.remove() }
        let cache = tree.root.appendingPathComponent(".cache").path
        let built = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 1, progress: nil)
        let file = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: cache).first { $0.hasSuffix(".cloneindex") })
        let path = cache + "/" + file
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let damaged: [(String, Data)] = [
            ("truncated", bytes.prefix(bytes.count - 10)),
            ("flipped", { var d = bytes; d[d.count / 2] ^= 0x40; return d }()),
            ("empty", Data()),
            ("wrong magic", { var d = bytes; d[0] = 0x41; return d }()),
            ("huge counts", { var d = bytes; for i in 32..<48 { d[i] = 0xFF }; return d }()),
        ]
        for (what, data) in damaged {
            try data.write(to: URL(fileURLWithPath: path))
            var notes: [String] = []
            let rebuilt = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 1) { notes.append($0) }
            XCTAssertTrue(notes.first?.contains("corrupt clone index") ?? false, "\(what): \(notes)")
            XCTAssertTrue(notes.contains { $0.hasPrefix("indexing kernel") }, what)
            XCTAssertEqual(rebuilt.storage.data, built.storage.data, what)
        }
        bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(bytes, built.storage.data, "the rebuilt index was written back")
    }

    func testChangedCorpusFileInvalidatesTheCache() throws {
        let tree = try corpus()
        defer { tree.remove() }
        let cache = tree.root.appendingPathComponent(".cache").path
        let before = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 1, progress: nil)
        let old = try FileManager.default.contentsOfDirectory(atPath: cache)
        try tree.write("drivers/char/rng.c", "int changed;\n")
        var notes: [String] = []
        let after = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 1) { notes.append($0) }
        XCTAssertTrue(notes.contains { $0.hasPrefix("indexing kernel") }, "\(notes)")
        XCTAssertLessThan(after.fingerprintCount, before.fingerprintCount)
        let now = try FileManager.default.contentsOfDirectory(atPath: cache)
        XCTAssertEqual(now.count, 1, "the stale index is removed")
        XCTAssertNotEqual(now, old)
        // A new file invalidates it too.
        try tree.write("lib/extra.h", "int extra;\n")
        notes = []
        _ = try CloneIndex.cached(corpus: tree.root.path, name: "kernel", cacheDirectory: cache, jobs: 1) { notes.append($0) }
        XCTAssertTrue(notes.contains { $0.hasPrefix("indexing kernel: 3 source files") }, "\(notes)")
    }

    func testCorpusListingSkipsSymlinksHiddenDirectoriesAndNonSource() throws {
        let tree = try corpus()
        defer { tree.remove() }
        try tree.write(".git/objects/x.c", "int hidden;")
        try FileManager.default.createSymbolicLink(atPath: tree.root.appendingPathComponent("drivers/loop").path,
                                                   withDestinationPath: tree.root.path)
        try FileManager.default.createSymbolicLink(atPath: tree.root.appendingPathComponent("link.c").path,
                                                   withDestinationPath: "drivers/char/rng.c")
        XCTAssertEqual(try CorpusFiles.list(root: tree.root.path).map(\.relativePath), ["drivers/block/blk.c", "drivers/char/rng.c"])
        XCTAssertThrowsError(try CorpusFiles.list(root: tree.root.appendingPathComponent("missing").path)) { error in
            XCTAssertTrue("\(error)".contains("missing: cannot read the reference corpus"), "\(error)")
        }
    }
}

final class SharedObjectNameTests: XCTestCase {
    func testSharedObjectNamesInReadOnlyData() {
        func looks(_ text: String) -> Bool { ObjectReader.looksLikeSharedObjectName(ArraySlice(Array(text.utf8))) }
        for name in ["libfoo.so", "libfoo.so.1.2", "/usr/lib/x86_64-linux-gnu/libc.so.6", "plugins/codec-gpl.so", "a.so.so"] {
            XCTAssertTrue(looks(name), name)
        }
        for text in [".so", "lib/.so", "libfoo.so.", "libfoo.so.x", "foo.sox", "lib foo.so", "libfoo.so/", "", "so"] {
            XCTAssertFalse(looks(text), text)
        }
    }
}
