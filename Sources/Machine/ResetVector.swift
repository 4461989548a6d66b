// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// The code at the reset vector (F000:FFF0, `Layout.resetVectorAddress`).
///
/// candor-vm has no firmware. Linux on a hardware-reduced ACPI machine reboots through
/// EFI, and without EFI falls back to switching to real mode and jumping here (as a BIOS
/// reboot would), so without code here the guest ran zeroed RAM forever instead of
/// rebooting. These bytes pulse the i8042's reset line (command 0xFE to port 0x64), which
/// ends the run as a reset. They decode the same in real mode and 32-bit protected mode.
enum ResetVector {
    static let code: [UInt8] = [
        0xfa,               // cli
        0xb0, 0xfe,         // mov al, 0xfe: pulse the reset line
        0xe6, 0x64,         // out 0x64, al: the i8042's command register
        0xf4,               // hlt (not reached: the write ends the run)
        0xeb, 0xfd,         // jmp back to the hlt
    ]

    /// What the FADT names as its reset register: the same i8042 command.
    static let register = ResetRegister(port: Layout.i8042Port + 4, value: 0xfe)
}
