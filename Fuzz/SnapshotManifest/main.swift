// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the snapshot manifest parser (snapshot.json), the first file
// `candor-vm restore` reads. Built by scripts/fuzz.sh SnapshotManifest (the source is
// compiled into this module, hence no import). Properties: nothing traps; a refusal is
// one line that names the file; an accepted manifest has version 1, both parts, page-
// aligned regions whose total is the memory part's size, and survives encode → decode
// unchanged.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshotManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = "/snap/snapshot.json"
    do {
        let manifest = try SnapshotManifest.decode(bytes, path: path)
        precondition(manifest.formatVersion == SnapshotFormat.version)
        precondition(manifest.part(SnapshotFormat.stateName) != nil && manifest.part(SnapshotFormat.memoryName) != nil)
        precondition(manifest.facts.memoryRegions.allSatisfy { $0.size % 4096 == 0 && $0.start % 4096 == 0 })
        precondition(manifest.part(SnapshotFormat.memoryName)!.size == manifest.facts.memorySize)
        let again = try SnapshotManifest.decode(manifest.encoded(), path: path)
        precondition(again == manifest, "encode → decode changed the manifest")
    } catch {
        let text = error.description
        precondition(text.hasPrefix(path + ": "), "the error names the file: \(text)")
        precondition(!text.contains("\n"), "one line: \(text)")
    }
    return 0
}
