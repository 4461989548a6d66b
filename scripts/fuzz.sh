#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Builds and runs a libFuzzer target: scripts/fuzz.sh <Name> [seconds]
# Fuzz/<Name>/main.swift is compiled together with the library sources it tests
# (listed below) with -sanitize=fuzzer,address; Fuzz/<Name>/corpus/ holds the seeds,
# new inputs go to .build/fuzz/<Name>/corpus, crashes to .build/fuzz/<Name>/.
set -eu

name=${1:?usage: scripts/fuzz.sh <Name> [seconds]}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The library modules each target imports (built first as static libraries) and the
# library sources compiled into the fuzzer itself.
case "$name" in
    ELF) modules=""; sources="Sources/ELF/*.swift" ;;
    BzImage) modules="ELF GuestMemory"; sources="Sources/Loader/LinuxSetupHeader.swift Sources/Loader/LoaderError.swift" ;;
    Virtqueue) modules="GuestMemory Devices"; sources="" ;;
    *) echo "fuzz: unknown target $name" >&2; exit 2 ;;
esac

work=".build/fuzz/$name"
mkdir -p "$work/corpus" "$work/modules"
links=""
for module in $modules; do
    # shellcheck disable=SC2046 # a file list (modules may have subdirectories)
    swiftc -sanitize=fuzzer,address -parse-as-library -g -O -module-name "$module" -I "$work/modules" \
        -emit-library -static -emit-module -emit-module-path "$work/modules/$module.swiftmodule" \
        -o "$work/modules/lib$module.a" $(find "Sources/$module" -name '*.swift' | sort)
    links="$links -l$module"
done
# shellcheck disable=SC2086 # $sources and $links are lists
swiftc -sanitize=fuzzer,address -parse-as-library -g -O -I "$work/modules" -L "$work/modules" $links \
    -module-name "Fuzz$name" -o "$work/fuzzer" $sources "Fuzz/$name/main.swift"
"$work/fuzzer" -max_total_time="$seconds" -artifact_prefix="$work/" -print_final_stats=1 \
    "$work/corpus" "Fuzz/$name/corpus"
