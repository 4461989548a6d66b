#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# The lab test suite (make test): every scenario in scripts/lab/scenarios/ in one L1
# boot. Prints each check as it comes, then "N passed, N failed"; exits non-zero on any
# failure, including a lab that did not run to its end. The L1 serial log is kept in
# .build/lab/l1.log for a failure's details (lab.sh prints its end when L1 ended badly).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$root/.build/lab"
out="$root/.build/lab/results.txt"
rm -f "$root"/.build/lab/l1.log*
"$root/scripts/lab/lab.sh" --log "$root/.build/lab/l1.log" "$root"/scripts/lab/scenarios/*/ | tee "$out" |
    grep --line-buffered -E '^LAB-(BEGIN|CHECK|ERROR|OUT|STALL|PANIC)' |
    sed -u -e 's/^LAB-BEGIN \(.*\)/-- \1/' \
        -e 's/^LAB-CHECK \([^ ]*\) \([^ ]*\) pass.*/PASS \1 \2/' -e 's/^LAB-CHECK \([^ ]*\) \([^ ]*\) fail/FAIL \1 \2:/' \
        -e 's/^LAB-STALL \([^ ]*\)/STALL \1:/' -e 's/^LAB-PANIC \([^ ]*\)/L1 PANIC \1:/'
status=${PIPESTATUS[0]}
passed=$(grep -c '^LAB-CHECK [^ ]* [^ ]* pass' "$out")
failed=$(grep -c '^LAB-CHECK [^ ]* [^ ]* fail' "$out")
stalls=$(grep -c '^LAB-\(STALL\|PANIC\)' "$out")
# A lab that stopped early (no LAB-END) counts as one more failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "FAIL lab: did not run to its end (see .build/lab/l1.log)"; fi
echo "lab: $passed passed, $failed failed$([ "$stalls" -eq 0 ] || echo ", $stalls L1 failure(s) (stall or panic): the scenarios not done ran again in a new L1")"
[ "$failed" -eq 0 ]
