// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Devices

final class Serial16550Tests: XCTestCase {
    private var sent: [UInt8] = []
    private lazy var uart = Serial16550 { [unowned self] in self.sent.append($0) }

    private func reg(_ offset: UInt64) -> UInt8 { UInt8(uart.read(offset: offset, size: 1)) }
    private func set(_ offset: UInt64, _ value: UInt8) { XCTAssertNil(uart.write(offset: offset, size: 1, value: UInt64(value))) }

    func testTransmitGoesToOutputAndTransmitterStaysEmpty() {
        for byte in Array("hi\n".utf8) { set(0, byte) }
        XCTAssertEqual(sent, Array("hi\n".utf8))
        XCTAssertEqual(reg(5) & 0x60, 0x60, "THRE and TEMT always set")
        XCTAssertEqual(reg(5) & 0x01, 0, "nothing received")
    }

    func testDivisorLatchSharesDataAndIEROffsets() {
        set(3, 0x80)            // DLAB
        set(0, 0x01); set(1, 0x02)
        XCTAssertEqual(reg(0), 0x01)
        XCTAssertEqual(reg(1), 0x02)
        set(3, 0x03)            // back to 8N1
        XCTAssertEqual(reg(1), 0x00, "IER untouched by the DLM write")
        XCTAssertEqual(sent, [], "DLL write is not a transmission")
        XCTAssertEqual(reg(3), 0x03)
    }

    func testScratchAndIERMaskLikeLinuxProbe() {
        set(7, 0xa5)
        XCTAssertEqual(reg(7), 0xa5)
        set(1, 0xff)
        XCTAssertEqual(reg(1), 0x0f, "only the low four IER bits exist")
    }

    func testFIFOControlMakesIIRReportA16550A() {
        XCTAssertEqual(reg(2), 0x01, "no FIFO, nothing pending")
        set(2, 0x07)
        XCTAssertEqual(reg(2) & 0xc0, 0xc0)
        set(2, 0x00)
        XCTAssertEqual(reg(2) & 0xc0, 0x00)
    }

    func testLoopbackMirrorsModemLinesAndEchoesData() {
        set(4, 0x1a)            // LOOP | OUT2 | RTS: Linux's autoconfig check
        XCTAssertEqual(reg(6) & 0xf0, 0x90, "CTS and DCD follow RTS and OUT2")
        set(4, 0x1f)
        XCTAssertEqual(reg(6) & 0xf0, 0xf0)
        set(0, 0x42)
        XCTAssertEqual(sent, [], "loopback does not transmit")
        XCTAssertEqual(reg(5) & 0x01, 0x01)
        XCTAssertEqual(reg(0), 0x42)
        set(4, 0x0b)
        XCTAssertEqual(reg(6) & 0xf0, 0xb0, "a connected terminal outside loopback")
    }

    func testModemStatusDeltasSetOnChangeAndClearedByRead() {
        set(4, 0x10)            // loopback, all outputs off: CTS, DSR, DCD drop
        XCTAssertEqual(reg(6) & 0x0f, 0x0b)
        XCTAssertEqual(reg(6) & 0x0f, 0x00)
    }

    func testReceiveDataAndInterruptPriorities() {
        set(4, 0x08)            // OUT2 gates the interrupt line
        XCTAssertFalse(uart.interruptAsserted)
        set(1, 0x01)            // received-data interrupt
        XCTAssertTrue(uart.receive(0x61))
        XCTAssertTrue(uart.interruptAsserted)
        XCTAssertEqual(reg(2) & 0x0f, 0x04)
        XCTAssertEqual(reg(0), 0x61)
        XCTAssertFalse(uart.interruptAsserted)
        XCTAssertEqual(reg(2) & 0x0f, 0x01)
    }

    func testTransmitterEmptyInterruptClearedByIIRRead() {
        set(4, 0x08)
        set(1, 0x02)
        XCTAssertTrue(uart.interruptAsserted, "THR is empty as soon as the interrupt is enabled")
        XCTAssertEqual(reg(2) & 0x0f, 0x02)
        XCTAssertFalse(uart.interruptAsserted, "reading IIR acknowledges THRE")
        set(0, 0x41)
        XCTAssertTrue(uart.interruptAsserted, "the byte left at once")
        set(4, 0x00)
        XCTAssertFalse(uart.interruptAsserted, "OUT2 off disconnects the line")
    }

    func testReceiveBufferLimitsAndOverrun() {
        XCTAssertTrue(uart.receive(1))
        XCTAssertFalse(uart.canReceive, "one byte without FIFOs")
        XCTAssertFalse(uart.receive(2))
        XCTAssertEqual(reg(5) & 0x03, 0x03, "data ready and overrun")
        XCTAssertEqual(reg(5) & 0x02, 0x00, "reading LSR clears overrun")
        _ = reg(0)
        set(2, 0x01)
        for byte in 0..<16 { XCTAssertTrue(uart.receive(UInt8(byte))) }
        XCTAssertFalse(uart.canReceive)
        set(2, 0x03)            // clear receive FIFO
        XCTAssertEqual(reg(5) & 0x01, 0)
    }
}
