// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the SPDX license-expression parser and the SPDX tag scanner.
// Properties: neither traps; a parsed expression prints as text that parses back to the
// same expression, and normalising is idempotent.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLicenseExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = SPDXTags.extract(from: text)
    guard let expression = try? LicenseExpression.parse(text) else { return 0 }
    guard let reparsed = try? LicenseExpression.parse(expression.description) else {
        fatalError("'\(expression)' (from '\(text)') does not parse back")
    }
    if reparsed.normalized != expression.normalized {
        fatalError("'\(text)' -> '\(expression)' -> '\(reparsed)' changed meaning")
    }
    let normalized = expression.normalized
    if normalized.normalized != normalized { fatalError("normalising '\(expression)' is not idempotent") }
    return 0
}
