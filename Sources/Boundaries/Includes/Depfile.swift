// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The headers a compilation really read, from the depfile the tree's own build wrote
// (`-MD`, `-MMD`, `-MF file`): a make rule `obj.o: src.c a.h b.h`. Reading it runs
// nothing, and it reflects the unit's macros, so untaken #if branches are not followed.

import Foundation

enum Depfile {
    struct ReadError: Error { var message: String }

    /// Where the command's depfile is: `-MF file`, else `-o obj` with `.d` for its suffix
    /// when the command has `-MD`/`-MMD`; nil when it writes none.
    static func path(of command: CompileCommand) -> String? {
        let arguments = command.arguments
        var output: String?
        var writesDepfile = false
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "-MF":
                guard index < arguments.count else { return nil }
                return absolute(arguments[index], command.directory)
            case "-o":
                if index < arguments.count { output = arguments[index]; index += 1 }
            case "-MD", "-MMD":
                writesDepfile = true
            default:
                if argument.hasPrefix("-MF") { return absolute(String(argument.dropFirst(3)), command.directory) }
                if argument.hasPrefix("-Wp,-MD,") || argument.hasPrefix("-Wp,-MMD,") {
                    // The kernel's build: -Wp,-MMD,dir/.file.o.d
                    return absolute(String(argument.split(separator: ",", maxSplits: 2).last ?? ""), command.directory)
                }
                if argument.hasPrefix("-o"), argument.count > 2 { output = String(argument.dropFirst(2)) }
            }
        }
        guard writesDepfile, let output else { return nil }
        let stem = (output as NSString).deletingPathExtension
        return absolute(stem + ".d", command.directory)
    }

    private static func absolute(_ path: String, _ directory: String) -> String {
        PathText.normalize(path.hasPrefix("/") ? path : PathText.join(directory, path))
    }

    /// The prerequisites of the rule(s) in a depfile, absolute: relative ones are taken
    /// from `directory`, the compilation's working directory.
    static func read(_ path: String, directory: String? = nil) -> Result<Set<String>, ReadError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ReadError(message: "depfile named by compile_commands.json is missing (build the tree first); the unit's #if conditions are evaluated with its flags instead"))
        }
        let base = directory ?? (path as NSString).deletingLastPathComponent
        var files = Set<String>()
        for word in words(String(decoding: data, as: UTF8.self)) {
            if word.hasSuffix(":") { continue }  // a target (obj.o:) or a phony rule's target (a.h:)
            files.insert(absolute(word, base))
        }
        guard !files.isEmpty else { return .failure(ReadError(message: "depfile has no prerequisites")) }
        return .success(files)
    }

    /// Make words: backslash-newline continues, `\ ` is a space in a name, `$$` is `$`.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var iterator = Array(text).makeIterator()
        func flush() { if !current.isEmpty { words.append(current); current = "" } }
        while let c = iterator.next() {
            switch c {
            case "\\":
                guard let next = iterator.next() else { break }
                if next == "\n" { flush() } else if next == " " || next == "#" { current.append(next) } else { current.append(c); current.append(next) }
            case " ", "\t", "\n", "\r":
                flush()
            case "$":
                if let next = iterator.next() { current.append(next == "$" ? "$" : next) }
            default:
                current.append(c)
            }
        }
        flush()
        // `obj.o:` may come as `obj.o` followed by `:` when written with a space.
        var result: [String] = []
        for word in words {
            if word == ":", let last = result.popLast() { result.append(last + ":"); continue }
            result.append(word)
        }
        return result
    }

    /// Which read header each directive of the read files opened: the directive whose name
    /// the header's path ends with (the same pairing as the compiler's trace).
    static func resolve(source: String, read: Set<String>, cache: IncludeFileCache) -> ResolvedDirectives {
        var resolved: ResolvedDirectives = [:]
        let headers = read.subtracting([source]).sorted()
        for includer in [source] + headers {
            guard case .success(let directives) = cache.directives(of: includer) else { continue }
            for directive in directives where directive.form != .computed {
                let name = PathText.normalize(directive.name).split(separator: "/").drop { $0 == ".." }.joined(separator: "/")
                let candidates = headers.filter { $0.hasSuffix("/" + name) }
                // Prefer the header beside the includer for "quoted" names.
                let beside = PathText.normalize(PathText.join((includer as NSString).deletingLastPathComponent, directive.name))
                if let header = candidates.contains(beside) ? beside : (candidates.count == 1 ? candidates[0] : nil) {
                    resolved[includer, default: [:]][directive.line] = header
                }
            }
        }
        return resolved
    }
}
