// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A device as a set of registers: the bus calls `read`/`write` with the offset from the
/// device's base address and the access size in bytes (1, 2, 4 or 8). Devices know nothing
/// of KVM or of where they are mapped; they are driven the same way in unit tests.
public protocol BusDevice: AnyObject {
    func read(offset: UInt64, size: Int) -> UInt64
    /// Returns a request to the machine when the write asks for more than a register change.
    func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest?
}

/// A device that drives an interrupt line; the bus forwards changes to the interrupt controller.
public protocol InterruptSource: AnyObject {
    var interruptAsserted: Bool { get }
}

/// What a device write can ask of the machine.
public enum DeviceRequest: Equatable, Sendable {
    /// The guest asked to reset the machine (for a VMM: end the VM cleanly).
    case reset
    /// The guest reported an exit status (isa-debug-exit convention).
    case exit(status: UInt32)
}
