// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// A flat binary: copied to one address and entered there, in the mode the caller chose.
public enum FlatImageLoader {
    public static func load(_ bytes: [UInt8], at address: GuestAddress, mode: BootEntry.Mode,
                            into memory: GuestMemory) throws -> BootEntry {
        try memory.place(bytes, at: address, what: "flat image")
        return BootEntry(mode: mode, entry: address, highestAddress: GuestAddress(address.rawValue + UInt64(bytes.count)))
    }
}
