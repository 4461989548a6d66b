# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# A near-idle guest that prints a tick every 10 ms (so a restore's first console line comes
# at most 10 ms after the guest runs again); L1 snapshots it after L2-SNAP-NOW.
echo "L2-SNAP-NOW"
i=0
while [ $i -lt 300 ]; do
    i=$((i + 1))
    echo "L2-TICK $i"
    usleep 10000
done
