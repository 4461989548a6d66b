#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Release benchmark on this repository: `candor release --config hypervisor/release.toml`
# cold (empty scan and clone caches; downloaded .debs and Debian sources stay cached, as
# they would on a CI runner with a package cache) and warm, beside the separate commands
# `make release` ran before (sbom, bundle, audit), each with the same caches.
# Goal: warm release under 20 s. Needs `make release-build kernel drivers` first.
set -euo pipefail
cd "$(dirname "$0")/../.."

candor=${CANDOR:-.build/release/candor}
work=scripts/bench/.work/release
[ -x "$candor" ] || { echo "release bench: $candor missing; run 'make bench'" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764547200}

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
# CPU seconds (user + sys) of this shell's finished children so far: wall time on a busy
# machine says little, CPU time stays comparable. `times` must run in this shell itself.
cpu() { tail -n 1 "$work/times" | sed 's/[ms]/ /g' | awk '{ print $1 * 60 + $2 + $3 * 60 + $4 }'; }

# The release tolerates a dirty developer tree (recorded in the bundle).
release() {
  XDG_CACHE_HOME="$work/cache" "$candor" release --config hypervisor/release.toml -o "$work/$1" \
    --cache "$work/cache/candor" --allow-dirty >"$work/$1.log" 2>&1 \
    || { echo "release bench: candor release failed:" >&2; tail -5 "$work/$1.log" >&2; exit 1; }
}

times > "$work/times"; c0=$(cpu)
start=$(now); release cold; cold=$(elapsed "$start"); times > "$work/times"; c1=$(cpu)
start=$(now); release warm; warm=$(elapsed "$start"); times > "$work/times"; c2=$(cpu)

binaries=(--binary .build/release/candor-vm .build/release/candor hypervisor/build/candor-blk hypervisor/build/candor-rng)
start=$(now)
XDG_CACHE_HOME="$work/cache" "$candor" sbom . "${binaries[@]}" --organization "The Candor Authors <source-requests@candor.example>" \
  --cache "$work/cache/candor" -o "$work/separate" >/dev/null 2>&1
XDG_CACHE_HOME="$work/cache" "$candor" bundle -o "$work/separate" --allow-dirty \
  --binary hypervisor/build/candor-blk hypervisor/build/candor-rng >/dev/null 2>&1 || true
XDG_CACHE_HOME="$work/cache" "$candor" audit . "${binaries[@]}" --cache "$work/cache/candor" \
  --junit "$work/separate/audit.junit.xml" >/dev/null 2>&1 || true
separate=$(elapsed "$start")

printf '| candor release, cold | %.1f s wall | %.1f s CPU |\n' "$cold" "$(echo "$c1 - $c0" | bc)"
printf '| candor release, warm | %.1f s wall | %.1f s CPU |\n' "$warm" "$(echo "$c2 - $c1" | bc)"
printf '| sbom + bundle + audit, warm (what make release ran before) | %.1f s |\n' "$separate"
printf 'ratio warm release / separate commands: %.2f\n' "$(echo "$warm / $separate" | bc -l)"
if (( $(echo "$warm < 20" | bc -l) )); then echo "goal (warm under 20 s): met"; else echo "goal (warm under 20 s): missed"; exit 1; fi
