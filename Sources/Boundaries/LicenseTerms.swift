// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// How a license expression behaves at a boundary: whether code under it pulls whatever
// it is combined with under the GPL, and whether code under it may itself be GPL code.

import Licensing

enum LicenseTerms {
    /// GPL and AGPL ids, every version and form (`GPL-2.0`, `GPL-2.0-only`, `GPL-2.0+`,
    /// `AGPL-3.0-or-later`). LGPL is not here: linking LGPL code does not make a
    /// combined work GPL.
    static func isGPLFamily(_ id: String) -> Bool {
        let lower = id.lowercased()
        return lower.hasPrefix("gpl-") || lower.hasPrefix("agpl-")
    }

    /// Whether combining code under `expression` into a work makes that work GPL:
    /// every alternative (OR) does, some part of a conjunction (AND) does, and an
    /// exception in `exceptions` (e.g. Linux-syscall-note) lifts it.
    static func isGPLBound(_ expression: LicenseExpression, exceptions: Set<String>) -> Bool {
        switch expression {
        case .license(let id, _):
            return isGPLFamily(id)
        case .with(let license, let exception):
            return exceptions.contains(exception) ? false : isGPLBound(license, exceptions: exceptions)
        case .and(let operands):
            return operands.contains { isGPLBound($0, exceptions: exceptions) }
        case .or(let operands):
            return operands.allSatisfy { isGPLBound($0, exceptions: exceptions) }
        }
    }

    /// Whether code under `expression` may be distributed as GPL code (one alternative
    /// names a GPL license): the test modpost applies before a module may use a GPL-only
    /// symbol (`Dual MIT/GPL` passes, `MIT` alone does not).
    static func isGPLLicensed(_ expression: LicenseExpression) -> Bool {
        switch expression {
        case .license(let id, _):
            return isGPLFamily(id)
        case .with(let license, _):
            return isGPLLicensed(license)
        case .and(let operands):
            return operands.contains(where: isGPLLicensed)
        case .or(let operands):
            return operands.contains(where: isGPLLicensed)
        }
    }

    /// Parses and normalises; nil for a missing or unparsable expression.
    static func parse(_ text: String?) -> LicenseExpression? {
        guard let text, !text.isEmpty, text != "NOASSERTION", text != "NONE" else { return nil }
        return (try? LicenseExpression.parse(text))?.normalized
    }
}
