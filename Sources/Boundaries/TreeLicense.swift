// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The license a tree states for itself at its root (COPYING, LICENSE, ...). A file with no
// license statement of its own is distributed under it, as the tree's authors say: Linux's
// COPYING names "GPL-2.0 WITH Linux-syscall-note" for every file without an SPDX line. The
// inference is weaker than a statement in the file, and findings say where it came from.

import Foundation
import Inventory
import Licensing

struct TreeLicense: Hashable, Sendable {
    /// The root file stating it, e.g. `COPYING`.
    var file: String
    /// SPDX expression.
    var license: String

    /// Root files a tree states its license in, most specific first.
    static let candidates = ["COPYING", "COPYING.txt", "COPYING.md", "LICENSE", "LICENSE.txt", "LICENSE.md",
                             "LICENSE.rst", "LICENCE", "LICENCE.txt", "LICENCE.md", "COPYRIGHT", "COPYRIGHT.txt"]

    /// The tree's own license from the scan of its root files: the SPDX lines such a file
    /// carries (the conventions the tree documents), else what the detector found in its
    /// text. Several root files (LICENSE and COPYING) combine with AND; nil when none states one.
    static func find(in report: ScanReport) -> TreeLicense? {
        let byName = Dictionary(report.files.filter { !$0.path.contains("/") }.map { ($0.path.lowercased(), $0) },
                                uniquingKeysWith: { a, _ in a })
        var found: [(file: String, license: String)] = []
        for name in candidates {
            guard let record = byName[name.lowercased()], let stated = FileLicenses.statement(of: record) else { continue }
            if !found.contains(where: { $0.license == stated }) { found.append((record.path, stated)) }
        }
        guard let combined = LicenseExpression.conjunction(found.map(\.license)) else { return nil }
        return TreeLicense(file: found.map(\.file).joined(separator: " and "), license: combined)
    }
}
