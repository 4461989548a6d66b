// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The one atomic file writer of the compliance targets (STYLE.md 16): a temporary file
// in the same directory, then rename(2), so a reader sees the old file or the whole new
// one, never a part.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A write that failed: the step, the path it failed on and the system's reason.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let reason: String

    public var description: String { "\(path): cannot \(operation): \(reason)" }
}

public enum AtomicFile {
    /// Writes `bytes` to `path` atomically. The directory must exist. The new file's mode is
    /// 0666 less the umask, as for any new file; on failure `path` is left as it was.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicFileError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        // Hidden, and unique per process and call, so parallel writers never share one.
        let temporary = directory + ".\(name).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd < 0 { throw failure("create", temporary) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = failure("write", temporary)
                _ = close(fd)
                unlink(temporary)
                throw error
            }
            offset += written
        }
        if close(fd) != 0 {
            let error = failure("write", temporary)
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let error = failure("rename the temporary file into place", path)
            unlink(temporary)
            throw error
        }
    }

    public static func write(_ data: Data, to path: String) throws(AtomicFileError) {
        try write([UInt8](data), to: path)
    }

    private static func failure(_ operation: String, _ path: String) -> AtomicFileError {
        AtomicFileError(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }
}
