#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Live-migration benchmark in the nested lab (scripts/lab/, under QEMU's TCG): in one L1
# boot, a Linux guest with 2 vCPUs and 256 MiB is migrated between two candor-vm
# processes over a Unix socket (the lab's `migrate` scenario's runner)
#   idle:      the guest sleeps while it is migrated
#   dirtying:  the guest rewrites 64 MiB of tmpfs in a loop meanwhile
# and prints, per case, the total time, the downtime (vCPUs paused at the source until
# the destination acknowledged), the memory rounds and the data sent, as the API answered
# them. Goal: downtime under 100 ms for the idle guest. Everything runs under TCG
# emulation, so the absolute numbers are far below hardware's and move with the machine's
# load. Fails only when a migration does not answer.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Two scenarios made from the migrate scenario: its runner, another guest, no checks
# beyond the lab's own.
make_case() {
    mkdir -p "$work/$1"
    {
        cat "$root/scripts/lab/scenarios/migrate/scenario.sh"
        echo 'migrate_at="L2-MIGRATE-NOW"'
        echo 'verify() { sed -n '"'"'s/^{\(.*\)}$/LAB-RESULT '"$1"' \1/p'"'"' /tmp/mig-answer.txt | tr "," " "; }'
    } > "$work/$1/scenario.sh"
    printf '%s\n' "# SPDX-License-Identifier: Apache-2.0" "# SPDX-FileCopyrightText: 2026 The Candor Authors" "$2" \
        > "$work/$1/guest.sh"
}
make_case migrate-idle 'echo L2-MIGRATE-NOW; sleep 8'
make_case migrate-dirtying '(while [ ! -e /tmp/stop ]; do dd if=/dev/zero of=/tmp/churn bs=1M count=64 2>/dev/null; done) &
sleep 3; echo L2-MIGRATE-NOW; sleep 8; touch /tmp/stop; wait'

out="$work/lab.out"
mkdir -p "$root/.build/lab"
if ! "$root/scripts/lab/lab.sh" --log "$root/.build/lab/bench-migration-l1.log" "$work/migrate-idle" "$work/migrate-dirtying" > "$out"; then
    grep -E '^LAB-(CHECK .* fail|ERROR)' "$out" | sed 's/^/note: /' >&2 || true
fi

python3 - "$out" <<'PY'
import re, sys
results = {}
for line in open(sys.argv[1]):
    m = re.match(r"LAB-RESULT (migrate-\S+) (.*)", line)
    if m:
        results[m.group(1)] = {k.strip('"'): int(v) for k, v in re.findall(r'"?(\w+)"?:(\d+)', m.group(2))}
cases = {"migrate-idle": "idle", "migrate-dirtying": "dirtying 64 MiB"}
missing = [c for c in cases if "downtime_ms" not in results.get(c, {})]
if missing:
    sys.exit(f"lab.sh: no migration answer from {', '.join(missing)}")
print("live migration of a 256 MiB, 2-vCPU Linux guest between two candor-vm in the nested lab (unix socket)")
print(f"{'guest':18} {'total':>9} {'downtime':>9} {'rounds':>7} {'MiB sent':>9} {'pages':>8}")
for c, label in cases.items():
    r = results[c]
    print(f"{label:18} {r['total_ms']:7}ms {r['downtime_ms']:7}ms {r['rounds']:7} {r['bytes'] / 2**20:9.1f} {r['pages']:8}")
idle = results["migrate-idle"]["downtime_ms"]
print(f"idle downtime: {idle} ms (goal < 100 ms: {'met' if idle < 100 else 'missed'})")
PY
