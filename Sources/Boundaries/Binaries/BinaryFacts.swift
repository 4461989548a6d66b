// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Facts about built binaries, without license judgement: which objects a binary holds,
// which source files they came from, which symbols they define and reference, what they
// export through the driver shim, and what they load at run time.

/// One relocatable object (a .o file, an archive member) or the code of a linked binary.
public struct ObjectFacts: Codable, Hashable, Sendable {
    /// Tree-relative when inside the root, else as given; archive members read
    /// `dir/libx.a(member.o)`.
    public var path: String
    /// Source files it was compiled from: DWARF compile-unit names (joined to their
    /// DW_AT_comp_dir, tree-relative when inside the root) when there is DWARF, else the
    /// STT_FILE symbol names. Sorted.
    public var sourceFiles: [String]
    /// Global and weak defined symbols, sorted.
    public var defined: [String]
    /// Undefined symbols, sorted.
    public var undefined: [String]
    /// Names recorded in section .candor_exports (CANDOR_EXPORT), sorted.
    public var exports: [String]
    /// Names recorded in section .candor_exports_gpl (CANDOR_EXPORT_GPL), sorted.
    public var gplOnlyExports: [String]
    /// The .candor_license section (CANDOR_DRIVER_LICENSE), or `license=` of a Linux
    /// .modinfo section.
    public var declaredLicense: String?

    public init(path: String, sourceFiles: [String] = [], defined: [String] = [], undefined: [String] = [],
                exports: [String] = [], gplOnlyExports: [String] = [], declaredLicense: String? = nil) {
        self.path = path
        self.sourceFiles = sourceFiles
        self.defined = defined
        self.undefined = undefined
        self.exports = exports
        self.gplOnlyExports = gplOnlyExports
        self.declaredLicense = declaredLicense
    }
}

public struct BinaryFacts: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case object, archive, executable, sharedObject }

    public var path: String
    public var kind: Kind
    /// Archive members; for an object, itself; for an executable or shared object, itself
    /// as one ObjectFacts (its symbol table and all its compile units).
    public var members: [ObjectFacts]
    /// Candidate objects judged linked into this executable or shared object, sorted.
    public var linkedObjects: [String]
    /// DT_NEEDED entries, in file order.
    public var needed: [String]
    /// When the binary references dlopen or dlmopen: strings of its read-only data that
    /// look like shared object names (lib*.so*, *.so), sorted.
    public var dlopenStrings: [String]

    public init(path: String, kind: Kind, members: [ObjectFacts] = [], linkedObjects: [String] = [],
                needed: [String] = [], dlopenStrings: [String] = []) {
        self.path = path
        self.kind = kind
        self.members = members
        self.linkedObjects = linkedObjects
        self.needed = needed
        self.dlopenStrings = dlopenStrings
    }
}

/// An undefined reference in one object resolved by a definition in another.
public struct SymbolEdge: Codable, Hashable, Sendable, Comparable {
    /// The binary or archive in which the reference is resolved; empty for objects given
    /// together on the command line.
    public var binary: String
    /// The object with the undefined reference; the binary itself for a call from code
    /// of the binary that no candidate object accounts for (found by its call instruction,
    /// x86-64 only).
    public var fromObject: String
    /// The object defining the symbol; the binary itself when the definition is in code
    /// of the binary that no candidate object accounts for.
    public var toObject: String
    public var symbol: String

    public init(binary: String, fromObject: String, toObject: String, symbol: String) {
        self.binary = binary
        self.fromObject = fromObject
        self.toObject = toObject
        self.symbol = symbol
    }

    public static func < (a: SymbolEdge, b: SymbolEdge) -> Bool {
        (a.binary, a.fromObject, a.toObject, a.symbol) < (b.binary, b.fromObject, b.toObject, b.symbol)
    }
}
