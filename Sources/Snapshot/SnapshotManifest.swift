// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation

/// The on-disk snapshot of a paused VM: a directory with three files.
/// - `snapshot.json`, this manifest: the format version, the facts a restore depends on,
///   and the size and SHA-256 of every other file;
/// - `state.json`: the machine's state (vCPUs, interrupt controllers, timer, clock,
///   devices), written and read by the Machine target; opaque here;
/// - `memory`: guest RAM, the regions one after the other, sparse (all-zero pages are holes).
/// Like Firecracker's snapshot (a versioned state file plus a memory file), but with the
/// checksums in a readable manifest and the whole directory written atomically.
public enum SnapshotFormat {
    /// The version this code writes and the only one it reads.
    public static let version = 2
    public static let manifestName = "snapshot.json"
    public static let stateName = "state.json"
    public static let memoryName = "memory"
    /// The largest manifest and state file a reader accepts (a corrupt size must not
    /// make it allocate without bound).
    public static let maximumManifestSize = 1 << 20
    public static let maximumStateSize = 64 << 20
    /// The unit of the memory file's holes.
    public static let pageSize = 4096
}

/// One guest RAM region: where it starts in guest-physical space and how long it is. In
/// the memory file the regions follow each other in this order.
public struct SnapshotMemoryRegion: Codable, Equatable, Sendable {
    public var start: UInt64
    public var size: UInt64
    public init(start: UInt64, size: UInt64) { self.start = start; self.size = size }
}

/// What a restore must find again: the machine's shape and the host facts its state
/// depends on.
public struct SnapshotFacts: Codable, Equatable, Sendable {
    public var vcpuCount: Int
    public var memoryRegions: [SnapshotMemoryRegion]
    /// KVM_GET_API_VERSION of the host that wrote it.
    public var kvmAPIVersion: Int
    /// SHA-256 (hex) of the CPUID table the vCPUs ran with (the table itself is in state.json).
    public var cpuidSHA256: String
    /// The sizes of the kernel structures the state holds (e.g. "xsave": 4096), by part.
    public var kernelStructureSizes: [String: Int]
    /// One line per device, as `GET /vm` listed them.
    public var devices: [String]

    public init(vcpuCount: Int, memoryRegions: [SnapshotMemoryRegion], kvmAPIVersion: Int, cpuidSHA256: String,
                kernelStructureSizes: [String: Int], devices: [String]) {
        self.vcpuCount = vcpuCount; self.memoryRegions = memoryRegions; self.kvmAPIVersion = kvmAPIVersion
        self.cpuidSHA256 = cpuidSHA256; self.kernelStructureSizes = kernelStructureSizes; self.devices = devices
    }

    public var memorySize: UInt64 { memoryRegions.reduce(0) { $0 &+ $1.size } }

    /// What makes these facts unusable (one line), or nil: a vCPU count out of range, no
    /// or unaligned memory regions, regions whose total overflows.
    public var problem: String? {
        guard vcpuCount >= 1, vcpuCount <= 255 else { return "vcpu_count \(vcpuCount) is not between 1 and 255" }
        let page = UInt64(SnapshotFormat.pageSize)
        guard !memoryRegions.isEmpty,
              memoryRegions.allSatisfy({ $0.size > 0 && $0.size % page == 0 && $0.start % page == 0 && $0.start <= UInt64.max - $0.size })
        else { return "memory_regions must be non-empty, page-aligned regions" }
        var total: UInt64 = 0
        for region in memoryRegions {
            let (sum, overflow) = total.addingReportingOverflow(region.size)
            guard !overflow else { return "memory_regions: their sizes overflow 64 bits" }
            total = sum
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case vcpuCount = "vcpu_count", memoryRegions = "memory_regions", kvmAPIVersion = "kvm_api_version"
        case cpuidSHA256 = "cpuid_sha256", kernelStructureSizes = "kernel_structure_sizes", devices
    }
}

/// A file of the snapshot with its size and SHA-256 (lowercase hex).
public struct SnapshotPart: Codable, Equatable, Sendable {
    public var file: String
    public var size: UInt64
    public var sha256: String
    public init(file: String, size: UInt64, sha256: String) { self.file = file; self.size = size; self.sha256 = sha256 }
}

/// The contents of `snapshot.json`.
public struct SnapshotManifest: Codable, Equatable, Sendable {
    public var formatVersion: Int
    /// The program that wrote it, e.g. "candor-vm".
    public var writer: String
    public var facts: SnapshotFacts
    public var parts: [SnapshotPart]

    public init(formatVersion: Int = SnapshotFormat.version, writer: String = "candor-vm", facts: SnapshotFacts, parts: [SnapshotPart]) {
        self.formatVersion = formatVersion; self.writer = writer; self.facts = facts; self.parts = parts
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", writer, facts, parts
    }

    public func part(_ file: String) -> SnapshotPart? { parts.first { $0.file == file } }

    /// The manifest as written: sorted keys, so the same snapshot gives the same bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        // Every field is a string, integer or array of them: encoding cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0a]
    }

    /// Parses and checks a manifest: the version first (so a newer format is named as
    /// such, not as garbage), then the fields, then that the parts and facts agree.
    /// `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(SnapshotError) -> SnapshotManifest {
        guard bytes.count <= SnapshotFormat.maximumManifestSize else {
            throw .malformed(path: path, reason: "\(bytes.count) bytes, more than a manifest can have")
        }
        struct VersionOnly: Decodable {
            var formatVersion: Int
            enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
        }
        let data = Data(bytes)
        let version: Int
        do { version = try JSONDecoder().decode(VersionOnly.self, from: data).formatVersion } catch {
            throw .malformed(path: path, reason: "no format_version: not a Candor snapshot manifest (\(Self.reason(error)))")
        }
        guard version == SnapshotFormat.version else {
            throw .unsupportedVersion(path: path, found: version, supported: SnapshotFormat.version)
        }
        let manifest: SnapshotManifest
        do { manifest = try JSONDecoder().decode(SnapshotManifest.self, from: data) } catch {
            throw .malformed(path: path, reason: Self.reason(error))
        }
        for name in [SnapshotFormat.stateName, SnapshotFormat.memoryName] {
            guard let part = manifest.part(name) else { throw .malformed(path: path, reason: "no entry for the part \(name)") }
            guard part.sha256.count == 64, part.sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw .malformed(path: path, reason: "part \(name): sha256 \(part.sha256.prefix(80)) is not 64 lowercase hex digits")
            }
        }
        if let problem = manifest.facts.problem { throw .malformed(path: path, reason: problem) }
        let total = manifest.facts.memorySize
        guard manifest.part(SnapshotFormat.memoryName)?.size == total else {
            throw .malformed(path: path, reason: "the memory part's size \(manifest.part(SnapshotFormat.memoryName)?.size ?? 0) is not the memory regions' total \(total)")
        }
        return manifest
    }

    /// One line out of a DecodingError (which is multi-line and verbose).
    public static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case let .keyNotFound(key, context)?:
            return "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?:
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let .dataCorrupted(context)?:
            let at = context.codingPath.map(\.stringValue).joined(separator: ".")
            return at.isEmpty ? "not valid JSON" : "invalid value at \(at)"
        default:
            return "not valid JSON"
        }
    }
}

/// Why a snapshot could not be written or read: one line, naming the file and the value.
public enum SnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyExists(path: String)
    case io(path: String, operation: String, errno: Int32)
    case malformed(path: String, reason: String)
    case unsupportedVersion(path: String, found: Int, supported: Int)
    case sizeMismatch(path: String, found: UInt64, expected: UInt64)
    case checksumMismatch(path: String, found: String, expected: String)
    /// The snapshot is sound but cannot be restored here (another host, other devices).
    case incompatible(path: String, reason: String)

    public var description: String {
        switch self {
        case let .alreadyExists(path):
            return "\(path): already exists; a snapshot is written to a new directory"
        case let .io(path, operation, err):
            return "\(path): cannot \(operation): \(String(cString: strerror(err)))"
        case let .malformed(path, reason):
            return "\(path): not a valid snapshot file: \(reason)"
        case let .unsupportedVersion(path, found, supported):
            return "\(path): format_version \(found) is not supported; this candor-vm reads version \(supported)"
        case let .sizeMismatch(path, found, expected):
            return "\(path): \(found) bytes, the manifest says \(expected)\(found < expected ? " (truncated)" : "")"
        case let .checksumMismatch(path, found, expected):
            return "\(path): SHA-256 \(found) does not match the manifest's \(expected); the file is corrupt"
        case let .incompatible(path, reason):
            return "\(path): cannot be restored here: \(reason)"
        }
    }
}
