#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Scanning benchmark on the Linux kernel source (Debian's linux-source-6.1, ~78k files):
#   1. `candor scan --jobs 2` of the whole, unmodified tree: first scan and re-scan of the
#      unchanged tree with the same --cache, each as wall time, CPU time (user + sys) and
#      peak resident memory (issue 11 goals: first scan under 30 s, re-scan under 1 s, both
#      under 1 GB, on 2 cores);
#   2. candor and ScanCode (`scancode --license --copyright -n 2`) on the same subset, in
#      this run: files/s for both and the ratio (goal: candor at least 50x);
#   3. accuracy: for files carrying an SPDX-License-Identifier line, does candor report
#      exactly that expression (goal: 99.5%), and where the two tools disagree.
# The tree and ScanCode's venv live in scripts/bench/.work (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."

candor=${CANDOR:-.build/release/candor}
work=scripts/bench/.work
cache=$work/scan-cache
[ -x "$candor" ] || { echo "scan bench: $candor missing; run 'make bench'" >&2; exit 1; }

source scripts/bench/lib/kernel-tree.sh
kernel_tree "scan bench"
if [ ! -x "$work/venv/bin/scancode" ]; then
  echo "scan bench: installing scancode-toolkit 32.5.0 into $work/venv"
  python3 -m venv "$work/venv"
  # scancode 32.5 does not start with pluggy 1.7 ("did not find any 'pre_scan' hooks").
  "$work/venv/bin/pip" install -q --disable-pip-version-check scancode-toolkit==32.5.0 pluggy==1.5.0
fi

now() { date +%s.%N; }
# Wall, user and sys seconds and peak resident KB of one command, into file $1.
timed() { local out=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$out" "$@"; }
[ -x /usr/bin/time ] || { echo "scan bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
# The license index is compiled once per cache directory; compile it before timing.
rm -rf "$cache"; mkdir -p "$work/empty"
"$candor" scan "$work/empty" --cache "$cache" >/dev/null

# Both timed scans print the text summary, so they do the same output work; the JSON
# report for the accuracy figures comes from a third, untimed run.
timed "$work/time-cold" "$candor" scan "$tree" --jobs 2 --cache "$cache" --format text > "$work/scan1.txt"
timed "$work/time-warm" "$candor" scan "$tree" --jobs 2 --cache "$cache" --format text > "$work/scan2.txt"
"$candor" scan "$tree" --jobs 2 --cache "$cache" --format json > "$work/scan.json"

# The subset: every 100th file in sorted order (about 780 files), the same for both tools.
subset=$work/kernel-subset
rm -rf "$subset" "$cache-subset"; mkdir -p "$subset"
(cd "$tree" && find . -type f ! -path './.git*' | LC_ALL=C sort | awk 'NR % 100 == 0' | cpio -pdm --quiet "../kernel-subset")
"$candor" scan "$work/empty" --cache "$cache-subset" >/dev/null
t3=$(now)
"$candor" scan "$subset" --jobs 2 --cache "$cache-subset" --format json > "$work/candor-subset.json"
t4=$(now)
"$work/venv/bin/scancode" --quiet --license --copyright -n 2 --json "$work/scancode-subset.json" "$subset"
t5=$(now)

cmp -s "$work/scan1.txt" "$work/scan2.txt" || { echo "scan bench: the re-scan's findings differ from the first scan's"; exit 1; }
"$work/venv/bin/python" scripts/bench/compare_scan.py "$tree" "$work/scan.json" \
  "$work/candor-subset.json" "$work/scancode-subset.json" "$work/time-cold" "$work/time-warm" "$t3" "$t4" "$t5"
