#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# scripts/fuzz.sh NAME [SECONDS]: builds the libFuzzer target Fuzz/NAME/main.swift with
# AddressSanitizer and fuzzes it for SECONDS (default 60) from the seeds in Fuzz/NAME/corpus.
# Fuzz/NAME may hold, one entry a line (# starts a comment):
#   modules  library modules the target imports, in build order (each built from
#            Sources/<module> as a static library the later ones can import)
#   sources  library source files (globs allowed) compiled into the target itself
#   options  extra libFuzzer options (e.g. -dict=Fuzz/NAME/tags.dict, -max_len=512)
# New inputs go to .build/fuzz/NAME/corpus, crashes to .build/fuzz/NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
name=${1:?usage: scripts/fuzz.sh NAME [SECONDS]}
seconds=${2:-60}
dir=Fuzz/$name
[ -f "$dir/main.swift" ] || { echo "fuzz: $dir/main.swift: no such fuzz target" >&2; exit 2; }

entries() { [ -f "$1" ] && grep -v '^[[:space:]]*\(#\|$\)' "$1" || true; }
work=.build/fuzz/$name
mkdir -p "$work/corpus" "$work/modules"
flags=(-sanitize=fuzzer,address -parse-as-library -package-name candor -g -O -I "$work/modules")

links=()
for module in $(entries "$dir/modules"); do
  # shellcheck disable=SC2046 # a file list (modules have subdirectories)
  swiftc "${flags[@]}" -module-name "$module" -emit-library -static -emit-module \
    -emit-module-path "$work/modules/$module.swiftmodule" -o "$work/modules/lib$module.a" \
    $(find "Sources/$module" -name '*.swift' | LC_ALL=C sort)
  links+=(-L "$work/modules" "-l$module")
done
# shellcheck disable=SC2046 # globs in the sources file expand here
swiftc "${flags[@]}" "${links[@]}" -module-name "Fuzz$name" -o "$work/fuzzer" \
  $(entries "$dir/sources") "$dir/main.swift"
# shellcheck disable=SC2046 # one option a line
"$work/fuzzer" -max_total_time="$seconds" -artifact_prefix="$work/" -print_final_stats=1 \
  $(entries "$dir/options") "$work/corpus" "$dir/corpus"
