// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The guest pages written by anything but a vCPU while a live migration runs: devices in
/// this process and vhost-user backends in theirs, which KVM's dirty-page log never sees.
/// One bit per 4 KiB page of guest-physical address space, in vhost-user's log layout
/// (bit N % 8 of byte N / 8 is page N; on x86 also bit N % 64 of 64-bit word N / 64), in a
/// shared file so that backends map the same bits (VHOST_USER_SET_LOG_BASE).
// @unchecked: the bits are shared memory that backends set concurrently, touched here
// only through atomic operations; `active` is an Atomic.
public final class GuestWriteLog: @unchecked Sendable {
    public static let pageSize: UInt64 = 4096

    /// The log's file, for backends (SET_LOG_BASE sends it with `byteCount`).
    public let fileDescriptor: Int32
    public let byteCount: Int
    private let words: UnsafeMutablePointer<UInt64>
    private let active = Atomic<Bool>(false)

    /// A log for guest-physical addresses below `addressLimit`.
    init(addressLimit: UInt64) throws(GuestMemoryError) {
        let pages = (addressLimit + Self.pageSize - 1) / Self.pageSize
        let byteCount = Int(max(1, (pages + 63) / 64) * 8)
        let fd = try sharedMemoryFile(size: UInt64(byteCount), name: "write-log")
        let pointer = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let pointer, pointer != MAP_FAILED else {
            let err = errno
            close(fd)
            throw .mapFailed(size: UInt64(byteCount), errno: err)
        }
        self.fileDescriptor = fd
        self.byteCount = byteCount
        self.words = pointer.bindMemory(to: UInt64.self, capacity: byteCount / 8)
    }

    deinit {
        munmap(words, byteCount)
        close(fileDescriptor)
    }

    /// Whether this process marks its own writes (`mark`). Backends follow VHOST_F_LOG_ALL.
    public var isActive: Bool { active.load(ordering: .acquiring) }

    /// Starts logging with every mark cleared, or stops it.
    public func setActive(_ on: Bool) {
        if on {
            for index in 0..<(byteCount / 8) { _ = cposix_atomic_exchange_u64(Self.cWord(words + index), 0) }
        }
        active.store(on, ordering: .releasing)
    }

    /// Marks the pages of `[address, address + length)` as written, when logging is on.
    /// Call it after the write: a mark read before the write would lose it.
    public func mark(_ address: GuestAddress, length: UInt64) {
        guard length > 0, active.load(ordering: .acquiring) else { return }
        let limit = UInt64(byteCount) * 8
        var page = address.rawValue / Self.pageSize
        let last = min((address.rawValue + (length - 1)) / Self.pageSize, limit - 1)
        while page <= last {
            let word = page / 64
            let end = min(last, word * 64 + 63)
            let count = end - page + 1
            let bits = (count == 64 ? UInt64.max : (UInt64(1) << count) - 1) << (page % 64)
            cposix_atomic_or_u64(Self.cWord(words + Int(word)), bits)
            page = end + 1
        }
    }

    /// Takes (reads and clears) the marks of the `pageCount` pages from `firstPage`: bit
    /// i % 64 of word i / 64 is page `firstPage + i`, as in a KVM dirty log of a slot there.
    public func take(firstPage: UInt64, pageCount: UInt64) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: Int((pageCount + 63) / 64))
        let end = min(firstPage + pageCount, UInt64(byteCount) * 8)
        guard firstPage < end else { return result }
        for word in (firstPage / 64)...((end - 1) / 64) {
            let low = word * 64
            var mask = UInt64.max
            if low < firstPage { mask &= ~((UInt64(1) << (firstPage - low)) - 1) }
            if end - low < 64 { mask &= (UInt64(1) << (end - low)) - 1 }
            let pointer = Self.cWord(words + Int(word))
            let taken = cposix_atomic_exchange_u64(pointer, 0)
            // Marks of pages outside the range stay for their own reader.
            if taken & ~mask != 0 { cposix_atomic_or_u64(pointer, taken & ~mask) }
            var rest = taken & mask
            while rest != 0 {
                let local = low + UInt64(rest.trailingZeroBitCount) - firstPage
                result[Int(local / 64)] |= UInt64(1) << (local % 64)
                rest &= rest - 1
            }
        }
        return result
    }

    private static func cWord(_ pointer: UnsafeMutablePointer<UInt64>) -> UnsafeMutablePointer<CUnsignedLongLong> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: CUnsignedLongLong.self)
    }
}

/// A POSIX shared-memory object of `size` bytes, unlinked at once: only the returned
/// descriptor names it, and another process gets it only when that descriptor is sent.
func sharedMemoryFile(size: UInt64, name: String) throws(GuestMemoryError) -> Int32 {
    let path = "/candor-\(name)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd >= 0 { shm_unlink(path) }
    guard fd >= 0, ftruncate(fd, off_t(size)) == 0 else {
        let err = errno
        if fd >= 0 { close(fd) }
        throw .mapFailed(size: size, errno: err)
    }
    return fd
}
