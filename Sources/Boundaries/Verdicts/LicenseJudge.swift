// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The one place the boundary rules ask "may code under this license be used this way by
// code under that one": LicenseSemantics decides; this adds the policy's view of code
// without a license statement and caches verdicts (a kernel asks the same pair millions
// of times).

import Foundation
import Licensing

final class LicenseJudge: @unchecked Sendable {
    /// The license of tree code with no license statement: the policy's `unlicensed`, else
    /// the tree's own (its COPYING); nil: all rights reserved.
    let unlicensed: LicenseExpression?
    /// Where `unlicensed` comes from, for messages: "policy" or "the tree's COPYING states".
    private let unlicensedSource: String
    private var cache: [String: CombinationVerdict] = [:]
    private var parsed: [String: LicenseExpression?] = [:]
    private let lock = NSLock()

    /// Exceptions the policy honours (lower-cased).
    let honoured: Set<String>

    init(unlicensed: String?, tree: TreeLicense? = nil,
         exceptions: Set<String> = BoundaryPolicy.defaultBoundaryExceptions) {
        if let policy = unlicensed.flatMap(LicenseTerms.parse) {
            self.unlicensed = policy
            unlicensedSource = "policy: \(policy)"
        } else if let tree, let expression = LicenseTerms.parse(tree.license) {
            self.unlicensed = expression
            unlicensedSource = "the tree's \(tree.file) states \(expression); inferred, lower confidence"
        } else {
            self.unlicensed = nil
            unlicensedSource = ""
        }
        honoured = Set(exceptions.map { $0.lowercased() })
    }

    /// The expression with every exception the policy does not honour removed.
    private func honouring(_ expression: LicenseExpression) -> LicenseExpression {
        switch expression {
        case .license: return expression
        case .with(let license, let exception):
            return honoured.contains(exception.lowercased()) ? .with(license: honouring(license), exception: exception) : honouring(license)
        case .and(let operands): return .and(operands.map(honouring))
        case .or(let operands): return .or(operands.map(honouring))
        }
    }

    /// The expression a license text is judged by: nil or NOASSERTION is the policy's
    /// `unlicensed`, else nil (all rights reserved).
    func expression(_ text: String?) -> LicenseExpression? {
        guard let text, !text.isEmpty, text != "NOASSERTION", text != "NONE" else { return unlicensed }
        lock.lock()
        defer { lock.unlock() }
        if let known = parsed[text] { return known }
        let made = LicenseTerms.parse(text).map(honouring)
        parsed[text] = made
        return made
    }

    /// Human text for a license, naming what no statement means.
    func describe(_ text: String?) -> String {
        if let text, !text.isEmpty, text != "NOASSERTION" { return text }
        return unlicensed == nil ? "no license statement (all rights reserved)" : "no license statement (\(unlicensedSource))"
    }

    func verdict(program: String?, code: String?, use: CombinationUse) -> CombinationVerdict {
        let key = "\(program ?? "")\u{0}\(code ?? "")\u{0}\(use)"
        lock.lock()
        if let known = cache[key] { lock.unlock(); return known }
        lock.unlock()
        let made = LicenseSemantics.verdict(program: expression(program), code: expression(code), use: use)
        lock.lock()
        cache[key] = made
        lock.unlock()
        return made
    }

    func isIncompatible(program: String?, code: String?, use: CombinationUse) -> Bool {
        verdict(program: program, code: code, use: use).isIncompatible
    }

    /// Whether code under the license may be distributed as GPL code (modpost's test).
    func offersGPL(_ text: String?) -> Bool { LicenseSemantics.offersGPL(expression(text)) }

    /// Whether code under the license may not go into all-rights-reserved code this way
    /// (strong or network copyleft after exceptions in scope; for a copy, weak copyleft too;
    /// an OR only when no alternative allows it): the rule ids say `gpl-` for these.
    func isCopyleft(_ text: String?, use: CombinationUse) -> Bool {
        expression(text) != nil && isIncompatible(program: Self.allRightsReserved, code: text, use: use)
    }

    /// A program license that allows nothing of its own: the test program of `isCopyleft`.
    private static let allRightsReserved = KernelModuleLicense.proprietary

    /// Two licenses in one program: compatible when either can hold the other's code; when
    /// neither can, the reasons seen from both sides.
    func canCombine(_ a: String?, _ b: String?) -> CombinationVerdict {
        let ab = verdict(program: a, code: b, use: .staticLink)
        if !ab.isIncompatible { return ab }
        let ba = verdict(program: b, code: a, use: .staticLink)
        if !ba.isIncompatible { return ba }
        guard case .incompatible(let abWhy) = ab, case .incompatible(let baWhy) = ba else { return ab }
        return abWhy == baWhy ? ab : .incompatible("\(abWhy); \(baWhy)")
    }
}
