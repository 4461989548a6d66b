// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Rule 3 as evidence: where the policy allows two zones to meet only over IPC, each pair
// of their built binaries is examined. What is shown is what was seen: no compile unit of
// the one in the other, no DT_NEEDED or dlopen of it, an exec/spawn call in the starting
// program, and the protocol both name. The verdict says "no static or dynamic linkage
// found", never "separate works": that is a legal conclusion the binaries cannot prove.

import ELF
import Foundation

extension CheckRun {
    static let spawnCalls = ["posix_spawn", "posix_spawnp", "execve", "execv", "execvp", "execvpe", "fexecve"]
    /// Protocol markers looked for in both binaries.
    static let protocols = [("vhost-user", ["vhost-user", "VHOST_USER"]), ("D-Bus", ["org.freedesktop.DBus"])]

    mutating func checkSeparation(_ binaries: [BinaryFacts]) {
        for crossing in policy.crossings where crossing.allow == [.ipc] {
            let fromBinaries = binaries.filter { zones.zone(ofBinary: $0.path)?.zone == crossing.from }
            let toBinaries = binaries.filter { zones.zone(ofBinary: $0.path)?.zone == crossing.to }
            for core in fromBinaries {
                for driver in toBinaries {
                    separation(core, driver, crossing: crossing)
                }
            }
        }
    }

    private mutating func separation(_ core: BinaryFacts, _ driver: BinaryFacts, crossing: BoundaryPolicy.Crossing) {
        var evidence: [EvidenceStep] = []
        let coreAt = SourceLocation(path: core.path), driverAt = SourceLocation(path: driver.path)
        // Compile units: none of the driver's sources in the core.
        let driverSources = Set(driver.members.flatMap(\.sourceFiles).filter { !$0.hasPrefix("/") })
        let coreSources = Set(core.members.flatMap(\.sourceFiles))
        let shared = driverSources.intersection(coreSources).filter { zones.zone(of: $0).zone == crossing.to }
        // Symbols: none defined by the driver's own code defined or referenced in the core.
        let driverOwn = Set(driver.members.flatMap(\.defined)).subtracting(["main", "_start", "_init", "_fini", "__bss_start",
                                                                           "_edata", "_end", "__data_start", "data_start",
                                                                           "_IO_stdin_used", "__dso_handle",
                                                                           // libc data copied in by copy relocations
                                                                           "stderr", "stdout", "stdin", "environ", "optarg",
                                                                           "optind", "opterr", "optopt"])
        let coreSymbols = Set(core.members.flatMap { $0.defined + $0.undefined })
        let sharedSymbols = driverOwn.intersection(coreSymbols).filter { !$0.hasPrefix("_") && !$0.contains("@") }
        let driverName = (driver.path as NSString).lastPathComponent
        let loads = core.needed.contains(driverName) || core.dlopenStrings.contains { ($0 as NSString).lastPathComponent == driverName }
        guard shared.isEmpty, !loads else { return }  // linkage: the link rules report it
        evidence.append(EvidenceStep(coreAt, "\(coreSources.count) compile units and symbol names read; none from "
                                     + "\(crossing.to) (\(driverSources.count) compile units of \(driverName))"))
        evidence.append(EvidenceStep(coreAt, "no DT_NEEDED entry or dlopen string names \(driverName)"))
        if !sharedSymbols.isEmpty {
            evidence.append(EvidenceStep(coreAt, "symbol names in common (not linkage by themselves): "
                                         + sharedSymbols.sorted().prefix(5).joined(separator: ", ")))
        }
        let spawns = Self.spawnCalls.filter { coreSymbols.contains($0) }
        evidence.append(EvidenceStep(coreAt, spawns.isEmpty ? "no exec or posix_spawn call found"
                                     : "starts programs as separate processes: calls \(spawns.joined(separator: ", "))"))
        let coreText = contents(core.path), driverText = contents(driver.path)
        func holds(_ text: Data?, _ marker: String) -> Bool {
            text?.withUnsafeBytes { ByteSearch.contains($0, Array(marker.utf8)) } ?? false
        }
        let protocols = Self.protocols.filter { _, markers in
            markers.contains { holds(coreText, $0) && holds(driverText, $0) }
        }.map(\.0)
        if !protocols.isEmpty {
            evidence.append(EvidenceStep(driverAt, "both binaries name the \(protocols.joined(separator: ", ")) protocol"))
        }
        let over = protocols.isEmpty ? "no shared protocol named in both binaries" : "they communicate over \(protocols.joined(separator: ", "))"
        cross(ZoneAssignment(zone: crossing.from, license: nil, fileLicense: nil), ZoneAssignment(zone: crossing.to, license: nil, fileLicense: nil),
              kind: .ipc, at: coreAt, evidence: evidence, what: "\(core.path) starts \(driver.path)")
        report(BoundaryFinding(
            rule: "separate-programs", severity: .note, fromZone: crossing.from, toZone: crossing.to, location: coreAt,
            message: "\(core.path) and \(driver.path): no static or dynamic linkage found; \(over)"
                + (spawns.isEmpty ? "" : "; \(core.path) starts programs with \(spawns.joined(separator: "/"))"),
            evidence: evidence))
    }

    private func contents(_ path: String) -> Data? {
        FileManager.default.contents(atPath: path.hasPrefix("/") ? path : root + "/" + path)
    }
}
