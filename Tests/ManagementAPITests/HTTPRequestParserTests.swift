// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import XCTest
@testable import ManagementAPI

final class HTTPRequestParserTests: XCTestCase {
    private func parse(_ text: String, _ parser: HTTPRequestParser = HTTPRequestParser()) throws(HTTPParseError) -> HTTPRequest? {
        var parser = parser
        return try parser.append(Array(text.utf8))
    }

    private func assertRefused(_ bytes: [UInt8], _ expected: HTTPParseError, parser: HTTPRequestParser = HTTPRequestParser(),
                               file: StaticString = #filePath, line: UInt = #line) {
        var parser = parser
        do throws(HTTPParseError) {
            let request = try parser.append(bytes)
            XCTFail("accepted \(String(describing: request))", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    func testGetWithoutBody() throws {
        let request = try XCTUnwrap(try parse("GET /vm HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n"))
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/vm")
        XCTAssertEqual(request.header("host"), "localhost")
        XCTAssertEqual(request.header("ACCEPT"), "application/json")
        XCTAssertEqual(request.body, [])
    }

    func testPutWithBodyArrivingByteByByte() throws {
        let text = "PUT /snapshot/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"path\":\"x\"}\n"
        var parser = HTTPRequestParser()
        var result: HTTPRequest?
        for (index, byte) in text.utf8.enumerated() {
            result = try parser.append([byte])
            if index < text.utf8.count - 1 { XCTAssertNil(result, "complete too early at byte \(index)") }
        }
        let request = try XCTUnwrap(result)
        XCTAssertEqual(request.path, "/snapshot/create")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), "{\"path\":\"x\"}\n")
        XCTAssertEqual(parser.bufferedCount, 0)
        XCTAssertNoThrow(try parser.finish())
    }

    func testBareLineFeedsQueryAndOptionalWhitespace() throws {
        let request = try XCTUnwrap(try parse("PUT /vm/pause?now=1 HTTP/1.0\nX-Trace:\t a b \n\n"))
        XCTAssertEqual(request.path, "/vm/pause")
        XCTAssertEqual(request.header("x-trace"), "a b")
    }

    func testBytesAfterARequestStayForTheNext() throws {
        var parser = HTTPRequestParser()
        let first = try parser.append(Array("GET /vm HTTP/1.1\r\n\r\nPUT /vm/resume HTTP/1.1\r\n".utf8))
        XCTAssertEqual(first?.path, "/vm")
        XCTAssertEqual(parser.bufferedCount, 25)
        XCTAssertEqual(try parser.append(Array("\r\n".utf8))?.path, "/vm/resume")
    }

    func testMalformedRequestLines() {
        for line in ["GET /vm", "GET  /vm HTTP/1.1", "get /vm HTTP/1.1", "GET vm HTTP/1.1", "GET /v m HTTP/1.1", "GET /vm FTP/1.1",
                     "", "GET /vm HTTP/1.1 extra"] {
            assertRefused(Array((line + "\r\n\r\n").utf8), .malformedRequestLine(line))
        }
        assertRefused(Array("GET /vm HTTP/2.0\r\n\r\n".utf8), .unsupportedVersion("HTTP/2.0"))
    }

    /// Found by the fuzzer: a second CR before the LF was stripped too when the request
    /// arrived whole, but not when it arrived in pieces.
    func testAStrayCarriageReturnIsRefusedWholeOrInPieces() throws {
        let text = Array("GET /vm HTTP/1.1\r\r\nHost: x\r\n\r\n".utf8)
        assertRefused(text, .malformedRequestLine("GET /vm HTTP/1.1\r"))
        var parser = HTTPRequestParser()
        XCTAssertNil(try parser.append(text.prefix(10)))
        XCTAssertThrowsError(try parser.append(text.dropFirst(10))) {
            XCTAssertEqual($0 as? HTTPParseError, .malformedRequestLine("GET /vm HTTP/1.1\r"))
        }
    }

    func testABadRequestLineIsRefusedBeforeTheHeadersEnd() {
        assertRefused(Array("\u{1}\u{2}garbage\r\nHost: x\r\n".utf8), .malformedRequestLine("\u{1}\u{2}garbage"))
    }

    func testMalformedHeaders() {
        assertRefused(Array("GET /vm HTTP/1.1\r\nno colon\r\n\r\n".utf8), .malformedHeader("no colon"))
        assertRefused(Array("GET /vm HTTP/1.1\r\n: empty name\r\n\r\n".utf8), .malformedHeader(": empty name"))
        assertRefused(Array("GET /vm HTTP/1.1\r\nA: b\r\n folded\r\n\r\n".utf8), .malformedHeader(" folded"))
        assertRefused(Array("GET /vm HTTP/1.1\r\nBad Name: b\r\n\r\n".utf8), .malformedHeader("Bad Name: b"))
        assertRefused(Array("GET /vm HTTP/1.1\r\nA: b\u{0}c\r\n\r\n".utf8), .malformedHeader("A: b\u{0}c"))
    }

    func testContentLength() {
        for value in ["-1", "+5", "1 2", "0x10", "", "99999999999999999999"] {
            assertRefused(Array("PUT /vm/pause HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n".utf8), .invalidContentLength(value))
        }
        assertRefused(Array("PUT /vm/pause HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".utf8),
                      .invalidContentLength("1, 2"))
        assertRefused(Array("PUT /vm/pause HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8), .transferEncodingUnsupported("chunked"))
        XCTAssertEqual(HTTPParseError.transferEncodingUnsupported("chunked").status.code, 411)
    }

    func testLimits() {
        let parser = HTTPRequestParser(maximumHeaderBytes: 64, maximumBodyBytes: 8)
        assertRefused(Array(("GET /vm HTTP/1.1\r\nX: " + String(repeating: "a", count: 100)).utf8), .headersTooLarge(limit: 64),
                      parser: parser)
        assertRefused(Array(("GET /vm HTTP/1.1\r\nX: " + String(repeating: "a", count: 60) + "\r\n\r\n").utf8),
                      .headersTooLarge(limit: 64), parser: parser)
        assertRefused(Array("PUT /vm HTTP/1.1\r\nContent-Length: 9\r\n\r\n".utf8), .bodyTooLarge(9, limit: 8), parser: parser)
        XCTAssertEqual(HTTPParseError.headersTooLarge(limit: 1).status.code, 431)
        XCTAssertEqual(HTTPParseError.bodyTooLarge(2, limit: 1).status.code, 413)
    }

    func testInvalidUTF8() {
        assertRefused([0x47, 0x45, 0x54, 0x20, 0x2f, 0xff, 0x20] + Array(" HTTP/1.1\r\n\r\n".utf8), .notUTF8(what: "request line"))
        assertRefused(Array("GET /vm HTTP/1.1\r\nX: ".utf8) + [0xc3, 0x28] + Array("\r\n\r\n".utf8), .notUTF8(what: "header section"))
    }

    func testTruncatedInput() throws {
        var parser = HTTPRequestParser()
        XCTAssertNil(try parser.append(Array("PUT /vm/pause HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}".utf8)))
        XCTAssertThrowsError(try parser.finish()) { error in
            XCTAssertEqual(error as? HTTPParseError, .truncated(received: 48))
            XCTAssertEqual((error as? HTTPParseError)?.status.code, 400)
        }
    }

    func testMessagesQuoteAndEscapeWhatTheyShow() {
        XCTAssertEqual("\(HTTPParseError.malformedRequestLine("a\u{1b}[31m"))",
                       "malformed request line \"a\\u{1B}[31m\"; expected METHOD /path HTTP/1.1")
        XCTAssertTrue("\(HTTPParseError.malformedHeader(String(repeating: "x", count: 500)))".contains("xxx...\""))
    }

    func testResponsesAreWellFormed() {
        let response = HTTPResponse.error(.notFound, "no \"such\" thing\n")
        XCTAssertEqual(String(decoding: response.serialized, as: UTF8.self),
                       "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 31\r\nConnection: close\r\n\r\n"
                       + "{\"error\":\"no \\\"such\\\" thing\\n\"}")
        XCTAssertEqual(JSONText.string("\u{1}é"), "\"\\u0001é\"")
    }
}
