// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// compile_commands.json (the JSON compilation database of CMake, Bear and clangd): one
// entry per translation unit with its directory, file and command line. We keep the
// flags that decide which header a directive names.

import Foundation
import Processes

struct CompileCommand: Sendable {
    /// Absolute working directory of the compilation.
    var directory: String
    /// Absolute path of the source file.
    var file: String
    /// The full command line, compiler first.
    var arguments: [String]
    /// The entry's position in the database (for problems).
    var index: Int
}

/// Where a translation unit's compiler looks for headers, in search order.
struct HeaderSearchPath: Hashable, Sendable {
    /// `-iquote` directories: searched for "quoted" includes only, after the includer's own.
    var quote: [String] = []
    /// `-I`, then `-isystem`, then the compiler's system directories, then `-idirafter`.
    var angled: [String] = []
    /// `-include` files, processed before the source's first line.
    var forcedIncludes: [String] = []
}

enum CompileCommands {
    enum LoadError: Error { case problem(AnalysisProblem) }

    /// Reads the database at `path`; bad entries become problems, a bad file throws one.
    static func load(path: String, displayPath: String) throws -> (commands: [CompileCommand], problems: [AnalysisProblem]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError.problem(AnalysisProblem(SourceLocation(path: displayPath), "cannot read compile_commands.json: \(error.localizedDescription)"))
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw LoadError.problem(AnalysisProblem(SourceLocation(path: displayPath), "compile_commands.json is not valid JSON: \(error.localizedDescription)"))
        }
        guard let entries = json as? [Any] else {
            throw LoadError.problem(AnalysisProblem(SourceLocation(path: displayPath), "compile_commands.json is not a JSON array of entries"))
        }
        let databaseDirectory = (path as NSString).deletingLastPathComponent
        var commands: [CompileCommand] = []
        var problems: [AnalysisProblem] = []
        for (index, value) in entries.enumerated() {
            func problem(_ message: String) {
                problems.append(AnalysisProblem(SourceLocation(path: displayPath), "compile_commands.json entry \(index): \(message)"))
            }
            guard let entry = value as? [String: Any] else { problem("not a JSON object"); continue }
            guard let file = entry["file"] as? String, !file.isEmpty else { problem("no \"file\""); continue }
            var directory = (entry["directory"] as? String) ?? databaseDirectory
            if !directory.hasPrefix("/") { directory = PathText.join(databaseDirectory, directory) }
            var arguments: [String]
            if let list = entry["arguments"] as? [Any] {
                let strings = list.compactMap { $0 as? String }
                guard strings.count == list.count else { problem("\"arguments\" holds a value that is not a string"); continue }
                arguments = strings
            } else if let command = entry["command"] as? String {
                guard let split = splitShellWords(command) else { problem("unterminated quote in \"command\": \(command)"); continue }
                arguments = split
            } else {
                problem("no \"arguments\" or \"command\" for \(file)")
                continue
            }
            guard !arguments.isEmpty else { problem("empty command for \(file)"); continue }
            let absolute = PathText.normalize(file.hasPrefix("/") ? file : PathText.join(directory, file))
            guard FileManager.default.fileExists(atPath: absolute) else {
                problem("source file \(file) does not exist")
                continue
            }
            commands.append(CompileCommand(directory: PathText.normalize(directory), file: absolute, arguments: arguments, index: index))
        }
        return (commands, problems)
    }

    /// Splits a POSIX shell command line into words (single and double quotes, backslash).
    static func splitShellWords(_ command: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = command.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    current.append(next)
                }
                if !closed { return nil }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { return nil }
                        if !"\"\\$`\n".contains(escaped) { current.append("\\") }
                        current.append(escaped)
                        continue
                    }
                    current.append(next)
                }
                if !closed { return nil }
            case "\\":
                inWord = true
                if let escaped = iterator.next() { current.append(escaped) }
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The header search path a command line sets up, relative paths taken from `directory`.
    static func searchPath(arguments: [String], directory: String, isCPlusPlus: Bool) -> HeaderSearchPath {
        var quote: [String] = []
        var include: [String] = []
        var system: [String] = []
        var after: [String] = []
        var forced: [String] = []
        var noStandard = false
        var sysroot: String?
        func absolute(_ path: String) -> String {
            if path.hasPrefix("="), let sysroot { return PathText.normalize(sysroot + "/" + path.dropFirst()) }
            return PathText.normalize(path.hasPrefix("/") ? path : PathText.join(directory, path))
        }
        var index = 1
        // Options whose value may be attached (`-Idir`) or the next argument (`-I dir`).
        let valued: [(String, (String) -> Void)] = [
            ("-iquote", { quote.append(absolute($0)) }),
            ("-isystem", { system.append(absolute($0)) }),
            ("-idirafter", { after.append(absolute($0)) }),
            ("-include", { forced.append(absolute($0)) }),
            ("--sysroot", { sysroot = absolute($0) }),
            ("-I", { include.append(absolute($0)) }),
        ]
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-nostdinc" || argument == "-nostdinc++" { noStandard = true; continue }
            if argument.hasPrefix("--sysroot=") { sysroot = absolute(String(argument.dropFirst("--sysroot=".count))); continue }
            for (option, apply) in valued where argument.hasPrefix(option) {
                var value = String(argument.dropFirst(option.count))
                if value.isEmpty {
                    guard index < arguments.count else { break }
                    value = arguments[index]
                    index += 1
                } else if option == "--sysroot" {
                    break
                }
                apply(value)
                break
            }
        }
        var angled = include + system
        if !noStandard {
            var defaults = SystemIncludeDirectories.directories(cPlusPlus: isCPlusPlus)
            if let sysroot { defaults = defaults.map { $0.hasPrefix("/usr/") ? sysroot + $0 : $0 } }
            angled += defaults
        }
        angled += after
        return HeaderSearchPath(quote: quote, angled: unique(angled), forcedIncludes: forced)
    }

    /// The command line for `-E -H`: the original flags minus output and dependency files.
    static func traceArguments(_ arguments: [String], file: String, directory: String) -> [String] {
        var result: [String] = []
        var index = 1
        let dropWithValue: Set<String> = ["-o", "-MF", "-MT", "-MQ"]
        let drop: Set<String> = ["-c", "-S", "-E", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG", "-H", "-fsyntax-only"]
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if dropWithValue.contains(argument) { index += 1; continue }
            if drop.contains(argument) { continue }
            if argument.hasPrefix("-o") && argument.count > 2 { continue }
            if argument.hasPrefix("-MF") || argument.hasPrefix("-MT") || argument.hasPrefix("-MQ") { continue }
            if argument.hasPrefix("-Werror") { continue }
            result.append(argument)
        }
        // The source itself: drop it wherever it is and put it last.
        result.removeAll { !$0.hasPrefix("-") && PathText.normalize($0.hasPrefix("/") ? $0 : PathText.join(directory, $0)) == file }
        return result + ["-E", "-H", "-o", "/dev/null", file]
    }

    private static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }
}

/// The compiler's built-in header directories (`cc -xc -E -v -`), asked once per process.
enum SystemIncludeDirectories {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Bool: [String]] = [:]

    static func directories(cPlusPlus: Bool) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[cPlusPlus] { return cached }
        let found = ask(compiler: cPlusPlus ? "c++" : "cc", language: cPlusPlus ? "c++" : "c")
            ?? ["/usr/local/include", "/usr/include"]
        cache[cPlusPlus] = found
        return found
    }

    private static func ask(compiler: String, language: String) -> [String]? {
        guard let executable = ExternalProcess.locate(compiler) else { return nil }
        guard let output = try? ProcessRunner.run(executable, ["-x\(language)", "-E", "-v", "-"], directory: nil) else { return nil }
        var directories: [String] = []
        var inList = false
        for line in output.standardError.split(separator: "\n") {
            if line.hasPrefix("#include <...> search starts here") || line.hasPrefix("#include \"...\" search starts here") { inList = true; continue }
            if line.hasPrefix("End of search list") { break }
            guard inList, line.hasPrefix(" ") else { continue }
            var path = line.trimmingCharacters(in: .whitespaces)
            if path.hasSuffix("(framework directory)") { continue }
            path = PathText.normalize(path)
            if !directories.contains(path) { directories.append(path) }
        }
        return directories.isEmpty ? nil : directories
    }
}
