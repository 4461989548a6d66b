// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The inventory's parsers of untrusted bytes: /etc/ld.so.cache, Debian control files and
// DEP-5, copyright statements, .gitignore rules and globs. The first byte picks the parser.
// Built by scripts/fuzz.sh InventoryParsers with the sources listed in `sources`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let text = String(decoding: bytes, as: UTF8.self)
    switch data[0] % 5 {
    case 0:
        _ = try? LdSoCache.parse(bytes)
    case 1:
        let dep5 = DEP5File(text: text)
        _ = dep5.stanza(for: "src/a.c")
        _ = DEP5File.isMachineReadable(text)
    case 2:
        _ = CopyrightStatements.find(in: bytes)
    case 3:
        let rules = GitIgnoreRules(base: "sub", text: text)
        _ = rules.verdict(relativePath: "sub/dir/file.c", name: "file.c", isDirectory: false)
    default:
        // Pattern and path, separated by the first NUL.
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        let path = split < bytes.count ? Array(bytes[(split + 1)...]) : []
        _ = Glob(String(decoding: bytes[..<split], as: UTF8.self)).matches(path)
        _ = Glob(String(decoding: bytes[..<split], as: UTF8.self), starMatchesSlash: true).matches(path)
    }
    return 0
}
