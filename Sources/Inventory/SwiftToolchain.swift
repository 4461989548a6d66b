// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The Swift toolchain as evidence: where it is (the `swift` on PATH), which version built a
// binary (the "Swift version" string the compiler leaves in it), and the license its own
// license file states. Nothing about it is assumed.

import ELF
import Foundation
import Licensing
import Processes

public enum SwiftToolchain {
    /// The toolchain component a library file of the Swift toolchain belongs to, shared
    /// (`libFoundation.so`) or static (`lib_FoundationICU.a`).
    public static func componentID(ofLibrary file: String) -> String {
        let name = file.hasPrefix("lib_") ? "lib" + file.dropFirst(4) : file
        if name.hasPrefix("libFoundation") || name.hasPrefix("libCoreFoundation") || name.hasPrefix("libCF") { return "toolchain:foundation" }
        if name.hasPrefix("libdispatch") || name.hasPrefix("libBlocksRuntime") { return "toolchain:dispatch" }
        return "toolchain:swift-stdlib"
    }

    /// The root of the toolchain whose `swift` is first on `searchPath` (default `PATH`):
    /// the executable with symbolic links resolved is `<root>/usr/bin/<name>`. nil when no
    /// `swift` is on the path or it is not laid out so (a wrapper script, say).
    public static func locate(searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        guard let swift = ProcessRunner.executableInPath("swift", searchPath: searchPath),
              let real = resolvedPath(RawPath(swift)).value?.display else { return nil }
        let bin = (real as NSString).deletingLastPathComponent
        guard bin.hasSuffix("/usr/bin") else { return nil }
        let root = String(bin.dropLast("/usr/bin".count))
        return root.isEmpty ? "/" : root
    }

    /// `relative` (`usr/bin/swift`) inside the toolchain at `root` (which may be `/`).
    static func path(_ relative: String, in root: String) -> String {
        (root.hasSuffix("/") ? root : root + "/") + relative
    }

    /// The distinct "Swift version 6.3.1 (swift-6.3.1-RELEASE)" strings a binary carries (the
    /// compiler's DWARF producer and version strings), in the order they first occur.
    static func versionStrings(in bytes: [UInt8]) -> [String] {
        let marker = Array("Swift version ".utf8)
        var found: [String] = []
        bytes.withUnsafeBytes { buffer in
            var start = 0
            while let hit = ByteSearch.firstOffset(of: marker, in: buffer, from: start) {
                // To the end of the C string, at most one line of printable ASCII.
                var end = hit + marker.count
                while end < buffer.count, end - hit < 200, buffer[end] >= 0x20, buffer[end] < 0x7F { end += 1 }
                let string = String(decoding: buffer[hit..<end], as: UTF8.self)
                if version(in: string) != nil, !found.contains(string) { found.append(string) }
                start = end
            }
        }
        return found
    }

    /// "6.3.1" from "Swift version 6.3.1 (swift-6.3.1-RELEASE)" (also in `swift --version`).
    static func version(in text: String) -> String? {
        guard let range = text.range(of: "Swift version ") else { return nil }
        let version = text[range.upperBound...].prefix { $0 != " " && $0 != "\n" && $0 != ")" }
        return version.first?.isNumber == true ? String(version) : nil
    }

    /// The version `<toolchain>/usr/bin/swift --version` prints.
    static func installedVersion(_ toolchain: String) -> String? {
        guard let output = try? ProcessRunner.run(path("usr/bin/swift", in: toolchain), ["--version"], directory: nil, timeout: 60) else { return nil }
        return version(in: output.standardOutput)
    }

    /// The license detected in the toolchain's own license file, with a note of where it
    /// came from; nil (not asserted) when there is no toolchain, no file or nothing detected.
    static func license(of toolchain: String?, detector: LicenseDetector) -> (license: String?, note: String) {
        guard let toolchain else { return (nil, "no Swift toolchain found (no swift on PATH): license not asserted") }
        let file = path("usr/share/swift/LICENSE.txt", in: toolchain)
        guard fileExists(file) else { return (nil, "no \(file): license not asserted") }
        guard let license = SwiftPackages.declaredLicense(files: [file], detector: detector) else {
            return (nil, "no license detected in \(file): license not asserted")
        }
        return (license, "license detected in \(file)")
    }
}
