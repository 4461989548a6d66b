// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CLZMA

/// Unpacks a bzImage payload (the compressed vmlinux) with liblzma.
enum PayloadUnpacker {
    /// A payload that unpacks to more than this is refused (a kernel is tens of MiB).
    static let maximumSize = 1 << 30

    static func unpack(_ payload: ArraySlice<UInt8>) throws -> [UInt8] {
        let format = Self.format(of: payload)
        guard format == "xz" else { throw LoaderError.unsupportedPayload(format: format) }
        var stream = lzma_stream()
        // No LZMA_CONCATENATED: decoding stops at the end of the xz stream, before the
        // 4-byte uncompressed size that the kernel build appends.
        let started = lzma_stream_decoder(&stream, UInt64.max, 0)
        guard started == LZMA_OK else { throw LoaderError.decompressionFailed(reason: "lzma_stream_decoder returned \(started.rawValue)") }
        defer { lzma_end(&stream) }

        var output: [UInt8] = []
        // The appended size, when plausible, lets the buffer grow once.
        if payload.count >= 4 {
            let tail = payload.suffix(4)
            let expected = tail.reversed().reduce(0) { $0 << 8 | Int($1) }
            if expected <= maximumSize { output.reserveCapacity(expected) }
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        return try payload.withUnsafeBufferPointer { input -> [UInt8] in
            stream.next_in = input.baseAddress
            stream.avail_in = input.count
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer -> (lzma_ret, Int) in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = buffer.count
                    let status = lzma_code(&stream, LZMA_FINISH)
                    return (status, buffer.count - stream.avail_out)
                }
                output += chunk[0..<produced]
                guard output.count <= maximumSize else {
                    throw LoaderError.decompressionFailed(reason: "unpacks to more than \(maximumSize) bytes")
                }
                switch status {
                case LZMA_OK: continue
                case LZMA_STREAM_END: return output
                case LZMA_BUF_ERROR: throw LoaderError.decompressionFailed(reason: "the xz stream is truncated")
                case LZMA_DATA_ERROR, LZMA_FORMAT_ERROR: throw LoaderError.decompressionFailed(reason: "the xz stream is corrupt")
                case LZMA_OPTIONS_ERROR: throw LoaderError.decompressionFailed(reason: "the xz stream uses unsupported options")
                case LZMA_MEM_ERROR: throw LoaderError.decompressionFailed(reason: "out of memory")
                default: throw LoaderError.decompressionFailed(reason: "liblzma returned \(status.rawValue)")
                }
            }
        }
    }

    /// The compression format, from the magic bytes the kernel's decompressors accept.
    static func format(of payload: ArraySlice<UInt8>) -> String {
        let magics: [(String, [UInt8])] = [
            ("xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), ("gzip", [0x1f, 0x8b]), ("bzip2", [0x42, 0x5a, 0x68]),
            ("lzma", [0x5d, 0x00, 0x00]), ("lzo", [0x89, 0x4c, 0x5a]), ("lz4", [0x02, 0x21, 0x4c, 0x18]),
            ("zstd", [0x28, 0xb5, 0x2f, 0xfd]),
        ]
        return magics.first { payload.starts(with: $0.1) }?.0 ?? "an unknown format"
    }
}
