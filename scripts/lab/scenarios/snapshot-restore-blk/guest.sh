# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Counts to the console and to /dev/vda every 10 ms (count_to_disk); L1 snapshots the VM
# at count 50 and restores it; after the last count the usual block checks (read, write,
# flush) run on the restored device.
count_to_disk "$(arg count)"
blk_checks "$(arg sha)"
