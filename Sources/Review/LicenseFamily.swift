// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A small classification of licenses into families and their obligations, enough for the
// review's summary. It sits behind one function, `family(of:)`, so that the license
// semantics of the Licensing target can replace it without touching the renderers.

import Licensing

/// How much a license asks of whoever distributes the component.
public enum LicenseFamily: String, Codable, Sendable, CaseIterable, Comparable {
    case strongCopyleft = "strong-copyleft"
    case weakCopyleft = "weak-copyleft"
    case permissive
    case publicDomain = "public-domain"
    /// A license the classification does not know (LicenseRef-..., an unlisted id).
    case other
    /// No license information (absent or NOASSERTION).
    case unknown
    /// The document says NONE.
    case none

    public var label: String {
        switch self {
        case .strongCopyleft: "Strong copyleft"
        case .weakCopyleft: "Weak copyleft"
        case .permissive: "Permissive"
        case .publicDomain: "Public domain"
        case .other: "Other (review)"
        case .unknown: "Unknown"
        case .none: "None"
        }
    }

    /// Copyleft: whoever distributes it must offer the source.
    public var requiresSource: Bool { self == .strongCopyleft || self == .weakCopyleft }

    /// Whoever distributes it must keep notices and the license text (or find out whether to).
    public var requiresAttribution: Bool { self != .publicDomain && self != .none }

    /// What distributing a component of this family obliges one to do.
    public var obligations: [String] {
        switch self {
        case .strongCopyleft:
            ["Offer the complete corresponding source (written offer or alongside)",
             "Include the license text and keep copyright notices",
             "License derived works and combined programs under the same terms"]
        case .weakCopyleft:
            ["Offer the source of the component and of changes to it",
             "Include the license text and keep copyright notices",
             "Allow the component to be replaced or relinked (LGPL) or keep changed files under it (MPL, EPL)"]
        case .permissive:
            ["Include the license text and keep copyright notices"]
        case .publicDomain:
            []
        case .other:
            ["Read the license: the classification does not know it"]
        case .unknown:
            ["Find the license: the SBOM does not state one"]
        case .none:
            []
        }
    }

    /// Order of restriction used to combine an expression's operands.
    var restriction: Int {
        switch self {
        case .none: 0
        case .publicDomain: 1
        case .permissive: 2
        case .unknown: 3
        case .other: 4
        case .weakCopyleft: 5
        case .strongCopyleft: 6
        }
    }

    public static func < (a: LicenseFamily, b: LicenseFamily) -> Bool { a.restriction > b.restriction }
}

/// The family of an SPDX license expression: AND takes the most demanding operand, OR the
/// least demanding one (the recipient may choose), WITH an exception that limits the
/// copyleft (Linux-syscall-note, Classpath, GCC runtime) makes strong copyleft weak.
/// Expressions that do not parse are `other`.
public func family(of expression: String?) -> LicenseFamily {
    guard let expression, !expression.isEmpty, expression != "NOASSERTION" else { return .unknown }
    if expression == "NONE" { return .none }
    guard let parsed = try? LicenseExpression.parse(expression) else { return .other }
    return family(of: parsed)
}

private func family(of expression: LicenseExpression) -> LicenseFamily {
    switch expression {
    case .license(let id, _):
        return licenseFamily(id: id)
    case .with(let license, let exception):
        let base = family(of: license)
        if base == .strongCopyleft, linkingExceptions.contains(where: { exception.lowercased().hasPrefix($0) }) {
            return .weakCopyleft
        }
        return base
    case .and(let operands):
        return operands.map { family(of: $0) }.max { $0.restriction < $1.restriction } ?? .unknown
    case .or(let operands):
        return operands.map { family(of: $0) }.min { $0.restriction < $1.restriction } ?? .unknown
    }
}

private let linkingExceptions = ["linux-syscall-note", "classpath-exception", "gcc-exception", "llvm-exception",
                                 "autoconf-exception", "bison-exception", "libtool-exception", "font-exception",
                                 "openjdk-assembly-exception", "universal-foss-exception", "gnu-javamail-exception"]

private func licenseFamily(id: String) -> LicenseFamily {
    let lower = id.lowercased()
    func starts(_ prefixes: [String]) -> Bool { prefixes.contains { lower.hasPrefix($0) } }
    if starts(["lgpl", "mpl-", "epl-", "cddl-", "cpl-", "ms-rl", "apsl-", "cecill-c", "lppl", "ipl-", "spl-", "erlpl",
               "cc-by-sa", "odbl", "cecill-b"]) && !lower.hasPrefix("mpl-2.0-no-copyleft") {
        return .weakCopyleft
    }
    if starts(["gpl-", "agpl-", "osl-", "eupl-", "sspl-", "sleepycat", "rpl-", "qpl-", "cecill-1", "cecill-2",
               "gfdl-", "cc-by-nc-sa"]) {
        return .strongCopyleft
    }
    if starts(["cc0-", "unlicense", "0bsd", "wtfpl", "pddl-", "licenseref-public-domain", "licenseref-scancode-public-domain"])
        || lower == "public-domain" {
        return .publicDomain
    }
    if starts(["mit", "bsd-", "apache-", "isc", "zlib", "x11", "unicode-", "psf-", "python-", "bsl-1.0", "curl",
               "openssl", "libpng", "ftl", "ncsa", "cc-by-", "artistic-2", "postgresql", "w3c", "mpl-2.0-no-copyleft",
               "ofl-", "upl-", "blueoak", "ssleay", "afl-", "zpl-", "hpnd", "icu", "json", "boost", "ruby", "php-",
               "x11", "xfree86", "libtiff", "imagemagick", "bitstream", "vim", "tcl", "sgi-b", "info-zip", "naumen",
               "ntp", "mit-", "fsfap", "fsful", "beerware", "cc-pddc", "linux-man-pages", "ijg", "bzip2", "wsuipa"]) {
        return .permissive
    }
    return .other
}
