#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# 4 KiB random reads through virtio-blk: candor-blk against
# qemu-storage-daemon's vhost-user-blk export, in the same run, same image
# (256 MiB, warm page cache), same queue depth, same duration, driven by the
# host-side harness (hypervisor/tests/bench.c). Rounds alternate between
# the two backends; the mean IOPS of each is compared.
#
# Environment: BENCH_SECONDS (default 5 per round), BENCH_ROUNDS (3), BENCH_DEPTH (32).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
depth=${BENCH_DEPTH:-32}
size=$((256 * 1024 * 1024))
work=$root/scripts/bench/.work
image=$work/blk-bench.img
build=$root/hypervisor/build

command -v qemu-storage-daemon >/dev/null ||
	{ echo "blk.sh: qemu-storage-daemon not found (Debian package qemu-system-common)" >&2; exit 1; }
make -s -C "$root/hypervisor" all
mkdir -p "$work"
if [ "$(stat -c %s "$image" 2>/dev/null || echo 0)" != "$size" ]; then
	head -c "$size" /dev/urandom > "$image.tmp" && mv "$image.tmp" "$image"
fi
cat "$image" > /dev/null	# warm page cache

backend=
trap '[ -n "$backend" ] && kill "$backend" 2>/dev/null; rm -f "$work"/*.sock' EXIT

# run NAME: start the backend, measure, stop it; prints the IOPS.
run() {
	local sock=$work/$1.sock iops
	rm -f "$sock"
	case $1 in
	candor-blk)
		"$build/candor-blk" --socket "$sock" --image "$image" 2>>"$work/$1.log" &;;
	qemu-storage-daemon)
		qemu-storage-daemon \
			--blockdev "driver=file,node-name=f,filename=$image" \
			--export "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=$sock,writable=on" \
			2>>"$work/$1.log" &;;
	esac
	backend=$!
	iops=$("$build/vhost-bench" --socket "$sock" --image-size "$size" \
		--depth "$depth" --seconds "$seconds" | sed -n 's/^iops //p')
	kill "$backend" 2>/dev/null || true
	wait "$backend" 2>/dev/null || true
	backend=
	echo "$iops"
}

echo "virtio-blk 4 KiB random reads, 256 MiB image in the page cache, $depth in flight, ${seconds} s x $rounds rounds per backend"
echo "driven from the host side: ring filled in shared memory, backend kicked via eventfd"
echo "backends: candor-blk (one thread, preadv into guest memory); qemu-storage-daemon vhost-user-blk export, blockdev driver=file with its defaults (aio=threads, page cache)"
ours=0 theirs=0
for r in $(seq 1 "$rounds"); do
	a=$(run candor-blk)
	b=$(run qemu-storage-daemon)
	printf 'round %d: candor-blk %8d IOPS   qemu-storage-daemon %8d IOPS\n' "$r" "$a" "$b"
	ours=$((ours + a)) theirs=$((theirs + b))
done
ours=$((ours / rounds)) theirs=$((theirs / rounds))
printf 'candor-blk          %8d IOPS (mean)\n' "$ours"
printf 'qemu-storage-daemon %8d IOPS (mean)\n' "$theirs"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio candor-blk / qemu-storage-daemon: %.2f (goal: >= 1.00)\n", a / b }'
