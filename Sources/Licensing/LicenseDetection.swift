// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// One detected license expression per file, as ScanCode's `detected_license_expression`:
// the file's SPDX tags when it has them; otherwise its matches combined, with `OR` where the
// text offers a choice ("dual licensed", "at your option", "alternatively"), `WITH` for an
// exception matched next to its license, and `AND` only between independent grants.

/// What `LicenseDetector.analyze` found in one file.
public struct LicenseDetection: Hashable, Sendable {
    /// Evidence the file states (comments, docstrings, prose, manifest fields), in line order.
    public var matches: [LicenseMatch] = []
    /// License names, texts and tags inside code (strings, regexes, identifiers), and grants
    /// to use the text in documents under a license: reported, never part of the file's license.
    public var mentions: [LicenseMatch] = []
    /// SPDX tags (license and copyright) found where the file states things.
    public var tags: [SPDXTags.Tag] = []
    /// The one expression detected for the file; nil when nothing was found.
    public var expression: String?
    /// License texts and notices that contradict the file's SPDX tags (a tag says MIT, the
    /// text is an AGPL notice).
    public var contradictions: [LicenseMatch] = []

    public init() {}
}

extension LicenseDetector {
    /// Words around matches that make them alternatives. "either version 2" and "(at your
    /// option) any later version" are part of GPL notices themselves, so they do not count.
    static let choiceWords = ["dual licensed", "dual-licensed", "dual license", "dual-license", "alternatively",
                              "at your choice", "choice of", "you may choose", "your choice", "multi-licensed",
                              "either under", "either the", "either of", "at your option, under", "or, at your option"]

    func conclude(_ matches: [LicenseMatch], bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let tags = matches.filter { $0.kind == .tag }.map(\.expression)
        if !tags.isEmpty { return LicenseExpression.conjunction(tags) }
        var found = matches
        // A MODULE_LICENSE() string is "neither a replacement for proper source code license
        // information (SPDX-License-Identifier) nor in any way relevant for expressing or
        // determining the exact license" (the kernel's license-rules.rst): it speaks for the
        // file only where the file states nothing else.
        if found.contains(where: { !Declarations.isModuleLicense($0) }) {
            found.removeAll(where: Declarations.isModuleLicense)
        }
        // References restating what a text, notice or declaration already says add nothing.
        let strongIDs = Set(found.filter { $0.kind != .reference }.flatMap { ids($0.expression) })
        found.removeAll { $0.kind == .reference && !ids($0.expression).isEmpty && ids($0.expression).isSubset(of: strongIDs) }
        guard !found.isEmpty else { return nil }

        // Exceptions join the nearest license (within a few lines) as `license WITH exception`.
        // Nearness is the gap between the two matches, not between their first lines: an
        // exception text that follows a whole license text (Swift's LICENSE.txt: Apache-2.0,
        // then the runtime library exception 200 lines down) is next to it.
        var exceptions: [Int] = []
        for (k, m) in found.enumerated() where isException(m.expression) { exceptions.append(k) }
        var consumed = Set<Int>()
        func gap(_ a: LicenseMatch, _ b: LicenseMatch) -> Int {
            max(0, max(a.startLine, b.startLine) - min(a.endLine, b.endLine))
        }
        for k in exceptions {
            let e = found[k]
            let partner = found.indices.filter { j in
                !exceptions.contains(j) && !consumed.contains(j) && !found[j].expression.contains(" ")
                    && gap(found[j], e) <= 10
            }.min { gap(found[$0], e) < gap(found[$1], e) }
            if let j = partner {
                found[j].expression = "\(found[j].expression) WITH \(e.expression)"
                found[j].endLine = max(found[j].endLine, e.endLine)
                found[j].startLine = min(found[j].startLine, e.startLine)
            } else {
                found[k].expression = "LicenseRef-scancode-unknown WITH \(e.expression)"
                continue
            }
            consumed.insert(k)
        }
        found = found.enumerated().filter { !consumed.contains($0.offset) }.map(\.element)
        found.sort { ($0.startLine, $0.endLine) < ($1.startLine, $1.endLine) }

        // Clusters of nearby matches; a cluster whose text offers a choice is an OR.
        var clusters: [[LicenseMatch]] = []
        for m in found {
            if let last = clusters.last?.last, m.startLine <= max(last.endLine, clusters.last!.map(\.endLine).max()!) + 3 {
                clusters[clusters.count - 1].append(m)
            } else {
                clusters.append([m])
            }
        }
        var terms: [String] = []
        for cluster in clusters {
            let expressions = cluster.map(\.expression).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if expressions.count > 1, offersChoice(cluster, bytes: bytes) {
                terms.append(expressions.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " OR "))
            } else {
                terms += expressions
            }
        }
        guard let combined = LicenseExpression.conjunction(terms) else { return nil }
        return (try? LicenseExpression.parse(combined).normalized.deduplicated.description) ?? combined
    }

    private func ids(_ expression: String) -> Set<String> {
        (try? LicenseExpression.parse(expression).licenseIDs) ?? []
    }

    private func isException(_ expression: String) -> Bool {
        guard !expression.contains(" ") else { return false }
        return database.license(spdxID: expression)?.isException == true
    }

    /// The lines from two before the cluster to its end, less the inside of long matches.
    private func offersChoice(_ cluster: [LicenseMatch], bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = max(1, cluster.map(\.startLine).min()! - 2), last = cluster.map(\.endLine).max()!
        var text = Self.lines(bytes, first, last).lowercased()
        text = text.split(whereSeparator: { $0.isWhitespace || $0 == "*" || $0 == "#" || $0 == "/" }).joined(separator: " ")
        for phrase in ["either version", "(at your option) any later", "at your option) any later", "at your option any later"] {
            text = text.replacingOccurrences(of: phrase, with: " ")
        }
        return Self.choiceWords.contains { text.contains($0) }
    }

    /// Texts and notices (of listed SPDX licenses, three lines or more) sharing no license
    /// family with the tags.
    func contradictions(_ matches: [LicenseMatch]) -> [LicenseMatch] {
        let tagFamilies = Set(matches.filter { $0.kind == .tag }.flatMap { families($0.expression) })
        guard !tagFamilies.isEmpty, !tagFamilies.contains(where: { $0.hasPrefix("licenseref") }) else { return [] }
        return matches.filter { m in
            // Substantive evidence only: a one- or two-line match is a name in prose, not a grant.
            guard (m.kind == .text || m.kind == .notice), m.modifiedFrom == nil, m.score >= 90,
                  m.endLine - m.startLine >= 2 else { return false }
            let f = families(m.expression)
            return !f.isEmpty && !f.contains { $0.hasPrefix("licenseref") } && f.isDisjoint(with: tagFamilies)
        }
    }

    /// License ids without their version range: `GPL-2.0-or-later` -> `gpl-2.0`.
    private func families(_ expression: String) -> Set<String> {
        Set(ids(expression).map { id in
            var f = id.lowercased()
            for suffix in ["-or-later", "-only", "+"] where f.hasSuffix(suffix) { f.removeLast(suffix.count) }
            return f
        })
    }
}
