// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import GuestMemory
import Snapshot
import Synchronization
import TestSupport
import XCTest
@testable import Machine

/// Live migration between two machines in this process over a Unix socket: the guest
/// goes on at the destination from where it was; a refused or failed migration leaves it
/// running at the source (skipped where /dev/kvm is missing).
final class MachineMigrationTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        // Short: a Unix socket path has room for 107 bytes.
        scratch = URL(fileURLWithPath: "/tmp/cm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// A value one thread sets and another reads.
    final class Shared<Value>: Sendable {
        // Sendable: the Mutex guards the value, which only crosses threads through it.
        private nonisolated(unsafe) let box: Mutex<Value?> = Mutex(nil)
        func set(_ value: Value) { box.withLock { $0 = value } }
        func get() -> Value? { box.withLock { $0 } }
    }

    /// Runs `machine` on a thread; the result holds its exit once the run ends.
    private func start(_ machine: Machine) -> Shared<MachineExit> {
        let exit = Shared<MachineExit>()
        Thread { exit.set(machine.run()) }.start()
        return exit
    }

    private func countingMachine(output: String, virtio: Bool = false) throws -> Machine {
        let image = scratch.appendingPathComponent("count.bin")
        try Data(MachineSnapshotTests.countingGuest).write(to: image)
        var configuration = MachineConfiguration(kernelPath: image.path)
        configuration.kernelFormat = .flat(.protected32)
        configuration.memorySize = 16 << 20
        configuration.vcpuCount = 2
        if virtio { configuration.virtioDevices = [.entropy] }
        configuration.serialOutput = .file(output)
        configuration.serialInput = false
        return try MachineBuilder.build(configuration)
    }

    func testMigratedGuestContinuesAtTheDestination() throws {
        try migrateCountingGuest(virtio: false)
    }

    /// A device in this process writes guest memory outside KVM's log: the write log
    /// covers it, and the destination makes the same device from the header.
    func testGuestWithAVirtioDeviceMigrates() throws {
        let destination = try migrateCountingGuest(virtio: true)
        XCTAssertEqual(destination.virtioDevices.map { "\($0.specification)" }, ["virtio-rng"])
    }

    @discardableResult
    private func migrateCountingGuest(virtio: Bool) throws -> Machine {
        let firstOutput = scratch.appendingPathComponent("first.txt").path
        let secondOutput = scratch.appendingPathComponent("second.txt").path
        let socket = scratch.appendingPathComponent("in.sock").path
        var incoming = IncomingConfiguration(endpoint: .unix(path: socket))
        incoming.serialOutput = .file(secondOutput)
        incoming.serialInput = false
        incoming.acceptTimeoutMilliseconds = 20_000
        let received = Shared<Result<Machine, Error>>()
        let configuration = incoming
        Thread { received.set(Result { try MachineBuilder.receiveMigration(configuration).0 }) }.start()
        XCTAssertTrue(waitUntil(10) { FileManager.default.fileExists(atPath: socket) }, "the destination listens")

        let source = try countingMachine(output: firstOutput, virtio: virtio)
        let sourceExit = start(source)
        XCTAssertTrue(waitUntil(20) { text(firstOutput).count >= 5 }, "the guest counts")
        let report = try source.migrate(to: .unix(path: socket))
        print("migration of a 16 MiB guest: total \(report.totalNanoseconds / 1_000_000) ms, downtime \(report.downtimeNanoseconds / 1_000_000) ms, "
              + "\(report.rounds) round(s), \(report.pages) pages, \(report.bytes) bytes; downtime: last \(report.stopAndCopyPages) pages "
              + "\(report.lastPagesNanoseconds / 1000) µs, capture \(report.captureNanoseconds / 1000) µs, state \(report.stateNanoseconds / 1000) µs, destination \(report.destinationNanoseconds / 1000) µs")
        XCTAssertTrue(waitUntil(10) { sourceExit.get() != nil })
        XCTAssertEqual(sourceExit.get(), .migrated(to: "unix:\(socket)"))
        XCTAssertEqual(MachineExit.migrated(to: "x").processExitStatus, 0)
        XCTAssertGreaterThanOrEqual(report.rounds, 1)
        XCTAssertGreaterThan(report.pages, 0)
        XCTAssertLessThan(report.pages, 4096, "zero pages are not sent")
        XCTAssertGreaterThan(report.bytes, report.pages * 4096)
        XCTAssertLessThanOrEqual(report.downtimeNanoseconds, report.totalNanoseconds)
        let counterAtSource = try source.memory.load(UInt32.self, at: MachineSnapshotTests.counterAddress)
        let printed = text(firstOutput)

        XCTAssertTrue(waitUntil(20) { received.get() != nil }, "the destination has the machine")
        let destination = try XCTUnwrap(received.get()).get()
        XCTAssertEqual(try destination.memory.load(UInt32.self, at: MachineSnapshotTests.counterAddress), counterAtSource,
                       "the last dirty pages arrived")
        XCTAssertEqual(destination.status.vcpuCount, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the listening socket is removed")
        let destinationExit = start(destination)
        XCTAssertTrue(waitUntil(20) { text(secondOutput).count >= 5 }, "the guest runs at the destination")
        destination.stop()
        XCTAssertTrue(waitUntil(10) { destinationExit.get() != nil })
        // It goes on from the next count: no gap, no restart.
        let continued = text(secondOutput)
        let expected = (1...5).map { String((printed.count + $0) % 10) }.joined()
        XCTAssertTrue(continued.hasPrefix(expected), "before: …\(printed.suffix(5)), after: \(continued.prefix(10))")
        return destination
    }

    func testARefusingDestinationLeavesTheGuestRunningHere() throws {
        let output = scratch.appendingPathComponent("out.txt").path
        let socket = scratch.appendingPathComponent("no.sock").path
        let machine = try countingMachine(output: output)
        let exit = start(machine)
        defer { machine.stop(); _ = waitUntil(10) { exit.get() != nil } }
        XCTAssertTrue(waitUntil(20) { text(output).count >= 2 })
        // Nobody listens.
        XCTAssertThrowsError(try machine.migrate(to: .unix(path: socket))) {
            XCTAssertTrue("\($0)".hasPrefix("connecting to unix:\(socket): "), "\($0)")
        }
        // A destination that reads the whole stream (echoing the round ends), then refuses it.
        let seen = Shared<[String]>()
        seen.set([])
        Thread {
            guard let connection = try? MigrationEndpoint.unix(path: socket).acceptOne(timeoutMilliseconds: 20_000) else { return }
            let reader = MigrationStreamReader(source: "test") { try connection.readAll($0) }
            var writer = MigrationStreamWriter { try connection.writeAll($0) }
            while let record = try? reader.next() {
                let name: String
                switch record {
                case .header: name = "header"
                case .pages: continue
                case let .roundEnd(round):
                    name = "round"
                    try? writer.send(.roundEnd(round))
                case .state: name = "state"
                case .end: name = "end"
                default: name = "other"
                }
                seen.set((seen.get() ?? []) + [name])
                if name == "end" { break }
            }
            try? writer.send(.failed("no room for it here"))
        }.start()
        XCTAssertTrue(waitUntil(10) { FileManager.default.fileExists(atPath: socket) })
        XCTAssertThrowsError(try machine.migrate(to: .unix(path: socket))) {
            XCTAssertEqual("\($0)", "the destination refused the migration: no room for it here")
        }
        let names = seen.get() ?? []
        XCTAssertEqual(names.first, "header")
        XCTAssertEqual(names.suffix(2), ["state", "end"])
        XCTAssertEqual(machine.status.runStatus, .running, "resumed")
        XCTAssertFalse(machine.memory.writeLog.isActive, "logging is off again")
        let before = text(output).count
        XCTAssertTrue(waitUntil(20) { text(output).count > before + 2 }, "and counting")
        XCTAssertNil(exit.get())
    }
}
