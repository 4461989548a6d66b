// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor review`: one self-contained HTML page (inline style and script, no network) for
// any SBOMs. The data is embedded once as JSON; the script renders it. SBOMs are untrusted
// input, so the JSON is escaped for its <script> block and the script builds the DOM from
// text only; a Content-Security-Policy allows no network and only the page's own script.

import Crypto
import Foundation
import SBOMReader

public struct ReviewInput: Sendable {
    public var title: String
    public var documents: [SBOMDocument]
    public var findings: [ReviewFinding]
    /// The previous release, when there is one.
    public var previous: [SBOMDocument]?
    public var previousFindings: [ReviewFinding]

    public init(title: String, documents: [SBOMDocument], findings: [ReviewFinding] = [],
                previous: [SBOMDocument]? = nil, previousFindings: [ReviewFinding] = []) {
        self.title = title
        self.documents = documents
        self.findings = findings
        self.previous = previous
        self.previousFindings = previousFindings
    }
}

/// The numbers at the top of the page.
public struct ReviewSummary: Equatable, Sendable {
    public var components: Int
    public var distributed: Int
    public var files: Int
    public var licenses: Int
    /// Indices into the page's component list (documents' components in order).
    public var mustOfferSource: [Int]
    public var needsAttribution: [Int]
    public var findings: Int
}

public enum ReviewPage {
    /// The review's summary, as the page shows it.
    public static func summary(_ input: ReviewInput) -> ReviewSummary {
        let components = input.documents.flatMap(\.components)
        var licenses = Set<String>()
        var source: [Int] = [], attribution: [Int] = []
        for (index, component) in components.enumerated() {
            if let license = component.effectiveLicense { licenses.insert(license) }
            for file in component.files { if let license = file.effectiveLicense { licenses.insert(license) } }
            guard component.distributed else { continue }
            let family = family(of: component.effectiveLicense)
            if family.requiresSource { source.append(index) }
            if family.requiresAttribution { attribution.append(index) }
        }
        return ReviewSummary(components: components.count, distributed: components.filter(\.distributed).count,
                             files: components.reduce(0) { $0 + $1.files.count }, licenses: licenses.count,
                             mustOfferSource: source, needsAttribution: attribution, findings: input.findings.count)
    }

    /// The whole page.
    public static func render(_ input: ReviewInput) -> String {
        let data = dataBlock(input)
        let scriptHash = Data(SHA256.hash(data: Data(script.utf8))).base64EncodedString()
        let title = escapeHTML(input.title)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-\(scriptHash)'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="icon" href="data:,">
            <title>Review: \(title)</title>
            <style>\(style)</style>
            </head>
            <body>
            <header>
            <h1>Review: \(title)</h1>
            <nav><a href="#summary">Summary</a><a href="#components">Components</a><a href="#licenses">Licenses</a><a href="#findings">Findings</a><a href="#changes">Changes</a></nav>
            </header>
            <main>
            <section id="summary">
            <h2>Summary</h2>
            <ul class="cards">
            <li><strong id="count-components"></strong>components</li>
            <li><strong id="count-distributed"></strong>distributed</li>
            <li><strong id="count-files"></strong>files</li>
            <li><strong id="count-licenses"></strong>licenses</li>
            <li><strong id="count-source"></strong>must be offered as source</li>
            <li><strong id="count-attribution"></strong>need attribution</li>
            <li><strong id="count-findings"></strong>open findings</li>
            </ul>
            <h3>Documents</h3>
            <ul id="documents"></ul>
            <div class="columns">
            <div><h3>Must be offered as source</h3><ul id="must-offer-source"></ul></div>
            <div><h3>Needs attribution</h3><ul id="needs-attribution"></ul></div>
            <div id="family-chart"></div>
            </div>
            </section>
            <section id="components">
            <h2>Components</h2>
            <div class="filters">
            <input id="filter-text" type="search" placeholder="Filter by text" aria-label="Filter by text">
            <select id="filter-license" aria-label="License"><option value="">All licenses</option></select>
            <select id="filter-family" aria-label="Family"><option value="">All families</option></select>
            <span id="components-shown" class="muted"></span>
            </div>
            <div id="components-table"></div>
            <div id="drilldown" hidden>
            <h3 id="drilldown-title"></h3>
            <div id="drilldown-details"></div>
            <div class="filters"><input id="file-filter" type="search" placeholder="Filter files by path, license or copyright" aria-label="Filter files"><span id="files-shown" class="muted"></span></div>
            <div id="files-table"></div>
            <div id="file-detail"></div>
            </div>
            </section>
            <section id="licenses">
            <h2>Licenses</h2>
            <table><thead><tr><th>License</th><th>Family</th><th>Obligations</th><th>Where it occurs</th></tr></thead><tbody id="licenses-body"></tbody></table>
            </section>
            <section id="findings">
            <h2>Findings</h2>
            <ul id="findings-list"></ul>
            </section>
            <section id="changes" hidden>
            <h2>Changes since <span id="changes-previous"></span></h2>
            <ul id="changes-counts"></ul>
            <div id="history-chart"></div>
            <div id="changes-tables"></div>
            </section>
            </main>
            <script type="application/json" id="review-data">\(data)</script>
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    /// The page's data as JSON, safe inside a <script> element.
    static func dataBlock(_ input: ReviewInput) -> String {
        var json = JSONText()
        var licenseIndex: [String: Int] = [:]
        var licenses: [String] = []
        func index(_ license: String?) -> Int {
            guard let license else { return -1 }
            if let known = licenseIndex[license] { return known }
            licenseIndex[license] = licenses.count
            licenses.append(license)
            return licenses.count - 1
        }
        func checksums(_ values: [String: String]) -> String {
            values.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        }
        let summary = summary(input)
        json.raw("{\"title\":"); json.string(input.title)
        json.raw(",\"documents\":[")
        for (i, document) in input.documents.enumerated() {
            if i > 0 { json.raw(",") }
            json.raw("{\"name\":"); json.string(document.name)
            json.raw(",\"format\":"); json.string(document.format.rawValue)
            json.raw(",\"path\":"); json.string(document.path)
            json.raw(",\"created\":"); json.optional(document.created)
            json.raw("}")
        }
        json.raw("],\"families\":[")
        for (i, family) in LicenseClass.allCases.enumerated() {
            if i > 0 { json.raw(",") }
            json.raw("{\"id\":"); json.string(family.rawValue)
            json.raw(",\"label\":"); json.string(family.label)
            json.raw(",\"obligations\":["); json.raw(family.obligations.map(JSONText.quoted).joined(separator: ",")); json.raw("]}")
        }
        json.raw("],\"components\":[")
        var files = JSONText()
        var fileCount = 0
        var first = true
        for (d, document) in input.documents.enumerated() {
            for component in document.components {
                if !first { json.raw(",") }
                first = false
                json.raw("{\"id\":"); json.string(component.id)
                json.raw(",\"document\":\(d),\"name\":"); json.string(component.name)
                json.raw(",\"version\":"); json.string(component.version ?? "")
                json.raw(",\"supplier\":"); json.string(component.supplier ?? "")
                json.raw(",\"purl\":"); json.string(component.purl ?? "")
                json.raw(",\"declared\":"); json.string(component.declaredLicense ?? "")
                json.raw(",\"concluded\":"); json.string(component.concludedLicense ?? "")
                json.raw(",\"license\":\(index(component.effectiveLicense)),\"distributed\":\(component.distributed)")
                json.raw(",\"source\":"); json.string(component.downloadLocation ?? "")
                json.raw(",\"copyright\":"); json.string(component.copyright ?? "")
                json.raw(",\"checksums\":"); json.string(checksums(component.checksums))
                json.raw(",\"fileStart\":\(fileCount),\"fileCount\":\(component.files.count)}")
                for file in component.files {
                    files.raw(fileCount == 0 ? "[" : ",[")
                    files.string(file.path)
                    files.raw(",\(index(file.effectiveLicense)),")
                    files.string(file.copyrights.joined(separator: "\n"))
                    files.raw(",")
                    files.string(checksums(file.checksums))
                    files.raw("]")
                    fileCount += 1
                }
            }
        }
        json.raw("],\"files\":[")
        json.append(files)
        json.raw("],\"summary\":{\"components\":\(summary.components),\"distributed\":\(summary.distributed),\"files\":\(summary.files),")
        json.raw("\"licenses\":\(summary.licenses),\"findings\":\(summary.findings),")
        json.raw("\"mustOfferSource\":[\(summary.mustOfferSource.map(String.init).joined(separator: ","))],")
        json.raw("\"needsAttribution\":[\(summary.needsAttribution.map(String.init).joined(separator: ","))]}")

        var diff: ReleaseDiff?
        if let previous = input.previous {
            diff = ReleaseDiff(old: Release(label: previous.map(\.name).joined(separator: ", "), documents: previous,
                                            findings: input.previousFindings),
                               new: Release(label: input.title, documents: input.documents, findings: input.findings))
        }
        let newFindings = Set(diff?.changes.filter { $0.kind == .newFinding }.map { "\($0.subject)\u{1}\($0.to ?? "")\u{1}\($0.detail)" } ?? [])
        json.raw(",\"findings\":[")
        for (i, finding) in input.findings.enumerated() {
            if i > 0 { json.raw(",") }
            json.raw("{\"tool\":"); json.string(finding.tool)
            json.raw(",\"rule\":"); json.string(finding.rule)
            json.raw(",\"level\":"); json.string(finding.level)
            json.raw(",\"message\":"); json.string(finding.message)
            json.raw(",\"location\":"); json.string(finding.location)
            json.raw(",\"isNew\":\(newFindings.contains("\(finding.rule)\u{1}\(finding.location)\u{1}\(finding.message)"))")
            json.raw(",\"evidence\":[")
            json.raw(finding.evidence.map { "[\(JSONText.quoted($0.location)),\(JSONText.quoted($0.text))]" }.joined(separator: ","))
            json.raw("]}")
        }
        json.raw("]")
        if let diff, let previous = input.previous {
            json.raw(",\"diff\":{\"previous\":"); json.string(diff.old)
            json.raw(",\"changes\":[")
            json.raw(diff.changes.map { change in
                "[" + [change.kind.rawValue, change.subject, change.from ?? "", change.to ?? "", change.detail]
                    .map(JSONText.quoted).joined(separator: ",") + "]"
            }.joined(separator: ","))
            var before: [String: Int] = [:]
            for component in previous.flatMap(\.components) { before[family(of: component.effectiveLicense).rawValue, default: 0] += 1 }
            json.raw("],\"familiesBefore\":{")
            json.raw(before.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\($0.value)" }.joined(separator: ","))
            json.raw("}}")
        } else {
            json.raw(",\"diff\":null")
        }
        json.raw(",\"licenses\":[")
        json.raw(licenses.map { "{\"expr\":\(JSONText.quoted($0)),\"family\":\(JSONText.quoted(family(of: $0).rawValue))}" }
            .joined(separator: ","))
        json.raw("]}")
        return json.text
    }

    /// Text for an HTML element or attribute value.
    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// A JSON writer for the page's data: fast on hundreds of thousands of strings, and it
/// escapes `<`, `>` and `&` (and U+2028/9) so the text can sit inside a <script> element.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func append(_ other: JSONText) { bytes.append(contentsOf: other.bytes) }
    mutating func optional(_ text: String?) { if let text { string(text) } else { raw("null") } }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied at once.
            var start = 0
            var i = 0
            func flush() { if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) } }
            while i < utf8.count {
                let byte = utf8[i]
                let escaped: [UInt8]?
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): escaped = [92, 34]
                case UInt8(ascii: "\\"): escaped = [92, 92]
                case UInt8(ascii: "\n"): escaped = [92, UInt8(ascii: "n")]
                case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                    escaped = [92, UInt8(ascii: "u"), 48, 48, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 15)]]
                case 0xE2 where i + 2 < utf8.count && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9):
                    escaped = Array("\\u202".utf8) + [utf8[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")]
                    width = 3
                default: escaped = nil
                }
                if let escaped {
                    flush()
                    bytes.append(contentsOf: escaped)
                    i += width
                    start = i
                } else {
                    i += 1
                }
            }
            flush()
        }
        bytes.append(UInt8(ascii: "\""))
    }

    static func quoted(_ text: String) -> String {
        var json = JSONText()
        json.string(text)
        return json.text
    }
}
