// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation

/// A vhost-user backend the VMM starts itself (a driver such as candor-blk, or
/// qemu-storage-daemon): a separate program, so a driver's license and crashes stay in
/// its own process. Stopped (SIGTERM, then waited for) when released.
public final class VhostUserBackendProcess {
    public enum LaunchError: Error, Equatable, CustomStringConvertible {
        case startFailed(executable: String, reason: String)

        public var description: String {
            switch self {
            case let .startFailed(executable, reason):
                return "vhost-user backend \(executable): could not start: \(reason)"
            }
        }
    }

    public let executable: String
    public let socketPath: String
    private let process = Process()

    /// Starts `executable` with `arguments`; it is expected to listen on `socketPath`
    /// (a stale socket file there is removed first). Connect with `VhostUserFrontend`,
    /// which waits for the socket to appear.
    public init(executable: String, arguments: [String], socketPath: String) throws {
        self.executable = executable
        self.socketPath = socketPath
        unlink(socketPath)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        do {
            try process.run()
        } catch {
            throw LaunchError.startFailed(executable: executable, reason: error.localizedDescription)
        }
    }

    public var isRunning: Bool { process.isRunning }
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Asks the backend to exit and waits for it.
    public func terminate() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        unlink(socketPath)
    }

    deinit { terminate() }
}
