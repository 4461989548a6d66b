// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Lists the files of a tree. Inside a git work tree libgit2 gives the index entries plus
// the untracked files that are not ignored. Elsewhere (a source drop, an extracted
// tarball) every file is what gets distributed, so the walker lists the whole tree; only
// when asked (`respectGitignore`) does it honour the `.gitignore` files it meets (not
// `.git/info/exclude` or `core.excludesFile`, which need a repository). `.git` is
// skipped. Symbolic links are recorded, never followed, so neither a loop nor a link
// out of the tree can lead the scan astray. Non-UTF-8 names are kept as raw bytes.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct TreeListing {
    struct Entry {
        /// Relative to the root.
        var path: RawPath
        var status: FileStatus
    }
    var files: [Entry] = []
    var symlinks: [SymlinkRecord] = []
    var findings: [Finding] = []
    /// Set when the tree lies in a git work tree.
    var gitCommit: String?
    var gitDirty: Bool?
    var gitDescription: String?
    var isGitWorkTree = false
}

enum TreeWalker {
    /// `root` must be an absolute path without symbolic links (see `resolvedPath`).
    static func list(root: String, respectGitignore: Bool = false) throws -> TreeListing {
        if let repo = try GitRepository.open(containing: root),
           root == repo.workdir || root.hasPrefix(repo.workdir + "/") {
            // A tree the enclosing repository ignores (a download inside a build
            // directory, say) is not part of it: walk it as a plain tree.
            if root == repo.workdir || !repo.isIgnored(String(root.dropFirst(repo.workdir.count + 1)) + "/") {
                return try listGit(root: root, repo: repo)
            }
        }
        return listPlain(root: root, respectGitignore: respectGitignore)
    }

    private static func listGit(root: String, repo: GitRepository) throws -> TreeListing {
        var listing = TreeListing()
        listing.isGitWorkTree = true
        let prefix = root == repo.workdir ? [] : Array(root.dropFirst(repo.workdir.count + 1).utf8) + [UInt8(ascii: "/")]
        let (paths, submodules, dirty) = try repo.trackedAndUntrackedFiles()
        listing.gitCommit = repo.headCommit()
        listing.gitDirty = dirty
        listing.gitDescription = repo.describeTags()
        let rootPath = RawPath(root)
        for path in paths where path.bytes.starts(with: prefix) {
            let relative = RawPath(Array(path.bytes.dropFirst(prefix.count)))
            if relative.bytes.last == UInt8(ascii: "/") {
                // An untracked directory git does not enter: a nested repository.
                listing.findings.append(Finding(path: relative.display, rule: "nested-repository", severity: .note,
                                                message: "untracked nested git repository, not scanned"))
                continue
            }
            add(relative, absolute: rootPath.appending(relative.bytes), root: root, to: &listing)
        }
        for path in submodules where path.bytes.starts(with: prefix) {
            let relative = RawPath(Array(path.bytes.dropFirst(prefix.count)))
            listing.findings.append(Finding(path: relative.display, rule: "submodule", severity: .note,
                                            message: "git submodule, not scanned"))
        }
        return listing
    }

    private static func listPlain(root: String, respectGitignore: Bool) -> TreeListing {
        var listing = TreeListing()
        listing.findings.append(Finding(path: ".", rule: "not-a-git-repository", severity: .note,
                                        message: respectGitignore
                                            ? "no git work tree: honouring .gitignore files only (not .git/info/exclude or core.excludesFile)"
                                            : "no git work tree: every file scanned (.gitignore files not applied; --respect-gitignore applies them)"))
        var ignoredEntries = 0
        // Depth-first over directories; each carries the ignore rules in force below it.
        var stack: [(relative: RawPath, rules: [GitIgnoreRules])] = [(RawPath([]), [])]
        let rootPath = RawPath(root)
        while let (directory, inherited) = stack.popLast() {
            let absolute = directory.bytes.isEmpty ? rootPath : rootPath.appending(directory.bytes)
            var rules = inherited
            let ignoreFile = absolute.appending(Array(".gitignore".utf8))
            if respectGitignore, case .success(let st) = FileStatus.of(ignoreFile), st.kind == .regular,
               let bytes = try? readSmallFile(ignoreFile.display) {
                rules.append(GitIgnoreRules(base: directory.display, text: String(decoding: bytes, as: UTF8.self)))
            }
            let names: [(name: [UInt8], status: Result<FileStatus, Errno>)]
            switch directoryEntries(absolute) {
            case .success(let n): names = n
            case .failure(let error):
                listing.findings.append(Finding(path: directory.bytes.isEmpty ? "." : directory.display,
                                                rule: error.isPermissionDenied ? "unreadable-directory" : "unlistable-directory",
                                                severity: .error, message: error.description))
                continue
            }
            for (name, status) in names {
                if name == Array(".git".utf8) { continue }
                let relative = directory.bytes.isEmpty ? RawPath(name) : directory.appending(name)
                let entryPath = absolute.appending(name)
                guard case .success(let st) = status else { continue }
                let isDirectory = st.kind == .directory
                var ignored = false
                let nameString = rules.isEmpty ? "" : String(decoding: name, as: UTF8.self)
                for ruleSet in rules {
                    if let v = ruleSet.verdict(relativePath: relative.display, name: nameString, isDirectory: isDirectory) {
                        ignored = v
                    }
                }
                if ignored { ignoredEntries += 1; continue }
                if isDirectory {
                    stack.append((relative, rules))
                } else {
                    add(relative, absolute: entryPath, status: .success(st), root: root, to: &listing)
                }
            }
        }
        if ignoredEntries > listing.files.count {
            listing.findings.append(Finding(path: ".", rule: "most-of-tree-ignored", severity: .warning,
                                            message: "\(ignoredEntries) files and directories left out by .gitignore, \(listing.files.count) files scanned"))
        }
        return listing
    }

    /// Records one non-directory entry: a regular file, a symbolic link, or a note for anything
    /// else. `status`: its `lstat`, when the caller has it already.
    private static func add(_ relative: RawPath, absolute: RawPath, status: Result<FileStatus, Errno>? = nil, root: String,
                            to listing: inout TreeListing) {
        let shown = relative.display
        if !relative.isValidUTF8 {
            listing.findings.append(Finding(path: shown, rule: "non-utf8-file-name", severity: .warning,
                                            message: "file name is not valid UTF-8; shown with U+FFFD replacement characters"))
        }
        let st: FileStatus
        switch status ?? FileStatus.of(absolute) {
        case .success(let s): st = s
        case .failure(.ENOENT): return  // tracked but deleted in the work tree
        case .failure(let code):
            listing.findings.append(Finding(path: shown, rule: "unreadable-file", severity: .error,
                                            message: FileAccessError(operation: "lstat", path: shown, code: code.code).description))
            return
        }
        switch st.kind {
        case .regular:
            listing.files.append(TreeListing.Entry(path: relative, status: st))
        case .symlink:
            listing.symlinks.append(symlinkRecord(relative, absolute: absolute, root: root, findings: &listing.findings))
        case .directory:
            return
        case .other:
            listing.findings.append(Finding(path: shown, rule: "special-file", severity: .note,
                                            message: "not a regular file (device, socket or FIFO); skipped"))
        }
    }

    private static func symlinkRecord(_ relative: RawPath, absolute: RawPath, root: String,
                                      findings: inout [Finding]) -> SymlinkRecord {
        let shown = relative.display
        let target = readLink(absolute).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let resolution: SymlinkRecord.Resolution
        switch resolvedPath(absolute) {
        case .success(let resolved):
            let r = resolved.display
            resolution = (r == root || r.hasPrefix(root + "/")) ? .insideTree : .outsideTree
        case .failure(.ELOOP):
            resolution = .loop
        case .failure:
            resolution = .dangling
        }
        switch resolution {
        case .outsideTree:
            findings.append(Finding(path: shown, rule: "symlink-outside-tree", severity: .warning,
                                    message: "symbolic link to \(target) leaves the tree; not followed"))
        case .loop:
            findings.append(Finding(path: shown, rule: "symlink-loop", severity: .warning,
                                    message: "symbolic link to \(target) is part of a loop; not followed"))
        case .dangling:
            findings.append(Finding(path: shown, rule: "dangling-symlink", severity: .note,
                                    message: "symbolic link to \(target) points nowhere"))
        case .insideTree:
            break
        }
        return SymlinkRecord(path: shown, target: target, resolution: resolution)
    }

    /// The entries of a directory, sorted by name, each with its `lstat` (made relative to
    /// the open directory, so the kernel does not walk the path for each of them).
    private static func directoryEntries(_ path: RawPath) -> Result<[(name: [UInt8], status: Result<FileStatus, Errno>)], FileAccessError> {
        guard let dir = path.withCString({ opendir($0) }) else {
            return .failure(FileAccessError(operation: "opendir", path: path.display, code: POSIXErrorCode(rawValue: errno) ?? .EIO))
        }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        var entries: [(name: [UInt8], status: Result<FileStatus, Errno>)] = []
        while let entry = readdir(dir) {
            let item: (name: [UInt8], status: Result<FileStatus, Errno>)? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let n = bytes.firstIndex(of: 0) ?? bytes.count
                let name = Array(bytes[0..<n])
                if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { return nil }
                return (name, FileStatus.of(name: raw.baseAddress!.assumingMemoryBound(to: CChar.self), inDirectory: fd))
            }
            if let item { entries.append(item) }
        }
        return .success(entries.sorted { $0.name.lexicographicallyPrecedes($1.name) })
    }
}
