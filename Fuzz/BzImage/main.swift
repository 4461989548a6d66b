// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the bzImage setup-header parser: any input must parse or throw
// LoaderError, never trap. Built by scripts/fuzz.sh BzImage (LinuxSetupHeader.swift and
// LoaderError.swift are compiled into this module).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let header = try? LinuxSetupHeader(image: bytes) {
        // Every field read must stay inside the header, whatever its length.
        _ = (header.setupSectors, header.loadFlags, header.code32Start, header.initrdAddressMax, header.kernelAlignment,
             header.commandLineSize, header.payloadOffset, header.payloadLength, header.preferredAddress, header.initSize,
             header.protectedModeOffset)
        precondition(header.protectedModeOffset < bytes.count, "the protected-mode kernel starts inside the image")
    }
    return 0
}
