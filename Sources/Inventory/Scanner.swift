// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor scan`: list the tree, analyse every file (in parallel, from the cache where the
// file is unchanged), apply REUSE annotations, then collect the components (the tree,
// its Swift packages, the given binaries and what they link, declared components).
// Flows one way; the report is sorted so two scans of the same tree are equal.

import Foundation
import Licensing
#if canImport(Glibc)
import Glibc
import Parallel
#endif

public struct ScanOptions: Sendable {
    /// Worker threads for file analysis.
    public var jobs: Int
    /// Where the content cache lives; nil: `$XDG_CACHE_HOME/candor` or `~/.cache/candor`.
    public var cacheDirectory: String?
    /// false: neither read nor write a cache.
    public var useCache: Bool
    /// Progress on stderr; shown only when stderr is a terminal.
    public var progress: Bool
    /// Built ELF binaries whose linked libraries become components.
    public var binaries: [String]
    /// A components.toml declaring bundled third-party components.
    public var componentsFile: String?
    /// The system the binaries run on: dpkg database, docs, dynamic loader, Swift toolchain.
    public var system: SystemLayout
    /// Outside a git work tree, apply the tree's `.gitignore` files (inside one, git's
    /// ignore rules always apply). Off by default: a source drop is scanned whole.
    public var respectGitignore: Bool = false
    /// Replaced by tests to count reads.
    var reader: FileReader = .system

    public init(jobs: Int = 2, cacheDirectory: String? = nil, useCache: Bool = true, progress: Bool = false,
                binaries: [String] = [], componentsFile: String? = nil, system: SystemLayout = SystemLayout()) {
        self.jobs = jobs
        self.cacheDirectory = cacheDirectory
        self.useCache = useCache
        self.progress = progress
        self.binaries = binaries
        self.componentsFile = componentsFile
        self.system = system
    }
}

/// Paths of the system that are read to identify libraries and packages; tests point them
/// at fixtures.
public struct SystemLayout: Sendable {
    /// dpkg's administrative directory (`status`, `info/*.list`).
    public var dpkgDirectory: String
    /// Where packages keep `PKG/copyright`.
    public var documentationDirectory: String
    /// `/etc/ld.so.cache` ("glibc-ld.so.cache1.1"); if unreadable, `ldSoConf` is used.
    public var ldSoCache: String
    public var ldSoConf: String
    /// The loader's built-in search directories, searched last.
    public var defaultLibraryDirectories: [String]
    /// The Swift toolchain whose runtime a binary may link (`usr/lib/swift/linux`,
    /// `usr/bin/swift`, `usr/share/swift/LICENSE.txt`); default: the one of the `swift` on
    /// PATH; nil: none, and toolchain components say so.
    public var swiftToolchain: String?

    public init(dpkgDirectory: String = "/var/lib/dpkg", documentationDirectory: String = "/usr/share/doc",
                ldSoCache: String = "/etc/ld.so.cache", ldSoConf: String = "/etc/ld.so.conf",
                defaultLibraryDirectories: [String] = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"],
                swiftToolchain: String? = SwiftToolchain.locate()) {
        self.dpkgDirectory = dpkgDirectory
        self.documentationDirectory = documentationDirectory
        self.ldSoCache = ldSoCache
        self.ldSoConf = ldSoConf
        self.defaultLibraryDirectories = defaultLibraryDirectories
        self.swiftToolchain = swiftToolchain
    }
}

/// Why a scan could not start at all; everything after that start is a finding instead.
public enum ScanError: Error, CustomStringConvertible {
    case root(path: String, reason: String)
    case git(String)

    public var description: String {
        switch self {
        case .root(let path, let reason): return "scan: root \(path): \(reason)"
        case .git(let message): return "scan: \(message)"
        }
    }
}

public struct Scanner {
    /// Read only when a file is not in the cache, or REUSE annotations, Swift packages,
    /// binaries or declared components need it: a re-scan of an unchanged tree never does.
    let database: LazyLicenseDatabase
    let options: ScanOptions

    public init(database: LicenseDatabase, options: ScanOptions) {
        self.init(database: LazyLicenseDatabase(database), options: options)
    }

    public init(database: LazyLicenseDatabase, options: ScanOptions) {
        self.database = database
        self.options = options
    }

    public func scan(root: String) throws -> ScanReport {
        let rootPath: String
        switch resolvedPath(RawPath(root)) {
        case .success(let p): rootPath = p.display
        case .failure(let code):
            throw ScanError.root(path: root, reason: code.message)
        }
        guard case .success(let st) = FileStatus.of(RawPath(rootPath)), st.kind == .directory else {
            throw ScanError.root(path: root, reason: "not a directory")
        }
        // The cache loads while the tree is listed: on a re-scan these two are most of the work.
        let cacheDirectory = options.useCache ? (options.cacheDirectory ?? ScanCache.defaultDirectory()) : nil
        let loading = CacheLoading()
        let loaded = DispatchGroup()
        if let directory = cacheDirectory {
            DispatchQueue.global().async(group: loaded) { [database, options] in
                loading.cache = ScanCache.load(directory: directory, root: rootPath, databaseVersion: database.dataVersion,
                                               detectorVersion: LicenseDetector.version, jobs: options.jobs)
            }
        }
        let listing: TreeListing
        do {
            listing = try TreeWalker.list(root: rootPath, respectGitignore: options.respectGitignore)
        } catch {
            loaded.wait()
            throw ScanError.git("\(error)")
        }
        loaded.wait()
        var cache = loading.cache
        var findings = listing.findings
        // Leaving most of a tree out is worth saying even to someone who reads no report.
        for finding in findings where finding.rule == "most-of-tree-ignored" {
            FileHandle.standardError.write(Data("candor scan: warning: \(rootPath): \(finding.message)\n".utf8))
        }

        // Files, from the cache where unchanged.
        let analyzed = try analyzeFiles(listing.files, root: rootPath, cache: cache)
        var files: [FileRecord] = []
        files.reserveCapacity(analyzed.count)
        var cacheChanged = false
        for result in analyzed {
            findings += result.findings
            cacheChanged = cacheChanged || !result.fromCache
            if let record = result.record { files.append(record) }
        }
        // Rewritten only when something changed: a re-scan of an unchanged tree writes nothing.
        if let directory = cacheDirectory, cache != nil, cacheChanged || files.count != cache!.count {
            var fresh: [ScanCache.Entry] = []
            fresh.reserveCapacity(files.count)
            for (entry, result) in zip(listing.files, analyzed) {
                guard let record = result.record else { continue }
                fresh.append(ScanCache.Entry(key: ScanCache.Key(entry.status), record: record, findings: result.findings))
            }
            cache!.replaceEntries(fresh)
            do {
                try cache!.store(directory: directory, jobs: options.jobs)
            } catch {
                findings.append(Finding(path: directory, rule: "cache-not-written", severity: .warning, message: "\(error)"))
            }
        }

        // REUSE annotations apply after the files' own information is known.
        let tomlFiles = files.map(\.path).filter { $0 == "REUSE.toml" || $0.hasSuffix("/REUSE.toml") }
        if ReuseAnnotations.present(root: rootPath, tomlFiles: tomlFiles) {
            let reuse = ReuseAnnotations.load(root: rootPath, tomlFiles: tomlFiles, database: try database.database(),
                                              findings: &findings)
            for i in files.indices { reuse.apply(to: &files[i]) }
        }
        files.sort { $0.path < $1.path }

        var components = try ComponentCollector(root: rootPath, database: database, options: options, listing: listing, files: files)
            .collect(findings: &findings)
        components.sort { $0.id < $1.id }
        for i in components.indices { components[i].relationships.sort() }
        return ScanReport(root: rootPath, files: files, components: components, findings: findings.sorted(),
                          symlinks: listing.symlinks.sorted { $0.path < $1.path })
    }

    private struct Analyzed {
        var record: FileRecord?
        var findings: [Finding]
        var fromCache = false
    }

    /// Analyses the files on `options.jobs` threads; results come back in input order.
    /// Files unchanged since the cached scan come from the cache; the license database is
    /// read only when some file is not.
    private func analyzeFiles(_ entries: [TreeListing.Entry], root: String, cache: ScanCache?) throws -> [Analyzed] {
        let rootPath = RawPath(root)
        var results = [Analyzed](repeating: Analyzed(record: nil, findings: []), count: entries.count)
        let progress = Progress(total: entries.count, enabled: options.progress && isatty(2) == 1)
        var missed: [Int] = []
        if let cache {
            var hits = [Bool](repeating: false, count: entries.count)
            results.withUnsafeMutableBufferPointer { buffer in
                hits.withUnsafeMutableBufferPointer { flags in
                    let out = UncheckedBuffer(buffer), found = UncheckedBuffer(flags)
                    Parallel.forEach(entries.count, jobs: options.jobs, batch: 256) { i in
                        let entry = entries[i]
                        if let hit = cache[entry.path.display], hit.key == ScanCache.Key(entry.status) {
                            out.buffer[i] = Analyzed(record: hit.record, findings: hit.findings, fromCache: true)
                            found.buffer[i] = true
                        }
                    }
                }
            }
            missed = hits.indices.filter { !hits[$0] }
            progress.advance(by: entries.count - missed.count)
        } else {
            missed = Array(entries.indices)
        }
        if !missed.isEmpty {
            let database = try database.database()
            let analyzer = FileAnalyzer(database: database, detector: LicenseDetector(database: database), reader: options.reader)
            results.withUnsafeMutableBufferPointer { buffer in
                let out = UncheckedBuffer(buffer)
                Parallel.forEach(missed.count, jobs: options.jobs, batch: 16) { k in
                    let i = missed[k]
                    let entry = entries[i]
                    let (record, findings) = analyzer.analyze(path: entry.path, absolute: rootPath.appending(entry.path.bytes),
                                                              size: entry.status.size)
                    out.buffer[i] = Analyzed(record: record, findings: findings)
                    progress.advance(by: 1)
                }
            }
        }
        progress.finish()
        return results
    }
}

/// The cache, handed from the thread that loads it; read only after the group is waited on.
private final class CacheLoading: @unchecked Sendable {
    var cache: ScanCache?
}

/// Each worker writes only the indices it took, so the writes never overlap.
private struct UncheckedBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// "scan: 1200/78000 files, 2100 files/s" on stderr, redrawn at most five times a second.
private final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var done = 0
    private var lastDraw = Date.distantPast

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func advance(by n: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += n
        let now = Date()
        if now.timeIntervalSince(lastDraw) >= 0.2 {
            lastDraw = now
            draw(now)
        }
    }

    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        draw(Date())
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let line = "\rscan: \(done)/\(total) files, \(Int(Double(done) / elapsed)) files/s"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
