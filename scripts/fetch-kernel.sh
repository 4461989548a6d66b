#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Fetches the Debian kernel and busybox-static into .cache/kernel/ (git-ignored) and
# builds what the boot tests use:
#   vmlinuz            the bzImage from linux-image-<version>-amd64
#   vmlinux            the ELF kernel unpacked from the bzImage's xz payload
#   initramfs.cpio.gz  busybox-static plus an /init that prints a marker and powers off
# Idempotent: files that already exist are kept. Prints the paths at the end.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache/kernel"
mkdir -p "$cache"
cd "$cache"

# The package linux-image-amd64 points at the current versioned kernel package.
kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1
}

# Downloads package $1 (unless a .deb of it is here) and unpacks its directory $3
# (e.g. ./boot) into directory $2.
fetch_package() {
    if ! ls "$1"_*.deb >/dev/null 2>&1; then
        apt-get download "$1"
    fi
    if [ ! -d "$2" ]; then
        rm -rf "$2.tmp"
        mkdir "$2.tmp"
        dpkg-deb --fsys-tarfile "$(ls "$1"_*.deb | head -n 1)" | tar -x -C "$2.tmp" "$3"
        mv "$2.tmp" "$2"
    fi
}

if [ ! -f vmlinuz ]; then
    package=$(kernel_package)
    if [ -z "$package" ]; then
        apt-get update >/dev/null
        package=$(kernel_package)
    fi
    [ -n "$package" ] || { echo "fetch-kernel: apt-cache knows no linux-image-amd64 dependency" >&2; exit 1; }
    fetch_package "$package" kernel-package ./boot
    cp kernel-package/boot/vmlinuz-* vmlinuz.tmp
    mv vmlinuz.tmp vmlinuz
fi

# Little-endian unsigned integer of $2 bytes at offset $1 of vmlinuz.
header_field() {
    od -An -t u"$2" -j "$1" -N "$2" vmlinuz | tr -d ' '
}

if [ ! -f vmlinux ]; then
    setup_sects=$(header_field $((0x1f1)) 1)
    [ "$setup_sects" -eq 0 ] && setup_sects=4
    payload_offset=$(header_field $((0x248)) 4)
    payload_length=$(header_field $((0x24c)) 4)
    start=$(( (setup_sects + 1) * 512 + payload_offset ))
    # The payload is an xz stream followed by the 4-byte uncompressed size; --single-stream
    # stops at the end of the stream and ignores that trailer.
    tail -c +$((start + 1)) vmlinuz | head -c "$payload_length" | xz -dc --single-stream > vmlinux.tmp
    mv vmlinux.tmp vmlinux
fi

if [ ! -f initramfs.cpio.gz ]; then
    fetch_package busybox-static busybox-package ./bin
    rm -rf initramfs
    mkdir -p initramfs/bin initramfs/sbin initramfs/dev initramfs/proc initramfs/sys
    cp busybox-package/bin/busybox initramfs/bin/busybox
    for applet in sh echo cat mount poweroff reboot ls uname; do
        ln -s busybox "initramfs/bin/$applet"
    done
    cat > initramfs/init <<'INIT'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "CANDOR-INITRAMFS-OK"
/bin/busybox poweroff -f
INIT
    chmod 755 initramfs/init
    # The kernel opens /dev/console for /init's stdio before anything is mounted.
    mknod initramfs/dev/console c 5 1 2>/dev/null ||
        echo "fetch-kernel: cannot create /dev/console (not root): /init will have no console" >&2
    # Fixed order and owner so the archive is the same on every run.
    (cd initramfs && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n > initramfs.cpio.gz.tmp
    mv initramfs.cpio.gz.tmp initramfs.cpio.gz
    rm -rf initramfs
fi

echo "$cache/vmlinuz"
echo "$cache/vmlinux"
echo "$cache/initramfs.cpio.gz"
