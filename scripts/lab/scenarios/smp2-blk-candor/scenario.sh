# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Two vCPUs; virtio-blk through the candor-blk driver (a separate process started by
# candor-vm). The guest checks a read of data L1 wrote, a write and a flush; L1 then
# finds the guest's write in the image.
vcpus=2
image=/tmp/candor-blk.img
setup() {
    dd if=/dev/urandom of=$image bs=1M count=1 2>/dev/null
    dd if=/dev/zero of=$image bs=1M count=15 seek=1 2>/dev/null
    cmdline="lab.sha=$(head -c 1048576 $image | sha256sum | cut -d' ' -f1)"
    devices="vhost-user-blk,driver=/lab/bin/candor-blk,image=$image"
}
verify() {
    expect_line blk-write-reached-image "$image" "candor-lab-block-written-by-the-guest"
}
