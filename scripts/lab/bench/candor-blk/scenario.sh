# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The benchmark: candor-vm with candor-blk.
vcpus=1
image=/tmp/bench.img
setup() {
    make_image $image 64
    devices="vhost-user-blk,driver=/lab/bin/candor-blk,image=$image"
}
