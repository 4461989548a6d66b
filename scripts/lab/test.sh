#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# The lab test suite (make test): every scenario in scripts/lab/scenarios/ in one L1
# boot. Prints each check, then "N passed, N failed"; exits non-zero on any failure,
# including a lab that did not run to its end. The L1 serial log is kept in
# .build/lab/l1.log for a failure's details.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$root/.build/lab"
out="$root/.build/lab/results.txt"
"$root/scripts/lab/lab.sh" --log "$root/.build/lab/l1.log" "$root"/scripts/lab/scenarios/*/ > "$out"
status=$?
grep -E '^LAB-(CHECK|ERROR|OUT)' "$out" | sed -e 's/^LAB-CHECK \([^ ]*\) \([^ ]*\) pass.*/PASS \1 \2/' -e 's/^LAB-CHECK \([^ ]*\) \([^ ]*\) fail/FAIL \1 \2:/'
passed=$(grep -c '^LAB-CHECK [^ ]* [^ ]* pass' "$out")
failed=$(grep -c '^LAB-CHECK [^ ]* [^ ]* fail' "$out")
# A lab that stopped early (no LAB-END) counts as one more failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "FAIL lab: did not run to its end (see .build/lab/l1.log)"; fi
echo "lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
