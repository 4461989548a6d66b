#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Boot benchmark: the hello guest under candor-vm (release build) and under
# qemu-system-x86_64 -M microvm, N times each (BENCH_RUNS, default 10). Prints the median
# time from process start to the guest's first serial byte and to the process's exit,
# the candor/QEMU ratios, and each VMM's peak RSS. Goals: at most 1/5 of QEMU's time to
# first byte; under 8 MiB of VMM memory beyond the guest RAM the boot touches (about
# 60 KiB here: the image, the boot tables, the stack), so peak RSS is the upper bound
# reported. Fails only when a run does not behave (wrong status or missing banner).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${BENCH_RUNS:-10}
vm=.build/release/candor-vm
guest=hypervisor/guest/build/hello.elf
export PATH=/opt/swift/usr/bin:$PATH

[ -x "$vm" ] || swift build -c release --product candor-vm >&2
[ -f "$guest" ] || make --no-print-directory -C hypervisor/guest >&2
if [ ! -w /dev/kvm ] && [ ! -r /dev/kvm ]; then
    echo "boot.sh: skipped: /dev/kvm is missing or not accessible" >&2
    exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "boot.sh: qemu-system-x86_64 not found (apt-get install -y qemu-system-x86)" >&2
    exit 1
fi

python3 - "$runs" "$vm" "$guest" "$(command -v qemu-system-x86_64)" <<'PY'
import os, statistics, sys, time

runs, vm, guest, qemu = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
banner = b"Candor hello guest"
cmdline = "candor.demo=1"

def measure(argv, expected_status):
    """Start argv with stdout on a pipe; return (first byte s, exit s, peak RSS KiB)."""
    read_end, write_end = os.pipe()
    start = time.monotonic()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_CLOSE, read_end),
    ])
    os.close(write_end)
    first, output = None, b""
    while chunk := os.read(read_end, 65536):
        if first is None:
            first = time.monotonic() - start
        output += chunk
    os.close(read_end)
    _, status, usage = os.wait4(pid, 0)
    done = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != expected_status or banner not in output or first is None:
        sys.exit(f"boot.sh: {argv[0]} exited {code} (expected {expected_status}); output: {output[:200]!r}")
    return first, done, usage.ru_maxrss

vms = {
    # candor-vm reports the guest's status 0 as 0.
    "candor-vm": ([vm, "run", "--kernel", guest, "--cmdline", cmdline, "--memory", "128"], 0),
    # isa-debug-exit turns the guest's 0 into (0 << 1) | 1.
    "qemu microvm": ([qemu, "-accel", "kvm", "-M", "microvm", "-m", "128", "-kernel", guest, "-append", cmdline,
                      "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-serial", "stdio",
                      "-display", "none", "-nodefaults"], 1),
}
results = {}
for name, (argv, status) in vms.items():
    measure(argv, status)  # warm the page cache
    samples = [measure(argv, status) for _ in range(runs)]
    results[name] = tuple(statistics.median(s[i] for s in samples) for i in range(3))

print(f"hello guest, {runs} runs each, medians:")
print(f"{'':14} {'first byte':>12} {'exit':>10} {'peak RSS':>10}")
for name, (first, done, rss) in results.items():
    print(f"{name:14} {first * 1000:10.1f}ms {done * 1000:8.1f}ms {rss / 1024:8.1f}MiB")
(cf, cd, crss), (qf, qd, _) = results["candor-vm"], results["qemu microvm"]
print(f"ratio candor/qemu: first byte {cf / qf:.3f} (goal <= 0.2: {'met' if cf / qf <= 0.2 else 'missed'}), "
      f"exit {cd / qd:.3f}")
print(f"candor-vm peak RSS {crss / 1024:.1f} MiB, an upper bound on the VMM's overhead "
      f"(goal < 8 MiB: {'met' if crss < 8 * 1024 else 'missed'})")
PY
