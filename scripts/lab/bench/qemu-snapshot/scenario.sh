# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The snapshot benchmark's reference (scripts/bench/migration.sh, lab.sh --with-qemu):
# QEMU's way to save a VM to a file and load it. qemu-system-x86_64 -M microvm on KVM runs
# the guest of candor-snapshot (2 vCPUs, 256 MiB); after L2-SNAP-NOW L1 sends over QMP
# `stop`, `migrate` to "exec:cat > FILE" and `query-migrate` until "completed" (its
# total-time is the snapshot time), then `quit`. A second QEMU started with
# -incoming "exec:cat FILE" loads it (paused, as the source was) and gets `cont` as soon as
# `query-status` says "paused"; it is timed as candor-vm's restore, from its start to the
# guest's next tick on the console (lab-timer).
vcpus=2
memory=256
l2_timeout=200

# The options both QEMUs share (no argument has a space).
qemu_options() {
    echo "-L /usr/share/qemu -accel kvm -cpu host -M microvm -m ${memory}M -smp $vcpus -nodefaults -no-user-config -display none -no-reboot"
}

run_vmm() {
    sqmp=/tmp/qsnap-src.qmp; dqmp=/tmp/qsnap-dst.qmp; snap=/tmp/qsnap.bin
    first=/tmp/qsnap-first.serial; second=/tmp/qsnap-second.serial
    rm -f "$sqmp" "$dqmp" "$snap" "$first" "$second" /tmp/qsnap-answer.txt /tmp/qsnap-restore.txt /tmp/qsnap-cont.txt
    qemu-system-x86_64 $(qemu_options) -serial "file:$first" -qmp "unix:$sqmp,server,nowait" \
        -kernel /lab/vmlinuz -initrd "$dir/l2.cpio" -append "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline" \
        </dev/null >/dev/null 2>/tmp/qsnap-source.err &
    spid=$!
    # (not on our stdout: its sleep would hold the pipe of $(run_vmm) open)
    (sleep $((l2_timeout / 2)); kill -9 "$spid") >/dev/null 2>&1 &
    watchdog=$!
    n=0
    until grep -q "L2-SNAP-NOW" "$first" 2>/dev/null || ! kill -0 "$spid" 2>/dev/null || [ $n -gt 1500 ]; do
        n=$((n + 1)); sleep 0.1
    done
    lab-qmp -t 60 "$sqmp" '{"execute":"stop"}' \
        '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":10737418240}}' \
        "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > $snap\"}}" \
        '@until:"completed":{"execute":"query-migrate"}' \
        '{"execute":"quit"}' > /tmp/qsnap-answer.txt 2>&1
    wait "$spid"
    first_status=$?
    kill "$watchdog" 2>/dev/null
    lab-qmp -t 60 "$dqmp" '@until:"paused":{"execute":"query-status"}' '{"execute":"cont"}' > /tmp/qsnap-cont.txt 2>&1 &
    lab-timer -t $((l2_timeout / 2)) -m "L2-TICK" -o "$second" -- \
        qemu-system-x86_64 $(qemu_options) -serial stdio -qmp "unix:$dqmp,server,nowait" -incoming "exec:cat $snap" > /tmp/qsnap-restore.txt
    cat "$first" "$second" > "$serial"
    echo "$(cat /tmp/qsnap-restore.txt) first_exit=$first_status"
}

verify() {
    answer=$(grep '"completed"' /tmp/qsnap-answer.txt | tail -n 1)
    if [ -n "$answer" ]; then check snapshot-written pass
    else check snapshot-written fail "$(tail -n 1 /tmp/qsnap-answer.txt)"; fi
    if grep -q '"return"' /tmp/qsnap-cont.txt; then check continued pass
    else check continued fail "$(tail -n 1 /tmp/qsnap-cont.txt)"; fi
    if tr -d '\r' < /tmp/qsnap-second.serial | grep -q "L2-INIT"; then check no-second-boot fail "the restored guest booted again"
    else check no-second-boot pass; fi
    snapshot_ms=$(echo "$answer" | sed -n 's/.*"total-time": *\([0-9]*\).*/\1/p')
    restore_ms=$(sed -n 's/.*marker_ms=\(-\{0,1\}[0-9]*\).*/\1/p' /tmp/qsnap-restore.txt)
    size=$(stat -c %s /tmp/qsnap.bin 2>/dev/null)
    echo "LAB-RESULT qemu-snapshot snapshot_ms=${snapshot_ms:-none} restore_ms=${restore_ms:-none} data_bytes=${size:-none}"
}
