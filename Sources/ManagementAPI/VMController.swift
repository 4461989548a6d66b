// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// What the management API can do to a running VM. candor-vm implements it over a
/// `Machine`; tests implement it with fakes. Calls come from the API's serve thread.
public protocol VMController: Sendable {
    func info() -> VMInfo
    /// Stops every vCPU (out of KVM_RUN) and returns once none runs guest code.
    func pause() throws(VMControlError)
    /// Lets the paused vCPUs run again.
    func resume() throws(VMControlError)
    /// Stops the VM cleanly (drivers stopped, the VMM exits 0); called after the answer was sent.
    func shutdown()
    /// Writes a snapshot of the paused VM to the new directory `path` (absolute).
    func snapshot(to path: String) throws(VMControlError) -> SnapshotInfo
    /// Live-migrates the running VM to `destinationURL` (unix:PATH or tcp:HOST:PORT) and
    /// returns once the destination acknowledged; the VM's run then ends here (the VMM
    /// exits 0 once this answer is out). On an error the VM runs on here.
    func migrate(to destinationURL: String) throws(VMControlError) -> MigrationInfo
    /// Restores the snapshot in the directory `path` (absolute) as this VMM's VM, running,
    /// or paused when `resume` is false. Only a VMM started without a VM takes one (see
    /// `VMSlot`); the default answers that this one has its VM.
    func loadSnapshot(from path: String, resume: Bool) throws(VMControlError) -> VMInfo
}

extension VMController {
    public func loadSnapshot(from path: String, resume: Bool) throws(VMControlError) -> VMInfo {
        throw .vmExists
    }
}

/// The body of `PUT /vm/migrate`.
public struct MigrationRequest: Codable, Equatable, Sendable {
    public var destinationURL: String
    public init(destinationURL: String) { self.destinationURL = destinationURL }
    enum CodingKeys: String, CodingKey { case destinationURL = "destination_url" }
}

/// The answer to `PUT /vm/migrate`.
public struct MigrationInfo: Codable, Equatable, Sendable {
    public var destinationURL: String
    public var totalMilliseconds: UInt64
    public var downtimeMilliseconds: UInt64
    public var rounds: Int
    public var bytes: UInt64
    public var pages: UInt64
    /// The downtime's parts: the state taken (the vhost-user backends drained), the last
    /// dirty pages sent, the state sent, and the destination's work up to its acknowledgment.
    public var stopAndCopyPages: UInt64 = 0
    public var captureMilliseconds: UInt64 = 0
    public var lastPagesMilliseconds: UInt64 = 0
    public var stateMilliseconds: UInt64 = 0
    public var destinationMilliseconds: UInt64 = 0

    public init(destinationURL: String, totalMilliseconds: UInt64, downtimeMilliseconds: UInt64, rounds: Int, bytes: UInt64,
                pages: UInt64) {
        self.destinationURL = destinationURL; self.totalMilliseconds = totalMilliseconds
        self.downtimeMilliseconds = downtimeMilliseconds; self.rounds = rounds; self.bytes = bytes; self.pages = pages
    }

    enum CodingKeys: String, CodingKey {
        case destinationURL = "destination_url", totalMilliseconds = "total_ms", downtimeMilliseconds = "downtime_ms"
        case rounds, bytes, pages
        case stopAndCopyPages = "stop_and_copy_pages", captureMilliseconds = "capture_ms", lastPagesMilliseconds = "last_pages_ms"
        case stateMilliseconds = "state_ms"
        case destinationMilliseconds = "destination_ms"
    }
}

/// The answer to `PUT /snapshot/create`.
public struct SnapshotInfo: Codable, Equatable, Sendable {
    public var snapshotPath: String
    /// Guest RAM in the memory file, and how much of it holds data (the rest are holes).
    public var memoryBytes: UInt64
    public var memoryDataBytes: UInt64
    /// Milliseconds from the request to the renamed, flushed directory.
    public var durationMilliseconds: UInt64

    public init(snapshotPath: String, memoryBytes: UInt64, memoryDataBytes: UInt64, durationMilliseconds: UInt64) {
        self.snapshotPath = snapshotPath; self.memoryBytes = memoryBytes
        self.memoryDataBytes = memoryDataBytes; self.durationMilliseconds = durationMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case snapshotPath = "snapshot_path", memoryBytes = "memory_bytes", memoryDataBytes = "memory_data_bytes"
        case durationMilliseconds = "duration_ms"
    }
}

/// The body of `PUT /snapshot/create`.
public struct SnapshotRequest: Codable, Equatable, Sendable {
    public var snapshotPath: String
    public init(snapshotPath: String) { self.snapshotPath = snapshotPath }
    enum CodingKeys: String, CodingKey { case snapshotPath = "snapshot_path" }
}

/// The body of `PUT /snapshot/load`.
public struct SnapshotLoadRequest: Codable, Equatable, Sendable {
    public var snapshotPath: String
    /// Whether the restored VM runs at once (the default, as after `candor-vm restore`) or
    /// waits paused for `PUT /vm/resume`.
    public var resume: Bool

    public init(snapshotPath: String, resume: Bool = true) { self.snapshotPath = snapshotPath; self.resume = resume }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        snapshotPath = try container.decode(String.self, forKey: .snapshotPath)
        resume = try container.decodeIfPresent(Bool.self, forKey: .resume) ?? true
    }

    enum CodingKeys: String, CodingKey { case snapshotPath = "snapshot_path", resume }
}

/// The VM's state as `GET /vm` reports it; `notStarted` before a VMM started without one
/// has loaded it.
public enum VMState: String, Codable, Sendable {
    case notStarted = "not_started"
    case running, paused, stopping
}

/// The body of `GET /vm` (and of the answers to pause, resume and shutdown).
public struct VMInfo: Codable, Equatable, Sendable {
    public var state: VMState
    public var vcpus: Int
    public var memoryMiB: UInt64
    /// One line per device, e.g. `serial 16550 at port 0x3f8, irq 4`.
    public var devices: [String]
    /// Milliseconds since the vCPUs were started.
    public var uptimeMilliseconds: UInt64

    public init(state: VMState, vcpus: Int, memoryMiB: UInt64, devices: [String], uptimeMilliseconds: UInt64) {
        self.state = state
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.devices = devices
        self.uptimeMilliseconds = uptimeMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case state, vcpus, devices
        case memoryMiB = "memory_mib"
        case uptimeMilliseconds = "uptime_ms"
    }
}

/// Why a request to the VM was refused or failed; the message is what the client sees.
public enum VMControlError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request's values are wrong (answered 400).
    case invalid(String)
    /// The VM is not in a state where the request makes sense (answered 409).
    case conflict(String)
    /// The request was valid but could not be carried out (answered 500).
    case failed(String)

    public var description: String {
        switch self {
        case let .invalid(message), let .conflict(message), let .failed(message): return message
        }
    }

    /// Anything but `GET /vm` and a snapshot load, before a VM was loaded.
    public static let noVM = VMControlError.conflict(
        "there is no VM yet; load one from a snapshot first: PUT /snapshot/load (candor-vm ctl restore DIR)")
    /// A snapshot load into a VMM that has its VM.
    public static let vmExists = VMControlError.conflict(
        "this VMM has a VM already; a snapshot is loaded into a candor-vm started with --api-socket alone")
}
