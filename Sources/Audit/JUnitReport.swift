// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The audit as JUnit XML, the report format CI systems (Jenkins, GitLab, GitHub actions)
// read: <testsuites> with one <testsuite> per check and one <testcase> per case, a
// <failure> for each failed one. Written through libxml2's text writer, so escaping and
// encoding are libxml2's and characters XML cannot hold become U+FFFD there; the file
// appears atomically (AtomicFile).

import AtomicFile
import Foundation
import XMLTextWriter

public enum JUnitReport {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The XML document, UTF-8.
    public static func xml(_ report: AuditReport) throws -> Data {
        guard let writer = xml_text_writer_create() else { throw WriteError(description: "libxml2: cannot create a text writer") }
        defer { xml_text_writer_free(writer) }
        var failed: String?
        func check(_ status: Int32, _ what: String) {
            if status < 0 && failed == nil { failed = what }
        }
        func start(_ element: String, _ attributes: KeyValuePairs<String, String>) {
            check(xml_text_writer_start_element(writer, element), element)
            for (name, value) in attributes { check(xml_text_writer_attribute(writer, name, value), "\(element) \(name)") }
        }
        func end(_ element: String) { check(xml_text_writer_end_element(writer), "/\(element)") }

        check(xml_text_writer_start_document(writer), "document")
        start("testsuites", ["name": "candor audit", "tests": String(report.suites.reduce(0) { $0 + $1.cases.count }),
                             "failures": String(report.failures)])
        for suite in report.suites {
            start("testsuite", ["name": suite.name, "tests": String(suite.cases.count), "failures": String(suite.failures),
                                "errors": "0"])
            for test in suite.cases {
                start("testcase", ["classname": "candor.audit.\(suite.name)", "name": test.name])
                if let failure = test.failure {
                    start("failure", ["message": failure, "type": suite.name])
                    if let detail = test.detail, !detail.isEmpty {
                        check(xml_text_writer_text(writer, detail), "failure text")
                    }
                    end("failure")
                }
                end("testcase")
            }
            end("testsuite")
        }
        end("testsuites")
        var length = 0
        let bytes = xml_text_writer_finish(writer, &length)
        if let failed { throw WriteError(description: "libxml2: writing the JUnit report failed at \(failed)") }
        guard let bytes else { throw WriteError(description: "libxml2: ending the JUnit report failed") }
        return Data(bytes: bytes, count: length)
    }

    /// Writes the report to `path` atomically.
    public static func write(_ report: AuditReport, to path: String) throws {
        let data = try xml(report)
        do throws(AtomicFileError) { try AtomicFile.write(data, to: path) } catch {
            throw WriteError(description: "\(path): cannot write the JUnit report: \(error.reason)")
        }
    }
}
