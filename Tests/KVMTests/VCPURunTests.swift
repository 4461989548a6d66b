// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
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
    private func makeGuest(_ code: [UInt8]) throws -> (VirtualMachine, VCPU, GuestMemory) {
        let system = try openKVM()
        let vm = try system.makeVirtualMachine()
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

    func testMMIOWriteOutsideRAM() throws {
        // mov dword [0xd0000000], 0x12345678; hlt
        let code: [UInt8] = [0xc7, 0x05, 0x00, 0x00, 0x00, 0xd0, 0x78, 0x56, 0x34, 0x12, 0xf4]
        let (_, vcpu, _) = try makeGuest(code)
        guard case let .mmioWrite(address, data) = try vcpu.run() else { return XCTFail("expected an MMIO write") }
        XCTAssertEqual(address, GuestAddress(0xd000_0000))
        XCTAssertEqual(Array(data), [0x78, 0x56, 0x34, 0x12])
    }

    func testRequestStopMakesRunReturnInterrupted() throws {
        let (_, vcpu, _) = try makeGuest([0xeb, 0xfe])  // jmp $
        vcpu.requestStop()
        guard case .interrupted = try vcpu.run() else { return XCTFail("immediate_exit was set") }
    }

    func testSupportedCPUIDHasTheBasicLeaves() throws {
        let leaves = try openKVM().supportedCPUID()
        XCTAssertTrue(leaves.contains { $0.function == 0 })
        XCTAssertTrue(leaves.contains { $0.function == 1 })
    }
}
