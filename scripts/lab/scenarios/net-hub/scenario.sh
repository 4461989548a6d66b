# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Two guests on one candor-net switch: `candor-net --hub` with the TAP port cnet0, which
# joins L1 (10.0.2.1) to it. Guest a (10.0.2.11) is the scenario's timed boot; guest b
# (10.0.2.12) runs beside it. Each guest pings L1 and the other guest; a fetches a 1 MiB
# random file from b's httpd and compares its SHA-256 with the one b published. L1 pings
# both guests, and only when both pings succeeded and both guests have published /done
# does it publish /go, which lets the guests power off (so each stays reachable while the
# others still need it).
vcpus=1
memory=256
# Two guests share L1's two emulated CPUs: a boots at about half the usual speed.
l2_timeout=900
hub=/tmp/net-hub.sock
www=/tmp/net-www
net_mac_a=52:54:00:00:00:0a
net_mac_b=52:54:00:00:00:0b
cmdline="lab.net=a,10.0.2.11,10.0.2.12"
devices="vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=$net_mac_a"

# net_coordinate: L1's part, in the background; each result a line in $www.results.
net_coordinate() {
    for ip in 10.0.2.11 10.0.2.12; do
        i=0; while [ $i -lt 300 ] && ! ping -c 1 -W 1 $ip >/dev/null 2>&1; do i=$((i + 1)); done
        if [ $i -lt 300 ]; then echo "l1-pings-$ip pass"; else echo "l1-pings-$ip fail no reply in 300 tries"; fi
    done >> $www.results
    for ip in 10.0.2.11 10.0.2.12; do
        i=0; while [ $i -lt 300 ] && ! timeout 5 wget -q -O /dev/null http://$ip:8000/done 2>/dev/null; do sleep 1; i=$((i + 1)); done
    done
    touch $www/go
}

setup() {
    rm -rf $hub $www $www.results /tmp/net-b.serial /tmp/net-b.err
    mkdir -p $www
    candor-net --hub $hub --tap cnet0 > /tmp/net-hub.log 2>&1 &
    hub_pid=$!
    i=0; while [ ! -S $hub ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -S $hub ] && ip link set cnet0 up && ip addr add 10.0.2.1/24 dev cnet0; then
        check hub-tap-port pass
    else
        check hub-tap-port fail "candor-net --hub: $(cat /tmp/net-hub.log)"
    fi
    httpd -f -p 8000 -h $www > /dev/null 2>&1 &
    httpd_pid=$!
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" --vcpus 1 --memory 256 \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=1 lab.net=b,10.0.2.12,10.0.2.11" \
        --device "vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=$net_mac_b" \
        > /tmp/net-b.serial 2> /tmp/net-b.err < /dev/null &
    b_pid=$!
    net_coordinate > /dev/null 2>&1 &
    coordinator_pid=$!
}

teardown() {
    # Guest b powers off after /go, as a does; give it a minute beyond that.
    i=0; while kill -0 $b_pid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    kill $b_pid 2>/dev/null
    wait $b_pid; b_status=$?
    kill $coordinator_pid $httpd_pid $hub_pid 2>/dev/null
    wait $coordinator_pid $httpd_pid $hub_pid 2>/dev/null
}

verify() {
    if [ "$b_status" = 0 ]; then check b-vmm-exit pass; else check b-vmm-exit fail "status $b_status: $(tail -n 3 /tmp/net-b.err)"; fi
    tr -d '\r' < /tmp/net-b.serial > /tmp/net-b.txt
    expect_line b-reached-init /tmp/net-b.txt "L2-INIT"
    expect_line b-guest-done /tmp/net-b.txt "L2-DONE"
    expect_line b-power-off /tmp/net-b.txt "reboot: Power down"
    grep '^L2-CHECK ' /tmp/net-b.txt | while read -r _ name result detail; do
        check "b-$name" "$result" "$detail"
    done
    for ip in 10.0.2.11 10.0.2.12; do
        line=$(grep "^l1-pings-$ip " $www.results 2>/dev/null)
        [ -n "$line" ] || line="l1-pings-$ip fail L1 did not finish pinging"
        check $line
    done
    # The file's checksum as b sent it and as a received it, from both consoles.
    sent=$(sed -n 's/^L2-RESULT net-file-sent //p' /tmp/net-b.txt)
    received=$(sed -n 's/^L2-RESULT net-file-received //p' "$serial.txt")
    if [ -n "$sent" ] && [ "$sent" = "$received" ]; then check file-b-to-a pass "$sent"
    else check file-b-to-a fail "b sent '$sent', a received '$received'"; fi
    if grep -q "^LAB-CHECK $scenario [^ ]* fail" /tmp/lab.results 2>/dev/null; then
        sed "s/^/LAB-OUT $scenario b: /" /tmp/net-b.txt | tail -n 40
    fi
}
