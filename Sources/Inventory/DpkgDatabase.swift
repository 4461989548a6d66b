// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// dpkg's database: which installed package owns a file (`info/*.list`) and what the
// package is (`status`). On merged-/usr systems a library found at /lib/... may be listed
// as /usr/lib/... or the reverse, so both spellings are looked up.

import Foundation
import Licensing

struct DpkgPackage: Hashable {
    var name: String
    var architecture: String
    var version: String
    var sourceName: String
    var sourceVersion: String
    var maintainer: String?
    var homepage: String?
    /// The distribution from the system's os-release: `debian` and `debian-12`, when known.
    var vendor = "debian"
    var distro: String?

    /// `pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12`
    var purl: String {
        PackageURL.make(type: "deb", namespace: vendor, name: name, version: version,
                        qualifiers: ["arch": architecture, "distro": distro ?? ""])
    }

    /// SPDX supplier form of the maintainer: `Person: Name (email)` for a person,
    /// `Organization: Name (email)` for a team or list.
    var supplier: String? {
        maintainer.map(Agent.spdx)
    }

    var componentID: String { "deb:\(name):\(architecture)" }
}

final class DpkgDatabase {
    let directory: String
    private var installed: [DpkgPackage] = []
    private var owners: [String: String]?

    /// Reads `status`; `info/*.list` is read on the first file lookup.
    init(directory: String) throws {
        self.directory = directory
        let text = try readTextFile(directory + "/status")
        let (vendor, distro) = DpkgDatabase.distribution(dpkgDirectory: directory)
        for p in ControlFile.paragraphs(text) {
            guard let name = p["Package"], let status = p["Status"], status.hasSuffix(" installed"),
                  let version = p["Version"] else { continue }
            var sourceName = name
            var sourceVersion = version
            if let source = p["Source"] {
                // "glibc" or "glibc (2.36-9)": the version in parentheses differs from the binary's.
                let parts = source.split(separator: " ", maxSplits: 1)
                sourceName = String(parts[0])
                if parts.count == 2 {
                    sourceVersion = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "() "))
                }
            }
            installed.append(DpkgPackage(name: name, architecture: p["Architecture"] ?? "all", version: version,
                                         sourceName: sourceName, sourceVersion: sourceVersion,
                                         maintainer: p["Maintainer"], homepage: p["Homepage"],
                                         vendor: vendor, distro: distro))
        }
    }

    /// `ID` and `ID-VERSION_ID` from the os-release of the system whose dpkg database this
    /// is (`<root>/var/lib/dpkg` -> `<root>/etc/os-release`); `debian` and nil when unknown.
    static func distribution(dpkgDirectory: String) -> (vendor: String, distro: String?) {
        var path = dpkgDirectory
        while path.hasSuffix("/") && path.count > 1 { path.removeLast() }
        guard path.hasSuffix("/var/lib/dpkg") else { return ("debian", nil) }
        let root = String(path.dropLast("/var/lib/dpkg".count))
        let text = (try? readTextFile(root + "/etc/os-release")) ?? (try? readTextFile(root + "/usr/lib/os-release"))
        var fields: [String: String] = [:]
        for line in (text ?? "").split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<eq])] = line[line.index(after: eq)...].trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
        guard let id = fields["ID"], !id.isEmpty else { return ("debian", nil) }
        return (id, fields["VERSION_ID"].map { "\(id)-\($0)" })
    }

    /// The installed package `name` (`name:arch` accepted); with several architectures, the first.
    func package(named name: String) -> DpkgPackage? {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        return installed.first { $0.name == parts[0] && (parts.count == 1 || $0.architecture == parts[1]) }
    }

    /// The installed package owning `path`, trying merged-/usr spellings and the resolved path.
    func owner(ofFile path: String) -> DpkgPackage? {
        if owners == nil { owners = loadOwners() }
        var candidates = [path]
        if case .success(let real) = resolvedPath(RawPath(path)), real.display != path { candidates.append(real.display) }
        for c in candidates {
            for spelling in [c, DpkgDatabase.usrMergeAlias(c)].compactMap({ $0 }) {
                if let owner = owners?[spelling], let p = package(named: owner) { return p }
            }
        }
        return nil
    }

    static func usrMergeAlias(_ path: String) -> String? {
        for top in ["/lib/", "/lib64/", "/bin/", "/sbin/", "/lib32/", "/libx32/"] {
            if path.hasPrefix("/usr" + top) { return String(path.dropFirst(4)) }
            if path.hasPrefix(top) { return "/usr" + path }
        }
        return nil
    }

    private func loadOwners() -> [String: String] {
        var map: [String: String] = [:]
        let info = directory + "/info"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: info)) ?? []
        for file in names.sorted() where file.hasSuffix(".list") {
            let package = String(file.dropLast(5))
            guard let text = try? readTextFile(info + "/" + file) else { continue }
            for line in text.split(separator: "\n") where map[String(line)] == nil {
                map[String(line)] = package
            }
        }
        return map
    }
}

/// The licenses of a Debian package from `/usr/share/doc/PKG/copyright`: the License fields
/// when the file is machine-readable (DEP-5); otherwise the license texts and notices the
/// detector finds in the free-form text (said so in `note`), or nil.
struct DebianCopyright {
    var license: String?
    var copyrightText: String?
    /// The upstream authors: the holders of the `Files: *` stanza, in SPDX agent form.
    var originators: [String] = []
    var note: String

    init(documentationDirectory: String, package: String, detector: LicenseDetector) {
        let path = "\(documentationDirectory)/\(package)/copyright"
        guard let text = try? readTextFile(path) else {
            license = nil
            copyrightText = nil
            note = "\(path) not found"
            return
        }
        guard DEP5File.isMachineReadable(text) else {
            license = detector.analyze(text, path: path).expression
            copyrightText = nil
            note = "\(path) is not machine-readable (no DEP-5 Format header); "
                + (license == nil ? "no license detected in it" : "license detected in its text")
            return
        }
        let dep5 = DEP5File(text: text)
        var expressions: [String] = []
        var holders: [String] = []
        for stanza in dep5.stanzas {
            if let l = stanza.license, !l.isEmpty {
                let spdx = DebianLicenseNames.expression(l)
                if !expressions.contains(spdx) { expressions.append(spdx) }
            }
            for c in stanza.copyright where !holders.contains(c) { holders.append(c) }
        }
        license = LicenseExpression.conjunction(expressions)
        copyrightText = holders.isEmpty ? nil : holders.joined(separator: "\n")
        // Debian's own packaging stanza (Files: debian/*) names the packagers, not the authors.
        if let main = dep5.stanzas.first(where: { $0.patterns.contains { $0.pattern == Array("*".utf8) } }) {
            var seen: Set<String> = []
            originators = main.copyright.compactMap(Agent.holder(ofCopyright:)).map(Agent.spdx)
                .filter { seen.insert($0).inserted }
        }
        note = "license from the License fields of the Files stanzas of \(path) (DEP-5)"
    }
}
