// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory
import KVM
import Snapshot
import VhostUser
#if canImport(Glibc)
import Glibc
#endif

/// Why a migration did not happen. Before the destination acknowledged, the source's
/// guest runs on as if nothing had been tried.
public enum MigrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A bad destination URL (answered 400).
    case invalid(String)
    /// The VM cannot be migrated as it is (answered 409).
    case refused(String)
    /// The migration was tried and failed (answered 500).
    case failed(String)

    public var description: String {
        switch self {
        case let .invalid(message), let .refused(message), let .failed(message): return message
        }
    }
}

/// How a migration went, for the API's answer.
public struct MigrationReport: Equatable, Sendable {
    /// From the request to the destination's acknowledgment.
    public var totalNanoseconds: UInt64 = 0
    /// From pausing the vCPUs to the destination's acknowledgment (it resumes them then).
    public var downtimeNanoseconds: UInt64 = 0
    /// Memory rounds before stop-and-copy: the full round and the dirty rounds.
    public var rounds = 0
    /// Bytes sent on the stream, framing included.
    public var bytes: UInt64 = 0
    /// Pages sent in every round and in stop-and-copy.
    public var pages: UInt64 = 0
    public var stopAndCopyPages: UInt64 = 0
    /// Parts of the downtime: the state captured (the backends drained), the last pages
    /// sent, the state encoded and sent, and the destination's work from the end of the
    /// stream to its acknowledgment.
    public var captureNanoseconds: UInt64 = 0
    public var lastPagesNanoseconds: UInt64 = 0
    public var stateNanoseconds: UInt64 = 0
    public var destinationNanoseconds: UInt64 = 0
}

extension Machine {
    /// Most dirty rounds before stop-and-copy, whether or not the dirty set shrinks.
    static let maximumDirtyRounds = 12
    /// A dirty set this small (256 KiB) goes in stop-and-copy at once.
    static let smallDirtySet = 64

    /// Moves the running guest to a destination waiting with `--incoming`: memory in
    /// pre-copy rounds while the guest runs, then the vCPUs paused, the last dirty pages and
    /// the state the snapshot captures sent, and the destination's acknowledgment awaited.
    /// What a round sends again is what was written since the last one: by vCPUs (KVM's
    /// dirty-page log) and by virtio devices, in this process or in vhost-user backends
    /// (`GuestMemory.writeLog`, shared with the backends through VHOST_F_LOG_ALL). The
    /// destination starts its own backends (drivers) from the devices' specifications, at
    /// the ring positions where the source's stopped (GET_VRING_BASE). Then the
    /// run ends with `.migrated` (the process exits 0). On any failure before that
    /// acknowledgment the guest runs on here and the error is thrown.
    public func migrate(to endpoint: MigrationEndpoint) throws(MigrationError) -> MigrationReport {
        let started = Self.monotonicNanoseconds()
        guard status.runStatus == .running else {
            throw .refused("the VM must be running to migrate (it is \(status.runStatus)); resume it first")
        }
        let backends = try migratableBackends()
        guard let firstVCPU = vcpus.first else { throw .refused("the VM has no vCPUs") }
        let connection = try endpoint.connect()
        var writer = MigrationStreamWriter { try connection.writeAll($0) }
        var report = MigrationReport()
        var paused = false
        let reader = MigrationStreamReader(source: "migration destination \(endpoint)") { try connection.readAll($0) }
        // Waits for the destination's answer `expected` (`what` names it in the error).
        func awaitAnswer(_ expected: MigrationRecord, _ what: String) throws {
            switch try reader.next() {
            case expected: break
            case let .failed(message): throw MigrationError.failed("the destination refused the migration: \(message)")
            default: throw MigrationError.failed("\(endpoint): the destination answered neither \(what) nor failed")
            }
        }
        // Ends a round and waits until the destination has taken it.
        func endRound(_ round: Int) throws {
            try writer.send(.roundEnd(UInt32(round)))
            try awaitAnswer(.roundEnd(UInt32(round)), "the echo of round \(round)")
        }
        do {
            try startWriteLogs(backends)
            let configuration = MigrationConfiguration(facts: snapshotFacts(cpuid: firstVCPU.cpuid),
                                                       virtioDevices: virtioDevices.map { "\($0.specification)" })
            try writer.send(.header(configuration))
            // Round 0: every page that holds data (the destination's memory starts zeroed).
            report.pages += try sendPages(&writer, nonZeroOnly: true)
            try endRound(0)
            report.rounds = 1
            var pending = try takeDirtyLogs()
            var previous = Int.max
            while true {
                let count = pending.reduce(0) { $0 + $1.dirtyCount }
                if count <= Self.smallDirtySet || count >= previous || report.rounds > Self.maximumDirtyRounds { break }
                report.pages += try sendPages(&writer, logs: pending)
                try endRound(report.rounds)
                report.rounds += 1
                previous = count
                pending = try takeDirtyLogs()
            }
            // Stop-and-copy.
            let pausedAt = Self.monotonicNanoseconds()
            do { try pause() } catch { throw MigrationError.failed("pausing the vCPUs: \(error)") }
            paused = true
            try whilePaused {
                let stopped = Self.monotonicNanoseconds()
                // The state first: it stops the backends' rings and waits until they
                // answered what they took, so after `synchronize` the logs hold all their writes.
                let state = try captureState()
                for backend in backends { try backend.synchronize() }
                let captured = Self.monotonicNanoseconds()
                report.captureNanoseconds = captured - stopped
                let last = try takeDirtyLogs()
                let merged = zip(pending, last).map { earlier, later in
                    DirtyPageLog(words: zip(earlier.words, later.words).map { $0 | $1 }, pageCount: earlier.pageCount)
                }
                report.stopAndCopyPages = try sendPages(&writer, logs: merged)
                try writer.flush()
                report.pages += report.stopAndCopyPages
                let pagesSent = Self.monotonicNanoseconds()
                report.lastPagesNanoseconds = pagesSent - captured
                try writer.send(.state(state.encoded()))
                try writer.send(.end)
                let ended = Self.monotonicNanoseconds()
                report.stateNanoseconds = ended - pagesSent
                defer { report.destinationNanoseconds = Self.monotonicNanoseconds() - ended }
                try awaitAnswer(.acknowledged, "acknowledged")
            }
            let finished = Self.monotonicNanoseconds()
            report.downtimeNanoseconds = finished - pausedAt
            report.totalNanoseconds = finished - started
            report.bytes = writer.bytesWritten
        } catch {
            // The guest goes on here: rings started, logging off, vCPUs running again.
            restartStoppedRings()
            stopWriteLogs(backends)
            if paused { try? resume() }
            switch error {
            case let error as MigrationError: throw error
            case let error as MigrationStreamError: throw .failed("\(error)")
            case let error as SnapshotCreationError: throw .refused("\(error)")
            default: throw .failed("migrating to \(endpoint): \(error)")
            }
        }
        finish(with: .migrated(to: "\(endpoint)"))
        return report
    }

    /// The vhost-user backends whose writes a migration logs; throws `.refused` for a
    /// backend without VHOST_F_LOG_ALL, whose writes would be lost.
    func migratableBackends() throws(MigrationError) -> [VhostUserFrontend] {
        var backends: [VhostUserFrontend] = []
        for (specification, device) in virtioDevices {
            guard let backend = device.backend as? VhostUserFrontend else { continue }
            guard backend.supportsWriteLog else {
                throw .refused("\(specification): the backend does not log its writes to guest memory "
                               + "(VHOST_F_LOG_ALL with VHOST_USER_PROTOCOL_F_LOG_SHMFD), which live migration needs")
            }
            backends.append(backend)
        }
        return backends
    }

    /// Logging on: this process's device writes, the backends' and KVM's.
    func startWriteLogs(_ backends: [VhostUserFrontend]) throws {
        memory.writeLog.setActive(true)
        do {
            for backend in backends { try backend.setWriteLog(memory.writeLog) }
            try setDirtyPageLogging(true)
        } catch {
            throw MigrationError.failed("turning on the dirty-page logs: \(error)")
        }
    }

    /// Logging off again after a failed migration (best effort: the guest runs on either way).
    func stopWriteLogs(_ backends: [VhostUserFrontend]) {
        try? setDirtyPageLogging(false)
        for backend in backends { try? backend.setWriteLog(nil) }
        memory.writeLog.setActive(false)
    }

    /// Maps every RAM region again with KVM's dirty-page log on or off.
    func setDirtyPageLogging(_ on: Bool) throws {
        for (slot, region) in memory.regions.enumerated() {
            try virtualMachine.map(region, slot: UInt32(slot), logDirtyPages: on)
        }
    }

    /// Each region's pages written since the last call, by vCPUs or by devices.
    func takeDirtyLogs() throws -> [DirtyPageLog] {
        try memory.regions.enumerated().map { slot, region in
            let kvm = try virtualMachine.takeDirtyLog(slot: UInt32(slot), size: region.size)
            let devices = memory.writeLog.take(firstPage: region.start.rawValue / GuestWriteLog.pageSize, pageCount: kvm.pageCount)
            return DirtyPageLog(words: zip(kvm.words, devices).map { $0 | $1 }, pageCount: kvm.pageCount)
        }
    }

    /// Sends the pages the logs name (runs of consecutive pages in one record); returns how many.
    func sendPages(_ writer: inout MigrationStreamWriter, logs: [DirtyPageLog]) throws -> UInt64 {
        var sent: UInt64 = 0
        for (region, log) in zip(memory.regions, logs) {
            var run: (first: UInt64, count: UInt64)?
            for page in log.pageIndices {
                if let current = run, current.first + current.count == page, current.count < UInt64(MigrationFormat.pagesPerRecord) {
                    run = (current.first, current.count + 1)
                    continue
                }
                if let current = run { try sendRun(&writer, region: region, current.first, current.count) }
                run = (page, 1)
            }
            if let current = run { try sendRun(&writer, region: region, current.first, current.count) }
            sent += UInt64(log.dirtyCount)
        }
        return sent
    }

    /// Sends every page of every region, or only those that are not all zeroes.
    func sendPages(_ writer: inout MigrationStreamWriter, nonZeroOnly: Bool) throws -> UInt64 {
        var sent: UInt64 = 0
        let pageSize = UInt64(MigrationFormat.pageSize)
        for region in memory.regions {
            let pages = region.size / pageSize
            var run: (first: UInt64, count: UInt64)?
            for page in 0..<pages {
                let bytes = UnsafeRawBufferPointer(start: region.hostAddress + Int(page * pageSize), count: Int(pageSize))
                let wanted = !nonZeroOnly || !SnapshotWriter.isZero(bytes)
                if wanted, let current = run, current.count < UInt64(MigrationFormat.pagesPerRecord) {
                    run = (current.first, current.count + 1)
                    continue
                }
                if let current = run { try sendRun(&writer, region: region, current.first, current.count); sent += current.count }
                run = wanted ? (page, 1) : nil
            }
            if let current = run { try sendRun(&writer, region: region, current.first, current.count); sent += current.count }
        }
        return sent
    }

    private func sendRun(_ writer: inout MigrationStreamWriter, region: GuestMemoryRegion, _ first: UInt64, _ count: UInt64) throws {
        let pageSize = UInt64(MigrationFormat.pageSize)
        let bytes = UnsafeRawBufferPointer(start: region.hostAddress + Int(first * pageSize), count: Int(count * pageSize))
        try writer.sendPages(address: region.start.rawValue + first * pageSize, bytes)
    }
}

/// Where a destination waits and where its guest's console goes.
public struct IncomingConfiguration: Sendable {
    public var endpoint: MigrationEndpoint
    public var serialOutput: MachineConfiguration.SerialOutput = .standardOutput
    public var serialInput = true
    public var kvmPath = "/dev/kvm"
    /// How long to wait for the source to connect.
    public var acceptTimeoutMilliseconds: Int32 = 600_000

    public init(endpoint: MigrationEndpoint) { self.endpoint = endpoint }
}

extension MachineBuilder {
    /// The destination of a migration: waits for the source, checks the header against
    /// this host before any memory comes, takes the memory rounds, then builds the machine
    /// from the configuration and the state as a restore does, and acknowledges. On an
    /// error the source is told why (it resumes its guest) and the error is thrown.
    /// `run()` continues the guest.
    public static func receiveMigration(_ configuration: IncomingConfiguration) throws -> (Machine, SnapshotReport) {
        let connection: MigrationConnection
        do { connection = try configuration.endpoint.acceptOne(timeoutMilliseconds: configuration.acceptTimeoutMilliseconds) } catch {
            throw MachineError.migration(error)
        }
        let source = "incoming migration on \(configuration.endpoint)"
        do {
            let reader = MigrationStreamReader(source: source) { try connection.readAll($0) }
            var writer = MigrationStreamWriter { try connection.writeAll($0) }
            let (machine, timings) = try receive(reader, configuration: configuration, source: source) {
                try writer.send(.roundEnd($0))
            }
            try writer.send(.acknowledged)
            return (machine, timings)
        } catch {
            var writer = MigrationStreamWriter { try connection.writeAll($0) }
            try? writer.send(.failed("\(error)"))
            switch error {
            case let error as MigrationStreamError: throw MachineError.migration(.failed("\(error)"))
            case let error as MigrationError: throw MachineError.migration(error)
            default: throw error
            }
        }
    }

    /// `echoRound` answers each round end, once the pages before it are in memory.
    static func receive(_ reader: MigrationStreamReader, configuration: IncomingConfiguration, source: String,
                        echoRound: (UInt32) throws -> Void) throws -> (Machine, SnapshotReport) {
        var order = MigrationStreamOrder(source: source)
        guard case let .header(header) = try reader.next() else {
            throw MigrationStreamError(source: source, reason: "the stream does not start with a header")
        }
        _ = try order.accept(.header(header))
        let facts = header.facts
        let system = try openForRestore(kvmPath: configuration.kvmPath)
        try checkHost(facts: facts, system: system, manifestPath: source)
        let specifications: [VirtioDeviceSpecification]
        do { specifications = try header.virtioDevices.map { try VirtioDeviceSpecification(parsing: $0) } } catch {
            throw MigrationStreamError(source: source, reason: "the header's virtio device: \(error)")
        }
        let memory = try allocateMemory(facts, specifications: specifications)
        // The VM, its vCPUs and its devices (drivers started) now, outside the downtime.
        let prepared = try prepareVM(system, memory: memory, vcpuCount: facts.vcpuCount, specifications: specifications)
        // Each region's start in the regions laid end to end, the offsets `order` gives.
        var offsets: [UInt64] = []
        var total: UInt64 = 0
        for region in memory.regions { offsets.append(total); total += region.size }
        while !order.ended {
            let record = try reader.next()
            let offset = try order.accept(record)
            switch record {
            case let .pages(_, bytes):
                guard let offset, let index = offsets.lastIndex(where: { $0 <= offset }) else { continue }
                let region = memory.regions[index]
                bytes.withUnsafeBytes { region.hostAddress.advanced(by: Int(offset - offsets[index])).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            case let .roundEnd(round):
                try echoRound(round)
            default:
                break
            }
        }
        let started = Machine.monotonicNanoseconds()
        let state = try decodeState(order.state ?? [], facts: facts, path: source)
        try checkCompatibility(facts: facts, state: state, system: system, manifestPath: source, statePath: source)
        let stateSpecifications = try virtioSpecifications(state, path: source)
        guard stateSpecifications.map(\.description) == specifications.map(\.description) else {
            throw MigrationStreamError(source: source, reason: "the state's virtio devices are not the header's")
        }
        var timings = SnapshotReport()
        let machine = try assemble(system: system, facts: facts, state: state, specifications: specifications, memory: memory,
                                   serialOutput: configuration.serialOutput, serialInput: configuration.serialInput,
                                   prepared: prepared, timings: &timings)
        timings.stateNanoseconds = Machine.monotonicNanoseconds() - started
        timings.memoryBytes = memory.totalSize
        return (machine, timings)
    }
}
