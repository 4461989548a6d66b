// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A debug-exit port with QEMU's isa-debug-exit convention: the guest writes a value v
/// (1, 2 or 4 bytes) and the VM ends. QEMU then exits with (v << 1) | 1; Candor reports
/// v itself as the guest's status.
public final class DebugExit: BusDevice {
    public init() {}

    public func read(offset: UInt64, size: Int) -> UInt64 { 0 }

    public func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest? {
        .exit(status: UInt32(truncatingIfNeeded: value))
    }
}
