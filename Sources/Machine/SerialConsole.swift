// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
#if canImport(Glibc)
import Glibc
#endif

/// The host side of the guest's serial port: bytes the guest sends go to a file
/// descriptor (stdout or a file) unbuffered, so the first byte is visible at once;
/// bytes read from stdin are fed to the UART as its FIFO has room.
final class SerialConsole: @unchecked Sendable {
    let outputDescriptor: Int32
    private let ownsOutput: Bool
    /// Set when a write failed, so the run can report it instead of losing output silently.
    private(set) var writeError: Int32?

    init(output: MachineConfiguration.SerialOutput) throws {
        switch output {
        case .standardOutput:
            outputDescriptor = STDOUT_FILENO
            ownsOutput = false
        case let .file(path):
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw MachineError.openSerialOutput(path: path, errno: errno) }
            outputDescriptor = fd
            ownsOutput = true
        }
    }

    deinit { if ownsOutput { close(outputDescriptor) } }

    func write(_ byte: UInt8) {
        var byte = byte
        while writeError == nil {
            let written = Glibc.write(outputDescriptor, &byte, 1)
            if written == 1 { return }
            if written < 0 && errno != EINTR { writeError = errno }
        }
    }

    /// Reads stdin on a background thread until end of file and hands each byte to
    /// `uart` through `bus` (which also raises the UART's interrupt).
    func startInput(to uart: Serial16550, on bus: IOBus) {
        _ = startThread {
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                for byte in buffer[0..<count] {
                    // Wait for room in the FIFO as a terminal's flow control would.
                    while (try? bus.withDevice(uart, { $0.canReceive ? $0.receive(byte) : false })) != true {
                        usleep(1000)
                    }
                }
            }
        }.map { pthread_detach($0) }
    }
}
