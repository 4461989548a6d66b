# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Two guests on one candor-net switch: `candor-net --hub` with the TAP port cnet0, which
# joins L1 (10.0.2.1) to it. Guest a (10.0.2.11) is the scenario's timed boot; guest b
# (10.0.2.12) runs beside it. Each guest pings L1 and the other guest; a fetches a 1 MiB
# random file from b's httpd and compares its SHA-256 with the one b published. L1 pings
# both guests, and only when both pings succeeded and both guests have published /done
# does it publish /go ("go"), which lets the guests power off (so each stays reachable
# while the others still need it).
#
# Every wait is bounded, and a guest that is gone ends the exchange at once: when b's
# candor-vm exits early, or a's ends, L1 publishes /go as "abort REASON", which the other
# guest's waits check, so it reports why and powers off instead of retrying a dead peer
# (seen: a guest's boot ended in a triple fault and the other one, and L1 with it, sat
# idle until the lab's timeout).
vcpus=1
memory=256
# Two guests share L1's two emulated CPUs: a boots at about half the usual speed.
l2_timeout=900
hub=/tmp/net-hub.sock
www=/tmp/net-www
net_mac_a=52:54:00:00:00:0a
net_mac_b=52:54:00:00:00:0b
# lab.net=ROLE,SELF,PEER,SECONDS: the guest gives up waiting SECONDS after its /init.
net_wait=600
cmdline="lab.net=a,10.0.2.11,10.0.2.12,$net_wait"
devices="vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=$net_mac_a"

uptime_s() { cut -d. -f1 /proc/uptime; }
# alive PID: the process runs (a zombie no longer does).
alive() {
    state=$(cut -d' ' -f3 /proc/$1/stat 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}
# publish_go TEXT: L1's answer on /go, written whole; the first answer stays.
publish_go() {
    [ -e $www/go ] && return
    echo "$*" > $www/go.tmp && mv $www/go.tmp $www/go
}
# vmm_error FILE: candor-vm's last message in FILE (it may follow guest output on a line).
vmm_error() {
    message=$(tr -d '\r' < "$1" 2>/dev/null | grep -o 'candor-vm: .*' | tail -n 1)
    echo "${message:-no message from candor-vm (killed by a signal?)}"
}

# net_coordinate: L1's part, in the background; each result a line in $www.results.
# One step per turn (ping a, ping b, a's /done, b's /done), b's VMM checked every turn.
net_coordinate() {
    deadline=$(($(uptime_s) + l2_timeout - 60))
    step=0
    while [ $step -lt 4 ]; do
        if ! alive $b_pid; then
            echo "peer-vmms fail guest b's candor-vm exited during the exchange: $(vmm_error /tmp/net-b.err)" >> $www.results
            publish_go "abort guest b's candor-vm exited: $(vmm_error /tmp/net-b.err)"
            return
        fi
        if [ "$(uptime_s)" -ge $deadline ]; then
            what="pinging 10.0.2.11|pinging 10.0.2.12|waiting for a's /done|waiting for b's /done"
            what=$(echo "$what" | cut -d'|' -f$((step + 1)))
            echo "l1-exchange fail L1 gave up $((l2_timeout - 60)) s after the start, $what" >> $www.results
            publish_go "abort L1 gave up $what"
            return
        fi
        case $step in
            0) ping -c 1 -W 1 10.0.2.11 >/dev/null 2>&1 && { echo "l1-pings-10.0.2.11 pass" >> $www.results; step=1; } ;;
            1) ping -c 1 -W 1 10.0.2.12 >/dev/null 2>&1 && { echo "l1-pings-10.0.2.12 pass" >> $www.results; step=2; } ;;
            2) timeout 5 wget -q -O /dev/null http://10.0.2.11:8000/done 2>/dev/null && step=3 || sleep 1 ;;
            3) timeout 5 wget -q -O /dev/null http://10.0.2.12:8000/done 2>/dev/null && step=4 || sleep 1 ;;
        esac
    done
    echo "peer-vmms pass" >> $www.results
    publish_go go
}

setup() {
    rm -rf $www $www.results /tmp/net-b.serial /tmp/net-b.err
    mkdir -p $www
    start_hub $hub
    httpd -f -p 8000 -h $www > /dev/null 2>&1 &
    httpd_pid=$!
    candor-vm run --kernel /lab/vmlinuz --initrd "$dir/l2.cpio" --vcpus 1 --memory 256 \
        --cmdline "console=ttyS0 quiet panic=-1 lab.vcpus=1 lab.net=b,10.0.2.12,10.0.2.11,$net_wait" \
        --device "vhost-user-net,driver=/lab/bin/candor-net,switch=$hub,mac=$net_mac_b" \
        > /tmp/net-b.serial 2> /tmp/net-b.err < /dev/null &
    b_pid=$!
    net_coordinate > /dev/null 2>&1 &
    coordinator_pid=$!
}

# stop_process PID SECONDS: SIGTERM, then SIGKILL if it still runs after SECONDS; reaps it.
stop_process() {
    kill $1 2>/dev/null
    i=0; while alive $1 && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 $1 2>/dev/null
    wait $1
}

teardown() {
    # a's VMM has ended; if L1 has not answered yet, b is told to stop waiting for a.
    publish_go "abort guest a's candor-vm ended (${timing##* }) before the exchange finished: $(vmm_error "$serial")"
    # b polls /go about every second and then powers off; two minutes at most.
    i=0; while alive $b_pid && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
    if alive $b_pid; then b_timed_out=1; else b_timed_out=0; fi
    stop_process $b_pid 10; b_status=$?
    stop_process $coordinator_pid 2
    stop_process $httpd_pid 2
    stop_process $hub_pid 2
}

verify() {
    if [ "$b_timed_out" = 1 ]; then check b-vmm-exit fail "guest b did not power off within 120 s of a's end; stopped (status $b_status)"
    elif [ "$b_status" = 0 ]; then check b-vmm-exit pass
    else check b-vmm-exit fail "status $b_status: $(vmm_error /tmp/net-b.err)"; fi
    tr -d '\r' < /tmp/net-b.serial > /tmp/net-b.txt
    expect_line b-reached-init /tmp/net-b.txt "L2-INIT"
    expect_line b-guest-done /tmp/net-b.txt "L2-DONE"
    expect_line b-power-off /tmp/net-b.txt "reboot: Power down"
    grep '^L2-CHECK ' /tmp/net-b.txt | while read -r _ name result detail; do
        check "b-$name" "$result" "$detail"
    done
    for ip in 10.0.2.11 10.0.2.12; do
        grep -q "^l1-pings-$ip " $www.results 2>/dev/null || echo "l1-pings-$ip fail no answer before the exchange ended" >> $www.results
    done
    grep -q "^peer-vmms " $www.results 2>/dev/null || echo "peer-vmms fail the exchange did not finish: L1 says '$(cat $www/go 2>/dev/null)'" >> $www.results
    while read -r name result detail; do
        check "$name" "$result" "$detail"
    done < $www.results
    # The file's checksum as b sent it and as a received it, from both consoles.
    sent=$(sed -n 's/^L2-RESULT net-file-sent //p' /tmp/net-b.txt)
    received=$(sed -n 's/^L2-RESULT net-file-received //p' "$serial.txt")
    if [ -n "$sent" ] && [ "$sent" = "$received" ]; then check file-b-to-a pass "$sent"
    else check file-b-to-a fail "b sent '$sent', a received '$received'"; fi
    if grep -q "^LAB-CHECK $scenario [^ ]* fail" /tmp/lab.results 2>/dev/null; then
        sed "s/^/LAB-OUT $scenario b: /" /tmp/net-b.txt | tail -n 40
        sed "s/^/LAB-OUT $scenario b: /" /tmp/net-b.err | tail -n 5
    fi
}
