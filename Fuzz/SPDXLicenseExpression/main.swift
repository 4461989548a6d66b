// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Fuzzes the SBOM's license expression resolution: whatever the input, it must not trap,
// and the result must be NONE, NOASSERTION or a well-formed expression whose ids are known
// or LicenseRef- ids that have extracted licensing info.

import Foundation
import Licensing

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let known: Set = ["MIT", "Apache-2.0", "GPL-2.0-only"]
    let exceptions: Set = ["Linux-syscall-note"]
    let references = LicenseReferences { id in
        known.contains(id) || exceptions.contains(id)
            ? KnownLicense(name: id, text: "text", isException: exceptions.contains(id)) : nil
    }
    let resolved = references.resolve(input, foundIn: "./fuzz")
    if resolved == "NONE" || resolved == "NOASSERTION" { return 0 }
    guard let expression = try? LicenseExpression.parse(resolved) else {
        fatalError("resolved expression is not well formed: \(resolved) from \(input.debugDescription)")
    }
    let extracted = Set(references.extractedLicenses().map(\.licenseId))
    for id in expression.licenseIDs where !known.contains(id) && !extracted.contains(id) {
        fatalError("\(id) in \(resolved) is neither a known license nor extracted (input \(input.debugDescription))")
    }
    for id in expression.exceptionIDs where !exceptions.contains(id) {
        fatalError("\(id) in \(resolved) is not a known exception (input \(input.debugDescription))")
    }
    _ = references.terms(of: resolved)
    return 0
}
