# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The guest reboots with Linux's default method: candor-vm ends the run cleanly (status 0)
# on the reset. On a hardware-reduced ACPI machine without EFI, Linux tries EFI and then
# jumps to the BIOS reset vector in real mode; candor-vm's reset vector pulses the i8042
# reset line (Sources/Machine/ResetVector.swift), so no reboot= option is needed.
vcpus=2
expect=reboot
