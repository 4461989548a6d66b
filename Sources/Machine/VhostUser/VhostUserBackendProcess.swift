// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Foundation

/// A vhost-user backend the VMM starts itself (a driver such as candor-blk, or
/// qemu-storage-daemon): a separate program, so a driver's license and crashes stay in
/// its own process. It gets SIGTERM when released, and from the kernel when the VMM dies
/// (PR_SET_PDEATHSIG, tied to the starting thread: start it from a long-lived one).
public final class VhostUserBackendProcess {
    public enum LaunchError: Error, Equatable, CustomStringConvertible {
        case startFailed(executable: String, errno: Int32)

        public var description: String {
            switch self {
            case let .startFailed(executable, err):
                return "vhost-user backend \(executable): could not start: \(String(cString: strerror(err)))"
            }
        }
    }

    public let executable: String
    public let socketPath: String
    public let processIdentifier: pid_t
    private var exited = false

    /// Starts `executable` with `arguments`; it is expected to listen on `socketPath`
    /// (a stale socket file there is removed first). Connect with `VhostUserFrontend`,
    /// which waits for the socket to appear.
    public init(executable: String, arguments: [String], socketPath: String) throws {
        self.executable = executable
        self.socketPath = socketPath
        unlink(socketPath)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let pid = cposix_spawn_tied(executable, argv)
        guard pid > 0 else { throw LaunchError.startFailed(executable: executable, errno: errno) }
        processIdentifier = pid
    }

    /// Whether the process is still running (reaps it once it has exited).
    public var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier { exited = true }
        return !exited
    }

    /// Asks the backend to exit and waits for it.
    public func terminate() {
        if isRunning {
            kill(processIdentifier, SIGTERM)
            var status: Int32 = 0
            while waitpid(processIdentifier, &status, 0) < 0 && errno == EINTR {}
            exited = true
        }
        unlink(socketPath)
    }

    deinit { terminate() }
}
