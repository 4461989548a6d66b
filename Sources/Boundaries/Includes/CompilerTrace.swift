// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The compiler's own answer to "which header did this directive open": run the entry's
// compiler with `-E -H` (each opened header on stderr, one dot per nesting level) and
// match every header to the directive in its includer that names it.

import Foundation
import Processes

/// Includer (absolute) -> directive line -> the header the compiler opened (absolute).
typealias ResolvedDirectives = [String: [Int: String]]

enum CompilerTrace {
    enum Failure: Error { case cannotRun(String) }

    static func run(_ command: CompileCommand, cache: IncludeFileCache) throws -> (resolved: ResolvedDirectives, error: String?) {
        guard let compiler = ExternalProcess.locate(command.arguments[0], directory: command.directory) else {
            throw Failure.cannotRun("compiler \(command.arguments[0]) not found")
        }
        let arguments = CompileCommands.traceArguments(command.arguments, file: command.file, directory: command.directory)
        let output: ProcessRunner.Output
        do {
            output = try ProcessRunner.run(compiler, arguments, directory: command.directory)
        } catch {
            throw Failure.cannotRun("cannot run \(compiler): \(error.localizedDescription)")
        }
        let lines = output.standardError.split(separator: "\n")
        let resolved = match(lines: lines, source: command.file, directory: command.directory, cache: cache)
        var error: String?
        if output.status != 0 {
            error = lines.first { $0.contains("error") }.map(String.init) ?? "exit status \(output.status)"
        }
        return (resolved, error)
    }

    /// Rebuilds the nesting from the dots and pairs each opened header with the next
    /// directive of its includer whose name it ends with.
    static func match(lines: [Substring], source: String, directory: String, cache: IncludeFileCache) -> ResolvedDirectives {
        var resolved: ResolvedDirectives = [:]
        // stack[d] is the file open at depth d (0 = the source); cursors[d] the next
        // directive of that file still to be matched.
        var stack = [source]
        var cursors = [0]
        for line in lines {
            var depth = 0
            var index = line.startIndex
            while index < line.endIndex, line[index] == "." {
                depth += 1
                index = line.index(after: index)
            }
            guard depth > 0, index < line.endIndex, line[index] == " " else { continue }
            let reported = String(line[line.index(after: index)...])
            let header = PathText.normalize(PathText.join(directory, reported))
            guard depth <= stack.count else { continue }
            stack.removeSubrange(depth...)
            cursors.removeSubrange(depth...)
            let includer = stack[depth - 1]
            if case .success(let directives) = cache.directives(of: includer) {
                var position = cursors[depth - 1]
                let named = directives[min(position, directives.count)...].firstIndex { names($0, header) }
                    ?? directives[min(position, directives.count)...].firstIndex { $0.form == .computed }
                if let found = named {
                    if resolved[includer]?[directives[found].line] == nil {
                        resolved[includer, default: [:]][directives[found].line] = header
                    }
                    position = found + 1
                }
                cursors[depth - 1] = position
            }
            stack.append(header)
            cursors.append(0)
        }
        return resolved
    }

    /// Whether `directive` can have named `header`: the header's path ends with the name.
    private static func names(_ directive: IncludeDirective, _ header: String) -> Bool {
        guard directive.form != .computed else { return false }
        let name = PathText.normalize(directive.name).split(separator: "/").drop { $0 == ".." }.joined(separator: "/")
        return header == name || header.hasSuffix("/" + name)
    }
}
