// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The process runner the test targets share (STYLE.md 16): tests run compilers, the
// candor executable and .venv tools, and want the exit status with everything printed.

import Foundation

/// The exit status of a finished process and its standard output and error, interleaved.
public struct ProcessRun: Sendable {
    public var status: Int32
    public var output: String
    public init(status: Int32, output: String) { self.status = status; self.output = output }
}

/// A process that exited non-zero, with the command and what it printed.
public struct ProcessFailure: Error, CustomStringConvertible {
    public var command: [String]
    public var run: ProcessRun

    public init(command: [String], run: ProcessRun) { self.command = command; self.run = run }
    public var description: String { "\(command.joined(separator: " ")) (exit \(run.status)): \(run.output)" }
}

/// Runs `executable` with `arguments` in `directory` (default: the current one), with
/// `environment` instead of this process's when given; one pipe for both streams.
public func runProcess(_ executable: String, _ arguments: [String], in directory: String? = nil,
                       environment: [String: String]? = nil) throws -> ProcessRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// `runProcess`, throwing a ProcessFailure (with the output) on a non-zero exit.
@discardableResult
public func runChecked(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> ProcessRun {
    let run = try runProcess(executable, arguments, in: directory)
    guard run.status == 0 else { throw ProcessFailure(command: [executable] + arguments, run: run) }
    return run
}

/// Something the test needs that an earlier build step should have made: a failure, not a
/// skip (a skip would hide the broken step).
public struct NotBuilt: Error, CustomStringConvertible {
    public var path: String
    public var how: String
    public init(_ path: String, how: String) { self.path = path; self.how = how }
    public var description: String { "\(path) is not built: \(how)" }
}
