// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// Guest-memory steps shared by the loaders, each failing with a LoaderError that names
/// what was being placed.
extension GuestMemory {
    /// Writes `bytes` at `address`, or `.outsideGuestMemory(what:...)`.
    func place<Bytes: Collection>(_ bytes: Bytes, at address: GuestAddress, what: String) throws where Bytes.Element == UInt8 {
        try requireRange(at: address, size: UInt64(bytes.count), what: what)
        try write(bytes, at: address)
    }

    func requireRange(at address: GuestAddress, size: UInt64, what: String) throws {
        guard region(containing: address, length: size) != nil else {
            throw LoaderError.outsideGuestMemory(what: what, address: address, size: size)
        }
    }

    /// Writes the command line with its terminating NUL.
    func placeCommandLine(_ commandLine: String, at address: GuestAddress) throws {
        let bytes = Array(commandLine.utf8)
        guard !bytes.contains(0) else { throw LoaderError.commandLineContainsNul }
        try place(bytes + [0], at: address, what: "command line")
    }

    /// Puts the initrd at the highest page-aligned RAM address that keeps it below `limit`
    /// (exclusive) and above `floor` (the end of the kernel), as boot loaders do so the
    /// kernel's own allocations below it stay free. Returns its address.
    func placeInitrd(_ initrd: [UInt8], memoryMap: [E820Entry], floor: GuestAddress, limit: UInt64) throws -> GuestAddress {
        let size = UInt64(initrd.count)
        guard size <= totalSize else { throw LoaderError.initrdLargerThanMemory(size: size, memory: totalSize) }
        let ram = memoryMap.filter { $0.type == .ram }.sorted { $0.address > $1.address }
        for entry in ram {
            let (entryEnd, overflow) = entry.address.rawValue.addingReportingOverflow(entry.size)
            let end = min(overflow ? UInt64.max : entryEnd, limit)
            guard end >= size else { continue }
            let start = (end - size) & ~UInt64(0xfff)
            guard start >= entry.address.rawValue, start >= floor.rawValue,
                  region(containing: GuestAddress(start), length: size) != nil else { continue }
            try write(initrd, at: GuestAddress(start))
            return GuestAddress(start)
        }
        throw LoaderError.initrdDoesNotFit(size: size, limit: limit)
    }
}
