// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the comment/string lexers that split a file into stated text and
// code. The first byte picks the file name (so every syntax is reached); the rest is the
// file. Properties: no trap, no endless loop, one region per byte, only known regions.

private let names = ["a.c", "a.py", "a.sh", "configure.ac", "a.bat", "a.el", "a.s", "a.sql", "a.tex", "a.f",
                     "a.f90", "a.1", "README", "Makefile", "config.h.in", "a.json", "a.pl", "a.rb", "a.lua"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSourceContext(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let name = names[Int(data[0]) % names.count]
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let regions = SourceContext.regions(of: bytes, path: name)
    if regions.count != bytes.count { fatalError("\(regions.count) regions for \(bytes.count) bytes") }
    if let bad = regions.first(where: { TextRegion(rawValue: $0) == nil }) { fatalError("region \(bad)") }
    return 0
}
