// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The license database, located but not yet read. Its data version is known at once (from
// a compiled index's header, or from the licensedcode data's wheel metadata); the ~90 MB
// index is read only when something first asks for the database. A re-scan of an unchanged
// tree takes every file from the scan cache, which is keyed by that version, and so never
// needs the index at all.

import Synchronization

public final class LazyLicenseDatabase: Sendable {
    /// `licensedcode-data 32.1.0`: the `dataVersion` the database will have.
    public let dataVersion: String
    /// nil: made from a database already in memory.
    private let source: LicenseDatabase.Source?
    private let loaded: Mutex<LicenseDatabase?>

    /// A database already in memory.
    public init(_ database: LicenseDatabase) {
        dataVersion = database.dataVersion
        source = nil
        loaded = Mutex(database)
    }

    init(source: LicenseDatabase.Source, dataVersion: String) {
        self.dataVersion = dataVersion
        self.source = source
        loaded = Mutex(nil)
    }

    /// Finds the database as `LicenseDatabase.load(dataDirectory:cacheDirectory:executable:)`
    /// does, reading only what tells its version; errors that show without loading it (no
    /// data found, an index of another format) are thrown here.
    public static func locate(dataDirectory: String? = nil, cacheDirectory: String? = nil,
                              executable: String? = LicenseDatabase.currentExecutable()) throws -> LazyLicenseDatabase {
        let (source, version) = try LicenseDatabase.locate(dataDirectory: dataDirectory, cacheDirectory: cacheDirectory,
                                                           executable: executable)
        return LazyLicenseDatabase(source: source, dataVersion: version)
    }

    /// Whether the index has been read.
    public var isLoaded: Bool { loaded.withLock { $0 != nil } }

    /// The database, read on the first call (callers meanwhile wait for it); a failed load
    /// is retried by the next call.
    public func database() throws -> LicenseDatabase {
        let result: Result<LicenseDatabase, Error> = loaded.withLock { current in
            if let current { return .success(current) }
            guard let source else { preconditionFailure("a LazyLicenseDatabase without a source starts loaded") }
            let outcome = Result { try LicenseDatabase.load(source) }
            if case .success(let database) = outcome { current = database }
            return outcome
        }
        let database = try result.get()
        guard database.dataVersion == dataVersion else {
            throw LicenseDatabaseError.badFile(path: source?.path ?? "",
                                               reason: "states \(database.dataVersion), its header \(dataVersion)")
        }
        return database
    }
}
