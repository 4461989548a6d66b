# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
"""Figures of scripts/bench/scan.sh: speed of both scans and of both tools, and accuracy.

Accuracy reference: each file's first SPDX-License-Identifier line, read here independently
of candor, with SPDX's deprecated ids replaced and compared as parsed expressions by
license-expression (ScanCode's own library). Exit status 1 when a goal is missed.
"""
import json
import os
import re
import sys

from license_expression import get_spdx_licensing

# SPDX deprecated identifiers and their replacements (SPDX license list).
DEPRECATED = {
    "GPL-1.0": "GPL-1.0-only", "GPL-1.0+": "GPL-1.0-or-later",
    "GPL-2.0": "GPL-2.0-only", "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-3.0": "GPL-3.0-only", "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.0": "LGPL-2.0-only", "LGPL-2.0+": "LGPL-2.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only", "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only", "LGPL-3.0+": "LGPL-3.0-or-later",
    "AGPL-1.0": "AGPL-1.0-only", "AGPL-3.0": "AGPL-3.0-only",
    "GFDL-1.1": "GFDL-1.1-only", "GFDL-1.2": "GFDL-1.2-only", "GFDL-1.3": "GFDL-1.3-only",
}
# Split so that scanning this file does not read the pattern as its own tag.
TAG = re.compile(r"SPDX-License-" r"Identifier:\s*(.*)")
TOKEN = re.compile(r"[()]|[^\s()]+")
OPERATORS = ("AND", "OR", "WITH")
licensing = get_spdx_licensing()


def reference_tag(path):
    try:
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
    except OSError:
        return None
    for line in head.decode("utf-8", "replace").splitlines():
        m = TAG.search(line)
        if m:
            value = m.group(1)
            for closer in ("*/", "-->"):
                value = value.split(closer)[0]
            return value.strip() or None
    return None


def normalise(expression):
    return " ".join(t.upper() if t.upper() in OPERATORS else DEPRECATED.get(t, t)
                    for t in TOKEN.findall(expression))


def same(a, b):
    try:
        return licensing.parse(a) == licensing.parse(b)
    except Exception:
        return a.replace(" ", "").lower() == b.replace(" ", "").lower()


def ids(expression):
    return {t for t in TOKEN.findall(expression or "") if t.upper() not in OPERATORS + ("(", ")")}


# Issue 11: the whole Linux tree on 2 cores.
COLD_GOAL, WARM_GOAL, MEMORY_GOAL_MB = 30, 1, 1024


def read_time(path):
    """wall s, user s, sys s, peak KB: the last line of `/usr/bin/time -f '%e %U %S %M' -o PATH`."""
    with open(path) as f:
        wall, user, system, kb = f.read().split()[-4:]
    return float(wall), float(user), float(system), int(kb)


def main():
    tree, scan, ours_subset, theirs_subset = sys.argv[1:5]
    cold_time, warm_time = sys.argv[5:7]
    t3, t4, t5 = map(float, sys.argv[7:10])
    first = json.load(open(scan))
    ok = True
    files = len(first["files"])
    print(f"candor scan --jobs 2, whole tree of {files} files (goals: first scan under {COLD_GOAL} s, "
          f"re-scan under {WARM_GOAL} s, both under {MEMORY_GOAL_MB} MB resident):")
    for name, path, goal in (("first scan", cold_time, COLD_GOAL), ("re-scan", warm_time, WARM_GOAL)):
        wall, user, system, kb = read_time(path)
        mb = kb / 1024
        print(f"  {name}: {wall:.2f} s wall ({wall / goal:.2f}x the goal; {files / wall:.0f} files/s), "
              f"{user + system:.2f} s CPU ({user:.2f} user + {system:.2f} sys), "
              f"peak {mb:.0f} MB ({mb / MEMORY_GOAL_MB:.2f}x the goal)")
        ok &= wall < goal and mb < MEMORY_GOAL_MB

    ours = {f["path"]: f for f in json.load(open(ours_subset))["files"]}
    theirs = {}
    for f in json.load(open(theirs_subset))["files"]:
        if f.get("type") == "file":
            theirs[f["path"].split("/", 1)[1]] = f
    n = len(ours)
    ours_time, theirs_time = t4 - t3, t5 - t4
    ratio = theirs_time / ours_time
    print(f"subset of {n} files: candor {ours_time:.1f} s ({n / ours_time:.1f} files/s); scancode --license "
          f"--copyright -n 2 {theirs_time:.1f} s ({n / theirs_time:.1f} files/s); candor is {ratio:.0f}x faster (goal 50x)")
    ok &= ratio >= 50

    tagged = agreed = 0
    misses = []
    for path, record in {f['path']: f for f in first['files']}.items():
        ref = reference_tag(os.path.join(tree, path))
        if ref is None:
            continue
        tagged += 1
        got = (record.get("licenseTags") or [None])[0]
        if got is not None and same(normalise(ref), got):
            agreed += 1
        else:
            misses.append(f"{path}: tag '{ref}', candor {got!r}")
    share = 100.0 * agreed / tagged if tagged else 0.0
    print(f"SPDX tags: {tagged} files carry one; candor reports exactly that expression for {agreed} ({share:.2f}%, goal 99.5%)")
    for line in misses[:20]:
        print("  differs:", line)
    ok &= share >= 99.5

    disagree = []
    common = sorted(set(ours) & set(theirs))
    for path in common:
        record = ours[path]
        found = set()
        for e in record.get("licenseTags", []) + [m["expression"] for m in record.get("licenseMatches", [])]:
            found |= ids(e)
        other = ids(theirs[path].get("detected_license_expression_spdx"))
        if found != other:
            disagree.append(f"{path}: candor {sorted(found)} scancode {sorted(other)}")
    out = os.path.join(os.path.dirname(ours_subset), "disagreements.txt")
    with open(out, "w") as f:
        f.write("".join(line + "\n" for line in disagree))
    print(f"subset: the two tools find the same license ids in {len(common) - len(disagree)} of {len(common)} files; "
          f"{len(disagree)} files differ (all listed in {out}):")
    for line in disagree[:40]:
        print("  ", line)
    print("scan bench:", "all goals met" if ok else "a goal was missed")
    sys.exit(0 if ok else 1)


main()
