#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# `candor boundaries` on the whole Linux 6.1 tree (Debian's linux-source-6.1 as shipped),
# no policy file: each file under its own license, modules under their MODULE_LICENSE,
# every analysis on (include graph, GPL-only symbols, copied code). Beside it, in the same
# run and with the same --jobs, what a user runs on the tree anyway: `candor scan`, the
# license detection alone.
#   1. scan, cold (empty cache): what boundaries needs first;
#   2. boundaries with that cache warm (the scan is then read back, the checks all run);
#   3. boundaries cold (empty cache): scan and checks from nothing.
# Each: wall time, CPU time (user + sys), peak RSS and the load average when it started
# (the machine may be shared); the ratios to the scan; the findings by rule.
# Goal (issue 12): boundaries on the whole tree in at most 90 s and 2 GB on 2 cores, warm
# and cold. Exit status 1 when missed.
#   scripts/bench/boundaries.sh            (CANDOR=path/to/candor, JOBS=2)
set -euo pipefail
cd "$(dirname "$0")/../.."

candor=${CANDOR:-.build/release/candor}
jobs=${JOBS:-2}
work=scripts/bench/.work/boundaries
[ -x "$candor" ] || { echo "boundaries bench: $candor missing; run 'make bench'" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "boundaries bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
source scripts/bench/lib/kernel-tree.sh
kernel_tree "boundaries bench"
mkdir -p "$work"
cache=$work/cache

# run NAME COMMAND...: runs under /usr/bin/time -v; the result's numbers go to $work/NAME.*.
run() {
  local name=$1
  shift
  uptime | sed 's/.*load average: //' > "$work/$name.load"
  # boundaries exits 1 when it reports findings: that is its answer, not a failure here.
  /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.log" || true
  grep -q 'Exit status: [01]$' "$work/$name.time" \
    || { echo "boundaries bench: $name failed:" >&2; tail -5 "$work/$name.log" >&2; exit 1; }
}
# field NAME: "wall cpu rss_mb" of a finished run.
field() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
              /User time/ { cpu += $2 } /System time/ { cpu += $2 }
              /Maximum resident/ { rss = $2 / 1024 }
              END { printf "%.1f %.1f %.0f\n", wall, cpu, rss }' "$work/$1.time"
}

rm -rf "$cache"
run scan "$candor" scan "$tree" --jobs "$jobs" --cache "$cache" --format json
run warm "$candor" boundaries "$tree" --jobs "$jobs" --cache "$cache" --format json
rm -rf "$cache"
run cold "$candor" boundaries "$tree" --jobs "$jobs" --cache "$cache" --format json

read -r scan_wall scan_cpu scan_rss <<< "$(field scan)"
echo "| run ($jobs jobs) | wall | CPU (user + sys) | peak RSS | load when started |"
for name in scan warm cold; do
  read -r wall cpu rss <<< "$(field $name)"
  case $name in
    scan) what="candor scan, cold cache" ;;
    warm) what="candor boundaries, scan cache warm" ;;
    cold) what="candor boundaries, cold cache" ;;
  esac
  printf '| %s | %.1f s | %.1f s | %d MB | %s |\n' "$what" "$wall" "$cpu" "$rss" "$(cat "$work/$name.load")"
done
for name in warm cold; do
  read -r wall cpu rss <<< "$(field $name)"
  printf 'ratio boundaries (%s) / scan: wall %.2f, CPU %.2f, RSS %.2f\n' "$name" \
    "$(echo "$wall / $scan_wall" | bc -l)" "$(echo "$cpu / $scan_cpu" | bc -l)" "$(echo "$rss / $scan_rss" | bc -l)"
done
python3 - "$work/warm.out" "$work/cold.out" <<'PY'
import collections, json, sys
reports = [json.load(open(path)) for path in sys.argv[1:]]
for name, report in zip(["warm", "cold"], reports):
    rules = collections.Counter(finding["rule"] for finding in report["findings"])
    print(f"findings ({name}): {len(report['findings'])}: "
          + ", ".join(f"{count} {rule}" for rule, count in sorted(rules.items(), key=lambda item: (-item[1], item[0]))))
if reports[0]["findings"] != reports[1]["findings"]:
    print("boundaries bench: the warm and cold runs found different things", file=sys.stderr)
    sys.exit(1)
PY

verdict=PASS
for name in warm cold; do
  read -r wall cpu rss <<< "$(field $name)"
  if (( $(echo "$wall > 90 || $rss > 2048" | bc -l) )); then verdict=FAIL; fi
done
echo "goal (boundaries on the whole tree, warm and cold: at most 90 s and 2 GB on $jobs jobs): $verdict"
[ "$verdict" = PASS ]
