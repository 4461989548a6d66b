# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The guest reboots: candor-vm ends the run cleanly (status 0) on the reset.
vcpus=2
expect=reboot
