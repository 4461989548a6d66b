// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// A deterministic ustar writer and a defensive reader (POSIX.1-2001 `ustar`; a pax `x`
// header only for names longer than 100 bytes). The writer puts nothing time-, user- or
// host-dependent in a header: mtime is given, uid/gid 0, no user or group names, modes
// 0644/0755. The reader refuses absolute paths, `..`, duplicates, links and special files.

public struct TarEntry: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case file
        case directory
    }
    /// Relative `/`-separated path, without a trailing slash.
    public var path: String
    public var kind: Kind
    public var executable: Bool
    public var contents: [UInt8]

    public init(path: String, kind: Kind = .file, executable: Bool = false, contents: [UInt8] = []) {
        self.path = path
        self.kind = kind
        self.executable = executable
        self.contents = contents
    }
}

public enum TarWriter {
    static let blockSize = 512
    /// GNU tar's default record: archives are padded to a multiple of it.
    static let recordSize = 10240

    /// The archive holding `entries` sorted by path (bytewise), every entry stamped `mtime`.
    public static func archive(_ entries: [TarEntry], mtime: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var seen = Set<String>()
        for entry in entries.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            try TarPath.validate(entry.path)
            guard seen.insert(entry.path).inserted else {
                throw SourceOfferError.tarWrite(path: entry.path, problem: "duplicate entry")
            }
            let name = entry.kind == .directory ? entry.path + "/" : entry.path
            let nameBytes = Array(name.utf8)
            let mode = entry.kind == .directory || entry.executable ? 0o755 : 0o644
            let size = entry.kind == .directory ? 0 : entry.contents.count
            if nameBytes.count > 100 {
                // pax extended header carrying the full path; its own name is derived from
                // the path so it is deterministic.
                let record = paxRecord(key: "path", value: name)
                let paxName = Array("PaxHeaders/".utf8) + Array(nameBytes.suffix(80))
                out += header(name: Array(paxName.prefix(100)), mode: 0o644, size: record.count, mtime: mtime, type: UInt8(ascii: "x"))
                out += padded(record)
            }
            out += header(name: Array(nameBytes.prefix(100)), mode: mode, size: size, mtime: mtime,
                          type: entry.kind == .directory ? UInt8(ascii: "5") : UInt8(ascii: "0"))
            if entry.kind == .file { out += padded(entry.contents) }
        }
        out += [UInt8](repeating: 0, count: 2 * blockSize)
        let remainder = out.count % recordSize
        if remainder != 0 { out += [UInt8](repeating: 0, count: recordSize - remainder) }
        return out
    }

    /// `"<len> key=value\n"` where len counts the whole record, itself included.
    static func paxRecord(key: String, value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        let bodyLength = body.utf8.count
        var length = bodyLength + 1
        while String(length).utf8.count + bodyLength != length { length += 1 }
        return Array((String(length) + body).utf8)
    }

    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        let remainder = bytes.count % blockSize
        return remainder == 0 ? bytes : bytes + [UInt8](repeating: 0, count: blockSize - remainder)
    }

    static func header(name: [UInt8], mode: Int, size: Int, mtime: Int, type: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (i, b) in bytes.enumerated() { h[offset + i] = b }
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(name, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(max(0, mtime), width: 12), at: 136)
        h[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(octal(0, width: 8), at: 329)
        put(octal(0, width: 8), at: 337)
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return h
    }
}

public enum TarPath {
    /// Refuses what could escape or confuse an extraction directory.
    public static func validate(_ path: String) throws {
        if path.isEmpty { throw SourceOfferError.hostileEntry(path: path, problem: "empty path") }
        if path.hasPrefix("/") { throw SourceOfferError.hostileEntry(path: path, problem: "absolute path") }
        if path.utf8.contains(0) { throw SourceOfferError.hostileEntry(path: path, problem: "NUL byte in path") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            switch component {
            case "..": throw SourceOfferError.hostileEntry(path: path, problem: "parent directory component (..)")
            case ".", "": throw SourceOfferError.hostileEntry(path: path, problem: "empty or \".\" path component")
            default: continue
            }
        }
    }
}

public enum TarReader {
    /// Every entry of a ustar/pax archive. Throws on the first hostile or malformed entry.
    public static func entries(_ bytes: [UInt8]) throws -> [TarEntry] {
        var result: [TarEntry] = []
        var seen = Set<String>()
        var offset = 0
        var paxPath: String?
        let block = TarWriter.blockSize
        while true {
            guard offset + block <= bytes.count else {
                throw SourceOfferError.corruptArchive(offset: offset, problem: "archive ends without the two zero end blocks")
            }
            let h = Array(bytes[offset..<offset + block])
            if h.allSatisfy({ $0 == 0 }) { break }
            try checkSum(h, offset: offset)
            let size = try octalField(h, 124, 12, offset: offset, field: "size")
            let type = h[156]
            let dataStart = offset + block
            guard size <= bytes.count - dataStart else {
                throw SourceOfferError.corruptArchive(offset: offset, problem: "entry size \(size) runs past the end of the archive")
            }
            let data = Array(bytes[dataStart..<dataStart + size])
            offset = dataStart + (size + block - 1) / block * block
            var name = string(h, 0, 100)
            if h[257..<262].elementsEqual("ustar".utf8) {
                let prefix = string(h, 345, 155)
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            if let long = paxPath { name = long; paxPath = nil }
            switch type {
            case UInt8(ascii: "x"):
                paxPath = try paxPathValue(data, offset: offset)
                continue
            case UInt8(ascii: "g"):
                continue
            default:
                break
            }
            let isDirectory = type == UInt8(ascii: "5")
            if isDirectory, name.hasSuffix("/") { name.removeLast() }
            try TarPath.validate(name)
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "5"):
                break
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                let target = string(h, 157, 100)
                if target.hasPrefix("/") || escapes(link: target, from: name, hard: type == UInt8(ascii: "1")) {
                    throw SourceOfferError.hostileEntry(path: name, problem: "link pointing outside the archive (\(target))")
                }
                throw SourceOfferError.hostileEntry(path: name, problem: "link entries are not allowed in a bundle (-> \(target))")
            default:
                throw SourceOfferError.hostileEntry(path: name, problem: "special file (tar type '\(Character(Unicode.Scalar(type)))') is not a regular file or directory")
            }
            guard seen.insert(name).inserted else {
                throw SourceOfferError.hostileEntry(path: name, problem: "duplicate entry")
            }
            let mode = (try? octalField(h, 100, 8, offset: offset, field: "mode")) ?? 0o644
            result.append(TarEntry(path: name, kind: isDirectory ? .directory : .file,
                                   executable: !isDirectory && mode & 0o111 != 0, contents: isDirectory ? [] : data))
        }
        return result
    }

    /// Whether a link at `from` to `link` resolves outside the archive root.
    static func escapes(link: String, from: String, hard: Bool) -> Bool {
        var stack = hard ? [] : from.split(separator: "/").dropLast().map(String.init)
        for component in link.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                if stack.isEmpty { return true }
                stack.removeLast()
            default: stack.append(String(component))
            }
        }
        return false
    }

    static func string(_ h: [UInt8], _ start: Int, _ length: Int) -> String {
        let field = h[start..<start + length]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    static func octalField(_ h: [UInt8], _ start: Int, _ length: Int, offset: Int, field: String) throws -> Int {
        var value = 0
        var sawDigit = false
        for byte in h[start..<start + length] {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
                guard !overflow, shifted <= Int(Int32.max) * 1024 else {
                    throw SourceOfferError.corruptArchive(offset: offset, problem: "\(field) field too large")
                }
                value = shifted + Int(byte - UInt8(ascii: "0"))
                sawDigit = true
            case 0, UInt8(ascii: " "):
                if sawDigit { return value }
            default:
                throw SourceOfferError.corruptArchive(offset: offset, problem: "\(field) field is not octal")
            }
        }
        return value
    }

    static func checkSum(_ h: [UInt8], offset: Int) throws {
        let stored = try octalField(h, 148, 8, offset: offset, field: "checksum")
        var sum = 0
        for (i, b) in h.enumerated() { sum += (148..<156).contains(i) ? Int(UInt8(ascii: " ")) : Int(b) }
        guard sum == stored else {
            throw SourceOfferError.corruptArchive(offset: offset, problem: "header checksum \(stored) does not match \(sum)")
        }
    }

    static func paxPathValue(_ data: [UInt8], offset: Int) throws -> String? {
        var path: String?
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                  length > space - index, length <= data.count - index, data[index + length - 1] == UInt8(ascii: "\n") else {
                throw SourceOfferError.corruptArchive(offset: offset, problem: "malformed pax record")
            }
            let record = data[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                if key == "path" { path = String(decoding: record[(equals + 1)...], as: UTF8.self) }
            }
            index += length
        }
        return path
    }
}
