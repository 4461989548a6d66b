#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# net-l1.sh: two Linux guests and the host on one candor-net switch, run on the lab's L1
# host (a machine with /dev/kvm). The guests run net-guest.sh from their initramfs.
#
#   net-l1.sh CANDOR_VM CANDOR_NET KERNEL INITRD [WORKDIR]
#
# Starts `candor-net --hub` with a TAP port cnet0 (10.0.2.1/24 here), boots guest a
# (10.0.2.11) and guest b (10.0.2.12), each with
# `--device vhost-user-net,driver=CANDOR_NET,switch=HUB`, pings both from the host, and
# checks that each guest pinged the host and the other guest and that the file b sent over
# TCP reached a with the same SHA-256. Prints PASS/FAIL lines; exits 0 only if all passed.
set -u
[ $# -ge 4 ] || { echo "usage: net-l1.sh CANDOR_VM CANDOR_NET KERNEL INITRD [WORKDIR]" >&2; exit 2; }
vm=$1 net=$2 kernel=$3 initrd=$4 work=${5:-/tmp/candor-net-lab}
mkdir -p "$work"
failed=0
result() { echo "$1 $2"; [ "$1" = PASS ] || failed=1; }

"$net" --hub "$work/hub.sock" --tap cnet0 2>"$work/hub.log" &
hub=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$work/hub.sock" ] && break; sleep 0.2; done
ip link set cnet0 up && ip addr add 10.0.2.1/24 dev cnet0 ||
	{ echo "FAIL hub with TAP port cnet0 (see $work/hub.log)"; kill $hub; exit 1; }

boot() { # NAME MAC SELF PEER
	"$vm" run --kernel "$kernel" --initrd "$initrd" --memory 256 \
		--cmdline "console=ttyS0 quiet candor.net=$1,$3,$4" \
		--device "vhost-user-net,driver=$net,switch=$work/hub.sock,mac=$2" \
		--serial-output "$work/$1.console" 2>"$work/$1.err" &
}
boot a 52:54:00:00:00:0a 10.0.2.11 10.0.2.12; a=$!
boot b 52:54:00:00:00:0b 10.0.2.12 10.0.2.11; b=$!

for ip in 10.0.2.11 10.0.2.12; do
	ok=FAIL
	for i in $(seq 1 60); do ping -c 1 -W 1 $ip >/dev/null 2>&1 && { ok=PASS; break; }; done
	result $ok "host pings guest $ip"
done
wait $a; wait $b
kill $hub 2>/dev/null

for g in a b; do
	for target in 10.0.2.1 10.0.2.11 10.0.2.12; do
		line=$(grep "candor-net: [A-Z]* ping $target" "$work/$g.console")
		[ -n "$line" ] || continue
		case $line in *PASS*) result PASS "guest $g pings $target" ;; *) result FAIL "guest $g pings $target" ;; esac
	done
done
sent=$(sed -n 's/.*candor-net: sent //p' "$work/b.console")
received=$(sed -n 's/.*candor-net: received //p' "$work/a.console")
if [ -n "$sent" ] && [ "$sent" = "$received" ]; then
	result PASS "file b -> a over TCP, sha256 and size equal ($sent)"
else
	result FAIL "file b -> a: sent '$sent', received '$received'"
fi
exit $failed
