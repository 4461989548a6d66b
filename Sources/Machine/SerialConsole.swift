// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The host side of the guest's serial port: bytes the guest sends go to a file
/// descriptor (stdout or a file) unbuffered, so the first byte is visible at once;
/// bytes read from stdin are fed to the UART as its FIFO has room.
// @unchecked: `writeError` is written only by the thread that writes the guest's output
// (one vCPU at a time, under the bus lock) and read after the vCPUs have stopped.
final class SerialConsole: @unchecked Sendable {
    let outputDescriptor: Int32
    private let ownsOutput: Bool
    /// The terminal's settings before `startInput` made it raw, to put back on exit.
    private let savedTerminal = Mutex<termios?>(nil)
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

    deinit {
        restoreTerminal()
        if ownsOutput { close(outputDescriptor) }
    }

    private func makeTerminalRaw() {
        guard isatty(STDIN_FILENO) == 1 else { return }
        var settings = termios()
        guard tcgetattr(STDIN_FILENO, &settings) == 0 else { return }
        let original = settings
        settings.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        settings.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | IEXTEN)
        settings.c_cflag = settings.c_cflag & ~tcflag_t(CSIZE | PARENB) | tcflag_t(CS8)
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &settings) == 0 else { return }
        savedTerminal.withLock { $0 = original }
    }

    /// Puts the terminal back as `startInput` found it (once; later calls do nothing).
    func restoreTerminal() {
        guard var original = savedTerminal.withLock({ saved -> termios? in
            defer { saved = nil }
            return saved
        }) else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &original)
    }

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
    /// When stdin is a terminal it is put in raw mode first (no line editing or echo:
    /// each key goes to the guest as typed); Ctrl-C still stops candor-vm (ISIG stays on).
    func startInput(to uart: Serial16550, on bus: IOBus) {
        makeTerminalRaw()
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
