# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Counts every 10 ms on the console with the kernel's uptime while a background loop keeps
# rewriting 8 MiB of tmpfs (pages the migration must send again); L1 migrates the VM at
# count 100. 16 MiB of random data written before the migration must read back with the
# same SHA-256 after it.
dd if=/dev/urandom of=/tmp/data bs=1M count=16 2>/dev/null
before=$(sha256sum /tmp/data | cut -d' ' -f1)
(while [ ! -e /tmp/stop ]; do dd if=/dev/zero of=/tmp/churn bs=1M count=8 2>/dev/null; done) &
churn=$!
count_to_console 400
touch /tmp/stop
wait $churn
after=$(sha256sum /tmp/data | cut -d' ' -f1)
if [ "$before" = "$after" ]; then check memory-intact pass; else check memory-intact fail "sha256 $after, before the migration $before"; fi
