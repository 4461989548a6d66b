// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What a license means when code under it is combined with other code: its family, its
// main obligations, which GPL versions it can be combined with, and what each exception
// lifts. One place for these facts, used by `boundaries`, `audit` and `bundle`.
//
// Sources of the facts (each written here by hand, not copied):
// - FSF, "Various Licenses and Comments about Them" (gnu.org/licenses/license-list.html):
//   which licenses are GPL-compatible and with which GPL versions (Apache-2.0 with GPLv3
//   only; BSD-4-Clause, OpenSSL, MPL-1.1, EPL, CDDL, OSL, Apache-1.x incompatible; MPL-2.0
//   through its secondary licenses; CC-BY-4.0 and CC-BY-SA-4.0 one-way into GPLv3).
// - ASF, "ASF 3rd Party License Policy" (apache.org/legal/resolved.html): category A
//   (permissive, may be combined freely), B (weak copyleft, file or library level), X
//   (GPL family, SSPL, BUSL, proprietary: may not be combined into Apache works).
// - OSADL open-source license compatibility matrix (osadl.org/Compatibility): GPL-2.0-only
//   with GPL-3.0, LGPL-3.0 and AGPL-3.0 incompatible; AGPL-3.0 with GPL-3.0 compatible;
//   EUPL-1.2 with GPL-2.0/3.0 through its appendix of compatible licenses.

import Synchronization

/// How far a license's conditions reach into the code combined with it.
public enum LicenseFamily: String, Codable, Sendable, CaseIterable, Comparable {
    /// Notice and attribution only (MIT, BSD, Apache-2.0, ISC, zlib, public domain).
    case permissive
    /// Copyleft on the licensed files only (MPL, EPL, CDDL): other files may be under any license.
    case weakFileCopyleft = "weak-copyleft-file"
    /// Copyleft on the library; a program may link it if users can relink (LGPL).
    case weakLibraryCopyleft = "weak-copyleft-library"
    /// Copyleft on the whole program it is combined into (GPL, EUPL, OSL).
    case strongCopyleft = "strong-copyleft"
    /// Strong copyleft that also attaches to use over a network (AGPL, SSPL).
    case networkCopyleft = "network-copyleft"
    /// All rights reserved: a proprietary license, or no license statement at all.
    case proprietary

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: LicenseFamily, b: LicenseFamily) -> Bool { a.rank < b.rank }

    /// Whether code under this family makes the whole program it is in subject to it.
    public var bindsWholeProgram: Bool { self == .strongCopyleft || self == .networkCopyleft }
}

/// What distributing code under a license obliges the distributor to do.
public enum LicenseObligation: String, Codable, Sendable, CaseIterable {
    case keepNotices = "keep-notices"
    case stateChanges = "state-changes"
    case sourceOfFiles = "source-of-modified-files"
    case sourceOfProgram = "source-of-whole-program"
    case allowRelinking = "allow-relinking"
    case sourceOnNetworkUse = "source-on-network-use"
    case noRedistribution = "no-redistribution"
}

/// One license id's terms.
public struct LicenseTermsInfo: Sendable, Hashable {
    public var id: String
    public var family: LicenseFamily
    public var obligations: [LicenseObligation]
    /// The GPL versions (2, 3) code under this license may be combined with in one
    /// program, per the FSF list; a GPL license lists its own.
    public var gplVersions: Set<Int>
    /// False when the id was not in the table and its family was guessed from its name
    /// (a ScanCode `LicenseRef-scancode-*` id) or assumed (unknown: all rights reserved).
    public var known: Bool
}

/// What an exception's grant covers. An exception lifts its license only for uses in scope.
public enum ExceptionScope: String, Sendable, Hashable {
    /// Linux-syscall-note: user-space programs using the kernel's UAPI headers and system calls.
    case userSpaceInterface = "user-space use of the kernel's UAPI"
    /// GCC-exception-3.1/2.0, LLVM-exception, Swift-exception, libtool: the runtime library
    /// combined into a program by a compilation (GCC's: an eligible compilation process).
    case runtimeLibrary = "a runtime library combined by an (eligible) compilation"
    /// Classpath-exception-2.0, linking exceptions: linking with independent modules.
    case linking = "linking with independent modules"
    /// openvpn-openssl-exception: linking with OpenSSL only.
    case linkingOpenSSL = "linking with OpenSSL only"
    /// Font-exception-2.0: embedding the font in a document.
    case fontEmbedding = "embedding fonts in documents"
    /// Autoconf, Bison exceptions: the tool's generated output only.
    case generatedOutput = "the tool's generated output only"
    /// An exception not in the table: lifts nothing we can vouch for.
    case unknown = "unknown scope"
}

/// How code reaches other code.
public enum CombinationUse: Sendable, Hashable {
    /// A header included at compile time; `userSpaceInterface`: a kernel UAPI header.
    case include(userSpaceInterface: Bool)
    /// Objects linked into one binary, or source compiled into one target.
    case staticLink
    /// A shared library loaded at start (DT_NEEDED) or by dlopen; `library`: its file name.
    case dynamicLink(library: String)
    /// Code copied into another file.
    case copy
}

/// The verdict for code under one license used by a program under another.
public enum CombinationVerdict: Sendable, Hashable {
    case compatible
    /// Allowed when the obligation is met (LGPL static linking: allow relinking).
    case conditional(LicenseObligation, String)
    case incompatible(String)

    public var isIncompatible: Bool { if case .incompatible = self { return true } else { return false } }
}

/// A verdict with the alternatives it holds for: each license's ORs resolved to the choice
/// made (`MIT OR GPL-2.0-only` used by GPL-2.0-only code: `GPL-2.0-only`). Nil where no
/// choice allows the combination.
public struct CombinationJudgement: Sendable, Hashable {
    public var verdict: CombinationVerdict
    /// The program's license as chosen.
    public var program: LicenseExpression?
    /// The code's license as chosen.
    public var code: LicenseExpression?
}

public enum LicenseSemantics {
    // MARK: the license table

    /// Family, obligations and GPL versions by lower-cased SPDX id (without `+`). Facts
    /// from the FSF list, the ASF categories and the OSADL matrix (see the file header).
    private static let table: [String: (LicenseFamily, Set<Int>)] = {
        var t: [String: (LicenseFamily, Set<Int>)] = [:]
        // ASF category A, FSF "GPL-compatible free software licenses" (GPLv2 and v3).
        for id in ["mit", "mit-0", "x11", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "0bsd", "isc", "zlib",
                   "unlicense", "cc0-1.0", "bsl-1.0", "wtfpl", "python-2.0", "psf-2.0", "artistic-2.0", "curl",
                   "postgresql", "ncsa", "unicode-dfs-2016", "unicode-3.0", "x11-distribute-modifications-variant",
                   "libpng", "libpng-2.0", "ijg", "ftl", "bsd-source-code", "public-domain", "mit-modern-variant",
                   "hpnd", "sgi-b-2.0", "blessing", "upl-1.0", "zpl-2.1", "w3c"] {
            t[id] = (.permissive, [2, 3])
        }
        // FSF: Apache-2.0 is compatible with GPLv3, not GPLv2 (patent and indemnity terms).
        t["apache-2.0"] = (.permissive, [3])
        // FSF: CC BY 4.0 and CC BY-SA 4.0 go one way into GPLv3.
        t["cc-by-4.0"] = (.permissive, [3])
        t["cc-by-sa-4.0"] = (.weakFileCopyleft, [3])
        t["cc-by-3.0"] = (.permissive, [])
        // FSF: incompatible permissive licenses (advertising clause, OpenSSL's, Apache 1.x).
        // GFDL: documentation; FSF: not GPL-compatible. Debian lists it for manuals.
        for id in ["gfdl-1.1", "gfdl-1.2", "gfdl-1.3"] { t[id] = (.weakFileCopyleft, []) }
        for id in ["bsd-4-clause", "openssl", "apache-1.0", "apache-1.1", "ofl-1.1", "php-3.01", "zpl-1.1"] {
            t[id] = (.permissive, [])
        }
        // ASF category B / FSF: file-level copyleft.
        t["mpl-2.0"] = (.weakFileCopyleft, [2, 3])  // secondary licenses: GPL-2.0, LGPL-2.1, AGPL-3.0 or later
        for id in ["mpl-2.0-no-copyleft-exception", "mpl-1.1", "mpl-1.0", "epl-1.0", "epl-2.0", "cddl-1.0", "cddl-1.1",
                   "cpl-1.0", "ipl-1.0", "ms-rl", "apsl-2.0", "erlpl-1.1"] {
            t[id] = (.weakFileCopyleft, [])
        }
        // Library-level copyleft; LGPL-2.1 code may be conveyed under GPL-2.0 or later (its section 3).
        t["lgpl-2.0"] = (.weakLibraryCopyleft, [2, 3])
        t["lgpl-2.1"] = (.weakLibraryCopyleft, [2, 3])
        t["lgpl-3.0"] = (.weakLibraryCopyleft, [3])  // OSADL: not with GPL-2.0-only
        // Strong copyleft.
        t["gpl-1.0"] = (.strongCopyleft, [1])
        t["gpl-2.0"] = (.strongCopyleft, [2])
        t["gpl-3.0"] = (.strongCopyleft, [3])
        t["eupl-1.1"] = (.strongCopyleft, [2])     // appendix: GPL-2.0
        t["eupl-1.2"] = (.strongCopyleft, [2, 3])  // appendix: GPL-2.0, GPL-3.0
        t["osl-3.0"] = (.strongCopyleft, [])       // FSF: incompatible with the GPL
        t["osl-2.1"] = (.strongCopyleft, [])
        t["cecill-2.1"] = (.strongCopyleft, [2, 3])
        // Network copyleft.
        t["agpl-3.0"] = (.networkCopyleft, [3])    // AGPL-3.0 and GPL-3.0 sections 13
        t["agpl-1.0"] = (.networkCopyleft, [])
        t["sspl-1.0"] = (.networkCopyleft, [])     // ASF category X; terms beyond any GPL
        // Source-available and proprietary (ASF category X).
        for id in ["busl-1.1", "elastic-2.0", "commons-clause", "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0", "json"] {
            t[id] = (.proprietary, [])
        }
        return t
    }()

    /// Obligations by family (the main ones; a license's own text says more).
    public static func obligations(_ family: LicenseFamily) -> [LicenseObligation] {
        switch family {
        case .permissive: return [.keepNotices]
        case .weakFileCopyleft: return [.keepNotices, .sourceOfFiles]
        case .weakLibraryCopyleft: return [.keepNotices, .stateChanges, .sourceOfFiles, .allowRelinking]
        case .strongCopyleft: return [.keepNotices, .stateChanges, .sourceOfProgram]
        case .networkCopyleft: return [.keepNotices, .stateChanges, .sourceOfProgram, .sourceOnNetworkUse]
        case .proprietary: return [.noRedistribution]
        }
    }

    /// The terms of one license id (`GPL-2.0-only`, `LicenseRef-scancode-gpl-2.0-plus`).
    /// `orLater`: written with `+`.
    public static func terms(of id: String, orLater: Bool = false) -> LicenseTermsInfo {
        var lower = id.lowercased()
        var later = orLater
        var guessed = false
        if lower.hasPrefix("licenseref-scancode-") {
            // ScanCode's own keys: gpl-2.0-plus, lgpl-2.1-plus, agpl-3.0-plus, gpl-2.0 ...
            lower = String(lower.dropFirst("licenseref-scancode-".count))
            if lower.hasSuffix("-plus") { lower = String(lower.dropLast(5)); later = true }
            guessed = table[stem(lower).key] == nil
        } else if lower.hasPrefix("licenseref-") {
            lower = String(lower.dropFirst("licenseref-".count))
            guessed = true
        }
        let (key, suffixLater) = stem(lower)
        later = later || suffixLater
        if let (family, versions) = table[key] {
            var gpl = versions
            // "or later": GPL-2.0-or-later code may also be combined as GPL-3.0 (and LGPL likewise).
            // (GPL-1.0-or-later reaches version 2 as well as 3.)
            if later, let top = versions.max(), top < 3, family != .permissive { gpl.formUnion((top + 1)...3) }
            return LicenseTermsInfo(id: id, family: family, obligations: obligations(family), gplVersions: gpl,
                                    known: !guessed)
        }
        let family = dataCategories.family(of: id) ?? guessFamily(lower)
        let versions: Set<Int> = family == .permissive ? [2, 3] : family == .strongCopyleft ? [2, 3] : []
        return LicenseTermsInfo(id: id, family: family, obligations: obligations(family), gplVersions: versions, known: false)
    }

    /// The category that the loaded license data gives each license (`LicenseDatabase`
    /// records it when it loads): where an id outside our table is placed before guessing
    /// from its words.
    static let dataCategories = DataCategories()

    /// `gpl-2.0-only` -> (`gpl-2.0`, false); `gpl-2.0-or-later` -> (`gpl-2.0`, true).
    private static func stem(_ lower: String) -> (key: String, orLater: Bool) {
        for suffix in ["-or-later", "+"] where lower.hasSuffix(suffix) { return (String(lower.dropLast(suffix.count)), true) }
        if lower.hasSuffix("-only") { return (String(lower.dropLast(5)), false) }
        return (lower, false)
    }

    /// A family from the words of an id the table does not hold (ScanCode's many keys,
    /// a vendor's LicenseRef): anything we cannot place is all rights reserved.
    private static func guessFamily(_ lower: String) -> LicenseFamily {
        let words = lower.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        func has(_ word: String) -> Bool { words.contains(word) }
        if lower.contains("proprietary") || lower.contains("commercial") || lower.contains("unknown")
            || has("nc") || lower.contains("all-rights-reserved") { return .proprietary }
        if has("agpl") || has("sspl") { return .networkCopyleft }
        if has("lgpl") { return .weakLibraryCopyleft }
        if has("gpl") { return .strongCopyleft }
        if has("mpl") || has("epl") || has("cddl") { return .weakFileCopyleft }
        if ["mit", "bsd", "apache", "isc", "zlib", "x11", "permissive", "public", "domain", "pd", "boost", "cc0"].contains(where: has) {
            return .permissive
        }
        return .proprietary
    }

    /// The family of an expression as a whole: the least demanding alternative of an OR,
    /// the most demanding part of an AND; an exception is ignored here (see `verdict`).
    /// Nil (no license statement): all rights reserved.
    public static func family(of expression: LicenseExpression?) -> LicenseFamily {
        guard let expression else { return .proprietary }
        switch expression {
        case .license(let id, let orLater): return terms(of: id, orLater: orLater).family
        case .with(let license, _): return family(of: license)
        case .and(let operands): return operands.map { family(of: $0) }.max() ?? .proprietary
        case .or(let operands): return operands.map { family(of: $0) }.min() ?? .proprietary
        }
    }

    // MARK: exceptions

    /// The scope of an exception id (compared case-insensitively).
    public static func scope(ofException id: String) -> ExceptionScope {
        switch id.lowercased() {
        case "linux-syscall-note": return .userSpaceInterface
        case "gcc-exception-2.0", "gcc-exception-3.1", "llvm-exception", "swift-exception", "libtool-exception",
             "gnat-exception", "gnu-compiler-exception":
            return .runtimeLibrary
        case "classpath-exception-2.0", "universal-foss-exception-1.0", "lgpl-3.0-linking-exception",
             "qt-lgpl-exception-1.1", "wxwindows-exception-3.1", "ocaml-lgpl-linking-exception", "mif-exception",
             "u-boot-exception-2.0", "linking-exception":
            return .linking
        case "openvpn-openssl-exception": return .linkingOpenSSL
        case "font-exception-2.0": return .fontEmbedding
        case "autoconf-exception-2.0", "autoconf-exception-3.0", "autoconf-exception-generic", "bison-exception-2.2",
             "bison-exception-1.24":
            return .generatedOutput
        default: return .unknown
        }
    }

    /// Whether the exception lifts its license's copyleft for this use.
    public static func exception(_ id: String, lifts use: CombinationUse) -> Bool {
        switch (scope(ofException: id), use) {
        case (.userSpaceInterface, .include(let uapi)): return uapi
        case (.userSpaceInterface, _): return false
        case (.runtimeLibrary, .staticLink), (.runtimeLibrary, .dynamicLink), (.runtimeLibrary, .include): return true
        case (.linking, .staticLink), (.linking, .dynamicLink), (.linking, .include): return true
        case (.linkingOpenSSL, .dynamicLink(let library)): return isOpenSSL(library)
        case (.linkingOpenSSL, _): return false
        default: return false
        }
    }

    /// libssl / libcrypto of OpenSSL, by file or package name.
    public static func isOpenSSL(_ library: String) -> Bool {
        let name = library.split(separator: "/").last.map(String.init)?.lowercased() ?? ""
        return name.hasPrefix("libssl") || name.hasPrefix("libcrypto") || name.hasPrefix("openssl")
    }

    // MARK: combining

    /// May code under `code` be used, as `use`, by a program distributed under `program`?
    /// See `judge`, which also says which alternatives the verdict holds for.
    public static func verdict(program: LicenseExpression?, code: LicenseExpression?, use: CombinationUse) -> CombinationVerdict {
        judge(program: program, code: code, use: use).verdict
    }

    /// The verdict, and the alternative of each license it holds for. The licensee chooses
    /// among the alternatives of an OR, so a combination is allowed when some choice allows
    /// it and incompatible only when none does (the reason then names every alternative).
    /// The program's licensee makes one choice for the whole program: the code is judged
    /// against every part of the chosen alternative at once. The code's licensee chooses
    /// for each OR of the code; every part of an AND must be allowed. An exception lifts
    /// its license only within its scope. Nil licenses are all rights reserved.
    public static func judge(program: LicenseExpression?, code: LicenseExpression?, use: CombinationUse) -> CombinationJudgement {
        guard let program, let choices = alternatives(of: program) else {
            // No license, or too many alternatives to list: each part of the program chooses alone.
            return judge(programPart: program, code: code, use: use)
        }
        var judged: [(choice: LicenseExpression, result: CodeChoice)] = []
        for parts in choices {
            let result = judgeCode(code, against: parts, use: use)
            let choice = parts.count == 1 ? parts[0] : .and(parts)
            if rank(result.verdict) == 0 {
                return CombinationJudgement(verdict: result.verdict, program: choice, code: result.chosen)
            }
            judged.append((choice, result))
        }
        let best = judged.min { rank($0.result.verdict) < rank($1.result.verdict) }!
        if judged.count > 1, case .incompatible = best.result.verdict {
            let reasons = judged.map { "as \($0.choice): \(reason($0.result.verdict))" }
            return CombinationJudgement(
                verdict: .incompatible("no alternative of the program's \(program) allows it; " + reasons.joined(separator: "; ")),
                program: nil, code: nil)
        }
        return CombinationJudgement(verdict: best.result.verdict, program: best.choice, code: best.result.chosen)
    }

    /// Beyond this many alternatives a program's expression is judged part by part.
    private static let alternativeLimit = 64

    /// The alternatives an expression offers, each the list of licenses (with their
    /// exceptions) that all apply: `(A OR B) AND C` -> [[A, C], [B, C]]. Nil when there
    /// are more than `alternativeLimit`.
    static func alternatives(of expression: LicenseExpression) -> [[LicenseExpression]]? {
        switch expression {
        case .license:
            return [[expression]]
        case .with(let license, let exception):
            if case .license = license { return [[expression]] }
            return alternatives(of: license)?.map { $0.map { .with(license: $0, exception: exception) } }
        case .or(let operands):
            var all: [[LicenseExpression]] = []
            for operand in operands {
                guard let more = alternatives(of: operand), all.count + more.count <= alternativeLimit else { return nil }
                all += more
            }
            return all
        case .and(let operands):
            var all: [[LicenseExpression]] = [[]]
            for operand in operands {
                guard let more = alternatives(of: operand), all.count * more.count <= alternativeLimit else { return nil }
                all = all.flatMap { left in more.map { left + $0 } }
            }
            return all
        }
    }

    /// The fallback for a program expression with too many alternatives (and for none):
    /// an OR takes its best part, an AND its worst, each part judged on its own.
    private static func judge(programPart program: LicenseExpression?, code: LicenseExpression?,
                              use: CombinationUse) -> CombinationJudgement {
        switch program {
        case .or(let operands)?:
            return operands.map { judge(programPart: $0, code: code, use: use) }.min { rank($0.verdict) < rank($1.verdict) }!
        case .and(let operands)?:
            return operands.map { judge(programPart: $0, code: code, use: use) }.max { rank($0.verdict) < rank($1.verdict) }!
        default:
            let result = judgeCode(code, against: [program], use: use)
            return CombinationJudgement(verdict: result.verdict, program: program, code: result.chosen)
        }
    }

    /// A verdict on the code and the code's license with each OR resolved to the choice made.
    private struct CodeChoice {
        var verdict: CombinationVerdict
        var chosen: LicenseExpression?
    }

    /// The code judged against every license of one alternative of the program.
    private static func judgeCode(_ code: LicenseExpression?, against parts: [LicenseExpression?], use: CombinationUse) -> CodeChoice {
        switch code {
        case .or(let operands)?:
            let judged = operands.map { judgeCode($0, against: parts, use: use) }
            // Equal verdicts: the least demanding alternative (fewest obligations), else the first.
            let key = judged.indices.map { (rank(judged[$0].verdict), family(of: operands[$0]), $0) }
            let best = judged.indices.min { key[$0] < key[$1] }!
            if case .incompatible = judged[best].verdict {
                let reasons = zip(operands, judged).map { "as \($0): \(reason($1.verdict))" }
                return CodeChoice(verdict: .incompatible("no alternative of \(code!) allows it; " + reasons.joined(separator: "; ")),
                                  chosen: nil)
            }
            return judged[best]
        case .and(let operands)?:
            let judged = operands.map { judgeCode($0, against: parts, use: use) }
            let worst = judged.max { rank($0.verdict) < rank($1.verdict) }!
            let chosen = judged.allSatisfy { $0.chosen != nil } ? LicenseExpression.and(judged.map { $0.chosen! }) : nil
            return CodeChoice(verdict: worst.verdict, chosen: chosen)
        case .with(let license, let exception)?:
            if self.exception(exception, lifts: use) { return CodeChoice(verdict: .compatible, chosen: code) }
            let result = judgeCode(license, against: parts, use: use)
            return CodeChoice(verdict: result.verdict, chosen: result.chosen.map { .with(license: $0, exception: exception) })
        default:
            let verdicts = parts.map { pair(program: $0, code: code, use: use) }
            return CodeChoice(verdict: verdicts.max { rank($0) < rank($1) } ?? .compatible, chosen: code)
        }
    }

    /// One license of the program and one of the code (or none).
    private static func pair(program: LicenseExpression?, code: LicenseExpression?, use: CombinationUse) -> CombinationVerdict {
        if case .with(let license, let exception)? = program {
            // The program's own linking exception permits what it names (Classpath: any
            // independent module; openvpn-openssl-exception: OpenSSL only).
            let scope = scope(ofException: exception)
            if scope == .linking || scope == .linkingOpenSSL, self.exception(exception, lifts: use) { return .compatible }
            return pair(program: license, code: code, use: use)
        }
        return single(program: program, code: code, use: use)
    }

    private static func reason(_ verdict: CombinationVerdict) -> String {
        switch verdict {
        case .compatible: return "compatible"
        case .conditional(_, let why), .incompatible(let why): return why
        }
    }

    private static func rank(_ verdict: CombinationVerdict) -> Int {
        switch verdict {
        case .compatible: return 0
        case .conditional: return 1
        case .incompatible: return 2
        }
    }

    private static func describe(_ expression: LicenseExpression?) -> String { expression?.description ?? "no license (all rights reserved)" }

    /// Two single licenses (no operators).
    private static func single(program: LicenseExpression?, code: LicenseExpression?, use: CombinationUse) -> CombinationVerdict {
        let p = program.flatMap(simple)
        let c = code.flatMap(simple)
        let pt = p.map { terms(of: $0.id, orLater: $0.orLater) }
        let ct = c.map { terms(of: $0.id, orLater: $0.orLater) }
        let pf = pt?.family ?? .proprietary
        let cf = ct?.family ?? .proprietary
        let programText = describe(program), codeText = describe(code)
        // The same license (or-later forms included) always combines with itself; so does
        // the same proprietary owner's code, as far as licenses go.
        if let p, let c, let pt, let ct, sameLicense(p.id, c.id) {
            if pt.family.bindsWholeProgram && pt.gplVersions.intersection(ct.gplVersions).isEmpty && !pt.gplVersions.isEmpty {
                return .incompatible("\(codeText) and \(programText) share no GPL version")
            }
            return .compatible
        }
        switch cf {
        case .permissive:
            // Permissive code goes anywhere, except into a GPL program whose versions its
            // terms conflict with (Apache-2.0 in GPL-2.0-only: FSF).
            if pf.bindsWholeProgram || pf == .weakLibraryCopyleft, let pt, let ct, ct.known || !ct.gplVersions.isEmpty,
               isGPLFamily(pt.id), pt.gplVersions.intersection(ct.gplVersions).isEmpty {
                return .incompatible("\(codeText) code may not be combined with \(programText) code (FSF: compatible only with GPL "
                                     + (ct.gplVersions.isEmpty ? "none" : ct.gplVersions.sorted().map(String.init).joined(separator: ", ")) + ")")
            }
            return .compatible
        case .weakFileCopyleft:
            // Its files keep their license; a GPL program needs it GPL-compatible. Code copied
            // into another file makes that file covered too (MPL-2.0 1.10 "Modifications":
            // "any new file ... that contains any Covered Software"), which only a GPL-family
            // file with a common version may take (MPL-2.0's secondary licenses).
            if case .copy = use, !sharesGPLVersion(pt, ct) {
                return .incompatible("\(codeText) code copied into \(programText) code: the file it is copied into becomes \(codeText) (file-level copyleft)")
            }
            if pf.bindsWholeProgram, let pt, let ct, pt.gplVersions.intersection(ct.gplVersions).isEmpty {
                return .incompatible("\(codeText) files may not be combined with \(programText) code (file-level copyleft incompatible with the GPL)")
            }
            return .compatible
        case .weakLibraryCopyleft:
            if pf.bindsWholeProgram, let pt, let ct {
                return pt.gplVersions.intersection(ct.gplVersions).isEmpty
                    ? .incompatible("\(codeText) may not be combined with \(programText) code (no common GPL version)") : .compatible
            }
            // Copied code forms "a work based on the Library" (LGPL-2.1 section 2), which must
            // stay under it (or a GPL-family license with a common version, its section 3).
            if case .copy = use, !sharesGPLVersion(pt, ct) {
                return .incompatible("\(codeText) code copied into \(programText) code: the file becomes a work based on the library, under \(codeText)")
            }
            if case .dynamicLink = use { return .compatible }
            if case .include = use { return .compatible }  // headers: LGPL section 3 (small macros, inline functions)
            return .conditional(.allowRelinking, "\(codeText) linked statically into \(programText) code: users must be able to relink it (object files or a shared build)")
        case .strongCopyleft, .networkCopyleft:
            guard pf.bindsWholeProgram, let pt, let ct else {
                return .incompatible("\(codeText) code in \(programText) code makes the whole program \(codeText)")
            }
            if cf == .networkCopyleft && !isGPLFamily(ct.id) || pf == .networkCopyleft && !isGPLFamily(pt.id) {
                return .incompatible("\(codeText) and \(programText) add terms the other forbids")
            }
            if pt.gplVersions.intersection(ct.gplVersions).isEmpty {
                return .incompatible("\(codeText) code may not be combined with \(programText) code (no common GPL version)")
            }
            return .compatible
        case .proprietary:
            if pf == .proprietary || pf == .permissive || pf == .weakFileCopyleft || pf == .weakLibraryCopyleft {
                // Nothing in the program's license forbids it; the code's owner must allow
                // the distribution, which no license statement says.
                return code == nil
                    ? .conditional(.noRedistribution, "\(codeText): no license statement, redistribution needs the owner's permission")
                    : .compatible
            }
            return .incompatible("\(codeText) code may not be combined with \(programText) code (the GPL allows no further restrictions)")
        }
    }

    private static func simple(_ expression: LicenseExpression) -> (id: String, orLater: Bool)? {
        if case .license(let id, let orLater) = expression { return (id, orLater) }
        return nil
    }

    /// A GPL-family program license with a GPL version the code's terms allow.
    private static func sharesGPLVersion(_ program: LicenseTermsInfo?, _ code: LicenseTermsInfo?) -> Bool {
        guard let program, let code, isGPLFamily(program.id) else { return false }
        return !program.gplVersions.intersection(code.gplVersions).isEmpty
    }

    private static func isGPLFamily(_ id: String) -> Bool {
        let lower = id.lowercased().replacingOccurrences(of: "licenseref-scancode-", with: "")
        return lower.hasPrefix("gpl-") || lower.hasPrefix("agpl-") || lower.hasPrefix("lgpl-")
    }

    private static func sameLicense(_ a: String, _ b: String) -> Bool {
        stem(normalizedKey(a)).key == stem(normalizedKey(b)).key
    }

    private static func normalizedKey(_ id: String) -> String {
        var lower = id.lowercased()
        if lower.hasPrefix("licenseref-scancode-") {
            lower = String(lower.dropFirst("licenseref-scancode-".count))
            if lower.hasSuffix("-plus") { lower = String(lower.dropLast(5)) + "+" }
        }
        return lower
    }

    /// Whether any alternative of the expression is a GPL-family license (GPL, LGPL or
    /// AGPL, ScanCode's keys included): modpost's test before a module may use a GPL-only
    /// symbol, and the test for "may be distributed as GPL code".
    public static func offersGPL(_ expression: LicenseExpression?) -> Bool {
        switch expression {
        case nil: return false
        case .license(let id, _)?: return isGPLFamily(id)
        case .with(let license, _)?: return offersGPL(license)
        case .and(let operands)?: return operands.contains { offersGPL($0) }
        case .or(let operands)?: return operands.contains { offersGPL($0) }
        }
    }
}

/// ScanCode's category of each license, by lower-cased id (SPDX id, other ids,
/// `LicenseRef-scancode-<key>`), as the loaded license data states it.
final class DataCategories: Sendable {
    private let table = Mutex<[String: String]>([:])

    func record(_ categories: [String: String]) {
        table.withLock { $0.merge(categories) { first, _ in first } }
    }

    /// The family ScanCode's category implies; nil for an id the data does not hold.
    /// "Copyleft Limited" covers both LGPL and MPL: the library level is the more
    /// demanding reading. Anything not free to combine is all rights reserved.
    func family(of id: String) -> LicenseFamily? {
        guard let category = table.withLock({ $0[id.lowercased()] }) else { return nil }
        switch category {
        case "Permissive", "Public Domain": return .permissive
        case "Copyleft Limited": return .weakLibraryCopyleft
        case "Copyleft": return .strongCopyleft
        default: return .proprietary  // Proprietary Free, Commercial, Source-available, Free Restricted, Unstated License, ...
        }
    }
}
