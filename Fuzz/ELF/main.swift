// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the ELF reader and the ar archive reader: any input must parse
// or throw ELFError, never trap. Built by scripts/fuzz.sh ELF (the sources of
// Sources/ELF are compiled into this module, hence no import).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? ELFFile(bytes: bytes) {
        _ = try? file.symbols()
        _ = try? file.notes()
        for section in file.sections { _ = try? file.sectionData(section) }
        for index in file.programHeaders.indices { _ = try? file.segmentData(index) }
    }
    if let archive = try? ArArchive(bytes: bytes) {
        for member in archive.members { _ = try? ELFFile(bytes: Array(member.bytes)) }
    }
    return 0
}
