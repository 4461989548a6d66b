// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A 16550A UART register model, accurate enough for Linux's 8250 driver (probing,
/// FIFO detection, loopback test, polled and interrupt-driven I/O). Transmission is
/// instant: THR writes go straight to `output`, so THR and the transmitter are always empty.
public final class Serial16550: BusDevice, InterruptSource {
    /// Register offsets from the base port.
    enum Register {
        static let data: UInt64 = 0            // RBR (read) / THR (write); DLL when DLAB=1
        static let interruptEnable: UInt64 = 1 // IER; DLM when DLAB=1
        static let interruptId: UInt64 = 2     // IIR (read) / FCR (write)
        static let lineControl: UInt64 = 3     // LCR
        static let modemControl: UInt64 = 4    // MCR
        static let lineStatus: UInt64 = 5      // LSR
        static let modemStatus: UInt64 = 6     // MSR
        static let scratch: UInt64 = 7         // SCR
    }

    // IER bits
    static let enableReceivedData: UInt8 = 0x01
    static let enableTransmitterEmpty: UInt8 = 0x02
    static let enableLineStatus: UInt8 = 0x04
    static let enableModemStatus: UInt8 = 0x08
    // IIR values
    static let noInterruptPending: UInt8 = 0x01
    static let lineStatusInterrupt: UInt8 = 0x06
    static let receivedDataInterrupt: UInt8 = 0x04
    static let transmitterEmptyInterrupt: UInt8 = 0x02
    static let modemStatusInterrupt: UInt8 = 0x00
    static let fifosEnabledBits: UInt8 = 0xc0
    // LCR bits
    static let divisorLatchAccess: UInt8 = 0x80
    // MCR bits
    static let dataTerminalReady: UInt8 = 0x01, requestToSend: UInt8 = 0x02
    static let out1: UInt8 = 0x04, out2: UInt8 = 0x08, loopback: UInt8 = 0x10
    // LSR bits
    static let dataReady: UInt8 = 0x01, overrunError: UInt8 = 0x02
    static let transmitHoldingEmpty: UInt8 = 0x20, transmitterEmpty: UInt8 = 0x40
    // MSR bits
    static let clearToSend: UInt8 = 0x10, dataSetReady: UInt8 = 0x20, ringIndicator: UInt8 = 0x40, carrierDetect: UInt8 = 0x80

    /// The receive FIFO holds 16 bytes when FIFOs are on, else one (the RBR).
    static let fifoCapacity = 16

    private let output: (UInt8) -> Void

    private var interruptEnable: UInt8 = 0
    private var lineControl: UInt8 = 0x03  // 8 data bits, no parity, one stop bit
    private var modemControl: UInt8 = dataTerminalReady | requestToSend | out2
    private var scratch: UInt8 = 0
    private var divisor: UInt16 = 12       // 9600 baud from the 1.8432 MHz clock
    private var fifosEnabled = false
    private var receiveBuffer: [UInt8] = []
    private var overrun = false
    /// THRE interrupt: raised when THR becomes empty, cleared by an IIR read reporting it or a THR write.
    private var transmitterEmptyPending = false
    /// MSR delta bits 0-3, cleared by reading MSR.
    private var modemStatusDeltas: UInt8 = 0
    private var lastModemStatusLines: UInt8

    /// `output` receives every byte the guest transmits (not in loopback mode).
    public init(output: @escaping (UInt8) -> Void) {
        self.output = output
        lastModemStatusLines = 0
        lastModemStatusLines = modemStatusLines
    }

    private var divisorLatch: Bool { lineControl & Self.divisorLatchAccess != 0 }
    private var inLoopback: Bool { modemControl & Self.loopback != 0 }
    private var receiveCapacity: Int { fifosEnabled ? Self.fifoCapacity : 1 }

    /// Whether the receive buffer can take another byte from the host.
    public var canReceive: Bool { receiveBuffer.count < receiveCapacity }

    /// Host input arriving on the line. Returns false (and drops the byte, flagging an
    /// overrun as the hardware does) when the receive buffer is full; check `canReceive`.
    @discardableResult
    public func receive(_ byte: UInt8) -> Bool {
        guard canReceive else {
            overrun = true
            return false
        }
        receiveBuffer.append(byte)
        return true
    }

    /// The modem status lines (MSR bits 4-7): in loopback they mirror MCR's outputs,
    /// otherwise a connected terminal (CTS, DSR, DCD) is reported.
    private var modemStatusLines: UInt8 {
        guard inLoopback else { return Self.clearToSend | Self.dataSetReady | Self.carrierDetect }
        var lines: UInt8 = 0
        if modemControl & Self.requestToSend != 0 { lines |= Self.clearToSend }
        if modemControl & Self.dataTerminalReady != 0 { lines |= Self.dataSetReady }
        if modemControl & Self.out1 != 0 { lines |= Self.ringIndicator }
        if modemControl & Self.out2 != 0 { lines |= Self.carrierDetect }
        return lines
    }

    private func updateModemStatusDeltas() {
        let now = modemStatusLines
        let changed = now ^ lastModemStatusLines
        if changed & Self.clearToSend != 0 { modemStatusDeltas |= 0x01 }
        if changed & Self.dataSetReady != 0 { modemStatusDeltas |= 0x02 }
        // TERI: ring indicator went from on to off.
        if lastModemStatusLines & Self.ringIndicator != 0 && now & Self.ringIndicator == 0 { modemStatusDeltas |= 0x04 }
        if changed & Self.carrierDetect != 0 { modemStatusDeltas |= 0x08 }
        lastModemStatusLines = now
    }

    private var lineStatus: UInt8 {
        var status = Self.transmitHoldingEmpty | Self.transmitterEmpty
        if !receiveBuffer.isEmpty { status |= Self.dataReady }
        if overrun { status |= Self.overrunError }
        return status
    }

    /// The highest-priority pending interrupt as IIR reports it (without the FIFO bits).
    private var pendingInterrupt: UInt8 {
        if interruptEnable & Self.enableLineStatus != 0 && overrun { return Self.lineStatusInterrupt }
        if interruptEnable & Self.enableReceivedData != 0 && !receiveBuffer.isEmpty { return Self.receivedDataInterrupt }
        if interruptEnable & Self.enableTransmitterEmpty != 0 && transmitterEmptyPending { return Self.transmitterEmptyInterrupt }
        if interruptEnable & Self.enableModemStatus != 0 && modemStatusDeltas != 0 { return Self.modemStatusInterrupt }
        return Self.noInterruptPending
    }

    /// The UART's interrupt output. On a PC it reaches the interrupt controller only
    /// through OUT2, which gates it.
    public var interruptAsserted: Bool {
        pendingInterrupt != Self.noInterruptPending && modemControl & Self.out2 != 0
    }

    public func read(offset: UInt64, size: Int) -> UInt64 {
        UInt64(readRegister(offset))
    }

    private func readRegister(_ offset: UInt64) -> UInt8 {
        switch offset {
        case Register.data:
            if divisorLatch { return UInt8(truncatingIfNeeded: divisor) }
            guard !receiveBuffer.isEmpty else { return 0 }
            return receiveBuffer.removeFirst()
        case Register.interruptEnable:
            return divisorLatch ? UInt8(truncatingIfNeeded: divisor >> 8) : interruptEnable
        case Register.interruptId:
            let pending = pendingInterrupt
            if pending == Self.transmitterEmptyInterrupt { transmitterEmptyPending = false }
            return pending | (fifosEnabled ? Self.fifosEnabledBits : 0)
        case Register.lineControl:
            return lineControl
        case Register.modemControl:
            return modemControl
        case Register.lineStatus:
            let status = lineStatus
            overrun = false
            return status
        case Register.modemStatus:
            updateModemStatusDeltas()
            let status = modemStatusLines | modemStatusDeltas
            modemStatusDeltas = 0
            return status
        case Register.scratch:
            return scratch
        default:
            return 0xff
        }
    }

    public func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest? {
        let byte = UInt8(truncatingIfNeeded: value)
        switch offset {
        case Register.data:
            if divisorLatch {
                divisor = divisor & 0xff00 | UInt16(byte)
            } else {
                transmit(byte)
            }
        case Register.interruptEnable:
            if divisorLatch {
                divisor = divisor & 0x00ff | UInt16(byte) << 8
            } else {
                let enablingTransmitterEmpty = byte & Self.enableTransmitterEmpty != 0
                    && interruptEnable & Self.enableTransmitterEmpty == 0
                interruptEnable = byte & 0x0f
                // THR is always empty, so enabling its interrupt raises it at once (as on hardware).
                if enablingTransmitterEmpty { transmitterEmptyPending = true }
            }
        case Register.interruptId:
            writeFIFOControl(byte)
        case Register.lineControl:
            lineControl = byte
        case Register.modemControl:
            modemControl = byte & 0x1f
            updateModemStatusDeltas()
        case Register.scratch:
            scratch = byte
        default:
            break  // LSR and MSR are read-only
        }
        return nil
    }

    private func transmit(_ byte: UInt8) {
        if inLoopback {
            receive(byte)
        } else {
            output(byte)
        }
        transmitterEmptyPending = true
    }

    private func writeFIFOControl(_ byte: UInt8) {
        let enable = byte & 0x01 != 0
        if enable != fifosEnabled {
            // Switching the FIFO mode resets both FIFOs.
            receiveBuffer.removeAll()
            fifosEnabled = enable
        }
        if byte & 0x02 != 0 { receiveBuffer.removeAll() }
        // Bit 2 (clear transmit FIFO) has nothing to do: transmission is instant.
    }

    /// Every register and buffer of the UART, for a snapshot (the host side, `output`,
    /// is not part of it).
    public struct State: Equatable, Sendable, Codable {
        public var interruptEnable: UInt8
        public var lineControl: UInt8
        public var modemControl: UInt8
        public var scratch: UInt8
        public var divisor: UInt16
        public var fifosEnabled: Bool
        public var receiveBuffer: [UInt8]
        public var overrun: Bool
        public var transmitterEmptyPending: Bool
        public var modemStatusDeltas: UInt8
        public var lastModemStatusLines: UInt8
    }

    public var state: State {
        State(interruptEnable: interruptEnable, lineControl: lineControl, modemControl: modemControl, scratch: scratch,
              divisor: divisor, fifosEnabled: fifosEnabled, receiveBuffer: receiveBuffer, overrun: overrun,
              transmitterEmptyPending: transmitterEmptyPending, modemStatusDeltas: modemStatusDeltas,
              lastModemStatusLines: lastModemStatusLines)
    }

    /// Puts the registers back as `state` recorded them; a receive buffer longer than the
    /// FIFO is cut to its capacity.
    public func restore(_ state: State) {
        interruptEnable = state.interruptEnable & 0x0f
        lineControl = state.lineControl
        modemControl = state.modemControl & 0x1f
        scratch = state.scratch
        divisor = state.divisor
        fifosEnabled = state.fifosEnabled
        receiveBuffer = Array(state.receiveBuffer.prefix(receiveCapacity))
        overrun = state.overrun
        transmitterEmptyPending = state.transmitterEmptyPending
        modemStatusDeltas = state.modemStatusDeltas & 0x0f
        lastModemStatusLines = state.lastModemStatusLines
    }
}
