#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# `candor scan` on the Linux kernel source (about 78k files) with 2 jobs: files/s of a
# first scan (empty cache, license detection included) and of a re-scan of the unchanged
# tree. Goals: first scan under 60 s, re-scan at least 10x faster.
#
# The tree comes from Debian's linux-source-6.1 package (/usr/src/linux-source-6.1.tar.xz),
# extracted once into scripts/bench/.work. Debian's tarball ends its .gitignore with
# "/*" and "!/debian/" (everything but debian/ ignored); those two lines are dropped so
# the scan sees the kernel's own files, as in a kernel git checkout.
set -euo pipefail
cd "$(dirname "$0")/../.."

candor=${CANDOR:-.build/release/candor}
tarball=/usr/src/linux-source-6.1.tar.xz
work=scripts/bench/.work
tree=$work/linux-source-6.1
cache=$work/scan-cache

if [ ! -x "$candor" ]; then
  echo "scan bench: $candor missing; run swift build -c release" >&2
  exit 1
fi
if [ ! -d "$tree" ]; then
  if [ ! -f "$tarball" ]; then
    echo "scan bench: SKIPPED: $tarball missing (apt-get install -y linux-source-6.1)"
    exit 0
  fi
  mkdir -p "$work"
  echo "scan bench: extracting $tarball"
  tar -C "$work" -xJf "$tarball"
  sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' "$tree/.gitignore"
fi

rm -rf "$cache"
now() { date +%s.%N; }
t0=$(now)
"$candor" scan "$tree" --jobs 2 --cache "$cache" --format json > "$work/scan1.json"
t1=$(now)
"$candor" scan "$tree" --jobs 2 --cache "$cache" --format json > "$work/scan2.json"
t2=$(now)

python3 - "$work/scan1.json" "$work/scan2.json" "$t0" "$t1" "$t2" <<'PY'
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
t0, t1, t2 = map(float, sys.argv[3:6])
files = len(first["files"])
cold, warm = t1 - t0, t2 - t1
print(f"scan bench: {files} files; first scan {cold:.1f} s ({files / cold:.0f} files/s); "
      f"re-scan {warm:.1f} s ({files / warm:.0f} files/s); {cold / warm:.1f}x")
ok = True
if first["files"] != second["files"]:
    print("scan bench: FAIL: the re-scan's files differ from the first scan's"); ok = False
if cold > 60:
    print("scan bench: FAIL: first scan over 60 s"); ok = False
if cold / warm < 10:
    print("scan bench: FAIL: re-scan less than 10x faster"); ok = False
sys.exit(0 if ok else 1)
PY
