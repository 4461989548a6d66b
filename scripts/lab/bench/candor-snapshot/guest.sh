# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# A near-idle guest that prints a tick every 10 ms (so a restore's first console line comes
# at most 10 ms after the guest runs again); L1 snapshots it after L2-SNAP-NOW.
echo "L2-SNAP-NOW"
ticks 300 10000
