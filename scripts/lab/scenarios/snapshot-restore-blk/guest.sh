# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Every 10 ms: a count with the kernel's uptime on the console, and the count as a
# 512-byte record ("L2-SECTOR N", padded with spaces, a newline at the end) written with
# O_DIRECT into sector 4096 + N of /dev/vda (2 MiB in, past the random first MiB that
# blk_checks reads). L1 snapshots the VM at count 50 and restores it; after the last count
# the usual block checks (read, write, flush) run on the restored device.
count=$(arg count)
i=0
failed=0
while [ $i -lt $count ]; do
    i=$((i + 1))
    read -r up _ < /proc/uptime
    echo "L2-COUNT $i $up"
    if ! printf '%-511s\n' "L2-SECTOR $i" | dd of=/dev/vda bs=512 seek=$((4096 + i)) iflag=fullblock oflag=direct conv=notrunc 2>/tmp/dd.err; then
        [ $failed -gt 0 ] || check count-write fail "count $i: $(tail -n 1 /tmp/dd.err)"
        failed=$((failed + 1))
    fi
    usleep 10000
done
[ $failed -gt 0 ] || check count-write pass
blk_checks "$(arg sha)"
