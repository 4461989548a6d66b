# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The benchmark: candor-vm with qemu-storage-daemon (the backend alone compared).
vcpus=1
# The unpacked ELF kernel, as for every VMM of this benchmark (scripts/bench/lab.sh).
kernel=/lab/vmlinux
image=/tmp/bench.img
socket=/tmp/qsd.sock
setup() {
    make_image $image 64
    start_qsd $image $socket
    devices="vhost-user-blk,socket=$socket"
}
teardown() { stop_qsd; }
