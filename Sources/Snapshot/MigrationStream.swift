// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation

/// The live-migration stream between two candor-vm processes: a sequence of records,
/// each framed as
///
///     type (1 byte) | 3 zero bytes | payload length (4 bytes, LE) | payload | CRC-32C (4 bytes, LE)
///
/// where the CRC covers the type, the zero bytes, the length and the payload. The source
/// sends a header (magic, format version, the machine's configuration), memory pages in
/// rounds, the machine's state (the snapshot's `state.json` encoding) and an end record.
/// The destination echoes each round end once it has taken every page before it (so the
/// source pauses the guest with nothing queued for the destination), and answers the end
/// with acknowledged or failed (failed may come at any time).
public enum MigrationFormat {
    /// The version this code writes and the only one it reads.
    public static let version: UInt32 = 2
    public static let magic = Array("CANDOR-MIGRATION".utf8)
    public static let pageSize = 4096
    /// The most pages one pages record carries.
    public static let pagesPerRecord = 256
    static let frameHeaderSize = 8
    /// The largest payload of each record type a reader accepts (a corrupt length must not
    /// make it allocate without bound).
    static func maximumPayload(_ type: UInt8) -> Int? {
        switch MigrationRecordType(rawValue: type) {
        case .header?: return magic.count + 4 + SnapshotFormat.maximumManifestSize
        case .pages?: return 8 + pagesPerRecord * pageSize
        case .roundEnd?: return 4
        case .state?: return SnapshotFormat.maximumStateSize
        case .end?, .acknowledged?: return 0
        case .failed?: return 4096
        case nil: return nil
        }
    }
}

public enum MigrationRecordType: UInt8, Sendable {
    case header = 1, pages = 2, roundEnd = 3, state = 4, end = 5
    /// The destination's answers.
    case acknowledged = 6, failed = 7
}

/// What the header carries: the machine's shape and host facts (as a snapshot records
/// them) and the virtio devices to make on the destination (`--device` values).
public struct MigrationConfiguration: Codable, Equatable, Sendable {
    public var facts: SnapshotFacts
    public var virtioDevices: [String]

    public init(facts: SnapshotFacts, virtioDevices: [String]) { self.facts = facts; self.virtioDevices = virtioDevices }

    enum CodingKeys: String, CodingKey { case facts, virtioDevices = "virtio_devices" }
}

public enum MigrationRecord: Equatable, Sendable {
    case header(MigrationConfiguration)
    /// Whole pages starting at guest-physical `address`.
    case pages(address: UInt64, bytes: [UInt8])
    case roundEnd(UInt32)
    /// The machine's state, opaque here (the Machine target encodes and decodes it).
    case state([UInt8])
    case end
    case acknowledged
    case failed(String)
}

/// Why a stream was refused: one line naming the stream (`source`) and the bad value.
public struct MigrationStreamError: Error, Equatable, Sendable, CustomStringConvertible {
    public var source: String
    public var reason: String

    public init(source: String, reason: String) { self.source = source; self.reason = reason }

    public var description: String { "\(source): \(reason)" }
}

/// Writes records to a transport (`write` must write every byte or throw). Pages records
/// are gathered into writes of about a MiB; any other record goes out at once with what
/// was gathered before it, so a reader waiting for it has everything up to it. (One write
/// per scattered dirty page made each a wake-up of the destination: in the nested lab,
/// 61 pages took 329 ms of downtime.)
public struct MigrationStreamWriter {
    let write: (UnsafeRawBufferPointer) throws -> Void
    /// Bytes written so far, framing included.
    public private(set) var bytesWritten: UInt64 = 0
    /// Framed records not yet written.
    private var pending: [UInt8] = []
    static let gatherLimit = 1 << 20

    public init(write: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.write = write }

    public mutating func send(_ record: MigrationRecord) throws {
        switch record {
        case let .header(configuration):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var payload = MigrationFormat.magic
            appendLittleEndian(MigrationFormat.version, to: &payload)
            payload += Array(try encoder.encode(configuration))
            try sendFrame(.header, payload)
        case let .pages(address, bytes):
            try bytes.withUnsafeBytes { try sendPages(address: address, $0) }
        case let .roundEnd(round):
            var payload: [UInt8] = []
            appendLittleEndian(round, to: &payload)
            try sendFrame(.roundEnd, payload)
        case let .state(bytes): try sendFrame(.state, bytes)
        case .end: try sendFrame(.end, [UInt8]())
        case .acknowledged: try sendFrame(.acknowledged, [UInt8]())
        case let .failed(message): try sendFrame(.failed, Array(message.utf8.prefix(4096)))
        }
    }

    /// Sends `bytes` (whole pages of guest memory at `address`, at most `pagesPerRecord`).
    /// They are copied first: a running guest may change them while they are sent, and
    /// the checksum must cover the bytes that go out (a torn page is sent again in the
    /// next round, since the guest's write is in the dirty log).
    public mutating func sendPages(address: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        var prefix: [UInt8] = []
        appendLittleEndian(address, to: &prefix)
        try prefix.withUnsafeBytes { try sendFrame(.pages, [$0, bytes]) }
    }

    private mutating func sendFrame(_ type: MigrationRecordType, _ payload: [UInt8]) throws {
        try payload.withUnsafeBytes { try sendFrame(type, [$0]) }
    }

    /// Frames the pieces into `pending` (the checksum over the copy that goes out) and
    /// writes what is pending unless this is a pages record below the gather limit.
    private mutating func sendFrame(_ type: MigrationRecordType, _ pieces: [UnsafeRawBufferPointer]) throws {
        let start = pending.count
        pending += [type.rawValue, 0, 0, 0]
        appendLittleEndian(UInt32(pieces.reduce(0) { $0 + $1.count }), to: &pending)
        for piece in pieces { pending.append(contentsOf: piece) }
        var crc = CRC32C()
        pending.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        appendLittleEndian(crc.value, to: &pending)
        bytesWritten += UInt64(pending.count - start)
        if type != .pages || pending.count >= Self.gatherLimit { try flush() }
    }

    /// Writes the gathered records now.
    public mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try write($0) }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Reads and checks records from a transport (`read` fills the whole buffer or throws;
/// an end of stream is an error there). Every refusal is a `MigrationStreamError`.
public struct MigrationStreamReader {
    let read: (UnsafeMutableRawBufferPointer) throws -> Void
    let source: String

    public init(source: String, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Void) {
        self.source = source
        self.read = read
    }

    func refuse(_ reason: String) -> MigrationStreamError { MigrationStreamError(source: source, reason: reason) }

    public func next() throws -> MigrationRecord {
        var header = [UInt8](repeating: 0, count: MigrationFormat.frameHeaderSize)
        try header.withUnsafeMutableBytes { try read($0) }
        guard let type = MigrationRecordType(rawValue: header[0]), let maximum = MigrationFormat.maximumPayload(header[0]) else {
            throw refuse("unknown record type \(header[0]); not a candor-vm migration stream, or a newer one")
        }
        guard header[1] == 0, header[2] == 0, header[3] == 0 else {
            throw refuse("record type \(type): reserved bytes are not zero")
        }
        let length = Int(loadLittleEndian(UInt32.self, header, at: 4))
        guard length <= maximum else { throw refuse("record type \(type): length \(length) is more than its limit \(maximum)") }
        var payload = [UInt8](repeating: 0, count: length)
        if length > 0 { try payload.withUnsafeMutableBytes { try read($0) } }
        var trailer = [UInt8](repeating: 0, count: 4)
        try trailer.withUnsafeMutableBytes { try read($0) }
        var crc = CRC32C()
        header.withUnsafeBytes { crc.update($0) }
        payload.withUnsafeBytes { crc.update($0) }
        let expected = loadLittleEndian(UInt32.self, trailer, at: 0)
        guard crc.value == expected else {
            throw refuse("record type \(type) (\(length) bytes): CRC-32C \(hex(crc.value)) does not match the stream's \(hex(expected)); the stream is corrupt")
        }
        return try decode(type, payload)
    }

    func decode(_ type: MigrationRecordType, _ payload: [UInt8]) throws -> MigrationRecord {
        switch type {
        case .header:
            let magic = MigrationFormat.magic
            guard payload.count >= magic.count + 4, Array(payload[0..<magic.count]) == magic else {
                throw refuse("the header does not start with \(String(decoding: magic, as: UTF8.self)); not a candor-vm migration stream")
            }
            let version = loadLittleEndian(UInt32.self, payload, at: magic.count)
            guard version == MigrationFormat.version else {
                throw refuse("format version \(version) is not supported; this candor-vm reads version \(MigrationFormat.version)")
            }
            let configuration: MigrationConfiguration
            do {
                configuration = try JSONDecoder().decode(MigrationConfiguration.self, from: Data(payload[(magic.count + 4)...]))
            } catch { throw refuse("the header's configuration: \(SnapshotManifest.reason(error))") }
            if let problem = configuration.facts.problem { throw refuse("the header's configuration: \(problem)") }
            return .header(configuration)
        case .pages:
            guard payload.count > 8, (payload.count - 8) % MigrationFormat.pageSize == 0 else {
                throw refuse("a pages record of \(payload.count) bytes does not hold an address and whole pages")
            }
            return .pages(address: loadLittleEndian(UInt64.self, payload, at: 0), bytes: Array(payload[8...]))
        case .roundEnd:
            guard payload.count == 4 else { throw refuse("a round-end record of \(payload.count) bytes, not 4") }
            return .roundEnd(loadLittleEndian(UInt32.self, payload, at: 0))
        case .state: return .state(payload)
        case .end, .acknowledged:
            guard payload.isEmpty else { throw refuse("record type \(type) carries \(payload.count) bytes, none expected") }
            return type == .end ? .end : .acknowledged
        case .failed:
            guard let message = String(validating: payload, as: UTF8.self) else { throw refuse("a failure message that is not UTF-8") }
            return .failed(message)
        }
    }
}

/// The order a stream must follow and where its pages may go, checked record by record
/// on the destination: one header first, pages inside the header's memory regions, one
/// state, then the end; nothing after it.
public struct MigrationStreamOrder {
    public private(set) var configuration: MigrationConfiguration?
    public private(set) var state: [UInt8]?
    public private(set) var ended = false
    public private(set) var pagesReceived: UInt64 = 0
    let source: String

    public init(source: String) { self.source = source }

    /// Checks `record`; for pages, returns the byte offset into the regions laid end to
    /// end (the snapshot memory file's order) where they go.
    public mutating func accept(_ record: MigrationRecord) throws -> UInt64? {
        func refuse(_ reason: String) -> MigrationStreamError { MigrationStreamError(source: source, reason: reason) }
        guard !ended else { throw refuse("a record after the end of the stream") }
        switch record {
        case let .header(configuration):
            guard self.configuration == nil else { throw refuse("a second header") }
            self.configuration = configuration
            return nil
        case .acknowledged, .failed:
            throw refuse("a destination's answer in the source's stream")
        default: break
        }
        guard let configuration else { throw refuse("the stream does not start with a header") }
        switch record {
        case let .pages(address, bytes):
            guard state == nil else { throw refuse("pages after the machine's state") }
            guard address % UInt64(MigrationFormat.pageSize) == 0 else {
                throw refuse("pages at 0x\(String(address, radix: 16)), which is not page-aligned")
            }
            var offset: UInt64 = 0
            for region in configuration.facts.memoryRegions {
                if address >= region.start, address - region.start <= region.size,
                   UInt64(bytes.count) <= region.size - (address - region.start) {
                    pagesReceived += UInt64(bytes.count / MigrationFormat.pageSize)
                    return offset + (address - region.start)
                }
                offset += region.size
            }
            throw refuse("\(bytes.count) bytes of pages at 0x\(String(address, radix: 16)) are outside the guest's memory regions")
        case let .state(bytes):
            guard state == nil else { throw refuse("a second machine state") }
            state = bytes
            return nil
        case .end:
            guard state != nil else { throw refuse("the stream ends without the machine's state") }
            ended = true
            return nil
        default:
            return nil
        }
    }
}

/// CRC-32C (Castagnoli, reflected), eight bytes at a step ("slicing by 8": table k
/// gives a byte's contribution k bytes before the end of the step), then byte by byte.
struct CRC32C {
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 != 0 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1 }
            tables[index] = value
        }
        for table in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(table - 1) * 256 + index]
                tables[table * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xff)]
            }
        }
        return tables
    }()
    private var state: UInt32 = 0xffff_ffff

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = state
        Self.tables.withUnsafeBufferPointer { table in
            var offset = 0
            while offset + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) ^ UInt64(crc)
                var next: UInt32 = 0
                for byte in 0..<8 { next ^= table[(7 - byte) * 256 + Int((word >> (8 * UInt64(byte))) & 0xff)] }
                crc = next
                offset += 8
            }
            while offset < bytes.count {
                crc = table[Int((crc ^ UInt32(bytes[offset])) & 0xff)] ^ (crc >> 8)
                offset += 1
            }
        }
        state = crc
    }

    var value: UInt32 { state ^ 0xffff_ffff }
}

private func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}

private func loadLittleEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
    var value: T = 0
    for index in (0..<MemoryLayout<T>.size).reversed() { value = value << 8 | T(bytes[offset + index]) }
    return value
}

private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
