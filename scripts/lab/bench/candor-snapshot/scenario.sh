# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The snapshot benchmark (scripts/bench/migration.sh): candor-vm runs the guest (2 vCPUs,
# 256 MiB, as the migration cases) with the management API; after L2-SNAP-NOW L1 pauses it,
# writes a snapshot (the API's duration_ms) and shuts it down, then times
# `candor-vm restore` from its start to the restored guest's next tick on the console
# (lab-timer). Prints "LAB-RESULT candor-snapshot snapshot_ms=N restore_ms=N ...".
vcpus=2
memory=256
l2_timeout=200

run_vmm() {
    sock=/tmp/csnap.sock; snap=/tmp/csnap
    first=/tmp/csnap-first.serial; second=/tmp/csnap-second.serial
    rm -rf "$sock" "$snap" "$first" "$second" /tmp/csnap-answer.txt /tmp/csnap-restore.txt
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline" --vcpus "$vcpus" --memory "$memory" \
        --serial-output "$first" --api-socket "$sock" </dev/null >/dev/null 2>/tmp/csnap-first.err &
    pid=$!
    # (not on our stdout: its sleep would hold the pipe of $(run_vmm) open)
    (sleep $((l2_timeout / 2)); kill -9 "$pid") >/dev/null 2>&1 &
    watchdog=$!
    n=0
    until grep -q "L2-SNAP-NOW" "$first" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null || [ $n -gt 1500 ]; do
        n=$((n + 1)); sleep 0.1
    done
    candor-vm ctl --api-socket "$sock" pause >/dev/null 2>>/tmp/csnap-first.err
    candor-vm ctl --api-socket "$sock" snapshot "$snap" > /tmp/csnap-answer.txt 2>&1
    candor-vm ctl --api-socket "$sock" shutdown >/dev/null 2>>/tmp/csnap-first.err
    wait $pid
    first_status=$?
    kill "$watchdog" 2>/dev/null
    # The restored guest's serial goes to stdout, which lab-timer watches for the next tick.
    lab-timer -t $((l2_timeout / 2)) -m "L2-TICK" -o "$second" -- candor-vm restore --snapshot "$snap" > /tmp/csnap-restore.txt
    cat "$first" "$second" > "$serial"
    echo "$(cat /tmp/csnap-restore.txt) first_exit=$first_status"
}

verify() {
    if grep -q '"snapshot_path"' /tmp/csnap-answer.txt; then check snapshot-written pass
    else check snapshot-written fail "$(tail -n 1 /tmp/csnap-answer.txt)"; fi
    if tr -d '\r' < /tmp/csnap-second.serial | grep -q "L2-INIT"; then check no-second-boot fail "the restored guest booted again"
    else check no-second-boot pass; fi
    snapshot_ms=$(sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' /tmp/csnap-answer.txt)
    data=$(sed -n 's/.*"memory_data_bytes":\([0-9]*\).*/\1/p' /tmp/csnap-answer.txt)
    restore_ms=$(sed -n 's/.*marker_ms=\(-\{0,1\}[0-9]*\).*/\1/p' /tmp/csnap-restore.txt)
    echo "LAB-RESULT candor-snapshot snapshot_ms=${snapshot_ms:-none} restore_ms=${restore_ms:-none} data_bytes=${data:-none}"
}
