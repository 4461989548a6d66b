// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// The sleep control register of a hardware-reduced ACPI machine (the FADT's
/// SLEEP_CONTROL_REG): a guest powers off by writing SLP_EN with SLP_TYP set to the
/// \_S5_ value from the DSDT (5 here). Reads (the sleep status register) return 0.
public final class SleepControl: BusDevice {
    static let sleepEnable: UInt8 = 0x20
    static let sleepTypeShift: UInt8 = 2
    static let sleepTypeMask: UInt8 = 0x7
    /// SLP_TYP of the soft-off state S5, as the DSDT's \_S5_ package declares it.
    public static let softOffSleepType: UInt8 = 5

    public init() {}

    public func read(offset: UInt64, size: Int) -> UInt64 { 0 }

    public func write(offset: UInt64, size: Int, value: UInt64) -> DeviceRequest? {
        let byte = UInt8(truncatingIfNeeded: value)
        guard byte & Self.sleepEnable != 0,
              (byte >> Self.sleepTypeShift) & Self.sleepTypeMask == Self.softOffSleepType else { return nil }
        return .powerOff
    }
}
