# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Live migration of a Linux guest with a vhost-user-blk disk served by candor-blk (a
# driver process each candor-vm starts): the guest writes a count to its console and into
# its own sector of /dev/vda every 10 ms; at count 50 L1 migrates it (run_migration in
# l1-init). The source's candor-blk logs its writes to guest memory for the pre-copy
# rounds and answers every request before the state is taken; the destination starts its
# own candor-blk on the same image at the ring positions the source reached. Checks: as
# `migrate`, plus every count in its sector of the image and the block checks after the
# migration.
vcpus=2
memory=128
image=/tmp/migrate-blk.img
l2_timeout=200
count=150
cmdline="lab.count=$count"
migrate_at="L2-COUNT 50 "

setup() {
    make_image $image 16
    devices="vhost-user-blk,driver=/lab/bin/candor-blk,image=$image"
}
run_vmm() { run_migration; }
verify() {
    verify_migration $count
    check_counts_on_disk $image $count
    check_guest_block $image
}
