#!/bin/sh
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# check.sh BUILD_DIR: reproducible build, export/license sections, then the
# vhost-user scenarios (vhost-check, vhost-net-check). Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
BUILD=$1
out=$(mktemp)
trap 'rm -rf "$out" "$out.a" "$out.b"' EXIT

line() { echo "$1" | tee -a "$out"; }

# Two builds into different directories must be byte-identical.
if make -s BUILD="$out.a" all >/dev/null 2>&1 && make -s BUILD="$out.b" all >/dev/null 2>&1; then
	for f in libcandorshim.a candor-blk candor-rng candor-net; do
		a=$(sha256sum < "$out.a/$f") b=$(sha256sum < "$out.b/$f")
		if [ "$a" = "$b" ]; then
			line "PASS reproducible build: $f ${a%% *}"
		else
			line "FAIL reproducible build: $f differs between two builds"
		fi
	done
else
	line "FAIL reproducible build: make failed"
fi

# The export split and the license are readable from the binaries.
section() { readelf -p "$2" "$1" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *//p'; }
if section "$BUILD/libcandorshim.a" .candor_exports_gpl | grep -qx candor_chain_iov &&
   ! section "$BUILD/libcandorshim.a" .candor_exports | grep -qx candor_chain_iov &&
   section "$BUILD/libcandorshim.a" .candor_exports | grep -qx candor_queue_pop; then
	line "PASS export sections: candor_chain_iov in .candor_exports_gpl, candor_queue_pop in .candor_exports"
else
	line "FAIL export sections: .candor_exports / .candor_exports_gpl content wrong"
fi
for d in candor-blk candor-rng candor-net; do
	if [ "$(section "$BUILD/$d" .candor_license)" = "GPL-2.0-only" ]; then
		line "PASS license section: $d declares GPL-2.0-only"
	else
		line "FAIL license section: $d .candor_license is '$(section "$BUILD/$d" .candor_license)'"
	fi
done

for t in vhost-check vhost-net-check; do
	timeout 600 "$BUILD/$t" "$BUILD" | tee -a "$out"
	status=$?
	if [ $status -ne 0 ] && ! grep -q '^FAIL' "$out"; then
		line "FAIL $t exited with status $status"
	fi
done
echo "$(grep -c '^PASS' "$out") passed, $(grep -c '^FAIL' "$out") failed"
! grep -q '^FAIL' "$out"
