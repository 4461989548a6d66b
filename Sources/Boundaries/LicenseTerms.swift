// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// License expressions as the boundary rules read them. What an expression allows is
// LicenseSemantics' question, asked through LicenseJudge.

import Licensing

enum LicenseTerms {
    /// Parses and normalises; nil for a missing or unparsable expression.
    static func parse(_ text: String?) -> LicenseExpression? {
        guard let text, !text.isEmpty, text != "NOASSERTION", text != "NONE" else { return nil }
        return (try? LicenseExpression.parse(text))?.normalized
    }
}
