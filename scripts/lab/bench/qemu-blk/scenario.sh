# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The benchmark's reference: qemu-system-x86_64 -M microvm on KVM with the same kernel,
# initramfs, memory and vCPUs, its disk on its own virtio-blk (virtio-mmio) device (the
# image is on tmpfs, which has no O_DIRECT, so QEMU's default cache mode).
# (QEMU 7.2 with qemu-storage-daemon over vhost-user here: the guest reached /init, then
# the daemon's socket closed while QEMU started the device: "vhost_set_vring_call failed".)
vcpus=1
# The unpacked ELF kernel, as for every VMM of this benchmark (scripts/bench/lab.sh).
kernel=/lab/vmlinux
image=/tmp/bench.img
setup() {
    make_image $image 64
}
run_vmm() {
    lab-timer -t "$l2_timeout" -m L2-INIT -o "$serial" -- \
        qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host -M microvm \
        -m "${memory}M" -smp "$vcpus" \
        -nodefaults -no-user-config -display none -serial stdio -no-reboot \
        -drive file=$image,if=none,id=disk,format=raw \
        -device virtio-blk-device,drive=disk \
        -kernel $kernel -initrd "$dir/l2.cpio" \
        -append "console=ttyS0 quiet panic=-1 lab.vcpus=$vcpus $cmdline"
}
