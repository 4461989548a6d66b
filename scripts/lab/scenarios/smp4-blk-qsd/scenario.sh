# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Four vCPUs; virtio-blk through qemu-storage-daemon's vhost-user-blk export, the same
# guest checks as with candor-blk.
vcpus=4
image=/tmp/qsd.img
socket=/tmp/qsd.sock
setup() {
    dd if=/dev/urandom of=$image bs=1M count=1 2>/dev/null
    dd if=/dev/zero of=$image bs=1M count=15 seek=1 2>/dev/null
    cmdline="lab.sha=$(head -c 1048576 $image | sha256sum | cut -d' ' -f1)"
    qemu-storage-daemon --blockdev driver=file,node-name=disk,filename=$image,cache.direct=off \
        --export type=vhost-user-blk,id=export,node-name=disk,addr.type=unix,addr.path=$socket,writable=on \
        > /tmp/qsd.log 2>&1 &
    qsd=$!
    # It creates the socket when it is ready to accept.
    i=0; while [ ! -S $socket ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    [ -S $socket ] || echo "LAB-INFO qemu-storage-daemon did not create $socket: $(cat /tmp/qsd.log)"
    devices="vhost-user-blk,socket=$socket"
}
teardown() {
    kill $qsd 2>/dev/null; wait $qsd 2>/dev/null
}
verify() {
    expect_line blk-write-reached-image "$image" "candor-lab-block-written-by-the-guest"
}
