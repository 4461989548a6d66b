#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Live-migration and snapshot benchmark in the nested lab (scripts/lab/, under QEMU's
# TCG), in one L1 boot with QEMU in it (lab.sh --with-qemu). A Linux guest with 2 vCPUs and
# 256 MiB is migrated over a Unix socket
#   between two candor-vm processes (the lab's `migrate` scenario's runner), and
#   between two qemu-system-x86_64 -M microvm on KVM, same kernel and initramfs, through
#   QMP (scripts/lab/bench/qemu-migrate: `migrate`, then `query-migrate` until completed)
# in two cases each:
#   idle:      the guest sleeps while it is migrated
#   dirtying:  the guest rewrites 64 MiB of tmpfs in a loop meanwhile
# and prints, per case and VMM, the total time and the downtime as each VMM reports them
# (candor-vm: vCPUs paused at the source until the destination acknowledged; QEMU: its
# `downtime`, from the source's stop to the end of the migration at the source), the
# memory rounds and the data sent, and the ratios candor-vm/QEMU. Then the same guest,
# printing a tick every 10 ms, is saved to a file and loaded again:
#   candor-vm: API pause + snapshot (its duration_ms), `candor-vm restore`
#              (scripts/lab/bench/candor-snapshot)
#   QEMU:      QMP stop + migrate to "exec:cat > FILE" (its total-time), a second QEMU with
#              -incoming "exec:cat FILE" and `cont` (scripts/lab/bench/qemu-snapshot)
# with the restore timed from the process's start to the restored guest's next tick.
# Goals: downtime under 100 ms for the idle guest; candor-vm's idle downtime, snapshot and
# restore times at most QEMU's. Everything runs under TCG emulation, so the absolute numbers
# are far below hardware's and move with the machine's load. Fails only when a run does not
# answer (no numbers), never on a ratio; a failed lab check is reported as a note (QEMU's
# guest shows the XSAVE warning candor-vm fixed).
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
        echo 'verify() { sed -n '"'"'s/^{\(.*\)}$/LAB-RESULT '"$1"' \1/p'"'"' /tmp/mig-answer.txt | tr "," " "'
        # Without an answer, why: the API's message and both candor-vm's.
        echo '    grep -q downtime_ms /tmp/mig-answer.txt || for f in /tmp/mig-answer.txt /tmp/mig-source.err /tmp/mig-dest.err; do'
        echo '        echo "LAB-INFO '"$1"' $f: $(tail -n 2 "$f" | tr "\n" " ")"; done; }'
    } > "$work/$1/scenario.sh"
    printf '%s\n' "# SPDX-License-Identifier: Apache-2.0" "# SPDX-FileCopyrightText: 2026 The Candor Authors" "$2" \
        > "$work/$1/guest.sh"
}
# The guest goes on for 20 s after L2-MIGRATE-NOW: in a loaded L1, starting `ctl migrate`
# and the rounds can take longer than 8 s, and a guest that powers off first ends the case
# without numbers (seen with 8 s).
idle_guest='echo L2-MIGRATE-NOW; sleep 20'
dirtying_guest='(while [ ! -e /tmp/stop ]; do dd if=/dev/zero of=/tmp/churn bs=1M count=64 2>/dev/null; done) &
sleep 3; echo L2-MIGRATE-NOW; sleep 20; touch /tmp/stop; wait'
make_case migrate-idle "$idle_guest"
make_case migrate-dirtying "$dirtying_guest"

# The same two guests under QEMU: the qemu-migrate scenario with its result named per case.
make_qemu_case() {
    mkdir -p "$work/$1"
    { cat "$root/scripts/lab/bench/qemu-migrate/scenario.sh"; echo "result_name=$1"; } > "$work/$1/scenario.sh"
    printf '%s\n' "# SPDX-License-Identifier: Apache-2.0" "# SPDX-FileCopyrightText: 2026 The Candor Authors" "$2" \
        > "$work/$1/guest.sh"
}
make_qemu_case qemu-migrate-idle "$idle_guest"
make_qemu_case qemu-migrate-dirtying "$dirtying_guest"

out="$work/lab.out"
mkdir -p "$root/.build/lab"
bench="$root/scripts/lab/bench"
if ! "$root/scripts/lab/lab.sh" --with-qemu --log "$root/.build/lab/bench-migration-l1.log" \
        "$work/migrate-idle" "$work/migrate-dirtying" "$work/qemu-migrate-idle" "$work/qemu-migrate-dirtying" \
        "$bench/candor-snapshot" "$bench/qemu-snapshot" > "$out"; then
    grep -E '^LAB-(CHECK .* fail|ERROR)' "$out" | sed 's/^/note: /' >&2 || true
fi

python3 - "$out" <<'PY'
import re, sys
results = {}
for line in open(sys.argv[1]):
    m = re.match(r"LAB-RESULT (\S+) (.*)", line)
    if m:
        results[m.group(1)] = {k: int(v) for k, v in re.findall(r'"?(\w+)"?[:=](-?\d+)', m.group(2))}
cases = {"idle": ("migrate-idle", "qemu-migrate-idle"), "dirtying 64 MiB": ("migrate-dirtying", "qemu-migrate-dirtying")}
need = {c: ("total_ms", "downtime_ms") for pair in cases.values() for c in pair}
need.update({"candor-snapshot": ("snapshot_ms", "restore_ms"), "qemu-snapshot": ("snapshot_ms", "restore_ms")})
missing = [c for c, keys in need.items() if any(results.get(c, {}).get(k, -1) < 0 for k in keys)]
if missing:
    sys.exit(f"lab.sh: no numbers from {', '.join(missing)}")
def ratio(a, b):
    return f"{a / b:.2f}" if b > 0 else "n/a"
print("live migration of a 256 MiB, 2-vCPU Linux guest in the nested lab (unix socket)")
print(f"{'guest':16} {'VMM':10} {'total':>9} {'downtime':>9} {'rounds':>7} {'MiB sent':>9}")
for label, (ours, theirs) in cases.items():
    r, q = results[ours], results[theirs]
    print(f"{label:16} {'candor-vm':10} {r['total_ms']:7}ms {r['downtime_ms']:7}ms {r['rounds']:7} {r['bytes'] / 2**20:9.1f}")
    print(f"{label:16} {'QEMU':10} {q['total_ms']:7}ms {q['downtime_ms']:7}ms {'':>7} {q.get('bytes', 0) / 2**20:9.1f}")
for label, (ours, theirs) in cases.items():
    r, q = results[ours], results[theirs]
    print(f"{label}: candor-vm/QEMU total {ratio(r['total_ms'], q['total_ms'])}, downtime {ratio(r['downtime_ms'], q['downtime_ms'])}")
idle, qidle = results["migrate-idle"]["downtime_ms"], results["qemu-migrate-idle"]["downtime_ms"]
print(f"idle downtime: {idle} ms (goal < 100 ms: {'met' if idle < 100 else 'missed'}; "
      f"goal at most QEMU's {qidle} ms: {'met' if idle <= qidle else 'missed'})")
print()
print("snapshot to a file and restore of the same guest (restore: process start to the guest's next console line)")
print(f"{'VMM':10} {'snapshot':>9} {'restore':>9} {'file data':>10}")
c, q = results["candor-snapshot"], results["qemu-snapshot"]
for name, r in (("candor-vm", c), ("QEMU", q)):
    print(f"{name:10} {r['snapshot_ms']:7}ms {r['restore_ms']:7}ms {r.get('data_bytes', 0) / 2**20:8.1f}Mi")
for what in ("snapshot_ms", "restore_ms"):
    x = ratio(c[what], q[what])
    print(f"{what[:-3]}, candor-vm/QEMU: {x} (goal <= 1.00: {'met' if q[what] > 0 and c[what] <= q[what] else 'missed'})")
PY
