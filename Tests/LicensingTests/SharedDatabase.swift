// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import Licensing

/// The real licensedcode data, loaded once per test run (compiled on the first run).
enum SharedDatabase {
    private static let loaded: Result<LicenseDatabase, Error> = Result { try LicenseDatabase.load() }

    /// The database; skips the test when the data is not installed, fails it on other errors.
    static func get() throws -> LicenseDatabase {
        switch loaded {
        case .success(let database):
            return database
        case .failure(let error as LicenseDatabaseError):
            if case .dataNotFound = error { throw XCTSkip("licensedcode data missing (run `make setup`): \(error)") }
            throw error
        case .failure(let error):
            throw error
        }
    }
}
