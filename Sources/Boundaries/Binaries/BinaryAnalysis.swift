// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Which objects end up in which binary, and which object's undefined references another
// object's definitions resolve: the link-level half of `candor boundaries`. Objects are
// recognised inside a linked binary by their defined symbols (and, where both sides
// carry them, by source file names), because a binary does not record its inputs.

import ELF
import Foundation

public struct BinaryAnalysis: Codable, Sendable {
    public var binaries: [BinaryFacts]
    public var edges: [SymbolEdge]
    public var problems: [AnalysisProblem]

    public init(binaries: [BinaryFacts] = [], edges: [SymbolEdge] = [], problems: [AnalysisProblem] = []) {
        self.binaries = binaries
        self.edges = edges
        self.problems = problems
    }

    /// - Parameters:
    ///   - paths: ELF files given by the user: objects, archives, executables, shared objects.
    ///   - candidates: objects and archives found in the build (see `findBuildObjects`), used
    ///     to decide which objects end up in each executable and shared object.
    ///   - root: the checked tree; paths inside it are reported relative to it.
    public static func analyze(paths: [String], candidates: [String], root: String) -> BinaryAnalysis {
        var loader = Loader(root: root)
        var result = BinaryAnalysis()

        var given: [LoadedFile] = []
        var seen = Set<String>()
        for path in paths {
            let shown = loader.display(path)
            guard seen.insert(shown).inserted else { continue }
            if let loaded = loader.load(path) { given.append(loaded) }
        }
        var candidateObjects: [LoadedObject] = []
        var candidateSeen = Set<String>()
        if given.contains(where: { $0.binary != nil }) {
            for path in candidates {
                guard let loaded = loader.load(path) else { continue }
                for object in loaded.objects where candidateSeen.insert(object.facts.path).inserted {
                    candidateObjects.append(object)
                }
            }
            candidateObjects = distinct(candidateObjects)
        }

        var edges = Set<SymbolEdge>()
        var together: [LoadedObject] = []
        var togetherFrom = Set<String>()
        for (index, entry) in given.enumerated() {
            switch entry.facts.kind {
            case .object:
                together.append(contentsOf: entry.objects)
                togetherFrom.formUnion(entry.objects.map(\.facts.path))
            case .archive:
                together.append(contentsOf: entry.objects)
                edges.formUnion(resolve(entry.objects, binary: entry.facts.path, from: nil, binaryCode: nil))
            case .executable, .sharedObject:
                guard let binary = entry.binary else { continue }
                let linked = linkedObjects(in: binary, candidates: candidateObjects)
                given[index].facts.linkedObjects = linked.map(\.facts.path).sorted()
                edges.formUnion(resolve(linked, binary: entry.facts.path, from: nil, binaryCode: binary))
                if let elf = entry.elf {
                    edges.formUnion(CallSites.edges(elf, binary: entry.facts.path, linked: linked))
                }
            }
        }
        // Objects given together link with each other and with the given archives' members.
        if !togetherFrom.isEmpty {
            edges.formUnion(resolve(together, binary: "", from: togetherFrom, binaryCode: nil))
        }

        result.binaries = given.map(\.facts).sorted { $0.path < $1.path }
        result.edges = edges.sorted()
        result.problems = loader.problems.sorted()
        return result
    }

    /// Objects (*.o) and archives (*.a) under `root`, sorted; .git is skipped and symbolic
    /// links are not followed (SwiftPM's .build/debug is a link to the real directory,
    /// which is found under its own name).
    public static func findBuildObjects(root: String) -> [String] {
        var found: [String] = []
        var pending = [root]
        while let directory = pending.popLast() {
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." || name == ".git" { continue }
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                var type = Int32(entry.pointee.d_type)
                if type == Int32(DT_UNKNOWN) {
                    var info = stat()
                    guard lstat(path, &info) == 0 else { continue }
                    switch info.st_mode & S_IFMT {
                    case S_IFDIR: type = Int32(DT_DIR)
                    case S_IFREG: type = Int32(DT_REG)
                    default: type = Int32(DT_LNK)
                    }
                }
                if type == Int32(DT_DIR) {
                    pending.append(path)
                } else if type == Int32(DT_REG), name.hasSuffix(".o") || name.hasSuffix(".a") {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    // MARK: Linking

    /// Candidates whose key symbols the binary defines (at least half of them) and, when
    /// both name source files, whose source file the binary names too.
    static func linkedObjects(in binary: LoadedObject, candidates: [LoadedObject]) -> [LoadedObject] {
        let binarySources = Set(binary.facts.sourceFiles)
        let binaryBases = Set(binary.facts.sourceFiles.map(baseName))
        return candidates.filter { object in
            guard !object.keySymbols.isEmpty else { return false }
            let matched = object.keySymbols.reduce(0) { $0 + (binary.allDefined.contains($1) ? 1 : 0) }
            guard matched > 0, matched * 2 >= object.keySymbols.count else { return false }
            guard !binarySources.isEmpty, let source = object.primarySource else { return true }
            return binarySources.contains(source) || binaryBases.contains(baseName(source))
        }
    }

    /// Edges from each object's undefined symbols to the other objects defining them
    /// (strong definitions preferred). With `binaryCode`, references that no object
    /// resolves but the binary defines point at the binary. With `from`, only references
    /// made by those objects count.
    static func resolve(_ objects: [LoadedObject], binary: String, from: Set<String>?, binaryCode: LoadedObject?) -> [SymbolEdge] {
        var strong: [String: [String]] = [:]
        var weak: [String: [String]] = [:]
        for object in objects {
            for name in object.strongDefined { strong[name, default: []].append(object.facts.path) }
            for name in object.weakDefined { weak[name, default: []].append(object.facts.path) }
        }
        var edges: [SymbolEdge] = []
        for object in objects where from?.contains(object.facts.path) ?? true {
            for symbol in object.facts.undefined {
                let definers = (strong[symbol] ?? weak[symbol] ?? []).filter { $0 != object.facts.path }
                if !definers.isEmpty {
                    for definer in definers {
                        edges.append(SymbolEdge(binary: binary, fromObject: object.facts.path, toObject: definer, symbol: symbol))
                    }
                } else if let binaryCode, binaryCode.strongDefined.contains(symbol) || binaryCode.weakDefined.contains(symbol),
                          !binaryCode.libraryDefined.contains(symbol), strong[symbol] == nil, weak[symbol] == nil {
                    edges.append(SymbolEdge(binary: binary, fromObject: object.facts.path, toObject: binaryCode.facts.path, symbol: symbol))
                }
            }
        }
        return edges
    }

    /// One object per set of objects with identical facts (a .o and the archive member
    /// made from it cannot be told apart inside a binary): the archive member, else the
    /// first path.
    static func distinct(_ objects: [LoadedObject]) -> [LoadedObject] {
        var chosen: [ObjectFacts: LoadedObject] = [:]
        for object in objects {
            var key = object.facts
            key.path = ""
            guard let current = chosen[key] else {
                chosen[key] = object
                continue
            }
            let isMember = object.facts.path.hasSuffix(")")
            let currentIsMember = current.facts.path.hasSuffix(")")
            let better = isMember != currentIsMember ? isMember : object.facts.path < current.facts.path
            if better { chosen[key] = object }
        }
        return chosen.values.sorted { $0.facts.path < $1.facts.path }
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// One file's facts: its objects (members, or itself) and, for a linked binary, its own
/// code as the object candidates are matched against, and its ELF for call sites.
struct LoadedFile {
    var facts: BinaryFacts
    var objects: [LoadedObject]
    var binary: LoadedObject?
    var elf: ELFFile?
}

/// Reads files into facts, turning every failure into a problem.
private struct Loader {
    let root: String
    let currentDirectory: String
    var problems: [AnalysisProblem] = []
    var cache: [String: LoadedFile?] = [:]

    init(root: String) {
        currentDirectory = FileManager.default.currentDirectoryPath
        self.root = Loader.normalize(root.hasPrefix("/") ? root : currentDirectory + "/" + root)
    }

    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// Tree-relative when inside the root, else normalized as given.
    func display(_ path: String) -> String {
        let absolute = Loader.normalize(path.hasPrefix("/") ? path : currentDirectory + "/" + path)
        if absolute == root { return "." }
        if absolute.hasPrefix(root == "/" ? "/" : root + "/") { return String(absolute.dropFirst(root == "/" ? 1 : root.count + 1)) }
        return Loader.normalize(path)
    }

    mutating func problem(_ path: String, _ message: String) {
        problems.append(AnalysisProblem(SourceLocation(path: path), message))
    }

    /// The facts of one file: its objects (members, or itself) and, for a linked binary,
    /// its own code as the object candidates are matched against.
    mutating func load(_ path: String) -> LoadedFile? {
        let shown = display(path)
        if let cached = cache[shown] { return cached }
        let loaded = readFile(path, shown: shown)
        cache[shown] = loaded
        return loaded
    }

    private mutating func readFile(_ path: String, shown: String) -> LoadedFile? {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            problem(shown, "cannot read: \(error.localizedDescription)")
            return nil
        }
        let resolve: (String) -> String = { [self] in display($0) }
        if bytes.starts(with: Array("!<arch>\n".utf8)) {
            let archive: ArArchive
            do {
                archive = try ArArchive(bytes: bytes)
            } catch {
                problem(shown, "\(error)")
                return nil
            }
            var members: [LoadedObject] = []
            var names = Set<String>()
            for member in archive.members {
                var memberPath = "\(shown)(\(member.name))"
                // Archives may hold two members of one name: keep both, apart.
                var copy = 2
                while !names.insert(memberPath).inserted {
                    memberPath = "\(shown)(\(member.name)#\(copy))"
                    copy += 1
                }
                do {
                    let elf = try ELFFile(bytes: Array(member.bytes))
                    var messages: [String] = []
                    members.append(ObjectReader.read(elf, path: memberPath, resolve: resolve, problems: &messages))
                    for message in messages { problem(memberPath, message) }
                } catch {
                    problem(memberPath, "\(error)")
                }
            }
            members.sort { $0.facts.path < $1.facts.path }
            let facts = BinaryFacts(path: shown, kind: .archive, members: members.map(\.facts),
                                    dlopenStrings: Array(Set(members.flatMap(\.dlopenStrings))).sorted())
            return LoadedFile(facts: facts, objects: members, binary: nil, elf: nil)
        }
        let elf: ELFFile
        do {
            elf = try ELFFile(bytes: bytes)
        } catch {
            problem(shown, "\(error)")
            return nil
        }
        var messages: [String] = []
        let object = ObjectReader.read(elf, path: shown, resolve: resolve, problems: &messages)
        for message in messages { problem(shown, message) }
        let kind: BinaryFacts.Kind
        switch elf.header.type {
        case ELFHeader.typeRelocatable: kind = .object
        case ELFHeader.typeExecutable: kind = .executable
        case ELFHeader.typeSharedObject: kind = elf.interpreter == nil ? .sharedObject : .executable  // PIE
        default:
            problem(shown, "ELF: e_type \(elf.header.type) is not an object, executable or shared object")
            return nil
        }
        if kind != .object, object.fromDynamicSymbols {
            problem(shown, "no .symtab (stripped): objects are matched against the exported symbols of .dynsym only")
        }
        let facts = BinaryFacts(path: shown, kind: kind, members: [object.facts], needed: elf.dynamic.needed,
                                dlopenStrings: object.dlopenStrings)
        return LoadedFile(facts: facts, objects: kind == .object ? [object] : [], binary: kind == .object ? nil : object,
                          elf: kind == .object ? nil : elf)
    }
}
