// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The one process runner of the compliance targets (STYLE.md 16): compilers, pkg-config,
// `swift package`, dpkg-deb, apt-get and rebuilds all start here.

import Foundation

public enum ProcessRunner {
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String

        /// Both streams, standard output first: what a message about a failure quotes.
        public var combined: String { standardOutput + standardError }
    }

    /// The first executable file named `name` in the directories of `searchPath` (the
    /// syntax of `PATH`, which it defaults to), as found there (links not resolved).
    public static func executableInPath(_ name: String,
                                        searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with stdin from /dev/null in `directory` (nil: the current one),
    /// `environment` laid over this process's, and collects both output streams; after
    /// `timeout` seconds (nil: never) the process is terminated (status then reports the signal).
    public static func run(_ executable: String, _ arguments: [String], directory: String?,
                           environment: [String: String] = [:], timeout: Double? = 300) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
        defer { watchdog.cancel() }
        // Read stderr on a thread of its own so neither pipe fills up and blocks the child
        // (not a Dispatch queue: callers may already occupy every worker of the pool).
        let errorData = ErrorBytes()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            errorData.set(error.fileHandleForReading.readDataToEndOfFile())
            done.signal()
        }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData.get(), as: UTF8.self))
    }
}

/// Standard error's bytes, handed from the reader thread to the caller.
// @unchecked Sendable: every access holds the lock.
private final class ErrorBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
