#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# scripts/fuzz.sh NAME [SECONDS]: builds Fuzz/NAME/main.swift (or main.c) with libFuzzer and
# AddressSanitizer, together with the library sources listed in Fuzz/NAME/sources (one path
# a line, relative to the repository; # starts a comment), then fuzzes for SECONDS (default 60) from the seed
# corpus Fuzz/NAME/corpus. Crashes are written to .build/fuzz/NAME-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
name=${1:?usage: scripts/fuzz.sh NAME [SECONDS]}
seconds=${2:-60}
dir=Fuzz/$name
[ -d "$dir" ] || { echo "fuzz: $dir: no such fuzz target" >&2; exit 1; }
sources=()
if [ -f "$dir/sources" ]; then
  while IFS= read -r line; do [ -n "$line" ] && [ "${line#\#}" = "$line" ] && sources+=("$line"); done < "$dir/sources"
fi
out=.build/fuzz
mkdir -p "$out/$name-artifacts" "$out/$name-corpus"
if [ -f "$dir/main.swift" ]; then
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "${name}Fuzz" \
    "$dir/main.swift" "${sources[@]}" -o "$out/$name"
else
  clang -g -O1 -fsanitize=fuzzer,address "$dir/main.c" "${sources[@]}" -o "$out/$name"
fi
# New inputs go to a scratch corpus; the seeds in the repository are only read.
"$out/$name" -max_total_time="$seconds" -artifact_prefix="$out/$name-artifacts/" "$out/$name-corpus" "$dir/corpus"
