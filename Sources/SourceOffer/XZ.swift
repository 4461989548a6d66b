// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// xz through liblzma. Compression is single-threaded with a fixed preset and CRC64 check,
// so the same input always gives the same bytes.

import AtomicFile
import CLZMA
import Foundation

public enum XZ {
    /// Fixed preset: part of the bundle format; changing it changes every bundle's hash.
    static let preset: UInt32 = 6

    public static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = lzma_stream()
        let ret = lzma_easy_encoder(&stream, preset, LZMA_CHECK_CRC64)
        guard ret == LZMA_OK else { throw SourceOfferError.xz(step: "lzma_easy_encoder", code: Int(ret.rawValue)) }
        defer { lzma_end(&stream) }
        return try run(&stream, input, step: "compress")
    }

    /// `compress`, remembered under the input's SHA-256 in `cacheDirectory`: a source bundle
    /// is mostly tarballs that are compressed already, which costs xz seconds for nothing, and
    /// a warm release archives the same bytes again. A cached stream is used only when it
    /// decompresses to exactly the input; a failure to write the cache only costs the next run.
    public static func compress(_ input: [UInt8], cacheDirectory: String?) throws -> [UInt8] {
        guard let cacheDirectory else { return try compress(input) }
        let digest = FileSystem.sha256(input)
        let path = "\(cacheDirectory)/\(digest)-\(preset).xz"
        if let cached = FileManager.default.contents(atPath: path).map([UInt8].init),
           let expanded = try? decompress(cached, outputLimit: input.count), expanded == input {
            return cached
        }
        let output = try compress(input)
        try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try? AtomicFile.write(output, to: path)
        return output
    }

    /// Refuses streams that would need more than `memoryLimit` bytes of decoder memory or
    /// expand beyond `outputLimit` bytes (a hostile archive must not exhaust memory).
    public static func decompress(_ input: [UInt8], memoryLimit: UInt64 = 256 << 20, outputLimit: Int = 4 << 30) throws -> [UInt8] {
        var stream = lzma_stream()
        let ret = lzma_stream_decoder(&stream, memoryLimit, 0)
        guard ret == LZMA_OK else { throw SourceOfferError.xz(step: "lzma_stream_decoder", code: Int(ret.rawValue)) }
        defer { lzma_end(&stream) }
        return try run(&stream, input, step: "decompress", outputLimit: outputLimit)
    }

    private static func run(_ stream: inout lzma_stream, _ input: [UInt8], step: String, outputLimit: Int = .max) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = inBuffer.count
            while true {
                let ret: lzma_ret = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = outBuffer.count
                    return lzma_code(&stream, LZMA_FINISH)
                }
                output += chunk[0..<(chunk.count - stream.avail_out)]
                guard output.count <= outputLimit else {
                    throw SourceOfferError.xz(step: step + " (output larger than \(outputLimit) bytes)", code: Int(LZMA_MEMLIMIT_ERROR.rawValue))
                }
                if ret == LZMA_STREAM_END { return }
                guard ret == LZMA_OK else { throw SourceOfferError.xz(step: step, code: Int(ret.rawValue)) }
                if stream.avail_in == 0 && stream.avail_out != 0 {
                    throw SourceOfferError.xz(step: step + " (truncated input)", code: Int(LZMA_BUF_ERROR.rawValue))
                }
            }
        }
        return output
    }
}
