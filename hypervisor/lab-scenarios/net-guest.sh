#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# net-guest.sh: the guest half of the two-guest network scenario (see net-l1.sh), run by
# the L2 guest's busybox /init. Kernel command line: candor.net=ROLE,SELF,PEER with ROLE
# "a" (receives the file) or "b" (sends it), e.g. candor.net=a,10.0.2.11,10.0.2.12; the
# L1 host is 10.0.2.1. Prints "candor-net: ..." lines on the console; net-l1.sh reads them.
# Expects the kernel's modules under /lib/modules/$(uname -r).
set -u
say() { echo "candor-net: $*"; }

spec=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^candor\.net=//p')
role=${spec%%,*}; rest=${spec#*,}; self=${rest%%,*}; peer=${rest#*,}
host=10.0.2.1
[ -n "$spec" ] || { say "FAIL no candor.net= on the kernel command line"; exit 1; }

# virtio_net and what it needs, in dependency order (Debian builds them as modules).
m=/lib/modules/$(uname -r)/kernel
for ko in drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_mmio.ko \
          net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko; do
	[ -e "$m/$ko" ] || continue
	insmod "$m/$ko" 2>/dev/null || grep -q "^$(basename "$ko" .ko | tr - _) " /proc/modules ||
		say "FAIL insmod $ko"
done
dev=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
[ -n "$dev" ] || { say "FAIL no network interface (virtio_net did not probe)"; exit 1; }
say "interface $dev mac $(cat /sys/class/net/"$dev"/address)"
ip link set lo up
ip link set "$dev" up
ip addr add "$self/24" dev "$dev"

for target in "$host" "$peer"; do
	ok=no
	for i in 1 2 3 4 5 6 7 8 9 10; do
		ping -c 1 -W 1 "$target" >/dev/null 2>&1 && { ok=yes; break; }
	done
	if [ $ok = yes ]; then say "PASS ping $target"; else say "FAIL ping $target"; fi
done

# The file: 1 MiB of random bytes from b to a over TCP, checked by SHA-256.
if [ "$role" = a ]; then
	nc -l -p 5000 > /tmp/received
	say "received $(sha256sum < /tmp/received | cut -d' ' -f1) $(wc -c < /tmp/received)"
else
	dd if=/dev/urandom of=/tmp/sent bs=1024 count=1024 2>/dev/null
	say "sent $(sha256sum < /tmp/sent | cut -d' ' -f1) $(wc -c < /tmp/sent)"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		nc -w 3 "$peer" 5000 < /tmp/sent && break
		sleep 1
	done
fi
# Stay reachable while the L1 host pings us, then power off.
sleep 8
say "done"
poweroff -f
