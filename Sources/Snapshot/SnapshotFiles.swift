// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a snapshot directory atomically: every file goes into a hidden temporary
/// directory beside the target, is flushed to disk, and the directory is renamed into
/// place last, so a crash leaves either no snapshot or a whole one.
public enum SnapshotWriter {
    /// Writes `state` and the guest memory `regions` (host views of the regions the
    /// facts list, in the same order) to a new directory `path`, and returns the manifest
    /// written. `path` must not exist; its parent must.
    public static func write(to path: String, facts: SnapshotFacts, state: [UInt8],
                             memory regions: [UnsafeRawBufferPointer]) throws(SnapshotError) -> SnapshotManifest {
        let target = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var info = stat()
        if lstat(target, &info) == 0 { throw .alreadyExists(path: target) }
        let slash = target.lastIndex(of: "/")
        let parent = slash.map { $0 == target.startIndex ? "/" : String(target[..<$0]) } ?? "."
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        let temporary = (parent == "/" ? "" : parent) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        guard mkdir(temporary, 0o700) == 0 else { throw .io(path: temporary, operation: "create the directory", errno: errno) }
        do throws(SnapshotError) {
            let statePart = try writeFile(temporary + "/" + SnapshotFormat.stateName, state)
            let memoryPart = try writeMemory(temporary + "/" + SnapshotFormat.memoryName, regions)
            let manifest = SnapshotManifest(facts: facts, parts: [statePart, memoryPart])
            _ = try writeFile(temporary + "/" + SnapshotFormat.manifestName, manifest.encoded())
            try syncDirectory(temporary)
            guard rename(temporary, target) == 0 else {
                throw SnapshotError.io(path: target, operation: "rename the finished snapshot into place", errno: errno)
            }
            try syncDirectory(parent)
            return manifest
        } catch {
            removeDirectory(temporary)
            throw error
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(SnapshotError) -> SnapshotPart {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        defer { close(fd) }
        var failure: SnapshotError?
        bytes.withUnsafeBytes { buffer in
            do throws(SnapshotError) { try writeAll(fd, buffer, at: 0, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "flush", errno: errno) }
        return SnapshotPart(file: String(path[path.index(after: path.lastIndex(of: "/")!)...]), size: UInt64(bytes.count),
                            sha256: hex(SHA256.hash(data: bytes)))
    }

    /// The regions one after the other; pages of zeroes are not written, so they stay
    /// holes of the file (ftruncate sets its length first). The SHA-256 covers every byte.
    static func writeMemory(_ path: String, _ regions: [UnsafeRawBufferPointer]) throws(SnapshotError) -> SnapshotPart {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        defer { close(fd) }
        let total = regions.reduce(0) { $0 + $1.count }
        guard ftruncate(fd, off_t(total)) == 0 else { throw .io(path: path, operation: "set the length of", errno: errno) }
        var hasher = SHA256()
        var offset = 0
        let page = SnapshotFormat.pageSize
        for region in regions {
            hasher.update(bufferPointer: region)
            var start = 0
            while start < region.count {
                let length = min(page, region.count - start)
                let chunk = UnsafeRawBufferPointer(rebasing: region[start..<start + length])
                if !isZero(chunk) {
                    // Write the run of non-zero pages that starts here in one call.
                    var end = start + length
                    while end < region.count {
                        let next = UnsafeRawBufferPointer(rebasing: region[end..<min(end + page, region.count)])
                        if isZero(next) { break }
                        end += next.count
                    }
                    try writeAll(fd, UnsafeRawBufferPointer(rebasing: region[start..<end]), at: offset + start, path: path)
                    start = end
                } else {
                    start += length
                }
            }
            offset += region.count
        }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "flush", errno: errno) }
        return SnapshotPart(file: SnapshotFormat.memoryName, size: UInt64(total), sha256: hex(hasher.finalize()))
    }

    /// Whether every byte is zero (the memory file's holes; a migration's first round skips such pages).
    public static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let words = bytes.count / 8
        while index < words {
            if bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) != 0 { return false }
            index += 1
        }
        for i in (words * 8)..<bytes.count where bytes[i] != 0 { return false }
        return true
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(SnapshotError) {
        var done = 0
        while done < bytes.count {
            let written = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw .io(path: path, operation: "write", errno: written < 0 ? errno : EIO) }
            done += written
        }
    }

    static func syncDirectory(_ path: String) throws(SnapshotError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open the directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "flush the directory", errno: errno) }
    }

    static func removeDirectory(_ path: String) {
        for name in [SnapshotFormat.stateName, SnapshotFormat.memoryName, SnapshotFormat.manifestName] {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }
}

/// A snapshot directory opened for a restore: the manifest checked, the state file read
/// and checked; the memory file checked for its size now and for its checksum while
/// `loadMemory` reads it.
public struct SnapshotReader: Sendable {
    public let directory: String
    public let manifest: SnapshotManifest
    public let state: [UInt8]

    public var manifestPath: String { directory + "/" + SnapshotFormat.manifestName }
    public var statePath: String { directory + "/" + SnapshotFormat.stateName }
    public var memoryPath: String { directory + "/" + SnapshotFormat.memoryName }

    public init(directory path: String) throws(SnapshotError) {
        directory = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let manifestPath = directory + "/" + SnapshotFormat.manifestName
        manifest = try SnapshotManifest.decode(try Self.read(manifestPath, limit: SnapshotFormat.maximumManifestSize),
                                               path: manifestPath)
        let statePath = directory + "/" + SnapshotFormat.stateName
        let statePart = manifest.part(SnapshotFormat.stateName)!
        guard statePart.size <= UInt64(SnapshotFormat.maximumStateSize) else {
            throw .malformed(path: manifestPath, reason: "state.json size \(statePart.size) is more than \(SnapshotFormat.maximumStateSize)")
        }
        state = try Self.read(statePath, limit: SnapshotFormat.maximumStateSize)
        guard UInt64(state.count) == statePart.size else {
            throw .sizeMismatch(path: statePath, found: UInt64(state.count), expected: statePart.size)
        }
        let stateHash = hex(SHA256.hash(data: state))
        guard stateHash == statePart.sha256 else {
            throw .checksumMismatch(path: statePath, found: stateHash, expected: statePart.sha256)
        }
        let memoryPath = directory + "/" + SnapshotFormat.memoryName
        var info = stat()
        guard stat(memoryPath, &info) == 0 else { throw .io(path: memoryPath, operation: "open", errno: errno) }
        let expected = manifest.part(SnapshotFormat.memoryName)!.size
        guard UInt64(info.st_size) == expected else { throw .sizeMismatch(path: memoryPath, found: UInt64(info.st_size), expected: expected) }
    }

    /// Reads the memory file into `regions` (host views of fresh, zeroed guest RAM, in the
    /// manifest's order and sizes): data is copied, holes are skipped. Throws when the
    /// file's SHA-256 is not the manifest's; the memory is then garbage and must not run.
    public func loadMemory(into regions: [UnsafeMutableRawBufferPointer]) throws(SnapshotError) {
        let expectedSizes = manifest.facts.memoryRegions.map { Int($0.size) }
        guard regions.map(\.count) == expectedSizes else {
            throw .incompatible(path: manifestPath, reason: "memory regions of \(expectedSizes) bytes, the machine has \(regions.map(\.count))")
        }
        let fd = open(memoryPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: memoryPath, operation: "open", errno: errno) }
        defer { close(fd) }
        var hasher = SHA256()
        var fileOffset = 0
        for region in regions {
            var done = 0
            while done < region.count {
                // Where the next data is (seekData); the stretch before it is a hole and
                // already zero in fresh memory.
                // A file system without SEEK_DATA (EINVAL) has no holes to skip: read it all.
                let position = fileOffset + done
                let regionEnd = fileOffset + region.count
                let data = lseek(fd, off_t(position), seekData)
                let seekError = data < 0 ? errno : 0
                if data < 0 && seekError != ENXIO && seekError != EINVAL {
                    throw .io(path: memoryPath, operation: "seek in", errno: seekError)
                }
                let dataStart = seekError == EINVAL ? position : data < 0 ? regionEnd : min(Int(data), regionEnd)
                if dataStart > position {
                    done = dataStart - fileOffset
                    continue
                }
                let hole = seekError == EINVAL ? -1 : lseek(fd, off_t(position), seekHole)
                let dataEnd = hole < 0 ? regionEnd : min(Int(hole), regionEnd)
                var at = position
                while at < dataEnd {
                    let count = pread(fd, region.baseAddress! + (at - fileOffset), dataEnd - at, off_t(at))
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else {
                        throw count == 0 ? .sizeMismatch(path: memoryPath, found: UInt64(at), expected: manifest.part(SnapshotFormat.memoryName)!.size)
                            : .io(path: memoryPath, operation: "read", errno: errno)
                    }
                    at += count
                }
                done = dataEnd - fileOffset
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(region))
            fileOffset += region.count
        }
        let found = hex(hasher.finalize())
        let expected = manifest.part(SnapshotFormat.memoryName)!.sha256
        guard found == expected else { throw .checksumMismatch(path: memoryPath, found: found, expected: expected) }
    }

    /// A whole small file, refused when longer than `limit`.
    static func read(_ path: String, limit: Int) throws(SnapshotError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .io(path: path, operation: "read", errno: errno) }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
            guard bytes.count <= limit else { throw .malformed(path: path, reason: "longer than \(limit) bytes") }
        }
    }
}

/// lseek's whence values for sparse files (Linux), which Glibc does not export to Swift.
let seekData: Int32 = 3
let seekHole: Int32 = 4

/// Lowercase hex of a digest.
func hex(_ digest: some Sequence<UInt8>) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
}

extension SnapshotFormat {
    /// The SHA-256 of `bytes` in lowercase hex, as the manifest writes checksums.
    public static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }
}
