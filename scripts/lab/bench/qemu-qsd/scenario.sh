# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The benchmark's reference: qemu-system-x86_64 -M microvm on KVM with the same kernel,
# initramfs, memory and vCPUs, its disk from qemu-storage-daemon over vhost-user (which
# needs guest memory in a shared memfd, as candor-vm's is).
vcpus=1
image=/tmp/bench.img
socket=/tmp/qsd.sock
setup() {
    make_image $image 64
    start_qsd $image $socket
}
teardown() { stop_qsd; }
run_vmm() {
    lab-timer -t "$l2_timeout" -m L2-INIT -o "$serial" -- \
        qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host -M microvm,memory-backend=mem \
        -object memory-backend-memfd,id=mem,size=${memory}M,share=on -m "${memory}M" -smp "$vcpus" \
        -nodefaults -no-user-config -display none -serial stdio -no-reboot \
        -chardev socket,id=disk,path=$socket -device vhost-user-blk,chardev=disk \
        -kernel /lab/vmlinuz -initrd "$dir/l2.cpio" \
        -append "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline"
}
