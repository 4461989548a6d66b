// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A guest-physical address. Kept distinct from host pointers and plain sizes so that
/// the two can never be mixed up in an API.
public struct GuestAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: GuestAddress, rhs: GuestAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `self + offset`, or nil when the sum does not fit in 64 bits.
    public func adding(_ offset: UInt64) -> GuestAddress? {
        let (sum, overflow) = rawValue.addingReportingOverflow(offset)
        return overflow ? nil : GuestAddress(sum)
    }

    /// Rounded up to a multiple of `alignment` (a power of two), or nil on overflow.
    public func alignedUp(to alignment: UInt64) -> GuestAddress? {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        guard let bumped = adding(alignment - 1) else { return nil }
        return GuestAddress(bumped.rawValue & ~(alignment - 1))
    }

    public var description: String { "0x" + String(rawValue, radix: 16) }
}
