# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Counts to the console and to /dev/vda every 10 ms (count_to_disk) while L1 migrates the
# VM; then the usual block checks (read, write, flush) on the destination's device.
count_to_disk "$(arg count)"
blk_checks "$(arg sha)"
