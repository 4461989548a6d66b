// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A System V / GNU `ar` archive (static libraries). GNU long names ("/123" into the
/// "//" table) and BSD long names ("#1/17") are resolved; the symbol tables ("/" and
/// "/SYM64/", "__.SYMDEF") are skipped.
public struct ArArchive: Sendable {
    public var members: [(name: String, bytes: ArraySlice<UInt8>)]

    static let magic = Array("!<arch>\n".utf8)
    static let headerSize = 60

    public init(bytes: [UInt8]) throws {
        guard bytes.starts(with: Self.magic) else { throw ELFError.badArchiveMagic }
        members = []
        var longNames: ArraySlice<UInt8> = []
        var offset = Self.magic.count
        var index = 0
        while offset < bytes.count {
            guard bytes.count - offset >= Self.headerSize else {
                throw ELFError.badArchiveMember(index: index, field: "header (60 bytes at \(hex(UInt64(offset))))",
                                                value: "only \(bytes.count - offset) bytes left")
            }
            let header = bytes[offset..<(offset + Self.headerSize)]
            func field(_ start: Int, _ length: Int) -> String {
                let raw = header[(header.startIndex + start)..<(header.startIndex + start + length)]
                return String(decoding: raw, as: UTF8.self).trimmingSpaces()
            }
            guard header[header.startIndex + 58] == 0x60, header[header.startIndex + 59] == 0x0a else {
                throw ELFError.badArchiveMember(index: index, field: "terminator", value: field(58, 2))
            }
            let sizeText = field(48, 10)
            guard let size = Int(sizeText), size >= 0, size <= bytes.count - offset - Self.headerSize else {
                throw ELFError.badArchiveMember(index: index, field: "size (file has \(bytes.count - offset - Self.headerSize) bytes left)",
                                                value: sizeText)
            }
            let dataStart = offset + Self.headerSize
            var data = bytes[dataStart..<(dataStart + size)]
            let rawName = field(0, 16)
            var name: String?
            if rawName == "/" || rawName == "/SYM64/" || rawName.hasPrefix("__.SYMDEF") {
                name = nil
            } else if rawName == "//" {
                longNames = data
                name = nil
            } else if rawName.hasPrefix("/"), let nameOffset = Int(rawName.dropFirst()) {
                guard nameOffset >= 0, nameOffset < longNames.count else {
                    throw ELFError.badArchiveMember(index: index, field: "long name offset (table has \(longNames.count) bytes)",
                                                    value: rawName)
                }
                let rest = longNames[(longNames.startIndex + nameOffset)...]
                let end = rest.firstIndex { $0 == 0x0a || $0 == 0 } ?? rest.endIndex
                var long = String(decoding: rest[..<end], as: UTF8.self)
                if long.hasSuffix("/") { long.removeLast() }
                name = long
            } else if rawName.hasPrefix("#1/"), let length = Int(rawName.dropFirst(3)) {
                guard length >= 0, length <= data.count else {
                    throw ELFError.badArchiveMember(index: index, field: "BSD name length (member has \(data.count) bytes)",
                                                    value: rawName)
                }
                let long = String(decoding: data.prefix(length).prefix { $0 != 0 }, as: UTF8.self)
                data = data.dropFirst(length)
                name = long.hasPrefix("__.SYMDEF") ? nil : long
            } else {
                name = rawName.hasSuffix("/") ? String(rawName.dropLast()) : rawName
            }
            if let name { members.append((name: name, bytes: data)) }
            // Members start on even offsets.
            offset = dataStart + size + (size & 1)
            index += 1
        }
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
