# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Four vCPUs; virtio-blk through qemu-storage-daemon's vhost-user-blk export, the same
# guest checks as with candor-blk.
vcpus=4
image=/tmp/qsd.img
socket=/tmp/qsd.sock
setup() {
    make_image $image 16
    start_qsd $image $socket
    devices="vhost-user-blk,socket=$socket"
}
teardown() { stop_qsd; }
verify() {
    check_guest_block $image
}
