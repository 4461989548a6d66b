# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# /dev/hwrng is Linux's virtio-rng driver, and two reads differ.
current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
case "$current" in virtio_rng*) check rng-driver pass ;; *) check rng-driver fail "rng_current is '$current'" ;; esac
a=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
b=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
if [ ${#a} -eq 64 ] && [ "$a" != "$b" ]; then check rng-read pass; else check rng-read fail "read '$a' then '$b'"; fi
