// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the live-migration stream decoder, what `candor-vm run --incoming`
// reads from the network. Built by scripts/fuzz.sh MigrationStream (the sources are
// compiled into this module, hence no import). Properties: nothing traps; a refusal is
// one line naming the stream; an accepted stream starts with a header, its pages lie
// inside the header's memory regions, and every record re-encodes to the same bytes.
//
// An input whose first byte is odd is fed with a valid CRC-32C recomputed over each
// frame, so the fuzzer reaches the decoders behind the checksum.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMigrationStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = bytes.first else { return 0 }
    bytes.removeFirst()
    if mode & 1 == 1 { bytes = withChecksums(bytes) }
    var offset = 0
    let source = "incoming migration on unix:/fuzz"
    let reader = MigrationStreamReader(source: source) { buffer in
        guard offset + buffer.count <= bytes.count else {
            throw MigrationStreamError(source: source, reason: "the other side closed the connection")
        }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + buffer.count])) }
        offset += buffer.count
    }
    var order = MigrationStreamOrder(source: source)
    do {
        while !order.ended {
            let start = offset
            let record = try reader.next()
            let placed = try order.accept(record)
            if case let .pages(_, pages) = record {
                let placed = placed!
                precondition(placed + UInt64(pages.count) <= order.configuration!.facts.memorySize, "pages beyond the memory")
            }
            precondition(order.configuration != nil, "a record accepted before the header")
            var again: [UInt8] = []
            var writer = MigrationStreamWriter { again.append(contentsOf: $0) }
            try writer.send(record)
            if case .header = record { continue }  // JSON may be spelled differently
            precondition(again == Array(bytes[start..<offset]), "re-encoding changed the record")
        }
    } catch let error as MigrationStreamError {
        let text = error.description
        precondition(text.hasPrefix(source + ": "), "the error names the stream: \(text)")
        precondition(!text.contains("\n"), "one line: \(text)")
    } catch {
        preconditionFailure("an error that is not a MigrationStreamError: \(error)")
    }
    return 0
}

/// Rewrites the CRC of every whole frame in `bytes` to the right one.
func withChecksums(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var offset = 0
    while offset + 8 <= bytes.count {
        let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
        let end = offset + 8 + length
        guard end + 4 <= bytes.count else { break }
        var crc = CRC32C()
        bytes[offset..<end].withUnsafeBytes { crc.update($0) }
        let value = crc.value
        for index in 0..<4 { bytes[end + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        offset = end + 4
    }
    return bytes
}
