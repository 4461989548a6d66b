// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import ELF
import GuestMemory

/// A kernel image of a format the loaders know, recognised from its bytes.
public enum KernelImage {
    /// An ELF64 image that is not Linux: PVH entry if it has the note, else e_entry.
    case elf(ELFFile)
    /// A Linux vmlinux (an ELF with a "Linux" note): the Linux 64-bit boot protocol.
    case linuxVmlinux(ELFFile)
    /// A Linux bzImage ("HdrS" at 0x202).
    case linuxBzImage(image: [UInt8], header: LinuxSetupHeader)
    /// A flat binary, only when the caller asks for it.
    case flat(bytes: [UInt8], address: GuestAddress, mode: BootEntry.Mode)

    /// Recognises ELF (magic 0x7f "ELF") and bzImage ("HdrS" at 0x202). With `flat`
    /// the bytes are taken as a flat binary whatever they hold.
    public static func detect(_ bytes: [UInt8], flat: (address: GuestAddress, mode: BootEntry.Mode)? = nil) throws -> KernelImage {
        if let flat { return .flat(bytes: bytes, address: flat.address, mode: flat.mode) }
        if bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) {
            do {
                let file = try ELFFile(bytes: bytes)
                return try file.notes().contains { $0.name == "Linux" } ? .linuxVmlinux(file) : .elf(file)
            } catch let error as ELFError {
                throw LoaderError.elf(error)
            }
        }
        if bytes.count >= 0x206, bytes[0x202..<0x206].elementsEqual("HdrS".utf8) {
            return .linuxBzImage(image: bytes, header: try LinuxSetupHeader(image: bytes))
        }
        throw LoaderError.unknownFormat(firstBytes: Array(bytes.prefix(8)))
    }

    /// Loads the image with the loader for its format.
    public func load(into memory: GuestMemory, configuration: BootConfiguration) throws -> BootEntry {
        switch self {
        case let .elf(file):
            return try ELFKernelLoader(file: file).load(into: memory, configuration: configuration)
        case let .linuxVmlinux(file):
            return try LinuxKernelLoader.loadVmlinux(file, into: memory, configuration: configuration)
        case let .linuxBzImage(image, header):
            return try LinuxKernelLoader.loadBzImage(image, header: header, into: memory, configuration: configuration)
        case let .flat(bytes, address, mode):
            return try FlatImageLoader.load(bytes, at: address, mode: mode, into: memory)
        }
    }
}
