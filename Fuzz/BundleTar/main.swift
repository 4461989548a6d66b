// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Fuzzes the bundle's tar reader: any input must give entries or a SourceOfferError, never
// a trap, and every entry it accepts must have a safe path and survive a write/read trip.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let entries = try? TarReader.entries(bytes) else { return 0 }
    for entry in entries {
        do { try TarPath.validate(entry.path) } catch { fatalError("accepted unsafe path \(entry.path): \(error)") }
    }
    guard let written = try? TarWriter.archive(entries, mtime: 0), let again = try? TarReader.entries(written) else {
        fatalError("accepted entries do not round-trip")
    }
    let sorted = entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    guard again == sorted else { fatalError("round trip changed the entries") }
    return 0
}
