// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Components from a shipped .deb: its package URL, and the sources it was built using
// (Built-Using, Static-Built-Using) as components whose source the bundle must carry.

import Foundation
import Inventory
import Licensing
import SourceOffer

struct DebianFacts {
    let deb: DebianBinaryPackage

    init(_ deb: DebianBinaryPackage) { self.deb = deb }

    /// purl spec: the version is percent-encoded (`:` and `+` included); `distro` is left
    /// out because a .deb's control fields do not name the release it belongs to.
    var purl: String { "pkg:deb/debian/\(deb.package)@\(Self.encode(deb.version))?arch=\(deb.architecture)" }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: ".-_~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// The source package `reference` names, at exactly that version, as a component; its
    /// license and copyright lines come from that source's own `debian/copyright`.
    static func builtUsingComponent(_ reference: DebianBinaryPackage.SourceReference, by deb: DebianBinaryPackage,
                                    database: LicenseDatabase, cacheDirectory: String) throws -> Component {
        let source = try DebianSourcePackage.load(package: reference.package, version: reference.version,
                                                  fetcher: AptSourceFetcher(), cacheDirectory: cacheDirectory)
        var license: String?
        var copyrights: [String] = []
        var note = "no debian/copyright in the source package: license not determined"
        if let text = try source.copyrightText() {
            let matches = LicenseDetector(database: database).detect(in: text).filter { $0.kind != .reference }
            license = LicenseExpression.conjunction(Array(Set(matches.map(\.expression))).sorted())
            var seen = Set<String>()
            for line in text.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                let body = trimmed.hasPrefix("Copyright:") ? String(trimmed.dropFirst("Copyright:".count)).trimmingCharacters(in: .whitespaces) : trimmed
                guard body.lowercased().hasPrefix("copyright") || body.hasPrefix("(C)") || body.hasPrefix("(c)") || body.first?.isNumber == true && trimmed.hasPrefix("Copyright:") else { continue }
                if seen.insert(body).inserted { copyrights.append(body) }
            }
            note = "license detected in the source package's debian/copyright"
        }
        return Component(
            id: "deb-source:\(reference.package)@\(reference.version)", kind: .debianPackage, name: reference.package,
            version: reference.version,
            purl: "pkg:deb/debian/\(reference.package)@\(encode(reference.version))?arch=source",
            supplier: "Organization: Debian",
            downloadLocation: "https://snapshot.debian.org/package/\(reference.package)/\(reference.version)/",
            declaredLicense: license, concludedLicense: license,
            copyrightText: copyrights.isEmpty ? nil : copyrights.joined(separator: "\n"),
            distribution: .distributed, sourcePackage: reference.package, sourceVersion: reference.version,
            comment: "source package named by \(reference.field) of \(deb.package) \(deb.version): built into that binary; \(note)")
    }
}
