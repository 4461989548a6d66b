# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Counts six seconds (L1 snapshots the VM after the second and restores it), then reads
# virtio-rng: both must work in the restored guest.
ticks 6 1000000
check ticks pass
a=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
if [ ${#a} -eq 64 ]; then check rng-read pass; else check rng-read fail "read '$a'"; fi
