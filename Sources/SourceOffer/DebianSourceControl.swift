// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A Debian source control file (.dsc): Deb822 fields (RFC 822-like, continuation lines
// start with a space or tab, " ." stands for an empty line), possibly wrapped in an
// OpenPGP clear signature, which is stripped (the checksums inside are what we verify).

public struct DebianSourceControl: Sendable {
    public struct FileEntry: Equatable, Sendable {
        public var name: String
        public var size: UInt64
        public var sha256: String
    }

    /// Field names as written; look-ups are case-insensitive.
    public private(set) var fields: [(name: String, value: String)]
    public var source: String
    public var version: String
    /// From `Checksums-Sha256`, in file order.
    public var files: [FileEntry]

    public func field(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// `file` names the .dsc in error messages.
    public init(text: String, file: String) throws {
        func fail(_ line: Int, _ problem: String) -> SourceOfferError {
            .dsc(file: "\(file):\(line)", problem: problem)
        }
        // "\r\n" is one Character in Swift: split on both forms.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        var firstLine = 1
        if lines.first == "-----BEGIN PGP SIGNED MESSAGE-----" {
            // Armor headers ("Hash: ...") end at the first empty line.
            guard let blank = lines.firstIndex(of: "") else { throw fail(1, "signed message without a body") }
            guard let end = lines.firstIndex(of: "-----BEGIN PGP SIGNATURE-----"), end > blank else {
                throw fail(1, "signed message without a signature block")
            }
            firstLine = blank + 2
            lines = Array(lines[(blank + 1)..<end]).map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
        }
        var fields: [(name: String, value: String)] = []
        var inParagraph = false
        for (index, line) in lines.enumerated() {
            let number = firstLine + index
            if line.trimmed(" \t").isEmpty {
                if inParagraph { break } // a .dsc holds one paragraph
                continue
            }
            if line.hasPrefix("#") { continue }
            if line.first == " " || line.first == "\t" {
                guard !fields.isEmpty else { throw fail(number, "continuation line before any field") }
                let content = line.trimmed(" \t")
                fields[fields.count - 1].value += "\n" + (content == "." ? "" : content)
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw fail(number, "expected \"Field: value\", found \"\(line.prefix(60))\"")
            }
            let name = String(line[..<colon])
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw fail(number, "field name \"\(name)\" contains a space") }
            guard !fields.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw fail(number, "duplicate field \(name)")
            }
            fields.append((name, String(line[line.index(after: colon)...]).trimmed(" \t")))
            inParagraph = true
        }
        self.fields = fields
        func required(_ name: String) throws -> String {
            guard let value = fields.first(where: { $0.name.lowercased() == name.lowercased() })?.value, !value.isEmpty else {
                throw SourceOfferError.dsc(file: file, problem: "missing field \(name)")
            }
            return value
        }
        source = try required("Source")
        version = try required("Version")
        var files: [FileEntry] = []
        for entry in try required("Checksums-Sha256").split(separator: "\n") where !String(entry).trimmed(" ").isEmpty {
            let parts = entry.split(separator: " ")
            guard parts.count == 3, let size = UInt64(parts[1]),
                  parts[0].count == 64, parts[0].allSatisfy({ $0.isHexDigit }) else {
                throw SourceOfferError.dsc(file: file, problem: "Checksums-Sha256: malformed line \"\(entry)\"; expected \"<sha256> <size> <name>\"")
            }
            let name = String(parts[2])
            guard !name.contains("/"), name != "..", name != "." else {
                throw SourceOfferError.dsc(file: file, problem: "Checksums-Sha256: file name \"\(name)\" is not a plain file name")
            }
            files.append(FileEntry(name: name, size: size, sha256: parts[0].lowercased()))
        }
        guard !files.isEmpty else { throw SourceOfferError.dsc(file: file, problem: "Checksums-Sha256 lists no files") }
        self.files = files
    }
}

extension String {
    func trimmed(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
