// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A Swift package's resolved dependencies: Package.resolved (format 1, 2 and 3) for
// identity, location and version; `.build/checkouts/<name>` for their license files and
// module names (a binary that defines symbols of a module links the package statically).

import Foundation
import Licensing

struct SwiftPackage {
    var component: Component
    /// Module names of the package's targets (`Sources/<name>` directories).
    var modules: [String]
}

enum SwiftPackages {
    /// Whether the tree has a `Package.resolved` for `load` to read.
    static func present(root: String) -> Bool { fileExists(resolvedFile(root: root)) }

    private static func resolvedFile(root: String) -> String { root + "/Package.resolved" }

    static func load(root: String, database: LicenseDatabase, findings: inout [Finding]) -> [SwiftPackage] {
        let path = resolvedFile(root: root)
        guard fileExists(path) else { return [] }
        let pins: [Pin]
        do {
            pins = try parseResolved(try readSmallFile(path))
        } catch {
            findings.append(Finding(path: "Package.resolved", rule: "malformed-package-resolved", severity: .error,
                                    message: "\(error)"))
            return []
        }
        let detector = LicenseDetector(database: database)
        return pins.map { pin in
            let checkout = "\(root)/.build/checkouts/\(pin.checkoutName)"
            var license: String?
            var note: String
            let licenseFiles = ((try? FileManager.default.contentsOfDirectory(atPath: checkout)) ?? []).filter(isLicenseFileName).sorted()
            if !fileExists(checkout) {
                note = "no checkout at .build/checkouts/\(pin.checkoutName): license unknown (run swift package resolve)"
                findings.append(Finding(path: "Package.resolved", rule: "missing-checkout", severity: .warning,
                                        message: "\(pin.identity): \(note)"))
            } else if licenseFiles.isEmpty {
                note = "no LICENSE or COPYING file in .build/checkouts/\(pin.checkoutName)"
                findings.append(Finding(path: "Package.resolved", rule: "no-license-file", severity: .warning,
                                        message: "\(pin.identity): \(note)"))
            } else {
                license = declaredLicense(files: licenseFiles.map { "\(checkout)/\($0)" }, detector: detector)
                note = "license detected in .build/checkouts/\(pin.checkoutName)/\(licenseFiles.joined(separator: ", "))"
            }
            let originators = holders(inCheckout: checkout)
            if !originators.isEmpty { note += "; authors from the copyright lines of its license, notice or manifest files" }
            let modules = ((try? FileManager.default.contentsOfDirectory(atPath: checkout + "/Sources")) ?? []).sorted()
            let versionOrRevision = pin.version ?? pin.revision
            let component = Component(
                id: "swift:\(pin.identity)", kind: .swiftPackage, name: pin.identity, version: versionOrRevision,
                purl: pin.purlPath.map { path in
                    let parts = path.split(separator: "/").map(String.init)
                    return PackageURL.make(type: "swift", namespace: parts.dropLast().joined(separator: "/"),
                                           name: parts.last ?? pin.identity, version: versionOrRevision)
                },
                // Fetched from its authors' own repository: they are its supplier too.
                supplier: originators.first, originators: originators.isEmpty ? nil : originators,
                downloadLocation: pin.revision.map { "git+\(pin.location)@\($0)" } ?? pin.location,
                declaredLicense: license, distribution: .distributed, gitCommit: pin.revision,
                comment: note)
            return SwiftPackage(component: component, modules: modules.map { $0.replacingOccurrences(of: "-", with: "_") })
        }
    }

    /// The holders named by copyright lines of a checkout's top-level license and notice
    /// files, in SPDX agent form, in file order; when those name none (an Apache-2.0 text
    /// has no holder), the lines of its manifest's header.
    static func holders(inCheckout checkout: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: checkout)) ?? []).sorted()
            .filter { isLicenseFileName($0) || $0.uppercased().hasPrefix("NOTICE") || $0.uppercased().hasPrefix("AUTHORS") }
        let found = holders(in: names.map { "\(checkout)/\($0)" })
        return found.isEmpty ? holders(in: ["\(checkout)/Package.swift"]) : found
    }

    private static func holders(in paths: [String]) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for path in paths {
            guard let bytes = try? readSmallFile(path) else { continue }
            for (_, statement) in CopyrightStatements.find(in: bytes) {
                guard let holder = Agent.holder(ofCopyright: statement) else { continue }
                let agent = Agent.spdx(holder)
                if seen.insert(agent).inserted { result.append(agent) }
            }
        }
        return result
    }

    struct Pin {
        var identity: String
        var location: String
        var version: String?
        var revision: String?

        /// Directory name SwiftPM checks the package out to: the location's last component.
        var checkoutName: String {
            var last = location.split(separator: "/").last.map(String.init) ?? identity
            if last.hasSuffix(".git") { last.removeLast(4) }
            return last
        }

        /// `github.com/apple/swift-crypto` from any URL form; nil for a local path.
        var purlPath: String? {
            var s = location
            if s.hasPrefix("/") || s.hasPrefix("file:") { return nil }
            for scheme in ["https://", "http://", "ssh://", "git://"] where s.hasPrefix(scheme) { s.removeFirst(scheme.count) }
            if let at = s.firstIndex(of: "@"), !s[..<at].contains("/") { s = String(s[s.index(after: at)...]) }
            if !s.contains("/") || s.firstIndex(of: ":").map({ s[..<$0].contains("/") == false }) == true {
                s = s.replacingOccurrences(of: ":", with: "/")  // git@github.com:owner/repo
            }
            if s.hasSuffix(".git") { s.removeLast(4) }
            while s.hasSuffix("/") { s.removeLast() }
            return s
        }
    }

    struct ResolvedError: Error, CustomStringConvertible {
        var description: String
    }

    static func parseResolved(_ bytes: [UInt8]) throws -> [Pin] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ResolvedError(description: "not a JSON object")
        }
        let version = object["version"] as? Int ?? 0
        let rawPins: [Any]
        switch version {
        case 1:
            rawPins = (object["object"] as? [String: Any])?["pins"] as? [Any] ?? []
        case 2, 3:
            rawPins = object["pins"] as? [Any] ?? []
        default:
            throw ResolvedError(description: "version \(version): only versions 1, 2 and 3 are known")
        }
        return try rawPins.enumerated().map { index, raw in
            guard let pin = raw as? [String: Any], let state = pin["state"] as? [String: Any] else {
                throw ResolvedError(description: "pins[\(index)] is not an object with a state")
            }
            let location = (pin["location"] ?? pin["repositoryURL"]) as? String
            let identity = (pin["identity"] as? String) ?? (pin["package"] as? String)?.lowercased()
            guard let location, let identity else {
                throw ResolvedError(description: "pins[\(index)] has no identity/package or location/repositoryURL")
            }
            return Pin(identity: identity, location: location, version: state["version"] as? String,
                       revision: state["revision"] as? String)
        }.sorted { $0.identity < $1.identity }
    }

    /// The `name:` of the `Package(...)` in Package.swift, read without running it.
    static func packageName(root: String) -> String? {
        guard let text = try? readTextFile(root + "/Package.swift"),
              let call = text.range(of: "Package(") else { return nil }
        let after = text[call.upperBound...]
        guard let name = after.range(of: "name:") else { return nil }
        let rest = after[name.upperBound...].drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard rest.first == "\"" else { return nil }
        let value = rest.dropFirst().prefix(while: { $0 != "\"" && $0 != "\n" })
        return value.isEmpty ? nil : String(value)
    }

    /// The licenses `files` (a component's license files) state: each file's one detected
    /// expression (`Apache-2.0 WITH Swift-exception`, `MIT OR Apache-2.0`), files joined by
    /// AND; nil when none is detected or none is readable.
    static func declaredLicense(files: [String], detector: LicenseDetector) -> String? {
        let stated = files.compactMap { file in
            (try? readTextFile(file)).flatMap { detector.analyze($0, path: file).expression }
        }
        return LicenseExpression.conjunction(stated.sorted())
    }

    static func isLicenseFileName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return upper.hasPrefix("LICENSE") || upper.hasPrefix("LICENCE") || upper.hasPrefix("COPYING")
    }
}
