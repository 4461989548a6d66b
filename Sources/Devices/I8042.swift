// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// The part of the i8042 keyboard controller a VMM needs: the status and command
/// registers, the command byte, the self test, and the CPU reset line (command 0xFE),
/// which guests use to reboot. Mapped at ports 0x60 (data) and 0x64 (status/command),
/// so offsets are 0 and 4. No keyboard or mouse is attached.
public final class I8042: BusDevice {
    static let dataOffset: UInt64 = 0
    static let commandOffset: UInt64 = 4

    // Status register bits
    static let outputFull: UInt8 = 0x01
    static let systemFlag: UInt8 = 0x04
    static let commandWasLast: UInt8 = 0x08

    // Commands
    static let readCommandByte: UInt8 = 0x20
    static let writeCommandByte: UInt8 = 0x60
    static let selfTest: UInt8 = 0xaa
    static let pulseResetLine: UInt8 = 0xfe

    private var status: UInt8 = systemFlag
    private var commandByte: UInt8 = 0x00
    private var outputBuffer: UInt8?
    private var awaitingCommandByte = false

    public init() {}

    public func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case Self.dataOffset:
            let value = outputBuffer ?? 0
            outputBuffer = nil
            return UInt64(value)
        case Self.commandOffset:
            return UInt64(status | (outputBuffer != nil ? Self.outputFull : 0))
        default:
            return 0xff
        }
    }

    public func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest? {
        let byte = UInt8(truncatingIfNeeded: value)
        switch offset {
        case Self.commandOffset:
            status |= Self.commandWasLast
            awaitingCommandByte = false
            switch byte {
            case Self.readCommandByte: outputBuffer = commandByte
            case Self.writeCommandByte: awaitingCommandByte = true
            case Self.selfTest: outputBuffer = 0x55
            case Self.pulseResetLine: return .reset
            default: break
            }
        case Self.dataOffset:
            status &= ~Self.commandWasLast
            if awaitingCommandByte {
                commandByte = byte
                awaitingCommandByte = false
            }
        default:
            break
        }
        return nil
    }

    /// The controller's registers, for a snapshot.
    public struct State: Equatable, Sendable, Codable {
        public var status: UInt8
        public var commandByte: UInt8
        public var outputBuffer: UInt8?
        public var awaitingCommandByte: Bool
    }

    public var state: State {
        State(status: status, commandByte: commandByte, outputBuffer: outputBuffer, awaitingCommandByte: awaitingCommandByte)
    }

    public func restore(_ state: State) {
        status = state.status
        commandByte = state.commandByte
        outputBuffer = state.outputBuffer
        awaitingCommandByte = state.awaitingCommandByte
    }
}
