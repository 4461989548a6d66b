// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The boundary checker's parsers of untrusted text: #include directives, shell-quoted
// compile commands, Swift imports, C tokens with export macros and symbol
// uses, Kbuild assignments, Package.swift read as text, depfiles and Module.symvers. The
// first byte picks the parser. Built by
// scripts/fuzz.sh BoundaryParsers with the sources listed in `sources`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let text = String(decoding: bytes, as: UTF8.self)
    switch data[0] % 8 {
    case 0:
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).count
        for directive in IncludeDirectiveParser.parse(bytes) {
            precondition(directive.line >= 1 && directive.line <= lines, "directive line \(directive.line) of \(lines)")
        }
    case 1:
        // searchPath is left out: it asks the system compiler once (a process per run).
        if let words = CompileCommands.splitShellWords(text) {
            _ = CompileCommands.traceArguments(words, file: "a.c", directory: "/build")
        }
    case 2:
        for (line, module) in SwiftImportScanner.imports(in: bytes) {
            precondition(line >= 1 && !module.isEmpty)
        }
    case 3:
        let exports = ExportAnalysis.exports(in: text, path: "f.c")
        _ = ExportAnalysis.uses(of: Set(exports.map(\.symbol) + ["gpl_symbol"]), in: text, path: "f.c")
        _ = ExportAnalysis.moduleLicenses(in: text, path: "f.c")
    case 4:
        // Includes resolve under a root that does not exist: only the text is read.
        for (variable, _) in KbuildMakefile(path: "drivers/x/Makefile", text: text, rootPrefix: "/nonexistent-root/").assignments {
            precondition(!variable.isEmpty)
        }
    case 5:
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).count
        let read = ManifestReader.read(text)
        for problem in read.problems { precondition(problem.line >= 1 && problem.line <= lines, "problem line \(problem.line) of \(lines)") }
    case 6:
        for word in Depfile.words(text) { precondition(!word.isEmpty) }
    default:
        for export in ExportAnalysis.symvers(in: text, path: "Module.symvers") { precondition(export.location.line ?? 0 >= 1) }
    }
    return 0
}
