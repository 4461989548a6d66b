# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The benchmark: candor-vm with candor-blk.
vcpus=1
# The unpacked ELF kernel, as for every VMM of this benchmark (scripts/bench/lab.sh).
kernel=/lab/vmlinux
image=/tmp/bench.img
setup() {
    make_image $image 64
    devices="vhost-user-blk,driver=/lab/bin/candor-blk,image=$image"
}
