// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// What the scanner asks of git, through libgit2: which files of the work tree count
// (tracked, or untracked and not ignored), the HEAD commit, `git describe --tags`, and
// whether the tree differs from HEAD.

import CGit2
import Foundation

private let libgit2Ready: Bool = {
    git_libgit2_init()
    return true
}()

/// A libgit2 failure: the call, its return code and libgit2's message.
struct GitError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32
    var message: String

    init(_ operation: String, _ code: Int32) {
        self.operation = operation
        self.code = code
        if let e = git_error_last(), let m = e.pointee.message {
            message = String(cString: m)
        } else {
            message = "error \(code)"
        }
    }

    var description: String { "git: \(operation): \(message)" }
}

final class GitRepository {
    private let repo: OpaquePointer
    /// Absolute work tree directory, without a trailing slash.
    let workdir: String

    /// Opens the repository containing `path`, or returns nil when there is none (or it is bare).
    static func open(containing path: String) throws -> GitRepository? {
        _ = libgit2Ready
        var repo: OpaquePointer?
        let rc = git_repository_open_ext(&repo, path, 0, nil)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        guard rc == 0, let repo else { throw GitError("open repository at \(path)", rc) }
        guard let wd = git_repository_workdir(repo) else {
            git_repository_free(repo)
            return nil
        }
        var dir = String(cString: wd)
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        return GitRepository(repo: repo, workdir: dir)
    }

    private init(repo: OpaquePointer, workdir: String) {
        self.repo = repo
        self.workdir = workdir
    }

    deinit { git_repository_free(repo) }

    /// Paths (relative to the work tree, raw bytes) git considers part of the tree: index
    /// entries (except submodules) plus untracked files that are not ignored. Also
    /// whether anything differs from HEAD (tracked changes or untracked files).
    func trackedAndUntrackedFiles() throws -> (files: [RawPath], submodules: [RawPath], dirty: Bool) {
        var index: OpaquePointer?
        var rc = git_repository_index(&index, repo)
        guard rc == 0, let index else { throw GitError("read index", rc) }
        defer { git_index_free(index) }
        var seen = Set<RawPath>()
        var files: [RawPath] = []
        var submodules: [RawPath] = []
        for i in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, i), let p = entry.pointee.path else { continue }
            let path = RawPath(Array(UnsafeRawBufferPointer(start: p, count: strlen(p))))
            guard seen.insert(path).inserted else { continue }  // conflict stages repeat a path
            if entry.pointee.mode == 0o160000 { submodules.append(path) } else { files.append(path) }
        }

        var options = git_status_options()
        rc = git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        guard rc == 0 else { throw GitError("status options", rc) }
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var list: OpaquePointer?
        rc = git_status_list_new(&list, repo, &options)
        guard rc == 0, let list else { throw GitError("status", rc) }
        defer { git_status_list_free(list) }
        let count = git_status_list_entrycount(list)
        for i in 0..<count {
            guard let entry = git_status_byindex(list, i) else { continue }
            if entry.pointee.status.rawValue & GIT_STATUS_WT_NEW.rawValue != 0,
               let delta = entry.pointee.index_to_workdir, let p = delta.pointee.new_file.path {
                let path = RawPath(Array(UnsafeRawBufferPointer(start: p, count: strlen(p))))
                if seen.insert(path).inserted { files.append(path) }
            }
        }
        return (files, submodules, count > 0)
    }

    /// Whether git ignores `relativePath` (a directory of the work tree, say).
    func isIgnored(_ relativePath: String) -> Bool {
        var ignored: Int32 = 0
        return git_ignore_path_is_ignored(&ignored, repo, relativePath) == 0 && ignored == 1
    }

    /// HEAD's commit id (40 hex digits), nil on an unborn branch.
    func headCommit() -> String? {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, repo, "HEAD") == 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, buffer.count, &oid)
        return String(cString: buffer)
    }

    /// `git describe --tags` of HEAD (without a dirty suffix), nil when no tag reaches HEAD.
    func describeTags() -> String? {
        var head: OpaquePointer?
        guard git_revparse_single(&head, repo, "HEAD") == 0, let head else { return nil }
        defer { git_object_free(head) }
        var options = git_describe_options()
        git_describe_options_init(&options, UInt32(GIT_DESCRIBE_OPTIONS_VERSION))
        options.describe_strategy = GIT_DESCRIBE_TAGS.rawValue
        var result: OpaquePointer?
        guard git_describe_commit(&result, head, &options) == 0, let result else { return nil }
        defer { git_describe_result_free(result) }
        var format = git_describe_format_options()
        git_describe_format_options_init(&format, UInt32(GIT_DESCRIBE_FORMAT_OPTIONS_VERSION))
        var buf = git_buf()
        defer { git_buf_dispose(&buf) }
        guard git_describe_format(&buf, result, &format) == 0, let p = buf.ptr else { return nil }
        return String(cString: p)
    }
}
