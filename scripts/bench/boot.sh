#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Boot benchmark: the hello guest under candor-vm (release build, static Swift runtime) and under
# qemu-system-x86_64 -M microvm, N times each (BENCH_RUNS, default 10). Prints the median
# time from process start to the guest's first serial byte and to the process's exit,
# the candor/QEMU ratios, and each VMM's memory, sampled from /proc every millisecond
# (ru_maxrss would count the spawning Python before exec): peak RSS (VmHWM, which counts
# the pages of the executable and shared libraries it touched) and the peak of its
# private anonymous memory (RssAnon), the memory a VM really costs; both include the
# guest RAM the boot touches (the hello guest: about 60 KiB).
# Goals: at most 1/5 of QEMU's time to first byte; under 8 MiB of VMM memory.
# Fails only when a run does not behave (wrong status or missing banner).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${BENCH_RUNS:-10}
# The shipped build (as `make release` makes it): the Swift runtime linked in statically,
# so no dozen libraries are loaded at start, which about halves the time to first byte.
vm=.build/release/candor-vm
guest=hypervisor/guest/build/hello.elf
export PATH=/opt/swift/usr/bin:$PATH

swift build -c release --static-swift-stdlib --product candor-vm >&2
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
import os, select, statistics, sys, time

runs, vm, guest, qemu = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
banner = b"Candor hello guest"
cmdline = "candor.demo=1"

def memory_kib(pid):
    """(VmHWM, RssAnon) of a running process in KiB; zeros once it is gone."""
    values = {"VmHWM:": 0, "RssAnon:": 0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(":")[0] + ":"
                if key in values:
                    values[key] = int(line.split()[1])
    except OSError:
        pass
    return values["VmHWM:"], values["RssAnon:"]

def measure(argv, expected_status):
    """Start argv with stdout on a pipe; return (first byte s, exit s, peak RSS KiB, peak private KiB)."""
    read_end, write_end = os.pipe()
    start = time.monotonic()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_CLOSE, read_end),
    ])
    os.close(write_end)
    first, output, peak, private = None, b"", 0, 0
    while True:
        high_water, anonymous = memory_kib(pid)
        peak, private = max(peak, high_water), max(private, anonymous)
        if not select.select([read_end], [], [], 0.001)[0]:
            continue
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        if first is None:
            first = time.monotonic() - start
        output += chunk
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    done = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != expected_status or banner not in output or first is None:
        sys.exit(f"boot.sh: {argv[0]} exited {code} (expected {expected_status}); output: {output[:200]!r}")
    return first, done, peak, private

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
    results[name] = tuple(statistics.median(s[i] for s in samples) for i in range(4))

print(f"hello guest, {runs} runs each, medians:")
print(f"{'':14} {'first byte':>12} {'exit':>10} {'peak RSS':>10} {'private':>10}")
for name, (first, done, rss, private) in results.items():
    print(f"{name:14} {first * 1000:10.1f}ms {done * 1000:8.1f}ms {rss / 1024:7.1f}MiB {private / 1024:7.1f}MiB")
(cf, cd, crss, cpriv), (qf, qd, _, _) = results["candor-vm"], results["qemu microvm"]
print(f"ratio candor/qemu: first byte {cf / qf:.3f} (goal <= 0.2: {'met' if cf / qf <= 0.2 else 'missed'}), "
      f"exit {cd / qd:.3f}")
print(f"candor-vm memory: {cpriv / 1024:.1f} MiB private, {crss / 1024:.1f} MiB peak RSS with its mapped executable "
      f"(goal < 8 MiB: {'met' if cpriv < 8 * 1024 else 'missed'} for private memory, "
      f"{'met' if crss < 8 * 1024 else 'missed'} for peak RSS)")
PY
