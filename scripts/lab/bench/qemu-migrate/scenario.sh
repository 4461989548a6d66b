# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The migration benchmark's reference (scripts/bench/migration.sh, lab.sh --with-qemu):
# qemu-system-x86_64 -M microvm on KVM with the kernel, initramfs, vCPUs and memory of the
# candor-vm cases, migrated over a Unix socket to a second QEMU started with -incoming,
# through QMP (lab-qmp): after L2-MIGRATE-NOW, `migrate`, then `query-migrate` until
# "completed", whose total-time and downtime are the result. QEMU 7.2's defaults except
# max-bandwidth (32 MiB/s by default; raised to 10 GiB/s since candor-vm sends without a
# cap). The destination runs the guest to its power-off.
vcpus=2
memory=256
l2_timeout=240
# Set by scripts/bench/migration.sh for each case.
result_name=qemu-migrate

# The options both QEMUs share (no argument has a space).
qemu_options() {
    echo "-L /usr/share/qemu -accel kvm -cpu host -M microvm -m ${memory}M -smp $vcpus -nodefaults -no-user-config -display none -no-reboot"
}

run_vmm() {
    sqmp=/tmp/qmig-src.qmp; dqmp=/tmp/qmig-dst.qmp; incoming=/tmp/qmig-in.sock
    first=/tmp/qmig-first.serial; second=/tmp/qmig-second.serial
    rm -f "$sqmp" "$dqmp" "$incoming" "$first" "$second" /tmp/qmig-answer.txt
    qemu-system-x86_64 $(qemu_options) -serial "file:$second" -qmp "unix:$dqmp,server,nowait" -incoming "unix:$incoming" \
        </dev/null >/dev/null 2>/tmp/qmig-dest.err &
    dpid=$!
    qemu-system-x86_64 $(qemu_options) -serial "file:$first" -qmp "unix:$sqmp,server,nowait" \
        -kernel /lab/vmlinuz -initrd "$dir/l2.cpio" -append "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline" \
        </dev/null >/dev/null 2>/tmp/qmig-source.err &
    spid=$!
    # (not on our stdout: its sleep would hold the pipe of $(run_vmm) open)
    (sleep $((l2_timeout - 20)); kill -9 "$spid" "$dpid") >/dev/null 2>&1 &
    watchdog=$!
    n=0
    until grep -q "L2-MIGRATE-NOW" "$first" 2>/dev/null || ! kill -0 "$spid" 2>/dev/null || [ $n -gt 1500 ]; do
        n=$((n + 1)); sleep 0.1
    done
    lab-qmp -t 120 "$sqmp" \
        '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":10737418240}}' \
        "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"unix:$incoming\"}}" \
        '@until:"completed":{"execute":"query-migrate"}' \
        '{"execute":"quit"}' > /tmp/qmig-answer.txt 2>&1
    migrated=$?
    wait "$spid"
    source_status=$?
    # A destination whose source never came would wait for it: end it.
    [ "$migrated" = 0 ] || kill "$dpid" 2>/dev/null
    wait "$dpid"
    destination_status=$?
    kill "$watchdog" 2>/dev/null
    cat "$first" "$second" > "$serial" 2>/dev/null
    echo "source_status=$source_status exit=$destination_status"
}

verify() {
    answer=$(grep '"completed"' /tmp/qmig-answer.txt | tail -n 1)
    if [ -n "$answer" ]; then check migrate-answer pass
    else check migrate-answer fail "$(tail -n 1 /tmp/qmig-answer.txt)"; fi
    if tr -d '\r' < /tmp/qmig-second.serial | grep -q "L2-INIT"; then check no-second-boot fail "the destination booted the guest again"
    else check no-second-boot pass; fi
    field() { echo "$answer" | sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p" | head -n 1; }
    echo "LAB-RESULT $result_name total_ms=$(field total-time) downtime_ms=$(field downtime) bytes=$(field transferred)"
}
