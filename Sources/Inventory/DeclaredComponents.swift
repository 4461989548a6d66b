// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Third-party components a release bundles that no scan can find by itself, declared in
// a TOML file (hypervisor/components.toml):
//
//     [[component]]
//     name = "busybox"
//     origin = "debian:busybox-static"   # or "url:https://..." with version and license
//     location = "demo guest initramfs: /bin/busybox"
//     distribution = "distributed"       # or "providedByPlatform"
//     license = "GPL-2.0-only"           # optional for debian: origins
//     supplier = "Organization: X"       # optional; Debian's maintainer for debian: origins
//     originator = "Person: Y"           # optional; the upstream authors, else from DEP-5
//
// For a `debian:` origin the exact installed version, architecture and source package
// come from dpkg, and the declared license from the package's DEP-5 copyright file; a
// package that is not installed is an error finding.

import Foundation
import Licensing
import TOMLKit

enum DeclaredComponents {
    static func load(_ file: String, root: String, system: SystemLayout, database: LicenseDatabase,
                     findings: inout [Finding]) -> [Component] {
        let path = file.hasPrefix("/") ? file : root + "/" + file
        let shown = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        func finding(_ rule: String, _ message: String, line: Int? = nil) {
            findings.append(Finding(path: shown, line: line, rule: rule, severity: .error, message: message))
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: try readTextFile(path))
        } catch let error as TOMLParseError {
            finding("malformed-components-file", error.description, line: error.source.begin.line)
            return []
        } catch {
            finding("unreadable-file", "\(error)")
            return []
        }
        guard let list = table["component"]?.array else {
            finding("malformed-components-file", "no [[component]] entries")
            return []
        }
        var dpkg: DpkgDatabase?
        var components: [Component] = []
        for (index, item) in list.enumerated() {
            let here = "component[\(index)]"
            guard let entry = item.table, let name = entry["name"]?.string, !name.isEmpty,
                  let origin = entry["origin"]?.string else {
                finding("malformed-components-file", "\(here): needs string fields name and origin")
                continue
            }
            let distributionValue = entry["distribution"]?.string ?? "distributed"
            guard let distribution = Component.Distribution(rawValue: distributionValue) else {
                finding("malformed-components-file", "\(here) \(name): distribution \"\(distributionValue)\"; expected distributed or providedByPlatform")
                continue
            }
            var license: String?
            if let l = entry["license"]?.string {
                license = validatedExpression(l, path: shown, line: nil, database: database, findings: &findings)
            }
            var component = Component(id: "declared:\(name)", kind: .declared, name: name,
                                      version: entry["version"]?.string, concludedLicense: license,
                                      distribution: distribution, location: entry["location"]?.string)
            if origin.hasPrefix("debian:") {
                let package = String(origin.dropFirst("debian:".count))
                if dpkg == nil {
                    do {
                        dpkg = try DpkgDatabase(directory: system.dpkgDirectory)
                    } catch {
                        finding("dpkg-database-unreadable", "\(here) \(name): \(error)")
                        continue
                    }
                }
                guard let installed = dpkg?.package(named: package) else {
                    finding("package-not-installed", "\(here) \(name): Debian package \(package) is not installed (dpkg database \(system.dpkgDirectory)); install it so its exact version is known")
                    continue
                }
                let copyright = DebianCopyright(documentationDirectory: system.documentationDirectory, package: installed.name,
                                                detector: LicenseDetector(database: database))
                component.version = installed.version
                component.purl = installed.purl
                component.supplier = installed.supplier
                component.sourcePackage = installed.sourceName
                component.sourceVersion = installed.sourceVersion
                component.downloadLocation = "https://snapshot.debian.org/package/\(installed.sourceName)/\(installed.sourceVersion)/"
                component.declaredLicense = copyright.license
                component.copyrightText = copyright.copyrightText
                component.originators = copyright.originators.isEmpty ? nil : copyright.originators
                component.comment = "Debian package \(installed.name) \(installed.version) (\(installed.architecture)) from dpkg; \(copyright.note)"
                if component.concludedLicense == nil { component.concludedLicense = copyright.license }
            } else if origin.hasPrefix("url:") {
                component.downloadLocation = String(origin.dropFirst(4))
                if component.version == nil || license == nil {
                    finding("malformed-components-file", "\(here) \(name): a url: origin needs version and license")
                }
                component.declaredLicense = license
            } else {
                finding("malformed-components-file", "\(here) \(name): origin \"\(origin)\"; expected debian:PACKAGE or url:URL")
                continue
            }
            if let supplier = entry["supplier"]?.string, !supplier.isEmpty { component.supplier = Agent.spdx(supplier) }
            if let originator = entry["originator"]?.string, !originator.isEmpty { component.originators = [Agent.spdx(originator)] }
            components.append(component)
        }
        return components
    }
}
