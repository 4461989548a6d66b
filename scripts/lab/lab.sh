#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# The nested lab (see MACHINE.md): QEMU's TCG emulates AMD-V, so a Debian kernel in
# qemu-system-x86_64 (L1) loads kvm-amd and the release candor-vm inside boots Linux (L2).
#
#   scripts/lab/lab.sh [--with-qemu] [--tcg-threads multi|single] [--log FILE] [--timeout SECONDS] [--stall SECONDS] SCENARIO_DIR...
#
# Builds the L1 image from Debian packages only (the kernel package's vmlinuz and kvm
# modules, busybox-static, qemu-storage-daemon with its libraries) plus candor-vm and the
# drivers, cached in .cache/lab/ under the hash of its inputs. Then boots L1 once and runs
# every scenario in order (see scripts/lab/README.md for the scenario format). L1 prints
# one line per check on its serial, which this script repeats on stdout as it comes:
#   LAB-CHECK <scenario> <check> pass|fail [detail]
# and "LAB-END" when all scenarios ran. Exit status: 0 when every check passed.
# --timeout bounds one L1 boot (default 1800 s). L1 beats on its second serial port; when
# the beat stops for --stall seconds (default 180), L1 (the emulator or its kernel) has
# stopped running: that is reported as "LAB-STALL <scenario> ..." and the scenarios not
# yet done run again once in a new L1.
# --with-qemu adds qemu-system-x86_64 and its microvm firmware to L1 (the benchmark).
# --tcg-threads: QEMU's TCG emulates L1's two CPUs on a host thread each (multi, the
# default) or both on one (single).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
lab="$root/scripts/lab"
cache="$root/.cache/lab"
candor_vm=${CANDOR_VM:-$root/.build/release/candor-vm}
drivers="$root/hypervisor/build"
with_qemu=0
tcg_threads=multi
log=""
timeout=1800
stall=180
max_restarts=1

die() { echo "lab: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --with-qemu) with_qemu=1; shift ;;
        --tcg-threads) tcg_threads=${2:?--tcg-threads needs multi or single}; shift 2 ;;
        --log) log=${2:?--log needs a file}; shift 2 ;;
        --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
        --stall) stall=${2:?--stall needs seconds}; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || die "usage: lab.sh [--with-qemu] [--tcg-threads multi|single] [--log FILE] [--timeout SECONDS] [--stall SECONDS] SCENARIO_DIR..."
case "$tcg_threads" in multi|single) ;; *) die "--tcg-threads: '$tcg_threads' is neither multi nor single" ;; esac
case "$timeout" in ''|*[!0-9]*) die "--timeout: '$timeout' is not a number of seconds" ;; esac
case "$stall" in ''|*[!0-9]*) die "--stall: '$stall' is not a number of seconds" ;; esac

# Every tool comes from a Debian package; name the package when one is missing.
need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found: install the Debian package $2 (make setup)"
}
need qemu-system-x86_64 qemu-system-x86
need qemu-storage-daemon qemu-system-common
need cpio cpio
need gcc gcc
need dpkg-deb dpkg
need sha256sum coreutils
[ -x "$candor_vm" ] || die "$candor_vm missing: build it with 'swift build -c release --static-swift-stdlib --product candor-vm'"
for d in candor-blk candor-rng candor-net; do
    [ -x "$drivers/$d" ] || die "$drivers/$d missing: build the drivers with 'make drivers'"
done
for s in "$@"; do
    [ -f "$s/scenario.sh" ] || die "$s: not a scenario (no scenario.sh)"
    [ -f "$s/guest.sh" ] || die "$s: not a scenario (no guest.sh)"
done

# The Debian kernel and busybox-static, as the boot tests fetch them.
"$root/scripts/fetch-kernel.sh" >/dev/null || die "scripts/fetch-kernel.sh failed"
kcache="$root/.cache/kernel"
kernel_deb=$(ls "$kcache"/linux-image-*.deb 2>/dev/null | head -n 1)
[ -n "$kernel_deb" ] || die "$kcache: no linux-image-*.deb (scripts/fetch-kernel.sh did not download the kernel package)"
busybox="$kcache/busybox-package/bin/busybox"
[ -x "$busybox" ] || die "$busybox missing: the Debian package busybox-static was not unpacked"
vmlinuz="$kcache/vmlinuz"

mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/candor-lab.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The modules both levels need, from the same kernel package (Debian builds them as
# modules): L1 loads kvm-amd and tun (candor-net's TAP port), L2 the virtio drivers
# (virtio_net after failover and net_failover), each list in load order.
l1_modules="virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm-amd.ko drivers/net/tun.ko"
l2_modules="drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko drivers/char/hw_random/virtio-rng.ko drivers/char/virtio_console.ko net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko"
modules="$cache/modules-$(basename "$kernel_deb" .deb)"
if [ ! -d "$modules" ]; then
    rm -rf "$modules.tmp"; mkdir -p "$modules.tmp"
    dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$modules.tmp" --wildcards './lib/modules/*/kernel/*' \
        || die "$kernel_deb: cannot unpack its modules"
    mv "$modules.tmp" "$modules"
fi
module_path() {
    local m
    m=$(ls "$modules"/lib/modules/*/kernel/"$1" 2>/dev/null | head -n 1)
    [ -n "$m" ] || die "$kernel_deb has no module $1"
    echo "$m"
}

# Static helpers built from scripts/lab/*.c with the Debian gcc.
build_helper() {
    local out="$cache/$1-$(sha256sum "$lab/$1.c" | cut -c1-16)"
    if [ ! -x "$out" ]; then
        gcc -static -O2 -Wall -Wextra -o "$out.tmp" "$lab/$1.c" || die "$lab/$1.c: gcc -static failed (is libc6-dev installed?)"
        mv "$out.tmp" "$out"
    fi
    echo "$out"
}
timer=$(build_helper lab-timer)
randread=$(build_helper lab-randread)
qmp=$(build_helper lab-qmp)

# Writes the tree $1 as a deterministic newc archive to $2 (fixed order, owner, times).
pack() {
    find "$1" -exec touch -h -d @0 {} +
    (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) > "$2.tmp"
    mv "$2.tmp" "$2"
}

# Copies executable $1 to $2 in tree $3 with every shared library ldd names at its path.
install_program() {
    mkdir -p "$3$(dirname "$2")"
    cp -L "$1" "$3$2"
    local lib
    for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
        [ -e "$3$lib" ] && continue
        mkdir -p "$3$(dirname "$lib")"
        cp -L "$lib" "$3$lib"
    done
}

# The cache key: the content of every input and of the lab scripts themselves.
key() {
    sha256sum "$@" | cut -c1-64 | sha256sum | cut -c1-16
}

qemu_inputs=()
qemu_firmware="bios-microvm.bin linuxboot_dma.bin pvh.bin"
[ "$with_qemu" = 1 ] && qemu_inputs=(/usr/bin/qemu-system-x86_64 $(printf '/usr/share/qemu/%s ' $qemu_firmware))
l1_key=$(key "$kernel_deb" "$busybox" "$candor_vm" "$drivers/candor-blk" "$drivers/candor-rng" "$drivers/candor-net" \
    /usr/bin/qemu-storage-daemon "$timer" "$qmp" "$lab/l1-init" "$lab/lab.sh" "${qemu_inputs[@]}")
variant=plain
[ "$with_qemu" = 1 ] && variant=qemu
l1_image="$cache/l1-$variant-$l1_key.cpio"
if [ ! -f "$l1_image" ]; then
    tree="$work/l1"
    mkdir -p "$tree"/{bin,dev,proc,sys,tmp,lib/modules,lab/bin}
    cp "$busybox" "$tree/bin/busybox"
    cp "$lab/l1-init" "$tree/init"; chmod 755 "$tree/init"
    for m in $l1_modules; do cp "$(module_path "$m")" "$tree/lib/modules/"; done
    cp "$vmlinuz" "$tree/lab/vmlinuz"
    cp "$timer" "$tree/lab/bin/lab-timer"
    cp "$qmp" "$tree/lab/bin/lab-qmp"
    install_program "$candor_vm" /lab/bin/candor-vm "$tree"
    install_program "$drivers/candor-blk" /lab/bin/candor-blk "$tree"
    install_program "$drivers/candor-rng" /lab/bin/candor-rng "$tree"
    install_program "$drivers/candor-net" /lab/bin/candor-net "$tree"
    install_program /usr/bin/qemu-storage-daemon /lab/bin/qemu-storage-daemon "$tree"
    if [ "$with_qemu" = 1 ]; then
        install_program /usr/bin/qemu-system-x86_64 /lab/bin/qemu-system-x86_64 "$tree"
        # The benchmark boots both VMMs from the unpacked ELF kernel (see scripts/bench/lab.sh).
        cp "$kcache/vmlinux" "$tree/lab/vmlinux"
        mkdir -p "$tree/usr/share/qemu"
        for f in $qemu_firmware; do cp "/usr/share/qemu/$f" "$tree/usr/share/qemu/"; done
    fi
    # The kernel opens /dev/console for /init's stdio before anything is mounted.
    mknod "$tree/dev/console" c 5 1 || die "cannot create dev/console (run as root)"
    rm -f "$cache"/l1-"$variant"-*.cpio   # an older build of the same variant
    pack "$tree" "$l1_image"
fi

l2_key=$(key "$kernel_deb" "$busybox" "$randread" "$lab/l2-init" "$lab/lab.sh")
l2_image="$cache/l2-$l2_key.cpio"
if [ ! -f "$l2_image" ]; then
    tree="$work/l2"
    mkdir -p "$tree"/{bin,dev,proc,sys,tmp,lib/modules}
    cp "$busybox" "$tree/bin/busybox"
    cp "$randread" "$tree/bin/lab-randread"
    cp "$lab/l2-init" "$tree/init"; chmod 755 "$tree/init"
    for m in $l2_modules; do cp "$(module_path "$m")" "$tree/lib/modules/"; done
    mknod "$tree/dev/console" c 5 1 || die "cannot create dev/console (run as root)"
    rm -f "$cache"/l2-*.cpio
    pack "$tree" "$l2_image"
fi

# The run's own archive, appended to the L1 image (the kernel unpacks concatenated
# archives in turn): the scenarios in order, each with its L2 initramfs (the L2 image
# plus the scenario's guest.sh). Writes $work/initrd.cpio for the scenario dirs given.
make_initrd() {
    local run="$work/run" s name
    rm -rf "$run"; mkdir -p "$run/lab/run"
    : > "$run/lab/run/order"
    for s in "$@"; do
        name=$(basename "$s")
        rm -rf "$work/guest-$name"; mkdir -p "$run/lab/run/$name" "$work/guest-$name"
        cp "$s/scenario.sh" "$run/lab/run/$name/scenario.sh"
        cp "$s/guest.sh" "$work/guest-$name/scenario.sh"
        pack "$work/guest-$name" "$work/guest-$name.cpio"
        cat "$l2_image" "$work/guest-$name.cpio" > "$run/lab/run/$name/l2.cpio"
        echo "$name" >> "$run/lab/run/order"
    done
    pack "$run" "$work/run.cpio"
    cat "$l1_image" "$work/run.cpio" > "$work/initrd.cpio"
}

# The LAB- lines of the serial log $1 from line $2 on (the protocol, without the kernel's).
lab_lines() {
    tr -d '\r' < "$1" | grep -E '^LAB-(BEGIN|CHECK|DONE|END|ERROR|INFO|OUT|RESULT)' | tail -n +"$2" || true
}

# Boots L1 with $work/initrd.cpio, serial log $1. Prints the LAB- lines as they come. Sets
# `ended` to how L1 ended: poweroff, exit STATUS, stalled (its heartbeat stopped: the
# emulator or L1's kernel no longer runs), panicked (L1's kernel panicked) or timeout.
# no_timer_check: on a loaded host the emulated timer can miss the kernel's IO-APIC timer
# check, which then panics ("IO-APIC + timer doesn't work", seen here).
boot_l1() {
    local serial=$1 alive="$1.alive" shown=0 lines size beat_size=-1 beat_at=$SECONDS started=$SECONDS
    : > "$serial"; : > "$alive"
    # L1: TCG with AMD-V (-cpu max, vendor AuthenticAMD); its first serial port is the
    # result channel, the second its heartbeat.
    qemu-system-x86_64 -accel tcg,thread=$tcg_threads \
        -cpu max,vendor=AuthenticAMD -m 2048 -smp 2 \
        -kernel "$vmlinuz" -initrd "$work/initrd.cpio" \
        -append "console=ttyS0 panic=-1 quiet no_timer_check" \
        -display none -monitor none -serial "file:$serial" -serial "file:$alive" -no-reboot </dev/null &
    local qemu=$!
    ended=""
    while kill -0 "$qemu" 2>/dev/null; do
        sleep 2
        lines=$(lab_lines "$serial" $((shown + 1)))
        if [ -n "$lines" ]; then printf '%s\n' "$lines"; shown=$((shown + $(printf '%s\n' "$lines" | wc -l))); fi
        size=$(stat -c %s "$alive")
        if [ "$size" != "$beat_size" ]; then beat_size=$size; beat_at=$SECONDS; fi
        if [ $((SECONDS - beat_at)) -ge "$stall" ]; then ended=stalled; break; fi
        if [ $((SECONDS - started)) -ge "$timeout" ]; then ended=timeout; break; fi
    done
    if [ -n "$ended" ]; then
        # (QEMU may be gone by then: a failed kill must not end the script under set -e)
        kill "$qemu" 2>/dev/null || true; sleep 5; kill -KILL "$qemu" 2>/dev/null || true
    fi
    local status=0
    wait "$qemu" 2>/dev/null || status=$?   # (not the shell's "Killed" line: the reason is reported below)
    lab_lines "$serial" $((shown + 1))
    if [ -z "$ended" ]; then
        if tr -d '\r' < "$serial" | grep -q '^\[ *[0-9.]*\] Kernel panic - not syncing'; then ended=panicked
        elif [ "$status" -eq 0 ]; then ended=poweroff; else ended="exit $status"; fi
    fi
}

# The scenarios of $@ that L1's log $1 does not show as done (LAB-DONE).
not_done() {
    local serial=$1 s; shift
    for s in "$@"; do
        tr -d '\r' < "$serial" | grep -qx "LAB-DONE $(basename "$s")" || echo "$s"
    done
}

# The end of a serial log, for a run that did not end well.
show_tail() {
    echo "lab: the last 40 lines of $1:" >&2
    tr -d '\r' < "$1" | tail -n 40 | sed 's/^/  | /' >&2
}

[ -n "$log" ] || log="$work/l1.log"
mkdir -p "$(dirname "$log")"
# A stalled L1 (no heartbeat for $stall s) or a panic of L1's own kernel (a stock Debian
# kernel: no process in it, candor-vm included, should be able to crash it; seen under
# QEMU's TCG with two L2 guests, see README.md) is the emulator's failure, not a check's:
# the scenarios L1 had not finished run again in a new L1, at most $max_restarts times,
# and the failure is reported (LAB-STALL, LAB-PANIC). Everything else counts as it happened.
remaining=("$@")
restarts=0
attempt_log=$log
logs=()
while :; do
    logs+=("$attempt_log")
    make_initrd "${remaining[@]}"
    boot_l1 "$attempt_log"
    current=$(tr -d '\r' < "$attempt_log" | sed -n 's/^LAB-BEGIN //p' | tail -n 1)
    case "$ended" in
        stalled) echo "LAB-STALL ${current:-boot} L1 stopped running (no heartbeat for $stall s) during ${current:-its boot}; log: $attempt_log" ;;
        panicked) echo "LAB-PANIC ${current:-boot} L1's kernel panicked during ${current:-its boot}: $(tr -d '\r' < "$attempt_log" | grep -m 1 -o 'Kernel panic - not syncing.*'); log: $attempt_log" ;;
        *) break ;;
    esac
    show_tail "$attempt_log"
    mapfile -t remaining < <(not_done "$attempt_log" "${remaining[@]}")
    restarts=$((restarts + 1))
    [ "$restarts" -le "$max_restarts" ] && [ "${#remaining[@]}" -gt 0 ] || break
    attempt_log="$log.restart-$restarts"
done
case "$ended" in
    poweroff) ;;
    timeout) echo "lab: L1 did not power off within $timeout s (serial log: $attempt_log)" >&2; show_tail "$attempt_log"; exit 1 ;;
    stalled|panicked) echo "lab: L1 failed $restarts times, the last time $ended (serial log: $attempt_log)" >&2; exit 1 ;;
    *) echo "lab: qemu-system-x86_64: $ended (serial log: $attempt_log)" >&2; show_tail "$attempt_log"; exit 1 ;;
esac
tr -d '\r' < "$attempt_log" | grep -q '^LAB-END' || { echo "lab: L1 stopped before all scenarios ran (serial log: $attempt_log)" >&2; show_tail "$attempt_log"; exit 1; }
# A check that failed in a stalled L1 still counts.
if cat "${logs[@]}" | tr -d '\r' | grep -q '^LAB-CHECK [^ ]* [^ ]* fail'; then exit 1; fi
exit 0
