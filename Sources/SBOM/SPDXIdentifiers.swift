// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// SPDX element ids: `SPDXRef-` followed by letters, digits, `.` and `-` only (SPDX 2.3 §3.2).
struct SPDXIdentifiers {
    private var used: Set<String> = ["SPDXRef-DOCUMENT"]

    /// Every character outside `[A-Za-z0-9.-]` becomes `-`; an empty result becomes `unnamed`.
    static func sanitize(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "-" })
        return mapped.isEmpty ? "unnamed" : mapped
    }

    /// A new id `SPDXRef-<prefix>-<sanitized key>`, made unique with `-2`, `-3`, ... when two
    /// keys sanitise alike (callers go through keys in sorted order, so this is deterministic).
    mutating func make(prefix: String, key: String) -> String {
        let base = "SPDXRef-\(prefix)-\(Self.sanitize(key))"
        var candidate = base
        var counter = 2
        while used.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        used.insert(candidate)
        return candidate
    }
}
