# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Live migration of a Linux guest with a virtio-net device served by candor-net (each
# candor-vm starts its own) on a `candor-net --hub` switch whose TAP port cnet0 joins L1
# (10.0.2.1) to it. The guest (10.0.2.11) pings L1 five times a second while it counts on
# its console every 10 ms, 1,000 times (the pre-copy rounds take seconds here); at count
# 50 L1 migrates it (run_migration in l1-init), so replies arrive while the source's
# rings are stopped (GET_VRING_BASE) and while the destination's candor-net starts at the
# positions they stopped at. After the count the guest pings L1 again and fetches a 1 MiB
# random file from L1's httpd, whose SHA-256 it compares with the one L1 put on its
# command line. Checks: as `migrate`, plus those.
vcpus=1
memory=128
l2_timeout=200
count=1000
hub=/tmp/migrate-net.sock
www=/tmp/migrate-net-www
migrate_at="L2-COUNT 50 "
devices="vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=52:54:00:00:00:0c"

setup() {
    rm -rf $www
    mkdir -p $www
    start_hub $hub
    dd if=/dev/urandom of=$www/file bs=1024 count=1024 2>/dev/null
    cmdline="lab.count=$count lab.net=10.0.2.11,10.0.2.1 lab.sha=$(sha256sum < $www/file | cut -d' ' -f1)"
    httpd -f -p 8000 -h $www > /dev/null 2>&1 &
    httpd_pid=$!
}
run_vmm() { run_migration; }
teardown() {
    kill $httpd_pid $hub_pid 2>/dev/null
    wait $httpd_pid $hub_pid 2>/dev/null
}
verify() { verify_migration $count; }
