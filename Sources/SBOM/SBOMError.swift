// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation

/// What went wrong while making or writing an SBOM, with the file or variable and the bad value.
public enum SBOMError: Error, Equatable, CustomStringConvertible {
    /// `SOURCE_DATE_EPOCH` is set but is not a whole number of seconds since 1970.
    case sourceDateEpoch(value: String)
    /// Writing an output file failed.
    case write(path: String, reason: String)
    /// A renderer's library failed (libxml2 out of memory).
    case render(format: String, reason: String)

    public var description: String {
        switch self {
        case .sourceDateEpoch(let value):
            return "SOURCE_DATE_EPOCH: not a whole number of seconds since 1970-01-01: '\(value)'"
        case .write(let path, let reason):
            return "\(path): \(reason)"
        case .render(let format, let reason):
            return "\(format): \(reason)"
        }
    }
}

/// The document's creation time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else `now()`.
public func creationDate(environment: [String: String], now: () -> Date) throws(SBOMError) -> Date {
    guard let value = environment["SOURCE_DATE_EPOCH"] else { return now() }
    guard let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0, seconds < 253_402_300_800
    else { throw .sourceDateEpoch(value: value) }
    return Date(timeIntervalSince1970: TimeInterval(seconds))
}
