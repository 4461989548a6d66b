# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Live migration of a Linux guest between two candor-vm processes in L1: a destination
# waits with --incoming on a Unix socket, the source runs the guest with the management
# API; at the guest's count 100 L1 sends `ctl migrate`. The guest must go on at the
# destination with every count once and in order (no gap, no repeat), no second boot, its
# uptime going on, its memory intact; the source must exit 0 after the destination took
# over. Every wait is bounded (the whole run by a 300 s watchdog).
vcpus=2
memory=256
devices=""
# The console line at which L1 migrates (scripts/bench/migration.sh sets its own).
migrate_at="L2-COUNT 100 "

run_vmm() {
    api=/tmp/mig-api.sock; incoming=/tmp/mig-in.sock
    first=/tmp/mig-first.serial; second=/tmp/mig-second.serial
    rm -f "$api" "$incoming" "$first" "$second" /tmp/mig-answer.txt
    candor-vm run --incoming "unix:$incoming" --serial-output "$second" </dev/null >/dev/null 2>/tmp/mig-dest.err &
    dpid=$!
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline" --vcpus "$vcpus" --memory "$memory" \
        --serial-output "$first" --api-socket "$api" </dev/null >/dev/null 2>/tmp/mig-source.err &
    spid=$!
    (sleep 300; kill -9 "$spid" "$dpid" 2>/dev/null) &
    watchdog=$!
    n=0
    until grep -q "$migrate_at" "$first" 2>/dev/null || [ $n -gt 2400 ]; do n=$((n + 1)); sleep 0.1; done
    candor-vm ctl --api-socket "$api" migrate "unix:$incoming" >/tmp/mig-answer.txt 2>&1
    migrated=$?
    wait "$spid"
    source_status=$?
    # A destination whose source never came would wait for it: end it.
    [ "$migrated" = 0 ] || kill "$dpid" 2>/dev/null
    wait "$dpid"
    destination_status=$?
    kill "$watchdog" 2>/dev/null
    echo "$source_status" > /tmp/mig-source.status
    cat "$first" "$second" > "$serial" 2>/dev/null
    answer=$(cat /tmp/mig-answer.txt)
    field() { echo "$answer" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
    echo "total_ms=$(field total_ms) downtime_ms=$(field downtime_ms) rounds=$(field rounds) bytes=$(field bytes)" \
        "source_status=$source_status exit=$destination_status"
}

verify() {
    tr -d '\r' < /tmp/mig-first.serial > /tmp/mig-first.txt
    tr -d '\r' < /tmp/mig-second.serial > /tmp/mig-second.txt
    if grep -q '"downtime_ms"' /tmp/mig-answer.txt; then check migrate-answer pass
    else check migrate-answer fail "$(tail -n 1 /tmp/mig-answer.txt)"; fi
    # run_vmm ran in a subshell: its variables are gone.
    source_status=$(cat /tmp/mig-source.status 2>/dev/null)
    if [ "$source_status" = 0 ] && grep -q "migrated to" /tmp/mig-source.err; then check source-exit pass
    else check source-exit fail "status $source_status: $(tail -n 1 /tmp/mig-source.err)"; fi
    if grep -q "L2-COUNT 400 " /tmp/mig-first.txt; then check migrated-mid-run fail "the source counted to the end"
    else check migrated-mid-run pass; fi
    if grep -q "L2-INIT" /tmp/mig-second.txt; then check no-second-boot fail "the destination booted the guest again"
    else check no-second-boot pass; fi
    if [ -s /tmp/mig-dest.err ]; then check destination-stderr fail "$(head -n 1 /tmp/mig-dest.err)"
    else check destination-stderr pass; fi
    # Every count once, in order, across both consoles (a line cut by the pause is
    # finished by the destination), and the guest's uptime never goes back.
    check_counts_continue 400 /tmp/mig-first.txt /tmp/mig-second.txt
    last=$(grep '^L2-COUNT ' /tmp/mig-first.txt | tail -n 1 | cut -d' ' -f2)
    firstdest=$(grep '^L2-COUNT ' /tmp/mig-second.txt | head -n 1 | cut -d' ' -f2)
    echo "LAB-INFO migrate: the source printed up to count ${last:-none}, the destination from ${firstdest:-none}"
    sed -n 's/^{\(.*\)}$/LAB-RESULT migrate \1/p' /tmp/mig-answer.txt | tr ',' ' '
}
