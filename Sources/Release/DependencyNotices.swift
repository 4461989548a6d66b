// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Notices of a resolved Swift package built from its own checkout: its license files as
// written, and every copyright statement (the caller makes them the component's copyright
// text, printed once) and license found in its sources, which covers
// code vendored inside it (a C library copied into a Sources/ folder) that has no license
// file of its own.

import Foundation
import Inventory
import Licensing

struct DependencyNotices {
    let tree: String
    let database: LicenseDatabase
    let cacheDirectory: String?
    let jobs: Int

    struct Found {
        var text: String
        var copyrights: [String]
    }

    /// The checkout SwiftPM made of the package (`.build/checkouts/<name>`, named like the
    /// package identity, case aside); nil when there is none (not resolved in this tree).
    func checkout(for component: Component) -> String? {
        let checkouts = tree + "/.build/checkouts"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkouts)) ?? []
        return names.filter { $0.lowercased() == component.name.lowercased() }.sorted().first.map { checkouts + "/" + $0 }
    }

    static func isLicenseFile(_ path: String) -> Bool {
        let name = URL(fileURLWithPath: path).lastPathComponent.uppercased()
        return ["LICENSE", "LICENCE", "COPYING", "NOTICE"].contains { name.hasPrefix($0) }
            && !name.hasSuffix(".SWIFT") && !name.hasSuffix(".H") && !name.hasSuffix(".C")
    }

    /// Test and documentation files do not go into the binaries.
    static func isShippedSource(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map { $0.lowercased() }
        return !parts.contains { ["tests", "test", "docs", "documentation", "benchmarks", "examples", ".github", "scripts"].contains($0) }
    }

    func notices(for component: Component) throws -> Found? {
        guard let root = checkout(for: component) else { return nil }
        let options = ScanOptions(jobs: jobs, cacheDirectory: cacheDirectory, progress: false)
        let report = try Scanner(database: database, options: options).scan(root: root)
        var text = ""
        let licenseFiles = report.files.filter { !$0.path.contains("/") && Self.isLicenseFile($0.path) }
        for file in licenseFiles {
            guard let contents = try? String(contentsOfFile: root + "/" + file.path, encoding: .utf8) else { continue }
            text += "\(file.path) of \(component.name):\n\n\(contents)\(contents.hasSuffix("\n") ? "" : "\n")\n"
        }
        let sources = report.files.filter { Self.isShippedSource($0.path) && !licenseFiles.contains($0) }
        var copyrights: [String] = []
        var seen = Set<String>()
        for line in licenseFiles.flatMap(\.copyrights) + sources.flatMap({ $0.copyrights + $0.reuseCopyrights }) where seen.insert(line).inserted {
            copyrights.append(line)
        }
        // Licenses of its sources, with where they were found (vendored code shows up here).
        var byLicense: [String: [String]] = [:]
        for file in sources {
            let found = Set(file.licenseMatches.filter { $0.kind != .reference }.map(\.expression))
            for expression in found { byLicense[expression, default: []].append(file.path) }
        }
        if !byLicense.isEmpty {
            text += "Licenses found in the sources of \(component.name):\n"
            for (expression, paths) in byLicense.sorted(by: { $0.key < $1.key }) {
                let directories = Array(Set(paths.map { URL(fileURLWithPath: $0).deletingLastPathComponent().relativePath })).sorted()
                let shown = directories.prefix(4).joined(separator: ", ") + (directories.count > 4 ? ", ..." : "")
                text += "  \(expression): \(paths.count) file\(paths.count == 1 ? "" : "s") (\(shown))\n"
            }
        }
        return Found(text: text, copyrights: copyrights)
    }
}
