// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Small helpers the include and Swift package analyses share: lexical path arithmetic,
// finding an external tool (ProcessRunner runs it), a lock-protected memo, and a bounded
// parallel loop.

import Foundation
import Processes

enum PathText {
    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// Removes `.`, `..` and repeated slashes without touching the file system, so a
    /// header found through `include/../x.h` is named once.
    static func normalize(_ path: String) -> String {
        if isNormal(path) { return path }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// No empty, `.` or `..` component and no trailing slash: most paths, checked without
    /// splitting them (a kernel-sized walk normalizes millions).
    private static func isNormal(_ path: String) -> Bool {
        // Length of the current component and whether it is all dots so far.
        var length = 0
        var dots = true
        var count = 0
        for byte in path.utf8 {
            count += 1
            if byte == 0x2F {
                if count > 1 && (length == 0 || (dots && length <= 2)) { return false }
                length = 0
                dots = true
            } else {
                length += 1
                if byte != 0x2E { dots = false }
            }
        }
        if count == 0 { return false }
        if length == 0 { return count == 1 } // trailing slash, except "/" itself
        return !(dots && length <= 2)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func fileExtension(of path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }
}

/// A tree's root and how its paths are shown: relative inside the tree, absolute outside.
struct TreeRoot: Sendable {
    let path: String

    init(_ root: String) {
        var absolute = root
        if !absolute.hasPrefix("/") { absolute = PathText.join(FileManager.default.currentDirectoryPath, root) }
        path = PathText.normalize(absolute)
    }

    func absolute(_ relative: String) -> String {
        PathText.normalize(PathText.join(path, relative))
    }

    func display(_ absolute: String) -> String {
        if path == "/" { return String(absolute.dropFirst()) }
        if absolute.hasPrefix(path), absolute.count > path.count,
           absolute[absolute.index(absolute.startIndex, offsetBy: path.count)] == "/" {
            return String(absolute.dropFirst(path.count + 1))
        }
        return absolute
    }

    func contains(_ absolute: String) -> Bool { display(absolute) != absolute || absolute == path }
}

enum ExternalProcess {
    /// The executable for `name`: a path as given, or the first match on PATH.
    static func locate(_ name: String, directory: String? = nil) -> String? {
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : PathText.join(directory ?? FileManager.default.currentDirectoryPath, name)
            return FileManager.default.isExecutableFile(atPath: path) ? PathText.normalize(path) : nil
        }
        return ProcessRunner.executableInPath(name)
    }
}

/// A value behind a lock, for results that worker threads fill in.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); defer { lock.unlock() }; stored = newValue }
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&stored)
    }
}
