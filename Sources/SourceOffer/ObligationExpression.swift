// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The source obligation of an SPDX expression, read with Licensing's parser (the fuzz
// target compiles this file together with Licensing's sources, hence the conditional import).

#if canImport(Licensing)
import Licensing
#endif

/// Reads `expression` for `component`; a parse error names both.
func obligationExpression(_ expression: String, component: String) throws -> LicenseExpression {
    do {
        return try LicenseExpression.parse(expression).normalized
    } catch let error as ExpressionError {
        var problem = error.description
        if problem.hasPrefix("license expression: ") { problem.removeFirst("license expression: ".count) }
        throw SourceOfferError.licenseExpression(component: component, expression: expression, problem: problem)
    }
}

extension LicenseExpression {
    /// `A OR B` obliges only if every choice does, `A AND B` if any part does, `X WITH e` as X.
    func obliges(_ isObligating: (String) -> Bool) -> Bool {
        switch self {
        case .license(let id, let orLater): return isObligating(orLater ? id + "+" : id)
        case .with(let license, _): return license.obliges(isObligating)
        case .and(let parts): return parts.contains { $0.obliges(isObligating) }
        case .or(let parts): return parts.allSatisfy { $0.obliges(isObligating) }
        }
    }

    /// License ids (with a trailing `+` where given) and exception ids.
    var obligationIDs: Set<String> {
        switch self {
        case .license(let id, let orLater): return [orLater ? id + "+" : id]
        case .with(let license, let exception): return license.obligationIDs.union([exception])
        case .and(let parts), .or(let parts): return parts.reduce(into: []) { $0.formUnion($1.obligationIDs) }
        }
    }
}
