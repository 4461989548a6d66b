// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// File access for the scanner. Paths stay raw bytes until they are displayed, so a file
// whose name is not valid UTF-8 can still be opened. Reading goes through `FileReader`,
// which tests replace to count how many files were actually read.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A path as the kernel sees it: bytes, no terminating NUL.
struct RawPath: Hashable, Sendable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ string: String) { self.bytes = Array(string.utf8) }

    /// For display and the report: invalid UTF-8 becomes U+FFFD.
    var display: String { String(decoding: bytes, as: UTF8.self) }
    var isValidUTF8: Bool { String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]) != nil }

    func appending(_ component: [UInt8]) -> RawPath {
        if bytes.isEmpty { return RawPath(component) }
        return RawPath(bytes + [UInt8(ascii: "/")] + component)
    }

    func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}

/// What `lstat` says about a path; the cache key is made from it.
struct FileStatus: Hashable, Sendable, Codable {
    enum Kind: Sendable { case regular, directory, symlink, other }
    var size: UInt64
    var modifiedNanoseconds: Int64
    var changedNanoseconds: Int64
    var inode: UInt64
    var device: UInt64
    var mode: UInt32

    var kind: Kind {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): return .regular
        case UInt32(S_IFDIR): return .directory
        case UInt32(S_IFLNK): return .symlink
        default: return .other
        }
    }

    /// `lstat`: never follows a symbolic link.
    static func of(_ path: RawPath) -> Result<FileStatus, Errno> {
        var st = stat()
        let rc = path.withCString { lstat($0, &st) }
        if rc != 0 { return .failure(.current()) }
        return .success(FileStatus(st))
    }

    /// `fstatat(directory, name, AT_SYMLINK_NOFOLLOW)`: `lstat` of an entry of an open
    /// directory, without the kernel walking the whole path again.
    static func of(name: UnsafePointer<CChar>, inDirectory directory: Int32) -> Result<FileStatus, Errno> {
        var st = stat()
        if fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { return .failure(.current()) }
        return .success(FileStatus(st))
    }
}

extension FileStatus {
    /// The fields of a `stat` the scanner uses (the memberwise initializer stays available).
    fileprivate init(_ st: stat) {
        self.init(
            size: UInt64(max(0, st.st_size)),
            modifiedNanoseconds: Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec),
            changedNanoseconds: Int64(st.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_ctim.tv_nsec),
            inode: UInt64(st.st_ino), device: UInt64(st.st_dev), mode: UInt32(st.st_mode))
    }
}

/// errno of a failed call, as a Result's failure.
struct Errno: Error, Equatable {
    var code: POSIXErrorCode
    static let ENOENT = Errno(code: .ENOENT)
    static let ELOOP = Errno(code: .ELOOP)

    static func current() -> Errno { Errno(code: POSIXErrorCode(rawValue: errno) ?? .EIO) }
    var message: String { String(cString: strerror(code.rawValue)) }
}

/// An error of the file layer: the operation, the path and errno's message.
struct FileAccessError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: POSIXErrorCode

    var description: String { "\(operation) \(path): \(String(cString: strerror(code.rawValue)))" }
    var isPermissionDenied: Bool { code == .EACCES || code == .EPERM }
}

/// Reads file contents. `open` returns a handle whose chunks are read in order; the
/// scanner hashes while reading, so a huge file is never held in memory.
struct FileReader: Sendable {
    var open: @Sendable (RawPath) throws -> FileContentStream

    static let system = FileReader { path in try SystemFileStream(path) }
}

protocol FileContentStream: AnyObject {
    /// Up to `max` bytes; empty at end of file.
    func read(max: Int) throws -> [UInt8]
    func close()
}

final class SystemFileStream: FileContentStream {
    private var fd: Int32
    private let path: RawPath

    init(_ path: RawPath) throws {
        self.path = path
        fd = path.withCString { Glibc.open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        if fd < 0 {
            throw FileAccessError(operation: "open", path: path.display, code: POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Reads into uninitialized memory: zeroing a 1 MiB buffer twice per file (data, then
    /// end of file) was a tenth of a first scan's CPU time.
    func read(max: Int) throws -> [UInt8] {
        var failure: Int32 = 0
        let buffer = [UInt8](unsafeUninitializedCapacity: max) { buffer, initialized in
            initialized = 0
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, max)
                if n >= 0 { initialized = n; return }
                if errno == EINTR { continue }
                failure = errno
                return
            }
        }
        if failure != 0 {
            throw FileAccessError(operation: "read", path: path.display, code: POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
        return buffer
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}

/// Reads a whole small file as bytes (configuration files, dpkg lists, Package.resolved).
func readSmallFile(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
    let stream = try SystemFileStream(RawPath(path))
    defer { stream.close() }
    var out: [UInt8] = []
    while out.count <= limit {
        let chunk = try stream.read(max: 1 << 16)
        if chunk.isEmpty { return out }
        out += chunk
    }
    throw FileAccessError(operation: "read", path: path, code: .EFBIG)
}

func readTextFile(_ path: String) throws -> String {
    String(decoding: try readSmallFile(path), as: UTF8.self)
}

func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

/// Creates `path` and its parents (like `mkdir -p`).
func makeDirectories(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw FileAccessError(operation: "mkdir", path: path, code: .EACCES)
    }
}

/// Symbolic link target, as bytes.
func readLink(_ path: RawPath) -> [UInt8]? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = path.withCString { readlink($0, &buffer, buffer.count - 1) }
    if n < 0 { return nil }
    return buffer[0..<n].map { UInt8(bitPattern: $0) }
}

/// `realpath`, or nil when the path does not resolve (dangling link, loop).
func resolvedPath(_ path: RawPath) -> Result<RawPath, Errno> {
    guard let p = path.withCString({ realpath($0, nil) }) else {
        return .failure(.current())
    }
    defer { free(p) }
    let len = strlen(p)
    return .success(RawPath(UnsafeBufferPointer(start: p, count: len).map { UInt8(bitPattern: $0) }))
}
