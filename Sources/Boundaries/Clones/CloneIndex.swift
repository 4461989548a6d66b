// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A fingerprint index of reference code (GPL zones, or a whole corpus such as the Linux
// sources): the winnowed k-gram hashes of every file, sorted, with the file, token position
// and lines of each. The in-memory form and the cache file are the same bytes, so a warm
// start is one read (or map) plus a checksum.

import AtomicFile
import Foundation
import Parallel

public enum CloneIndexError: Error, CustomStringConvertible {
    case corpusUnreadable(path: String, reason: String)
    case cacheUnwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .corpusUnreadable(path, reason): return "\(path): cannot read the reference corpus: \(reason)"
        case let .cacheUnwritable(path, reason): return "\(path): cannot write the clone index: \(reason)"
        }
    }
}

/// Tokens per k-gram, winnowing window, and the common-code filter.
struct CloneParameters: Equatable {
    /// Normalised tokens per k-gram. With identifiers and literals abstracted, shorter
    /// grams are boilerplate found in thousands of kernel files.
    var k = 24
    /// Winnowing window: any shared run of k + w - 1 = 39 tokens shares a fingerprint.
    var w = 16
    /// A fingerprint found in more distinct reference files than this is common code
    /// (error-handling ladders, struct bodies, register tables) and is dropped: finding it
    /// in checked code says nothing about where it came from. On planted kernel clones 12
    /// lost 1% more of them than 32; 100 let repetitive code of our own match.
    var commonFiles = 32
    /// ... as is one with more occurrences than this in all.
    var commonOccurrences = 128

    static let standard = CloneParameters()
}

public struct CloneIndex: Sendable {
    let storage: CloneIndexStorage
    /// Files indexed only so that a fingerprint's files are counted over a whole tree (the
    /// checked files beside the GPL ones): never the original of a match. By path, with
    /// their numbers, so that a checked file leaves itself out of the counts.
    let countedOnly: [String: UInt32]

    /// Per file number: whether a match may name it as the original.
    let isReference: [Bool]

    init(storage: CloneIndexStorage, countedOnly: [String: UInt32] = [:]) {
        self.storage = storage
        self.countedOnly = countedOnly
        var isReference = [Bool](repeating: true, count: storage.paths.count)
        for number in countedOnly.values { isReference[Int(number)] = false }
        self.isReference = isReference
    }

    var parameters: CloneParameters { storage.parameters }
    /// Number of fingerprints kept.
    public var fingerprintCount: Int { storage.entryCount }
    /// Number of reference files.
    public var fileCount: Int { storage.paths.count }
    /// Size of the index in bytes (in memory and on disk).
    public var byteCount: Int { storage.data.count }

    /// Builds an index over `files` (path -> text). Used for in-tree GPL zones (small).
    public static func build(files: [(path: String, text: String)], jobs: Int) -> CloneIndex {
        build(files: files, jobs: jobs, parameters: .standard)
    }

    /// Builds an index over files of a tree, reading each when a worker reaches it: a
    /// kernel tree's GPL text (a gigabyte) is never held at once. Unreadable or non-UTF-8
    /// files add nothing.
    /// `countedOnly`: files of the same tree (the checked ones) indexed too, so that code
    /// they share with many others counts as common, but never matched against.
    static func build(root: String, paths: [String], countedOnly: [String] = [], jobs: Int,
                      parameters: CloneParameters = .standard) -> CloneIndex {
        let sorted = (paths + countedOnly).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let builder = IndexBuilder(parameters: parameters, fileCount: sorted.count)
        let buckets = builder.collect(jobs: jobs, count: sorted.count) { index in
            var text = (try? String(contentsOfFile: root + "/" + sorted[index], encoding: .utf8)) ?? ""
            let nested = CloneTokenizer.nestsComments(path: sorted[index])
            return text.withUTF8 { CloneTokenizer.tokenize($0, nestedComments: nested) }
        }
        let data = builder.finish(buckets: consume buckets, paths: sorted, jobs: jobs)
        let counted = Set(countedOnly)
        var numbers: [String: UInt32] = [:]
        for (number, path) in sorted.enumerated() where counted.contains(path) { numbers[path] = UInt32(number) }
        return CloneIndex(storage: try! CloneIndexStorage(data: data), countedOnly: numbers)
    }

    static func build(files: [(path: String, text: String)], jobs: Int, parameters: CloneParameters) -> CloneIndex {
        let sorted = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let builder = IndexBuilder(parameters: parameters, fileCount: sorted.count)
        let buckets = builder.collect(jobs: jobs, count: sorted.count) { index in
            var text = sorted[index].text
            let nested = CloneTokenizer.nestsComments(path: sorted[index].path)
            return text.withUTF8 { CloneTokenizer.tokenize($0, nestedComments: nested) }
        }
        let data = builder.finish(buckets: consume buckets, paths: sorted.map(\.path), jobs: jobs)
        return CloneIndex(storage: try! CloneIndexStorage(data: data))
    }

    /// Index of a whole directory tree of C/C++/Swift/asm-free source (e.g. an extracted
    /// linux-source-6.1), cached in cacheDirectory under a key derived from the corpus
    /// (paths, sizes, mtimes); rebuilt only when the corpus changed. progress: called with
    /// human-readable progress lines.
    public static func cached(corpus: String, name: String, cacheDirectory: String, jobs: Int,
                              progress: ((String) -> Void)?) throws -> CloneIndex {
        try cached(corpus: corpus, name: name, cacheDirectory: cacheDirectory, jobs: jobs,
                   parameters: .standard, progress: progress)
    }

    static func cached(corpus: String, name: String, cacheDirectory: String, jobs: Int,
                       parameters: CloneParameters, progress: ((String) -> Void)?) throws -> CloneIndex {
        let files = try CorpusFiles.list(root: corpus)
        let key = cacheKey(files: files, name: name, parameters: parameters)
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        let cachePath = cacheDirectory + "/" + safeName + "." + key + ".cloneindex"

        if FileManager.default.fileExists(atPath: cachePath) {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: cachePath), options: .alwaysMapped)
                let storage = try CloneIndexStorage(data: data)
                if storage.parameters == parameters {
                    return CloneIndex(storage: storage)
                }
                progress?("\(cachePath): built with other parameters; rebuilding")
            } catch {
                progress?("\(cachePath): \(error); rebuilding")
            }
        }

        let start = Date()
        progress?("indexing \(name): \(files.count) source files under \(corpus)")
        let builder = IndexBuilder(parameters: parameters, fileCount: files.count)
        let step = max(1, files.count / 10)
        let reporter = ProgressReporter(progress)
        let buckets = builder.collect(jobs: jobs, count: files.count) { index in
            let path = corpus + "/" + files[index].relativePath
            let tokens: CloneTokens
            if let data = FileManager.default.contents(atPath: path) {
                let nested = CloneTokenizer.nestsComments(path: path)
                tokens = data.withUnsafeBytes { raw in
                    CloneTokenizer.tokenize(raw.bindMemory(to: UInt8.self), nestedComments: nested)
                }
            } else {
                reporter.report("\(path): unreadable; indexed as empty")
                tokens = CloneTokens() // vanished since the listing, or unreadable
            }
            reporter.fileDone { finished in
                finished % step == 0 ? "indexing \(name): \(finished)/\(files.count) files" : nil
            }
            return tokens
        }
        let paths = files.map { name + "/" + $0.relativePath }
        let data = builder.finish(buckets: consume buckets, paths: paths, jobs: jobs)
        let storage = try CloneIndexStorage(data: data)

        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
            try AtomicFile.write(data, to: cachePath)
        } catch let error as AtomicFileError {
            throw CloneIndexError.cacheUnwritable(path: error.path, reason: "cannot \(error.operation): \(error.reason)")
        } catch {
            throw CloneIndexError.cacheUnwritable(path: cacheDirectory, reason: "\(error)")
        }
        // Indexes of older versions of the same corpus are dead weight.
        let prefix = safeName + "."
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory)) ?? []
        where entry.hasPrefix(prefix) && entry.hasSuffix(".cloneindex") && cacheDirectory + "/" + entry != cachePath
            && entry.dropFirst(prefix.count).dropLast(".cloneindex".count).allSatisfy(\.isHexDigit) {
            try? FileManager.default.removeItem(atPath: cacheDirectory + "/" + entry)
        }
        let seconds = Date().timeIntervalSince(start)
        progress?(String(format: "indexed %@: %d files, %d fingerprints, %.1f MB in %.1f s",
                         name, files.count, storage.entryCount, Double(data.count) / 1e6, seconds))
        return CloneIndex(storage: storage)
    }

    static func cacheKey(files: [CorpusFile], name: String, parameters: CloneParameters) -> String {
        var hash = StableHash()
        hash.add("\(CloneIndexStorage.version) \(parameters.k) \(parameters.w) \(parameters.commonFiles) \(parameters.commonOccurrences) \(name)")
        for file in files {
            hash.add(file.relativePath)
            hash.add(UInt64(bitPattern: file.size))
            hash.add(UInt64(bitPattern: file.modified))
        }
        return hash.hex
    }
}

/// FNV-1a over two lanes: a stable 128-bit key (Swift's Hasher is seeded per process).
struct StableHash {
    private var a: UInt64 = 0xcbf29ce484222325
    private var b: UInt64 = 0x84222325cbf29ce4

    mutating func add(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func add(_ text: String) {
        for c in text.utf8 { byte(c) }
        byte(0)
    }

    private mutating func byte(_ c: UInt8) {
        a = (a ^ UInt64(c)) &* 0x100000001b3
        b = (b ^ UInt64(c) ^ (a >> 29)) &* 0x100000001b3
    }

    var hex: String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for value in [a, b] {
            for shift in stride(from: 60, through: 0, by: -4) { text.append(digits[Int((value >> UInt64(shift)) & 15)]) }
        }
        return text
    }
}

/// Progress from worker threads, passed on one line at a time (callers need no lock).
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let progress: ((String) -> Void)?
    private var done = 0

    init(_ progress: ((String) -> Void)?) { self.progress = progress }

    func report(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        progress?(line)
    }

    /// Counts a finished file; `line` says what to report at that count, if anything.
    func fileDone(_ line: (Int) -> String?) {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        if let text = line(done) { progress?(text) }
    }
}

/// One kept fingerprint while building.
struct IndexEntry {
    var hash: UInt64
    var file: UInt32
    var token: UInt32
    var line: UInt32
    var span: UInt16 // lines from the k-gram's first token to its last
}

/// Tokenizes files in parallel into hash-partitioned buckets, then sorts each bucket,
/// drops common fingerprints and serialises.
struct IndexBuilder {
    static let bucketBits = 10
    let parameters: CloneParameters
    let fileCount: Int

    func collect(jobs: Int, count: Int, tokens: (Int) -> CloneTokens) -> [[[IndexEntry]]] {
        let k = parameters.k, w = parameters.w
        let shift = UInt64(64 - IndexBuilder.bucketBits)
        return Parallel.forEach(count, jobs: jobs,
                                state: { [[IndexEntry]](repeating: [], count: 1 << IndexBuilder.bucketBits) }) { buckets, index in
            let fileTokens = tokens(index)
            let hashes = Winnowing.kgramHashes(fileTokens.kinds, k: k)
            for position in Winnowing.select(hashes, window: w) {
                let line = fileTokens.lines[position]
                let last = fileTokens.lines[position + k - 1]
                let entry = IndexEntry(hash: hashes[position], file: UInt32(index), token: UInt32(position),
                                       line: line, span: UInt16(clamping: last - line))
                buckets[Int(entry.hash >> shift)].append(entry)
            }
        }
    }

    /// Takes the buckets over (`consume` them): each is freed as soon as it is merged.
    func finish(buckets perWorker: consuming [[[IndexEntry]]], paths: [String], jobs: Int) -> Data {
        let bucketCount = 1 << IndexBuilder.bucketBits
        let parameters = self.parameters
        // Each bucket's entries are released as they are merged, and what is kept is stored
        // at its own size: the unfiltered entries of a kernel and the kept ones are never
        // all held twice.
        let collected = BucketBox(consume perWorker)
        let kept = Parallel.forEach(bucketCount, jobs: jobs, state: { [(Int, [IndexEntry])]() }) { out, bucket in
            var entries = collected.take(bucket)
            entries.sort { ($0.hash, $0.file, $0.token) < ($1.hash, $1.file, $1.token) }
            var count = 0
            var start = 0
            while start < entries.count {
                var end = start + 1
                var distinctFiles = 1
                while end < entries.count && entries[end].hash == entries[start].hash {
                    if entries[end].file != entries[end - 1].file { distinctFiles += 1 }
                    end += 1
                }
                if distinctFiles <= parameters.commonFiles && end - start <= parameters.commonOccurrences {
                    for index in start..<end {
                        entries[count] = entries[index]
                        count += 1
                    }
                }
                start = end
            }
            out.append((bucket, Array(entries[0..<count])))
        }
        var ordered = [[IndexEntry]](repeating: [], count: bucketCount)
        for worker in kept { for (bucket, entries) in worker { ordered[bucket] = entries } }
        return CloneIndexStorage.serialize(parameters: parameters, paths: paths, buckets: &ordered)
    }
}

/// The workers' buckets, handed out one bucket at a time (all workers' parts of it merged)
/// and then dropped.
final class BucketBox: @unchecked Sendable {
    // Safe: every access is under `lock`.
    private var buckets: [[[IndexEntry]]]
    private let lock = NSLock()

    init(_ buckets: consuming [[[IndexEntry]]]) { self.buckets = buckets }

    func take(_ bucket: Int) -> [IndexEntry] {
        lock.lock()
        defer { lock.unlock() }
        var merged: [IndexEntry] = []
        merged.reserveCapacity(buckets.reduce(0) { $0 + $1[bucket].count })
        for worker in buckets.indices {
            merged.append(contentsOf: buckets[worker][bucket])
            buckets[worker][bucket] = []
        }
        return merged
    }
}
