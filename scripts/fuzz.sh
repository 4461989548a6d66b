#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# scripts/fuzz.sh NAME [libFuzzer options...]
#
# Builds Fuzz/NAME/main.swift with libFuzzer and AddressSanitizer, together with the
# library targets listed (in dependency order) in Fuzz/NAME/modules, then runs it on
# Fuzz/NAME/corpus (seeds) plus a scratch corpus under .build/fuzz/NAME. Crashes are
# written to .build/fuzz/NAME/findings/. FUZZ_SECONDS (default 60) bounds the run.
set -eu
name=${1:?usage: scripts/fuzz.sh NAME [libFuzzer options...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
source_dir=$root/Fuzz/$name
out=$root/.build/fuzz/$name
swiftc=${SWIFTC:-/opt/swift/usr/bin/swiftc}
flags="-sanitize=fuzzer,address -parse-as-library -swift-version 5 -g"

[ -f "$source_dir/main.swift" ] || { echo "fuzz.sh: $source_dir/main.swift not found" >&2; exit 2; }
mkdir -p "$out/modules" "$out/corpus" "$out/findings"

objects=""
for module in $(cat "$source_dir/modules" 2>/dev/null); do
	# One object and one module interface per library target.
	# shellcheck disable=SC2046
	$swiftc $flags -wmo -module-name "$module" -I "$out/modules" \
		-emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
		-c $(find "$root/Sources/$module" -name '*.swift' | sort) -o "$out/$module.o"
	objects="$objects $out/$module.o"
done
# shellcheck disable=SC2086
$swiftc $flags -I "$out/modules" "$source_dir/main.swift" $objects -o "$out/fuzzer"

cd "$out/findings"
"$out/fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 "$@" "$out/corpus" "$source_dir/corpus"
