# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Two vCPUs; virtio-blk through the candor-blk driver (a separate process started by
# candor-vm). The guest checks a read of data L1 wrote, a write and a flush; L1 then
# finds the guest's write in the image.
vcpus=2
image=/tmp/candor-blk.img
setup() {
    make_image $image 16
    devices="vhost-user-blk,driver=/lab/bin/candor-blk,image=$image"
}
verify() {
    check_guest_block $image
}
