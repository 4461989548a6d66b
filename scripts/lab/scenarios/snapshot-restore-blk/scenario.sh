# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Snapshot and restore of a Linux guest with a vhost-user-blk disk served by candor-blk
# (a driver process candor-vm starts): the guest writes a count to its console and into
# its own sector of /dev/vda every 10 ms; at count 50 L1 pauses it through the API,
# writes a snapshot (which waits for candor-blk to answer every request) and shuts that
# candor-vm down; `candor-vm restore` then starts candor-blk again at the saved ring
# positions and the same guest goes on to its power-off. Checks: every count once and in
# order across both consoles, the uptime never going back, no second boot, and, in the
# image after the power-off, every count in its sector. Every wait is bounded (the whole
# run by a watchdog).
vcpus=2
memory=128
image=/tmp/snap-blk.img
l2_timeout=200
# The guest's last count (lab.count=) and the one at which L1 snapshots.
count=150
cmdline="lab.count=$count"
snapshot_at="L2-COUNT 50 "

setup() {
    make_image $image 16
    devices="vhost-user-blk,driver=/lab/bin/candor-blk,image=$image"
}

run_vmm() {
    sock=/tmp/snapblk.sock; snap=/tmp/snapblk
    first=/tmp/snapblk-first.serial; second=/tmp/snapblk-second.serial
    rm -rf "$sock" "$snap" "$first" "$second" /tmp/snapblk-answer.txt /tmp/snapblk-watchdog
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline" --vcpus "$vcpus" --memory "$memory" \
        --device "$devices" --serial-output "$first" --api-socket "$sock" </dev/null >/dev/null 2>/tmp/snapblk-first.err &
    pid=$!
    # (not on our stdout: its sleep would hold the pipe of $(run_vmm) open)
    (sleep $((l2_timeout / 2)); touch /tmp/snapblk-watchdog; kill -9 "$pid") >/dev/null 2>&1 &
    watchdog=$!
    n=0
    until grep -q "$snapshot_at" "$first" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null || [ $n -gt 1500 ]; do
        n=$((n + 1)); sleep 0.1
    done
    candor-vm ctl --api-socket "$sock" pause >/dev/null 2>>/tmp/snapblk-first.err
    candor-vm ctl --api-socket "$sock" snapshot "$snap" > /tmp/snapblk-answer.txt 2>&1
    candor-vm ctl --api-socket "$sock" shutdown >/dev/null 2>>/tmp/snapblk-first.err
    wait $pid
    first_status=$?
    started=$(cut -d' ' -f1 /proc/uptime)
    kill "$watchdog" 2>/dev/null
    # (SIGTERM stops candor-vm cleanly, with status 143)
    timeout $((l2_timeout / 2)) candor-vm restore --snapshot "$snap" --serial-output "$second" </dev/null >/dev/null 2>/tmp/snapblk-second.err
    second_status=$?
    ended=$(cut -d' ' -f1 /proc/uptime)
    cat "$first" "$second" > "$serial"
    ms=$(sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' /tmp/snapblk-answer.txt)
    echo "snapshot_ms=${ms:-none} restored_run_s=$(awk "BEGIN { print $ended - $started }") first_exit=$first_status exit=$second_status"
}

verify() {
    tr -d '\r' < /tmp/snapblk-first.serial > /tmp/snapblk-first.txt
    tr -d '\r' < /tmp/snapblk-second.serial > /tmp/snapblk-second.txt
    if [ -e /tmp/snapblk-watchdog ]; then check watchdog fail "the first candor-vm still ran after $((l2_timeout / 2)) s and was killed"; fi
    if grep -q '"snapshot_path"' /tmp/snapblk-answer.txt; then check snapshot-written pass
    else check snapshot-written fail "$(tail -n 1 /tmp/snapblk-answer.txt)"; fi
    if grep -q "L2-COUNT $count " /tmp/snapblk-first.txt; then check paused-mid-run fail "the first run finished before the snapshot"
    else check paused-mid-run pass; fi
    if grep -q "L2-INIT" /tmp/snapblk-second.txt; then check no-second-boot fail "the restored guest booted again"
    else check no-second-boot pass; fi
    if [ -s /tmp/snapblk-second.err ]; then check restore-stderr fail "$(head -n 1 /tmp/snapblk-second.err)"
    else check restore-stderr pass; fi
    # Every count once, in order, across both consoles, the uptime never going back.
    check_counts_continue "$count" /tmp/snapblk-first.txt /tmp/snapblk-second.txt
    check_counts_on_disk $image $count
    check_guest_block $image
    last=$(grep '^L2-COUNT ' /tmp/snapblk-first.txt | tail -n 1 | cut -d' ' -f2)
    firstrestored=$(grep '^L2-COUNT ' /tmp/snapblk-second.txt | head -n 1 | cut -d' ' -f2)
    echo "LAB-INFO snapshot-restore-blk: the first run printed up to count ${last:-none}, the restored one from ${firstrestored:-none}"
    sed -n 's/^{\(.*\)}$/LAB-RESULT snapshot-restore-blk \1/p' /tmp/snapblk-answer.txt | tr ',' ' '
}
