# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# A guest on the candor-net switch (see scenario.sh). lab.net=ROLE,SELF,PEER: role a
# fetches the file, role b serves it; L1 is 10.0.2.1.
spec=$(arg net)
role=${spec%%,*}; rest=${spec#*,}; self=${rest%%,*}; peer=${rest#*,}
host=10.0.2.1
# virtio_net and the modules it needs, in dependency order.
for m in failover net_failover virtio_net; do
    insmod "/lib/modules/$m.ko" || check "insmod-$m" fail
done
dev=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
if [ -n "$dev" ]; then check net-device pass "$dev $(cat /sys/class/net/$dev/address)"
else check net-device fail "no network interface (virtio_net did not probe)"; fi
ip link set lo up
ip link set "$dev" up
ip addr add "$self/24" dev "$dev"
mkdir -p /tmp/www
httpd -p 8000 -h /tmp/www
if [ "$role" = b ]; then
    # Published whole (mv), the checksum last: a fetches the checksum first, so it never
    # reads a half-written file.
    dd if=/dev/urandom of=/tmp/file bs=1024 count=1024 2>/dev/null
    sha256sum < /tmp/file | cut -d' ' -f1 > /tmp/file.sha256
    echo "L2-RESULT net-file-sent $(cat /tmp/file.sha256) $(wc -c < /tmp/file)"
    mv /tmp/file /tmp/www/file
    mv /tmp/file.sha256 /tmp/www/file.sha256
fi

# ping_until NAME TARGET: up to 120 one-second tries (the other guest may still be booting).
ping_until() {
    i=0; while [ $i -lt 120 ] && ! ping -c 1 -W 1 "$2" >/dev/null 2>&1; do i=$((i + 1)); done
    if [ $i -lt 120 ]; then check "$1" pass "$2 answered after $i unanswered pings"; else check "$1" fail "$2 did not answer"; fi
}
ping_until ping-l1 "$host"
ping_until ping-peer "$peer"

# fetch URL FILE: busybox wget, retried; its -T option crashes, so timeout(1) bounds it.
fetch() {
    i=0; while [ $i -lt 120 ] && ! timeout 10 wget -q -O "$2" "$1" 2>/dev/null; do sleep 1; i=$((i + 1)); done
    [ $i -lt 120 ]
}
if [ "$role" = a ]; then
    if fetch "http://$peer:8000/file.sha256" /tmp/file.sha256 && fetch "http://$peer:8000/file" /tmp/file; then
        got=$(sha256sum < /tmp/file | cut -d' ' -f1)
        echo "L2-RESULT net-file-received $got $(wc -c < /tmp/file)"
        if [ "$got" = "$(cat /tmp/file.sha256)" ]; then check file-sha256 pass; else check file-sha256 fail "got $got, b published $(cat /tmp/file.sha256)"; fi
    else
        check file-sha256 fail "could not fetch the file from $peer"
    fi
fi
touch /tmp/www/done
# Stay on the network until L1 says everyone is done.
if fetch "http://$host:8000/go" /dev/null; then check released-by-l1 pass; else check released-by-l1 fail "no /go from L1"; fi
