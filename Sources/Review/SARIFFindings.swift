// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Findings read from SARIF 2.1.0 (candor audit and boundaries, or any other tool), with
// their evidence chains: the steps of a code flow, else the related locations.

import Foundation
import SBOMReader

public struct ReviewFinding: Codable, Hashable, Sendable, Comparable {
    public struct Step: Codable, Hashable, Sendable {
        public var location: String
        public var text: String
    }
    public var tool: String
    public var rule: String
    public var level: String
    public var message: String
    /// `path:line`, or empty when the result has no location.
    public var location: String
    public var evidence: [Step]

    /// Identity across releases: a finding that only moved lines is not new.
    public var key: String { "\(tool)\u{1}\(rule)\u{1}\(location.split(separator: ":").first ?? "")\u{1}\(message)" }

    public static func < (a: ReviewFinding, b: ReviewFinding) -> Bool {
        (a.location, a.rule, a.message, a.tool) < (b.location, b.rule, b.message, b.tool)
    }
}

public enum SARIFReader {
    /// Reads every result of every run in the SARIF log at `path`.
    public static func read(path: String) throws -> [ReviewFinding] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SBOMReadError(document: path, problem: "cannot read SARIF: \((error as NSError).localizedDescription)")
        }
        guard let root = parsed as? [String: Any], let runs = root["runs"] as? [Any] else {
            throw SBOMReadError(document: path, field: "runs", problem: "missing: not a SARIF 2.1.0 log")
        }
        var findings: [ReviewFinding] = []
        for (runIndex, runValue) in runs.enumerated() {
            guard let run = runValue as? [String: Any] else {
                throw SBOMReadError(document: path, element: "runs[\(runIndex)]", problem: "expected an object")
            }
            let driver = (run["tool"] as? [String: Any])?["driver"] as? [String: Any]
            let tool = driver?["name"] as? String ?? "unknown tool"
            for (index, resultValue) in ((run["results"] as? [Any]) ?? []).enumerated() {
                let element = "runs[\(runIndex)].results[\(index)]"
                guard let result = resultValue as? [String: Any] else {
                    throw SBOMReadError(document: path, element: element, problem: "expected an object")
                }
                guard let message = (result["message"] as? [String: Any])?["text"] as? String else {
                    throw SBOMReadError(document: path, element: element, field: "message.text", problem: "missing")
                }
                let location = ((result["locations"] as? [Any])?.first as? [String: Any]).map(describeLocation) ?? ""
                var steps: [ReviewFinding.Step] = []
                let flows = (result["codeFlows"] as? [Any])?.compactMap { $0 as? [String: Any] } ?? []
                for flow in flows {
                    for thread in (flow["threadFlows"] as? [Any])?.compactMap({ $0 as? [String: Any] }) ?? [] {
                        for step in (thread["locations"] as? [Any])?.compactMap({ $0 as? [String: Any] }) ?? [] {
                            let stepLocation = step["location"] as? [String: Any] ?? [:]
                            steps.append(.init(location: describeLocation(stepLocation), text: messageText(stepLocation)))
                        }
                    }
                }
                if steps.isEmpty {
                    for related in (result["relatedLocations"] as? [Any])?.compactMap({ $0 as? [String: Any] }) ?? [] {
                        steps.append(.init(location: describeLocation(related), text: messageText(related)))
                    }
                }
                findings.append(ReviewFinding(tool: tool, rule: result["ruleId"] as? String ?? "", level: result["level"] as? String ?? "warning",
                                              message: message, location: location, evidence: steps))
            }
        }
        return findings.sorted()
    }

    private static func messageText(_ location: [String: Any]) -> String {
        (location["message"] as? [String: Any])?["text"] as? String ?? ""
    }

    private static func describeLocation(_ location: [String: Any]) -> String {
        guard let physical = location["physicalLocation"] as? [String: Any] else { return "" }
        let uri = (physical["artifactLocation"] as? [String: Any])?["uri"] as? String ?? ""
        if let line = (physical["region"] as? [String: Any])?["startLine"] as? Int { return "\(uri):\(line)" }
        return uri
    }
}
