// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import XCTest
import CPosix
import GuestMemory
@testable import KVM
#if canImport(Glibc)
import Glibc
#endif

/// Runs tiny guests on the real /dev/kvm.
final class VCPURunTests: XCTestCase {
    private func openKVM() throws -> KVMSystem {
        do {
            return try KVMSystem()
        } catch let error as KVMError {
            throw XCTSkip("needs /dev/kvm: \(error)")
        }
    }

    /// A VM with 1 MiB of RAM holding `code` at 0x1000, one vCPU in flat 32-bit protected
    /// mode about to execute it, and no in-kernel irqchip (so HLT comes to user space).
    private func makeGuest(_ code: [UInt8], irqChip: Bool = false) throws -> (VirtualMachine, VCPU, GuestMemory) {
        let system = try openKVM()
        let vm = try system.makeVirtualMachine()
        if irqChip { try vm.createInterruptController() }
        try vm.setTSSAddress(GuestAddress(0xfffb_d000))
        let memory = try GuestMemory(ranges: [(start: GuestAddress(0), size: 1 << 20)])
        try vm.map(memory.regions[0], slot: 0)
        try memory.write(code, at: GuestAddress(0x1000))
        let vcpu = try vm.makeVCPU(id: 0)
        try vcpu.setCPUID(try system.supportedCPUID())
        var sregs = try vcpu.specialRegisters()
        let code32 = Segment(base: 0, limit: 0xffff_ffff, selector: 0x8, type: 0xb, present: true,
                             defaultSize32: true, codeOrData: true, granularity4K: true)
        var data = code32
        data.selector = 0x10
        data.type = 0x3
        sregs.cs = code32
        sregs.ds = data; sregs.es = data; sregs.ss = data; sregs.fs = data; sregs.gs = data
        // A real GDT (null, code, data, busy TSS) and task register, as the emulator reads them.
        for (index, entry) in [UInt64(0), 0x00cf_9b00_0000_ffff, 0x00cf_9300_0000_ffff, 0x0000_8b00_0000_0067, 0].enumerated() {
            try memory.store(entry, at: GuestAddress(0x500 + 8 * UInt64(index)))
        }
        sregs.gdt = DescriptorTable(base: 0x500, limit: 39)
        sregs.tr = Segment(base: 0, limit: 0x67, selector: 0x18, type: 0xb, present: true)
        sregs.ldt = Segment(selector: 0, type: 0x2, present: true)
        sregs.cr0 = 0x11
        try vcpu.setSpecialRegisters(sregs)
        XCTAssertEqual(try vcpu.specialRegisters().cs, code32, "special registers round-trip")
        var regs = Registers()
        regs.rip = 0x1000
        regs.rsp = 0x8000
        try vcpu.setRegisters(regs)
        XCTAssertEqual(try vcpu.registers().rip, 0x1000)
        return (vm, vcpu, memory)
    }

    func testPortOutputInputAndHalt() throws {
        // mov dx, 0x3f8; mov al, 'K'; out dx, al; in al, dx; mov [0x2000], al; hlt
        let code: [UInt8] = [0x66, 0xba, 0xf8, 0x03, 0xb0, 0x4b, 0xee, 0xec, 0xa2, 0x00, 0x20, 0x00, 0x00, 0xf4]
        let (_, vcpu, memory) = try makeGuest(code)

        guard case let .ioOut(port, size, data) = try vcpu.run() else { return XCTFail("expected OUT") }
        XCTAssertEqual(port, 0x3f8)
        XCTAssertEqual(size, 1)
        XCTAssertEqual(Array(data), [0x4b])

        guard case let .ioIn(inPort, inSize, buffer) = try vcpu.run() else { return XCTFail("expected IN") }
        XCTAssertEqual(inPort, 0x3f8)
        XCTAssertEqual(inSize, 1)
        buffer[0] = 0x5a

        guard case .halt = try vcpu.run() else { return XCTFail("expected HLT") }
        XCTAssertEqual(try memory.load(UInt8.self, at: GuestAddress(0x2000)), 0x5a, "the IN value reached the guest")
    }

    func testDirtyLogNamesExactlyThePagesTheGuestWrote() throws {
        // mov byte [0x3000], 1; mov byte [0x5000], 1; mov byte [0x9ffc], 1; hlt;
        // mov byte [0x7000], 2; hlt
        let code: [UInt8] = [0xc6, 0x05, 0x00, 0x30, 0x00, 0x00, 0x01, 0xc6, 0x05, 0x00, 0x50, 0x00, 0x00, 0x01,
                             0xc6, 0x05, 0xfc, 0x9f, 0x00, 0x00, 0x01, 0xf4,
                             0xc6, 0x05, 0x00, 0x70, 0x00, 0x00, 0x02, 0xf4]
        let (vm, vcpu, memory) = try makeGuest(code)
        // Logging is turned on by mapping the same slot again, as a migration does.
        try vm.map(memory.regions[0], slot: 0, logDirtyPages: true)
        try memory.store(UInt8(9), at: GuestAddress(0xa000))  // the VMM's write: not in KVM's log
        guard case .halt = try vcpu.run() else { return XCTFail("expected HLT") }
        let first = try vm.takeDirtyLog(slot: 0, size: memory.regions[0].size)
        XCTAssertEqual(first.pageCount, 256)
        XCTAssertEqual(first.pageIndices, [3, 5, 9])
        XCTAssertEqual(first.dirtyCount, 3)
        guard case .halt = try vcpu.run() else { return XCTFail("expected the second HLT") }
        XCTAssertEqual(try vm.takeDirtyLog(slot: 0, size: memory.regions[0].size).pageIndices, [7],
                       "the log was cleared by the first read")
        XCTAssertEqual(try memory.load(UInt8.self, at: GuestAddress(0x7000)), 2)
        try vm.map(memory.regions[0], slot: 0, logDirtyPages: false)
        XCTAssertThrowsError(try vm.takeDirtyLog(slot: 0, size: memory.regions[0].size), "no log once it is off")
    }

    func testDirtyPageLogIndices() {
        let log = DirtyPageLog(words: [0b1010_0001, 1 << 63], pageCount: 128)
        XCTAssertEqual(log.pageIndices, [0, 5, 7, 127])
        XCTAssertEqual(log.dirtyCount, 4)
    }

    func testRequestStopMakesRunReturnInterrupted() throws {
        let (_, vcpu, _) = try makeGuest([0xeb, 0xfe])  // jmp $
        vcpu.requestStop()
        guard case .interrupted = try vcpu.run() else { return XCTFail("immediate_exit was set") }
    }

    /// The thread inside `run()` is known while it is there and forgotten when `run()`
    /// returns, so `requestStop()` never signals a thread that has ended.
    func testRunningThreadIsKnownOnlyInsideRun() throws {
        // hlt with the in-kernel irqchip and no interrupt to come: KVM_RUN sleeps in the kernel.
        let (_, vcpu, _) = try makeGuest([0xf4], irqChip: true)
        final class Outcome: @unchecked Sendable {  // written before `done` is signalled
            var exit: VCPUExit?
            let done = DispatchSemaphore(value: 0)
        }
        let outcome = Outcome()
        XCTAssertFalse(vcpu.isRunning)
        Thread {
            outcome.exit = try? vcpu.run()
            outcome.done.signal()
        }.start()
        let deadline = Date().addingTimeInterval(5)
        var sawRunning = false
        while Date() < deadline {
            if vcpu.isRunning { sawRunning = true; break }
            if outcome.done.wait(timeout: .now()) == .success {
                outcome.done.signal()
                break
            }
            usleep(1000)
        }
        if !sawRunning, case .internalError? = outcome.exit {
            throw XCTSkip("this host's KVM could not emulate the guest's hlt: \(String(describing: outcome.exit))")
        }
        XCTAssertTrue(sawRunning, "the thread inside KVM_RUN is recorded")
        vcpu.requestStop()
        XCTAssertEqual(outcome.done.wait(timeout: .now() + 5), .success, "the signal reached the thread in KVM_RUN")
        switch outcome.exit {
        case .interrupted?: break
        case .internalError?: break  // the emulator gave up after we saw the thread inside: still a return
        default: XCTFail("expected .interrupted, got \(String(describing: outcome.exit))")
        }
        XCTAssertFalse(vcpu.isRunning, "forgotten once run() returned")
        vcpu.requestStop()  // nobody to signal: only immediate_exit is set
        guard case .interrupted = try vcpu.run() else { return XCTFail("immediate_exit stays set") }
    }

    /// A write bound with KVM_IOEVENTFD signals the eventfd inside the kernel, with no exit;
    /// a write elsewhere still exits to user space.
    func testBoundWriteSignalsTheEventDescriptorWithoutAnExit() throws {
        // mov [edx], eax; mov [edx + 4], eax; hlt (eax = 0, edx = 0xd0000050)
        let code: [UInt8] = [0x89, 0x02, 0x89, 0x42, 0x04, 0xf4]
        let (vm, vcpu, _) = try makeGuest(code)
        var regs = try vcpu.registers()
        regs.rdx = 0xd000_0050
        try vcpu.setRegisters(regs)
        let event = cposix_eventfd(0, 1)
        XCTAssertGreaterThanOrEqual(event, 0)
        defer { close(event) }
        try vm.bindWrite(at: GuestAddress(0xd000_0050), length: 4, datamatch: 0, to: event)
        let exit = try vcpu.run()
        if case .internalError = exit {
            // Seen on the nested (kvm_pvm) hosts, whose ring-0 emulator gives up on some instructions.
            throw XCTSkip("this host's KVM could not emulate the guest's MMIO store: \(exit)")
        }
        guard case let .mmioWrite(address, data) = exit else { return XCTFail("expected the second write to exit, got \(exit)") }
        XCTAssertEqual(address, GuestAddress(0xd000_0054))
        XCTAssertEqual(Array(data), [0, 0, 0, 0])
        var count: UInt64 = 0
        XCTAssertEqual(read(event, &count, 8), 8, "the first write signalled the eventfd")
        XCTAssertEqual(count, 1)
        guard case .halt = try vcpu.run() else { return XCTFail("expected HLT") }
        try vm.unbindWrite(at: GuestAddress(0xd000_0050), length: 4, datamatch: 0, from: event)
        XCTAssertThrowsError(try vm.unbindWrite(at: GuestAddress(0xd000_0050), length: 4, datamatch: 0, from: event),
                             "already unbound")
    }

    /// KVM_IRQFD binds an eventfd to a line of the in-kernel irqchip, level-triggered with
    /// a resample eventfd.
    func testInterruptDescriptorBindsToALine() throws {
        let vm = try openKVM().makeVirtualMachine()
        try vm.createInterruptController()
        let event = cposix_eventfd(0, 1), resample = cposix_eventfd(0, 1)
        defer { close(event); close(resample) }
        try vm.bindInterrupt(event, line: 5, resampleDescriptor: resample)
        XCTAssertThrowsError(try vm.bindInterrupt(event, line: 5), "an eventfd binds once")
        try vm.unbindInterrupt(event, line: 5)
    }

    func testSupportedCPUIDHasTheBasicLeaves() throws {
        let leaves = try openKVM().supportedCPUID()
        XCTAssertTrue(leaves.contains { $0.function == 0 })
        XCTAssertTrue(leaves.contains { $0.function == 1 })
    }
}
