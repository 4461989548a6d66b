// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Foundation

/// A vhost-user backend the VMM starts itself (a driver such as candor-blk, or
/// qemu-storage-daemon): a separate program, so a driver's license and crashes stay in
/// its own process. It gets SIGTERM when released (SIGKILL if it does not exit in time),
/// and from the kernel when the VMM dies (PR_SET_PDEATHSIG, tied to the starting thread:
/// start it from a long-lived one).
public final class VhostUserBackendProcess {
    public enum LaunchError: Error, Equatable, CustomStringConvertible {
        case startFailed(executable: String, errno: Int32)
        case socketPairFailed(executable: String, errno: Int32)

        public var description: String {
            switch self {
            case let .startFailed(executable, err):
                return "vhost-user backend \(executable): could not start: \(String(cString: strerror(err)))"
            case let .socketPairFailed(executable, err):
                return "vhost-user backend \(executable): socketpair: \(String(cString: strerror(err)))"
            }
        }
    }

    /// How long `terminate()` waits after SIGTERM before it sends SIGKILL.
    public static let terminationGracePeriod: TimeInterval = 2

    public let executable: String
    /// The socket file the backend listens on, removed on terminate; nil for a backend
    /// that was handed its connection (`startConnected`).
    public let socketPath: String?
    public let processIdentifier: pid_t
    private var exited = false

    /// Starts `executable` with `arguments`; it is expected to listen on `socketPath`
    /// (a stale socket file there is removed first). Connect with `VhostUserFrontend`,
    /// which waits for the socket to appear. For a backend the user runs from a path of
    /// their own choosing; candor-vm's drivers get a socketpair (`startConnected`).
    public convenience init(executable: String, arguments: [String], socketPath: String) throws {
        unlink(socketPath)
        try self.init(executable: executable, arguments: arguments, socketPath: socketPath, inheriting: -1)
    }

    private init(executable: String, arguments: [String], socketPath: String?, inheriting descriptor: Int32) throws {
        self.executable = executable
        self.socketPath = socketPath
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let pid = cposix_spawn_tied(executable, argv, descriptor)
        guard pid > 0 else { throw LaunchError.startFailed(executable: executable, errno: errno) }
        processIdentifier = pid
    }

    /// Starts a driver that takes its frontend connection as an inherited descriptor:
    /// `executable arguments... --fd N`, N being one end of a fresh socketpair. No socket
    /// path exists, so no other local user can sit between the VMM and its driver and
    /// receive guest memory. Returns the process and the VMM's end of the pair.
    public static func startConnected(executable: String, arguments: [String]) throws -> (VhostUserBackendProcess, Int32) {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw LaunchError.socketPairFailed(executable: executable, errno: errno)
        }
        defer { close(pair[1]) }
        do {
            let process = try VhostUserBackendProcess(executable: executable, arguments: arguments + ["--fd", String(pair[1])],
                                                      socketPath: nil, inheriting: pair[1])
            return (process, pair[0])
        } catch {
            close(pair[0])
            throw error
        }
    }

    /// Whether the process is still running (reaps it once it has exited).
    public var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier { exited = true }
        return !exited
    }

    /// Asks the backend to exit (SIGTERM), waits up to `gracePeriod` seconds, then kills
    /// it (SIGKILL) and reaps it: a hung driver cannot keep the VMM from exiting.
    public func terminate(gracePeriod: TimeInterval = terminationGracePeriod) {
        if isRunning {
            kill(processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(gracePeriod)
            while isRunning, Date() < deadline { usleep(5_000) }
            if isRunning {
                kill(processIdentifier, SIGKILL)
                var status: Int32 = 0
                while waitpid(processIdentifier, &status, 0) < 0 && errno == EINTR {}
                exited = true
            }
        }
        if let socketPath { unlink(socketPath) }
    }

    deinit { terminate() }
}
