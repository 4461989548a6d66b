# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Diagnostic for the triple fault in README.md: net-hub's setting (two guests at once,
# each with a vhost-user-net device on a candor-net hub) with a verbose console, but
# neither guest loads virtio_net, so the device is never activated and candor-net never
# gets SET_MEM_TABLE: no backend can write guest memory. Each guest writes 400 lines
# through printk (the kernel's 8250 console, io_serial_out). L1's memory and its
# reclaim/migration counters are printed before and after (LAB-INFO ... L1-mem).
vcpus=1
memory=256
l2_timeout=900
hub=/tmp/console-pair-hub.sock
cmdline="loglevel=7 lab.role=a"
devices="vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=52:54:00:00:00:0a"

l1mem() {
    echo "LAB-INFO $scenario L1-mem $1 $(free -m | awk '/Mem:/{print "used="$3" free="$4" shared="$5" avail="$7}')" \
        "$(grep -E '^(pgmigrate_success|compact_migrate_scanned|thp_collapse_alloc|pgsteal_kswapd|pgscan_kswapd) ' /proc/vmstat | tr '\n' ' ')"
}
alive() {
    state=$(cut -d' ' -f3 /proc/$1/stat 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

setup() {
    l1mem start
    rm -f $hub /tmp/console-pair-b.serial /tmp/console-pair-b.err
    candor-net --hub $hub > /tmp/console-pair-hub.log 2>&1 &
    hub_pid=$!
    i=0; while [ ! -S $hub ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" --vcpus 1 --memory 256 \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=1 loglevel=7 lab.role=b" \
        --device "vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=52:54:00:00:00:0b" \
        > /tmp/console-pair-b.serial 2> /tmp/console-pair-b.err < /dev/null &
    b_pid=$!
}

teardown() {
    l1mem end
    # b needs about as long as a; five minutes at most.
    i=0; while alive $b_pid && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 $b_pid 2>/dev/null
    wait $b_pid; b_status=$?
    kill $hub_pid 2>/dev/null; wait $hub_pid
}

verify() {
    tr -d '\r' < /tmp/console-pair-b.serial > /tmp/console-pair-b.txt
    if [ "$b_status" = 0 ]; then check b-vmm-exit pass
    else check b-vmm-exit fail "status $b_status: $(cat /tmp/console-pair-b.txt /tmp/console-pair-b.err | grep -o 'candor-vm: .*' | tail -n 1)"; fi
    expect_line b-guest-done /tmp/console-pair-b.txt "L2-DONE"
    grep -q L2-DONE /tmp/console-pair-b.txt || sed "s/^/LAB-OUT $scenario b: /" /tmp/console-pair-b.txt | tail -n 30
}
