// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// One HTTP/1.1 request as the management API reads it: the request line, the header
/// fields in order, and a body of exactly Content-Length bytes.
public struct HTTPRequest: Equatable, Sendable {
    public var method: String
    /// The request target in origin form (`/vm/pause`), without a query.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The value of the first field called `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (left: HTTPRequest, right: HTTPRequest) -> Bool {
        left.method == right.method && left.path == right.path && left.body == right.body
            && left.headers.map(\.name) == right.headers.map(\.name) && left.headers.map(\.value) == right.headers.map(\.value)
    }
}

/// Why a request could not be read. Each case carries what was wrong, and maps to the
/// 4xx status the server answers with.
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedRequestLine(String)
    case unsupportedVersion(String)
    case malformedHeader(String)
    case headersTooLarge(limit: Int)
    case invalidContentLength(String)
    case bodyTooLarge(Int, limit: Int)
    case transferEncodingUnsupported(String)
    case notUTF8(what: String)
    /// The peer closed the connection (or stopped sending) before the request was whole.
    case truncated(received: Int)

    /// The HTTP status this error is answered with.
    public var status: HTTPStatus {
        switch self {
        case .headersTooLarge: return .requestHeaderFieldsTooLarge
        case .bodyTooLarge: return .payloadTooLarge
        case .transferEncodingUnsupported: return .lengthRequired
        default: return .badRequest
        }
    }

    public var description: String {
        switch self {
        case let .malformedRequestLine(line): return "malformed request line \(quoted(line)); expected METHOD /path HTTP/1.1"
        case let .unsupportedVersion(version): return "HTTP version \(quoted(version)) is not supported; use HTTP/1.1 (or HTTP/1.0)"
        case let .malformedHeader(line): return "malformed header field \(quoted(line)); expected Name: value"
        case let .headersTooLarge(limit): return "the request line and header fields exceed \(limit) bytes"
        case let .invalidContentLength(value): return "invalid Content-Length \(quoted(value))"
        case let .bodyTooLarge(length, limit): return "the body of \(length) bytes exceeds the limit of \(limit) bytes"
        case let .transferEncodingUnsupported(value):
            return "Transfer-Encoding \(quoted(value)) is not supported; send the body with a Content-Length"
        case let .notUTF8(what): return "the \(what) is not valid UTF-8"
        case let .truncated(received): return "the connection ended after \(received) bytes, before the request was complete"
        }
    }

    /// At most 80 characters of `text`, quoted, with control characters escaped, so a
    /// message never carries a peer's raw bytes.
    private func quoted(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(80) {
            result += scalar.value < 0x20 || scalar.value == 0x7f ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return "\"" + result + (text.unicodeScalars.count > 80 ? "..." : "") + "\""
    }
}

/// Reads one HTTP/1.1 request from bytes that arrive in pieces. Pure: no I/O, no
/// Foundation, so it is unit-tested and fuzzed on its own (Fuzz/ManagementAPI).
///
/// Accepted: `METHOD SP origin-path SP HTTP/1.x CRLF`, header fields `Name: value CRLF`
/// (bare LF line ends are accepted too), an empty line, then Content-Length bytes of body.
/// Refused: obsolete line folding, chunked bodies, more than `maximumHeaderBytes` before
/// the body or `maximumBodyBytes` of body, and anything that is not UTF-8.
public struct HTTPRequestParser: Sendable {
    public static let defaultMaximumHeaderBytes = 8 * 1024
    public static let defaultMaximumBodyBytes = 64 * 1024

    public let maximumHeaderBytes: Int
    public let maximumBodyBytes: Int
    private var buffer: [UInt8] = []

    public init(maximumHeaderBytes: Int = defaultMaximumHeaderBytes, maximumBodyBytes: Int = defaultMaximumBodyBytes) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// The bytes received so far and not yet part of a returned request.
    public var bufferedCount: Int { buffer.count }

    /// Adds `bytes` and returns the request once it is complete (nil while more is
    /// needed). Bytes after a complete request stay buffered for the next call.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) throws(HTTPParseError) -> HTTPRequest? where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        guard let headerEnd = Self.endOfHeaders(in: buffer) else {
            if buffer.count > maximumHeaderBytes { throw .headersTooLarge(limit: maximumHeaderBytes) }
            // A request line that is already wrong need not wait for the rest.
            if let lineEnd = buffer.firstIndex(of: 0x0a) { _ = try Self.parseRequestLine(Self.lines(buffer[...lineEnd])[0]) }
            return nil
        }
        guard headerEnd.bodyStart <= maximumHeaderBytes else { throw .headersTooLarge(limit: maximumHeaderBytes) }
        let head = buffer[..<headerEnd.headEnd]
        var lines = Self.lines(head)
        guard !lines.isEmpty else { throw .malformedRequestLine("") }
        let (method, path) = try Self.parseRequestLine(lines.removeFirst())
        var headers: [(name: String, value: String)] = []
        for line in lines { headers.append(try Self.parseHeader(line)) }

        var request = HTTPRequest(method: method, path: path, headers: headers)
        if let encoding = request.header("Transfer-Encoding") { throw .transferEncodingUnsupported(encoding) }
        let lengths = headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        var length = 0
        if let first = lengths.first {
            // Several Content-Length fields must agree (RFC 9112 6.3); digits only, no sign.
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
                  first.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(first) else {
                throw .invalidContentLength(lengths.joined(separator: ", "))
            }
            length = value
        }
        guard length <= maximumBodyBytes else { throw .bodyTooLarge(length, limit: maximumBodyBytes) }
        guard buffer.count - headerEnd.bodyStart >= length else { return nil }
        request.body = Array(buffer[headerEnd.bodyStart..<(headerEnd.bodyStart + length)])
        buffer.removeFirst(headerEnd.bodyStart + length)
        return request
    }

    /// Called when the peer has no more to send: an unfinished request is an error.
    public func finish() throws(HTTPParseError) {
        if !buffer.isEmpty { throw .truncated(received: buffer.count) }
    }

    /// Where the last header line ends (at its LF) and where the body starts (after the
    /// empty line), or nil when the header section has not ended yet.
    private static func endOfHeaders(in bytes: [UInt8]) -> (headEnd: Int, bodyStart: Int)? {
        var index = 0
        while let newline = bytes[index...].firstIndex(of: 0x0a) {
            // An empty line: LF right after the previous line's LF (or CR LF after it).
            if newline + 1 < bytes.count, bytes[newline + 1] == 0x0a { return (newline, newline + 2) }
            if newline + 2 < bytes.count, bytes[newline + 1] == 0x0d, bytes[newline + 2] == 0x0a { return (newline, newline + 3) }
            index = newline + 1
        }
        return nil
    }

    /// The lines of the header section, without their CR LF or LF (one CR at most: any
    /// other is refused as a control character).
    private static func lines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        head.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            line.last == 0x0d ? line.dropLast() : line
        }
    }

    private static func text(_ bytes: ArraySlice<UInt8>, what: String) throws(HTTPParseError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(what: what) }
        return text
    }

    static func parseRequestLine(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> (method: String, path: String) {
        let line = try text(bytes, what: "request line")
        guard !line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { throw .malformedRequestLine(line) }
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedRequestLine(line) }
        let method = String(parts[0]), target = String(parts[1]), version = String(parts[2])
        // A method is a token of upper-case letters (GET, PUT, ...); the target an origin-form path.
        guard !method.isEmpty, method.utf8.count <= 16, method.utf8.allSatisfy({ (0x41...0x5a).contains($0) }),
              target.hasPrefix("/"), target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw .malformedRequestLine(line)
        }
        guard version.hasPrefix("HTTP/") else { throw .malformedRequestLine(line) }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .unsupportedVersion(version) }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return (method, String(path))
    }

    static func parseHeader(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: String, value: String) {
        let line = try text(bytes, what: "header section")
        guard let colon = line.firstIndex(of: ":") else { throw .malformedHeader(line) }
        let name = line[..<colon]
        // A field name is a token: no spaces (which also refuses obsolete line folding).
        let tokenCharacters = Set("!#$%&'*+-.^_`|~".utf8)
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 < 0x80 && (isAlphanumeric($0) || tokenCharacters.contains($0)) }) else {
            throw .malformedHeader(line)
        }
        let value = line[line.index(after: colon)...].trimmingPrefixAndSuffix { $0 == " " || $0 == "\t" }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }) else {
            throw .malformedHeader(line)
        }
        return (String(name), String(value))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
}

extension Substring {
    fileprivate func trimmingPrefixAndSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let first = result.first, predicate(first) { result = result.dropFirst() }
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return result
    }
}
