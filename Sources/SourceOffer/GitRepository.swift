// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The released commit through libgit2: its id and time, whether the working tree differs
// from it, and the blobs under given paths. Sources are always read from the commit's
// tree, never from the working tree.

import CGit2

public struct CommitFile: Equatable, Sendable {
    /// Path relative to the repository root.
    public var path: String
    public var executable: Bool
    public var contents: [UInt8]
}

public final class GitRepository {
    private let repository: OpaquePointer
    private let commit: OpaquePointer
    /// The repository's working directory, with a trailing slash.
    public let workdir: String
    /// Hex id of HEAD's commit.
    public let commitID: String
    /// Committer time, seconds since the epoch.
    public let commitTime: Int

    public init(path: String) throws {
        git_libgit2_init()
        var repo: OpaquePointer?
        try GitRepository.check(git_repository_open_ext(&repo, path, 0, nil), "open repository at \(path)")
        guard let repo else { throw SourceOfferError.git(step: "open repository at \(path)", message: "no repository") }
        repository = repo
        guard let dir = git_repository_workdir(repo) else {
            git_repository_free(repo)
            throw SourceOfferError.git(step: "open repository at \(path)", message: "bare repository has no working tree")
        }
        workdir = String(cString: dir)
        var object: OpaquePointer?
        do {
            try GitRepository.check(git_revparse_single(&object, repo, "HEAD^{commit}"), "resolve HEAD")
        } catch {
            git_repository_free(repo)
            throw error
        }
        commit = object!
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, buffer.count, git_commit_id(commit))
        commitID = String(cString: buffer)
        commitTime = Int(git_commit_time(commit))
    }

    deinit {
        git_commit_free(commit)
        git_repository_free(repository)
        git_libgit2_shutdown()
    }

    /// Paths (relative to the root) of tracked files that differ from HEAD, and untracked
    /// files that are not ignored: any of them could have gone into a shipped binary.
    public func uncommittedPaths() throws -> [String] {
        var options = git_status_options()
        try GitRepository.check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "status options")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var list: OpaquePointer?
        try GitRepository.check(git_status_list_new(&list, repository, &options), "status")
        defer { git_status_list_free(list) }
        var paths: [String] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta, let path = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
            paths.append(String(cString: path))
        }
        return paths.sorted()
    }

    /// Every blob under `path` (a file or directory, relative to the root) in the commit.
    public func files(under path: String) throws -> [CommitFile]? {
        var tree: OpaquePointer?
        try GitRepository.check(git_commit_tree(&tree, commit), "tree of \(commitID)")
        defer { git_tree_free(tree) }
        let trimmed = path.trimmed("/")
        if trimmed.isEmpty || trimmed == "." { return try walk(tree: tree!, prefix: "") }
        var entry: OpaquePointer?
        let found = git_tree_entry_bypath(&entry, tree, trimmed)
        if found == GIT_ENOTFOUND.rawValue { return nil }
        try GitRepository.check(found, "look up \(trimmed) in \(commitID)")
        defer { git_tree_entry_free(entry) }
        return try collect(entry: entry!, path: trimmed)
    }

    private func walk(tree: OpaquePointer, prefix: String) throws -> [CommitFile] {
        var files: [CommitFile] = []
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            files += try collect(entry: entry, path: prefix.isEmpty ? name : prefix + "/" + name)
        }
        return files
    }

    private func collect(entry: OpaquePointer, path: String) throws -> [CommitFile] {
        let mode = git_tree_entry_filemode(entry)
        switch mode {
        case GIT_FILEMODE_TREE:
            var object: OpaquePointer?
            try GitRepository.check(git_tree_entry_to_object(&object, repository, entry), "read tree \(path)")
            defer { git_object_free(object) }
            return try walk(tree: object!, prefix: path)
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
            var blob: OpaquePointer?
            try GitRepository.check(git_blob_lookup(&blob, repository, git_tree_entry_id(entry)), "read blob \(path)")
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            let bytes = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size))
            return [CommitFile(path: path, executable: mode == GIT_FILEMODE_BLOB_EXECUTABLE, contents: bytes)]
        case GIT_FILEMODE_LINK:
            throw SourceOfferError.unsupportedTreeEntry(path: path, kind: "symbolic link")
        default:
            throw SourceOfferError.unsupportedTreeEntry(path: path, kind: "submodule or unknown entry (mode \(String(mode.rawValue, radix: 8)))")
        }
    }

    private static func check(_ code: Int32, _ step: String) throws {
        guard code < 0 else { return }
        let message = git_error_last().map { String(cString: $0.pointee.message) } ?? "error \(code)"
        throw SourceOfferError.git(step: step, message: message)
    }
}
