# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Snapshot and restore of a Linux guest: candor-vm runs it with the management API while
# the guest counts seconds; after the second, L1 pauses it, writes a snapshot and shuts
# that candor-vm down; `candor-vm restore` then continues the same guest (no new boot) to
# its power-off. virtio-rng is read after the restore.
vcpus=2
memory=128
devices="virtio-rng"

run_vmm() {
    sock=/tmp/snap.sock; snap=/tmp/snapshot
    first=/tmp/snap-first.serial; second=/tmp/snap-second.serial
    rm -rf "$sock" "$snap" "$first" "$second"
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline" --vcpus "$vcpus" --memory "$memory" \
        --device virtio-rng --serial-output "$first" --api-socket "$sock" </dev/null >/dev/null 2>/tmp/snap-first.err &
    pid=$!
    n=0
    until grep -q "L2-TICK 2" "$first" 2>/dev/null || [ $n -gt 3000 ]; do n=$((n + 1)); sleep 0.1; done
    candor-vm ctl --api-socket "$sock" pause >/dev/null 2>>/tmp/snap-first.err
    answer=$(candor-vm ctl --api-socket "$sock" snapshot "$snap" 2>&1)
    echo "$answer" > /tmp/snap-answer.txt
    candor-vm ctl --api-socket "$sock" shutdown >/dev/null 2>>/tmp/snap-first.err
    wait $pid
    first_status=$?
    candor-vm restore --snapshot "$snap" --serial-output "$second" </dev/null >/dev/null 2>/tmp/snap-second.err
    second_status=$?
    cat "$first" "$second" > "$serial"
    ms=$(echo "$answer" | sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p')
    disk=$(du -k "$snap/memory" 2>/dev/null | cut -f1)
    echo "snapshot_ms=${ms:-none} memory_on_disk_kb=${disk:-none} first_exit=$first_status exit=$second_status"
}

verify() {
    tr -d '\r' < /tmp/snap-first.serial > /tmp/snap-first.txt
    tr -d '\r' < /tmp/snap-second.serial > /tmp/snap-second.txt
    if grep -q '"snapshot_path"' /tmp/snap-answer.txt; then check snapshot-written pass
    else check snapshot-written fail "$(tail -n 1 /tmp/snap-answer.txt)"; fi
    if grep -q "L2-TICK 6" /tmp/snap-first.txt; then check paused-mid-run fail "the first run finished before the snapshot"
    else check paused-mid-run pass; fi
    if grep -q "L2-INIT" /tmp/snap-second.txt; then check no-second-boot fail "the restored guest booted again"
    else check no-second-boot pass; fi
    expect_line continued /tmp/snap-second.txt "L2-TICK 6"
    if [ -s /tmp/snap-second.err ]; then check restore-stderr fail "$(head -n 1 /tmp/snap-second.err)"
    else check restore-stderr pass; fi
}
