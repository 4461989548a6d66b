// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// One memory slot's dirty-page bitmap as KVM_GET_DIRTY_LOG returns it: bit i of the
/// words (least significant first) is page i of the slot, counted from its start.
public struct DirtyPageLog: Equatable, Sendable {
    /// KVM logs 4 KiB pages on x86.
    public static let pageSize: UInt64 = 4096

    public let words: [UInt64]
    /// Pages in the slot (bits beyond it are zero).
    public let pageCount: UInt64

    public init(words: [UInt64], pageCount: UInt64) {
        self.words = words
        self.pageCount = pageCount
    }

    /// Indices of the dirty pages, ascending.
    public var pageIndices: [UInt64] {
        var indices: [UInt64] = []
        for (wordIndex, word) in words.enumerated() where word != 0 {
            var rest = word
            while rest != 0 {
                let bit = UInt64(rest.trailingZeroBitCount)
                indices.append(UInt64(wordIndex) * 64 + bit)
                rest &= rest - 1
            }
        }
        return indices
    }

    public var dirtyCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
