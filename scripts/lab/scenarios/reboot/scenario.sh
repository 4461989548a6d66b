# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The guest reboots: candor-vm ends the run cleanly (status 0) on the reset.
# reboot=k: on a hardware-reduced ACPI machine without EFI, Linux otherwise tries EFI,
# then jumps to the BIOS reset vector in real mode, where candor-vm has no firmware, and
# the guest hangs (seen here); the keyboard controller's reset line is what candor-vm
# offers (Firecracker's guests use reboot=k for the same reason).
vcpus=2
expect=reboot
cmdline="reboot=k"
