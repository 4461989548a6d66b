// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The audit as JUnit XML, the report format CI systems (Jenkins, GitLab, GitHub actions)
// read: <testsuites> with one <testsuite> per check and one <testcase> per case, a
// <failure> for each failed one. Written through libxml2's text writer, so escaping and
// encoding are libxml2's; the file appears atomically (temp file, then rename).

import CXML2
import Foundation

public enum JUnitReport {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The XML document, UTF-8.
    public static func xml(_ report: AuditReport) throws -> Data {
        guard let buffer = xmlBufferCreate() else { throw WriteError(description: "libxml2: cannot allocate a buffer") }
        defer { xmlBufferFree(buffer) }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            throw WriteError(description: "libxml2: cannot create a text writer")
        }
        var failed: String?
        func check(_ status: Int32, _ what: String) {
            if status < 0 && failed == nil { failed = what }
        }
        check(xmlTextWriterSetIndent(writer, 1), "indent")
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil), "document")
        check(xmlTextWriterStartElement(writer, "testsuites"), "testsuites")
        check(attribute(writer, "name", "candor audit"), "testsuites name")
        check(attribute(writer, "tests", String(report.suites.reduce(0) { $0 + $1.cases.count })), "tests")
        check(attribute(writer, "failures", String(report.failures)), "failures")
        for suite in report.suites {
            check(xmlTextWriterStartElement(writer, "testsuite"), "testsuite")
            check(attribute(writer, "name", suite.name), "testsuite name")
            check(attribute(writer, "tests", String(suite.cases.count)), "testsuite tests")
            check(attribute(writer, "failures", String(suite.failures)), "testsuite failures")
            check(attribute(writer, "errors", "0"), "testsuite errors")
            for test in suite.cases {
                check(xmlTextWriterStartElement(writer, "testcase"), "testcase")
                check(attribute(writer, "classname", "candor.audit.\(suite.name)"), "classname")
                check(attribute(writer, "name", test.name), "testcase name")
                if let failure = test.failure {
                    check(xmlTextWriterStartElement(writer, "failure"), "failure")
                    check(attribute(writer, "message", failure), "failure message")
                    check(attribute(writer, "type", suite.name), "failure type")
                    if let detail = test.detail, !detail.isEmpty {
                        check(xmlTextWriterWriteString(writer, xmlText(detail)), "failure text")
                    }
                    check(xmlTextWriterEndElement(writer), "/failure")
                }
                check(xmlTextWriterEndElement(writer), "/testcase")
            }
            check(xmlTextWriterEndElement(writer), "/testsuite")
        }
        check(xmlTextWriterEndDocument(writer), "end")
        xmlFreeTextWriter(writer)  // flushes into the buffer
        if let failed { throw WriteError(description: "libxml2: writing the JUnit report failed at \(failed)") }
        guard let content = xmlBufferContent(buffer) else { return Data() }
        return Data(bytes: content, count: Int(xmlBufferLength(buffer)))
    }

    /// Writes the report to `path` atomically.
    public static func write(_ report: AuditReport, to path: String) throws {
        let data = try xml(report)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw WriteError(description: "\(path): cannot write the JUnit report: \(error.localizedDescription)")
        }
    }

    private static func attribute(_ writer: xmlTextWriterPtr, _ name: String, _ value: String) -> Int32 {
        xmlTextWriterWriteAttribute(writer, name, xmlText(value))
    }

    /// Characters XML 1.0 cannot carry (control characters) become U+FFFD: a file name
    /// or a finding may contain anything.
    static func xmlText(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
            let v = scalar.value
            let valid = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v != 0xFFFE && v != 0xFFFF)
            return valid ? scalar : "\u{FFFD}"
        }))
    }
}
