// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import TestSupport
import XCTest
import KVM
import Loader
import Synchronization
@testable import Machine

/// Builds and runs whole machines on the real /dev/kvm (skipped where it is missing).
final class MachineRunTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let helloGuest = repository.appendingPathComponent("hypervisor/guest/build/hello.elf").path

    private var scratch: URL!

    override func setUpWithError() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("candor-machine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func requireHelloGuest() throws {
        guard FileManager.default.fileExists(atPath: Self.helloGuest) else {
            throw NotBuilt(Self.helloGuest, how: "run `make guest`")
        }
    }

    /// Runs `configuration` with serial output captured; returns the exit and the output.
    private func run(_ configuration: MachineConfiguration) throws -> (MachineExit, String) {
        var configuration = configuration
        let output = scratch.appendingPathComponent("serial.txt").path
        configuration.serialOutput = .file(output)
        configuration.serialInput = false
        let exit = try MachineBuilder.build(configuration).run()
        return (exit, try String(contentsOfFile: output, encoding: .utf8))
    }

    private func flatImage(_ code: [UInt8], mode: BootEntry.Mode) throws -> MachineConfiguration {
        let path = scratch.appendingPathComponent("flat.bin").path
        try Data(code).write(to: URL(fileURLWithPath: path))
        var configuration = MachineConfiguration(kernelPath: path)
        configuration.kernelFormat = .flat(mode)
        configuration.memorySize = 16 << 20
        return configuration
    }

    func testHelloGuestPassesItsChecks() throws {
        try requireHelloGuest()
        var configuration = MachineConfiguration(kernelPath: Self.helloGuest)
        configuration.commandLine = "console=ttyS0 candor.demo=1"
        configuration.memorySize = 64 << 20
        let (exit, output) = try run(configuration)
        XCTAssertEqual(exit, .guestStatus(0), output)
        XCTAssertTrue(output.hasPrefix("Candor hello guest: PVH entry"), output)
        XCTAssertTrue(output.contains("memory: 63 MiB of RAM in 3 memory map entries"), output)
        XCTAssertTrue(output.contains("command line: \"console=ttyS0 candor.demo=1\""), output)
        XCTAssertTrue(output.contains("all checks passed"), output)
    }

    func testHelloGuestReportsAWrongCommandLine() throws {
        try requireHelloGuest()
        var configuration = MachineConfiguration(kernelPath: Self.helloGuest)
        configuration.commandLine = "candor.demo=0"
        let (exit, output) = try run(configuration)
        XCTAssertEqual(exit, .guestStatus(4), output)
        XCTAssertEqual(exit.processExitStatus, 4)
        XCTAssertTrue(output.contains("FAIL: expected candor.demo=1"), output)
    }

    func testHelloGuestReportsTooLittleMemoryWithTwoVCPUs() throws {
        try requireHelloGuest()
        var configuration = MachineConfiguration(kernelPath: Self.helloGuest)
        configuration.commandLine = "candor.demo=1"
        configuration.memorySize = 16 << 20
        configuration.vcpuCount = 2  // the second vCPU waits for a SIPI and must be stopped cleanly
        let (exit, output) = try run(configuration)
        XCTAssertEqual(exit, .guestStatus(3), output)
        XCTAssertTrue(output.contains("memory: 15 MiB"), output)
    }

    func testLongModeFlatImageAndDebugExit() throws {
        // mov al, 'L'; mov dx, 0x3f8; out dx, al; mov al, 42; out 0xf4, al
        let (exit, output) = try run(try flatImage([0xb0, 0x4c, 0x66, 0xba, 0xf8, 0x03, 0xee, 0xb0, 0x2a, 0xe6, 0xf4], mode: .long64))
        XCTAssertEqual(exit, .guestStatus(42))
        XCTAssertEqual(output, "L")
    }

    func testResetRequestEndsTheRunCleanly() throws {
        // mov al, 0xfe; out 0x64, al
        let (exit, _) = try run(try flatImage([0xb0, 0xfe, 0xe6, 0x64, 0xeb, 0xfe], mode: .protected32))
        XCTAssertEqual(exit, .resetRequested)
        XCTAssertEqual(exit.processExitStatus, 0)
    }

    func testJumpToTheResetVectorResets() throws {
        // mov eax, 0xffff0; jmp eax: what Linux's BIOS reboot does, in protected mode (the
        // stub's bytes mean the same in real mode).
        let (exit, _) = try run(try flatImage([0xb8, 0xf0, 0xff, 0x0f, 0x00, 0xff, 0xe0], mode: .protected32))
        XCTAssertEqual(exit, .resetRequested)
    }

    func testACPISoftOffIsAPowerOff() throws {
        // mov al, 0x34 (SLP_EN | SLP_TYP 5); mov dx, 0x600; out dx, al
        let (exit, _) = try run(try flatImage([0xb0, 0x34, 0x66, 0xba, 0x00, 0x06, 0xee, 0xeb, 0xfe], mode: .protected32))
        XCTAssertEqual(exit, .powerOff)
        XCTAssertEqual(exit.processExitStatus, 0)
    }

    func testEmulationFailureShowsRIPAndInstructionBytes() throws {
        // nop; int3 (not emulated on this host; where it is, the missing IDT makes it a triple fault)
        let (exit, _) = try run(try flatImage([0x90, 0xcc, 0x0f, 0x0b], mode: .long64))
        switch exit {
        case let .emulationFailure(vcpu, error, rip, instruction):
            XCTAssertEqual(vcpu, 0)
            XCTAssertEqual(error.suberror, 1)
            XCTAssertEqual(rip, 0x10_0001)
            XCTAssertEqual(Array(instruction.prefix(3)), [0xcc, 0x0f, 0x0b])
            XCTAssertEqual(instruction.count, 15)
            XCTAssertTrue("\(exit)".contains("at RIP 0x100001, instruction bytes: cc 0f 0b 00"), "\(exit)")
        case .tripleFault:
            break
        default:
            XCTFail("unexpected \(exit)")
        }
    }

    func testUnclaimedPortsReadAllOnes() throws {
        // in al, 0x80 (nothing there); out 0xf4, al -> status 0xff
        let (exit, _) = try run(try flatImage([0xe4, 0x80, 0xe6, 0xf4], mode: .protected32))
        XCTAssertEqual(exit, .guestStatus(0xff))
    }

    func testUnclaimedMMIOReadsAllOnesAndWritesAreDropped() throws {
        // mov ebx, 0xd0000000; mov eax, 0x12345678; mov [ebx], eax; mov ecx, [ebx]; add al, cl; out 0xf4, al
        // -> 0x78 + 0xff = 0x77
        let code: [UInt8] = [0xbb, 0x00, 0x00, 0x00, 0xd0, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x89, 0x03, 0x8b, 0x0b,
                             0x00, 0xc8, 0xe6, 0xf4]
        let (exit, _) = try run(try flatImage(code, mode: .protected32))
        XCTAssertEqual(exit, .guestStatus(0x77))
    }

    func testMissingKVMAndBadImagesAreTypedErrors() throws {
        var configuration = MachineConfiguration(kernelPath: Self.helloGuest)
        configuration.kvmPath = scratch.appendingPathComponent("kvm").path
        XCTAssertThrowsError(try MachineBuilder.build(configuration)) { error in
            XCTAssertTrue("\(error)".hasSuffix("kvm: no such device; this host has no KVM (load kvm_intel or kvm_amd, or enable nested virtualization)"), "\(error)")
        }

        let garbage = scratch.appendingPathComponent("garbage.img").path
        try Data("not a kernel at all".utf8).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try MachineBuilder.build(MachineConfiguration(kernelPath: garbage))) { error in
            guard case .loadKernel(garbage, _) = error as? MachineError else { return XCTFail("\(error)") }
            XCTAssertFalse("\(error)".contains("\n"))
        }

        XCTAssertThrowsError(try MachineBuilder.build(MachineConfiguration(kernelPath: scratch.path))) { error in
            XCTAssertEqual("\(error)", "\(scratch.path): cannot read the kernel: Is a directory")
        }

        var tiny = MachineConfiguration(kernelPath: Self.helloGuest)
        tiny.memorySize = 1 << 20
        XCTAssertThrowsError(try MachineBuilder.build(tiny)) { error in
            XCTAssertEqual("\(error)", "--memory: 1 MiB is too small; the machine needs at least 4 MiB")
        }
    }
}

/// pause, resume and stop from another thread, on the machine itself.
final class MachinePauseTests: XCTestCase {
    func testPauseStopsEveryVCPUAndResumeContinues() throws {
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { throw XCTSkip("needs read/write access to /dev/kvm") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("candor-pause-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // mov dx, 0x3f8; again: mov al, 'x'; out dx, al; mov ecx, 20000; spin: loop spin; jmp again
        let image = scratch.appendingPathComponent("tick.bin")
        try Data([0x66, 0xba, 0xf8, 0x03, 0xb0, 0x78, 0xee, 0xb9, 0x20, 0x4e, 0x00, 0x00, 0xe2, 0xfe, 0xeb, 0xf4]).write(to: image)
        var configuration = MachineConfiguration(kernelPath: image.path)
        configuration.kernelFormat = .flat(.protected32)
        configuration.memorySize = 16 << 20
        // The second vCPU waits for a SIPI inside KVM_RUN: it must be kicked out too.
        configuration.vcpuCount = 2
        let serial = scratch.appendingPathComponent("serial.txt").path
        configuration.serialOutput = .file(serial)
        configuration.serialInput = false
        let machine = try MachineBuilder.build(configuration)
        func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: serial)[.size] as? Int) ?? 0 }

        // Paused before the run starts: the vCPUs park before their first KVM_RUN.
        try machine.pause()
        XCTAssertEqual(machine.status.runStatus, .paused)
        XCTAssertThrowsError(try machine.pause()) { XCTAssertEqual($0 as? Machine.ControlError, .alreadyPaused) }
        let exit = Mutex<MachineExit?>(nil)
        let runner = Thread { let result = machine.run(); exit.withLock { $0 = result } }
        runner.start()
        usleep(300_000)
        XCTAssertEqual(size(), 0, "nothing runs while paused")

        try machine.resume()
        XCTAssertThrowsError(try machine.resume()) { XCTAssertEqual($0 as? Machine.ControlError, .notPaused) }
        for _ in 0..<500 where size() == 0 { usleep(10_000) }
        XCTAssertGreaterThan(size(), 0)

        for round in 0..<3 {
            try machine.pause()
            let atPause = size()
            usleep(300_000)
            XCTAssertEqual(size(), atPause, "round \(round): no progress while paused")
            try machine.resume()
            for _ in 0..<500 where size() == atPause { usleep(10_000) }
            XCTAssertGreaterThan(size(), atPause, "round \(round): progress after resume")
        }
        XCTAssertGreaterThan(machine.status.uptimeNanoseconds, 0)

        try machine.pause()
        machine.stop()  // a paused machine stops too
        for _ in 0..<500 where exit.withLock({ $0 }) == nil { usleep(10_000) }
        XCTAssertEqual(exit.withLock { $0 }, .stoppedByRequest)
        XCTAssertEqual(machine.status.runStatus, .stopping)
        XCTAssertThrowsError(try machine.resume()) { XCTAssertEqual($0 as? Machine.ControlError, .stopping) }
    }
}
