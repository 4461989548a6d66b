// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What the review shows for a license statement. The family and the obligations are
// Licensing's (LicenseSemantics, the one place for license facts); this file adds only
// what a document can say besides a license (nothing, NOASSERTION, NONE, text that is not
// an expression) and the words the page prints.

import Licensing

public enum LicenseClass: Hashable, Sendable, CaseIterable {
    /// A license expression, in Licensing's family of it.
    case family(LicenseFamily)
    /// Text that is not an SPDX license expression.
    case unrecognized
    /// No license information (absent or NOASSERTION).
    case unknown
    /// The document says NONE.
    case none

    /// Most demanding first: the order of the page's lists and plots.
    public static let allCases: [LicenseClass] =
        LicenseFamily.allCases.sorted(by: >).map(LicenseClass.family) + [.unrecognized, .unknown, .none]

    /// The id the page's data uses.
    public var rawValue: String {
        switch self {
        case .family(let family): family.rawValue
        case .unrecognized: "unrecognized"
        case .unknown: "unknown"
        case .none: "none"
        }
    }

    public var label: String {
        switch self {
        case .family(.permissive): "Permissive"
        case .family(.weakFileCopyleft): "Weak copyleft (file)"
        case .family(.weakLibraryCopyleft): "Weak copyleft (library)"
        case .family(.strongCopyleft): "Strong copyleft"
        case .family(.networkCopyleft): "Network copyleft"
        case .family(.proprietary): "Proprietary"
        case .unrecognized: "Unrecognized (review)"
        case .unknown: "Unknown"
        case .none: "None"
        }
    }

    /// Licensing's obligations of the family.
    public var licenseObligations: [LicenseObligation] {
        guard case .family(let family) = self else { return [] }
        return LicenseSemantics.obligations(family)
    }

    /// Whoever distributes it must offer source (of the files or of the whole program).
    public var requiresSource: Bool {
        licenseObligations.contains { $0 == .sourceOfFiles || $0 == .sourceOfProgram || $0 == .sourceOnNetworkUse }
    }

    /// Whoever distributes it must keep notices and the license text (or find out whether to).
    public var requiresAttribution: Bool {
        switch self {
        case .family: licenseObligations.contains(.keepNotices)
        case .unrecognized, .unknown: true
        case .none: false
        }
    }

    /// What distributing a component of this class obliges one to do, in words.
    public var obligations: [String] {
        switch self {
        case .family: return licenseObligations.map(Self.sentence)
        case .unrecognized: return ["Read the license: it is not an SPDX expression"]
        case .unknown: return ["Find the license: the SBOM does not state one"]
        case .none: return []
        }
    }

    private static func sentence(_ obligation: LicenseObligation) -> String {
        switch obligation {
        case .keepNotices: "Include the license text and keep copyright notices"
        case .stateChanges: "State the changes made to the files"
        case .sourceOfFiles: "Offer the source of the covered files and of changes to them"
        case .sourceOfProgram: "Offer the complete corresponding source of the whole program (written offer or alongside)"
        case .allowRelinking: "Allow users to replace or relink the library"
        case .sourceOnNetworkUse: "Offer the source to users who interact with it over a network"
        case .noRedistribution: "Do not redistribute without the rights holder's permission"
        }
    }
}

/// The class of an SPDX license expression, by Licensing's semantics: AND takes the most
/// demanding operand, OR the least demanding one (the recipient may choose).
public func family(of expression: String?) -> LicenseClass {
    guard let expression, !expression.isEmpty, expression != "NOASSERTION" else { return .unknown }
    if expression == "NONE" { return .none }
    guard let parsed = try? LicenseExpression.parse(expression) else { return .unrecognized }
    return .family(LicenseSemantics.family(of: parsed))
}
