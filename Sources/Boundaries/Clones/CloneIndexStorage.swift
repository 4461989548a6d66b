// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The clone index's bytes, in memory and on disk (little-endian):
//   header (64 bytes): magic "CANDORCI", version, k, w, commonFiles, commonOccurrences,
//                      reserved, fileCount, entryCount, pathBytes, checksum of the rest
//   path offsets ((fileCount + 1) x UInt64), path bytes (padded to 8)
//   hashes (entryCount x UInt64, ascending), files, tokens, lines (x UInt32), spans (x UInt16)
// Loading checks every size, the checksum, file numbers and hash order, so a truncated or
// damaged cache is rebuilt rather than trusted.

import Foundation

struct CloneIndexCorrupt: Error, CustomStringConvertible {
    var reason: String
    var description: String { "corrupt clone index: \(reason)" }
}

final class CloneIndexStorage: @unchecked Sendable {
    static let magic: [UInt8] = Array("CANDORCI".utf8)
    static let version: UInt32 = 1
    static let headerSize = 64

    let data: Data
    let parameters: CloneParameters
    let paths: [String]
    let entryCount: Int
    // Byte offsets of the parallel arrays.
    let hashesOffset: Int
    let filesOffset: Int
    let tokensOffset: Int
    let linesOffset: Int
    let spansOffset: Int
    /// Entries whose hash starts with the 16 bits `p` are `directory[p]..<directory[p + 1]`:
    /// a lookup searches a few hundred entries instead of all ten million.
    let directory: [UInt32]
    static let directoryBits = 16

    init(data: Data) throws {
        self.data = data
        let count = data.count
        guard count >= CloneIndexStorage.headerSize else { throw CloneIndexCorrupt(reason: "\(count) bytes, shorter than the header") }
        let header = data.withUnsafeBytes { raw -> (magic: [UInt8], fields: [UInt32], counts: [UInt64]) in
            (Array(raw[0..<8]),
             (0..<6).map { raw.loadUnaligned(fromByteOffset: 8 + 4 * $0, as: UInt32.self).littleEndian },
             (0..<4).map { raw.loadUnaligned(fromByteOffset: 32 + 8 * $0, as: UInt64.self).littleEndian })
        }
        guard header.magic == CloneIndexStorage.magic else { throw CloneIndexCorrupt(reason: "bad magic") }
        guard header.fields[0] == CloneIndexStorage.version else {
            throw CloneIndexCorrupt(reason: "version \(header.fields[0]), expected \(CloneIndexStorage.version)")
        }
        parameters = CloneParameters(k: Int(header.fields[1]), w: Int(header.fields[2]),
                                     commonFiles: Int(header.fields[3]), commonOccurrences: Int(header.fields[4]))
        guard (1...4096).contains(parameters.k), (1...4096).contains(parameters.w) else {
            throw CloneIndexCorrupt(reason: "k \(parameters.k) or w \(parameters.w) out of range")
        }
        // Bound the counts by the size before any arithmetic that could overflow.
        guard header.counts[0] < UInt64(count / 8), header.counts[1] < UInt64(count / 8),
              header.counts[2] < UInt64(count) else {
            throw CloneIndexCorrupt(reason: "counts larger than the file")
        }
        // Matching numbers entries with UInt32 (CloneDetector's hits).
        guard header.counts[1] < UInt64(UInt32.max) else { throw CloneIndexCorrupt(reason: "more than 2^32 fingerprints") }
        let fileCount = Int(header.counts[0])
        entryCount = Int(header.counts[1])
        let pathBytes = Int(header.counts[2])
        let offsetsOffset = CloneIndexStorage.headerSize
        let pathsOffset = offsetsOffset + 8 * (fileCount + 1)
        hashesOffset = CloneIndexStorage.padded(pathsOffset + pathBytes)
        filesOffset = hashesOffset + 8 * entryCount
        tokensOffset = filesOffset + 4 * entryCount
        linesOffset = tokensOffset + 4 * entryCount
        spansOffset = linesOffset + 4 * entryCount
        let expected = CloneIndexStorage.padded(spansOffset + 2 * entryCount)
        guard expected == count else { throw CloneIndexCorrupt(reason: "\(count) bytes, expected \(expected)") }
        guard CloneIndexStorage.checksum(data) == header.counts[3] else { throw CloneIndexCorrupt(reason: "checksum mismatch") }

        let (hashesOffset, filesOffset, entryCount) = (self.hashesOffset, self.filesOffset, self.entryCount)
        var directory = [UInt32](repeating: 0, count: (1 << CloneIndexStorage.directoryBits) + 1)
        let shift = UInt64(64 - CloneIndexStorage.directoryBits)
        paths = try data.withUnsafeBytes { raw -> [String] in
            var paths: [String] = []
            paths.reserveCapacity(fileCount)
            var previous = 0
            for index in 0...fileCount {
                let stored = raw.loadUnaligned(fromByteOffset: offsetsOffset + 8 * index, as: UInt64.self).littleEndian
                guard stored <= UInt64(pathBytes), Int(stored) >= previous, index > 0 || stored == 0 else {
                    throw CloneIndexCorrupt(reason: "path table out of order")
                }
                let offset = Int(stored)
                if index > 0 {
                    paths.append(String(decoding: raw[(pathsOffset + previous)..<(pathsOffset + offset)], as: UTF8.self))
                }
                previous = offset
            }
            var last: UInt64 = 0
            for index in 0..<entryCount {
                let hash = raw.loadUnaligned(fromByteOffset: hashesOffset + 8 * index, as: UInt64.self).littleEndian
                let file = raw.loadUnaligned(fromByteOffset: filesOffset + 4 * index, as: UInt32.self).littleEndian
                guard hash >= last else { throw CloneIndexCorrupt(reason: "fingerprints out of order") }
                guard Int(file) < fileCount else { throw CloneIndexCorrupt(reason: "file number \(file) of \(fileCount)") }
                last = hash
                directory[Int(hash >> shift) + 1] += 1
            }
            return paths
        }
        for prefix in 1..<directory.count { directory[prefix] += directory[prefix - 1] }
        self.directory = directory
    }

    static func padded(_ n: Int) -> Int { (n + 7) & ~7 }

    /// A multiply-xor hash of every 8-byte word after the header.
    static func checksum(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { raw in
            var sum: UInt64 = 0x9E3779B97F4A7C15
            var offset = headerSize
            while offset + 8 <= raw.count {
                sum = (sum ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x100000001B3
                sum ^= sum >> 29
                offset += 8
            }
            return sum
        }
    }

    /// The bytes of an index; each bucket is emptied once written.
    static func serialize(parameters: CloneParameters, paths: [String], buckets: inout [[IndexEntry]]) -> Data {
        let entryCount = buckets.reduce(0) { $0 + $1.count }
        let pathBytes = paths.reduce(0) { $0 + $1.utf8.count }
        let pathsOffset = headerSize + 8 * (paths.count + 1)
        let hashesOffset = padded(pathsOffset + pathBytes)
        let filesOffset = hashesOffset + 8 * entryCount
        let tokensOffset = filesOffset + 4 * entryCount
        let linesOffset = tokensOffset + 4 * entryCount
        let spansOffset = linesOffset + 4 * entryCount
        let total = padded(spansOffset + 2 * entryCount)
        var data = Data(count: total)
        data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            func put<T: FixedWidthInteger>(_ value: T, _ offset: Int) {
                raw.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
            }
            for (index, byte) in magic.enumerated() { raw[index] = byte }
            put(version, 8)
            put(UInt32(parameters.k), 12)
            put(UInt32(parameters.w), 16)
            put(UInt32(parameters.commonFiles), 20)
            put(UInt32(parameters.commonOccurrences), 24)
            put(UInt64(paths.count), 32)
            put(UInt64(entryCount), 40)
            put(UInt64(pathBytes), 48)
            var offset = 0
            put(UInt64(0), headerSize)
            for (index, path) in paths.enumerated() {
                for byte in path.utf8 {
                    raw[pathsOffset + offset] = byte
                    offset += 1
                }
                put(UInt64(offset), headerSize + 8 * (index + 1))
            }
            var n = 0
            for index in buckets.indices {
                defer { buckets[index] = [] }
                for entry in buckets[index] {
                    put(entry.hash, hashesOffset + 8 * n)
                    put(entry.file, filesOffset + 4 * n)
                    put(entry.token, tokensOffset + 4 * n)
                    put(entry.line, linesOffset + 4 * n)
                    put(entry.span, spansOffset + 2 * n)
                    n += 1
                }
            }
        }
        let sum = checksum(data)
        data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in raw.storeBytes(of: sum.littleEndian, toByteOffset: 56, as: UInt64.self) }
        return data
    }

    /// Read access to the arrays for the duration of `body`.
    func withView<R>(_ body: (CloneIndexView) -> R) -> R {
        data.withUnsafeBytes { raw in
            directory.withUnsafeBufferPointer { directory in
                body(CloneIndexView(raw: raw, count: entryCount, hashes: hashesOffset, files: filesOffset,
                                    tokens: tokensOffset, lines: linesOffset, spans: spansOffset, directory: directory))
            }
        }
    }
}

struct CloneIndexView {
    let raw: UnsafeRawBufferPointer
    let count: Int
    let hashes: Int, files: Int, tokens: Int, lines: Int, spans: Int
    let directory: UnsafeBufferPointer<UInt32>

    @inline(__always) func hash(_ i: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: hashes + 8 * i, as: UInt64.self).littleEndian }
    @inline(__always) func file(_ i: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: files + 4 * i, as: UInt32.self).littleEndian }
    @inline(__always) func token(_ i: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: tokens + 4 * i, as: UInt32.self).littleEndian }
    @inline(__always) func line(_ i: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: lines + 4 * i, as: UInt32.self).littleEndian }
    @inline(__always) func span(_ i: Int) -> UInt16 { raw.loadUnaligned(fromByteOffset: spans + 2 * i, as: UInt16.self).littleEndian }

    /// Entries whose hash is `value`.
    func range(of value: UInt64) -> Range<Int> {
        let prefix = Int(value >> UInt64(64 - CloneIndexStorage.directoryBits))
        var low = Int(directory[prefix]), high = Int(directory[prefix + 1])
        while low < high {
            let mid = (low + high) / 2
            if hash(mid) < value { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < count && hash(end) == value { end += 1 }
        return low..<end
    }
}
