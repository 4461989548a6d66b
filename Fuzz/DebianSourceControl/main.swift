// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Fuzzes the .dsc (Deb822) parser: any text gives a control file or a SourceOfferError,
// never a trap, and an accepted one names only plain file names with 64-digit checksums.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let dsc = try? DebianSourceControl(text: text, file: "fuzz.dsc") else { return 0 }
    for file in dsc.files where file.name.contains("/") || file.name == ".." || file.sha256.count != 64 {
        fatalError("accepted file entry \(file)")
    }
    if dsc.source.isEmpty || dsc.version.isEmpty { fatalError("accepted empty Source or Version") }
    return 0
}
