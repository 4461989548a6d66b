#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Review benchmark on the SPDX 2.3 SBOM of the whole Linux 6.1 tree (~78k files), written
# by `candor sbom` of a release build:
#   1. `candor review SBOM -o page.html`: goal under 5 s;
#   2. the page in headless Chromium (review_browser.py): interactive under 2 s, a filter
#      (component text, and text in the 78k-file drill-down) under 200 ms;
#   3. `candor diff` of that SBOM and a changed copy (one package's version and license,
#      every 100th file's license): goal under 3 s;
#   4. beside them, what a user would otherwise run on the same documents: pyspdxtools
#      (parse and validate) and sbomdiff (PyPI, the diff), each capped at 300 s.
# Everything it writes stays in scripts/bench/.work (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."

candor=${CANDOR:-.build/release/candor}
work=scripts/bench/.work
out=$work/review
[ -x "$candor" ] || { echo "review bench: $candor missing; run 'make bench'" >&2; exit 1; }
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "review bench: chromium missing; run 'make setup'" >&2; exit 1; }

source scripts/bench/lib/kernel-tree.sh
kernel_tree "review bench"
mkdir -p "$out"

if [ ! -f "$out/linux-6.1.spdx.json" ]; then
  echo "review bench: writing the SPDX SBOM of $tree (not timed)"
  SOURCE_DATE_EPOCH=1700000000 "$candor" sbom "$tree" --jobs 2 --cache "$work/scan-cache" --name linux-6.1 --organization "The Linux kernel developers (https://www.kernel.org)" --allow-gaps -o "$out" >/dev/null
fi
sbom=$out/linux-6.1.spdx.json
.venv/bin/python - "$sbom" "$out/linux-6.1-changed.spdx.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
package = document["packages"][0]
package["versionInfo"] = "6.1.999"
package["licenseConcluded"] = "GPL-2.0-only AND MIT"
for index, file in enumerate(document.get("files", [])):
    if index % 100 == 0:
        file["licenseConcluded"] = "MIT"
json.dump(document, open(sys.argv[2], "w"), indent=1)
PY

now() { date +%s.%N; }
t0=$(now)
"$candor" review "$sbom" -o "$out/linux-6.1.html"
t1=$(now)
"$candor" diff "$sbom" "$out/linux-6.1-changed.spdx.json" --format json > "$out/diff.json"
t2=$(now)
read -r ready component_filter file_filter files < <(.venv/bin/python scripts/bench/review_browser.py "$out/linux-6.1.html")
t3=$(now)
status=0
timeout 300 .venv/bin/pyspdxtools -i "$sbom" > "$out/pyspdxtools.txt" 2>&1 || status=$?
t4=$(now)
# sbomdiff (PyPI), the diff tool a user would otherwise pick, on the same two documents;
# it exits 1 when it finds differences.
if [ ! -x "$work/sbomdiff-venv/bin/sbomdiff" ]; then
  python3 -m venv "$work/sbomdiff-venv"
  "$work/sbomdiff-venv/bin/pip" install -q --disable-pip-version-check sbomdiff==0.6.0
fi
t5=$(now)
timeout 300 "$work/sbomdiff-venv/bin/sbomdiff" "$sbom" "$out/linux-6.1-changed.spdx.json" > "$out/sbomdiff.txt" 2>&1 || true
t6=$(now)

awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" -v t5="$t5" -v t6="$t6" -v ready="$ready" -v cf="$component_filter" \
    -v ff="$file_filter" -v files="$files" -v status="$status" -v bytes="$(stat -c %s "$out/linux-6.1.html")" \
    -v sbombytes="$(stat -c %s "$sbom")" '
function verdict(ok) { return ok ? "met" : "MISSED" }
BEGIN {
  write = t1 - t0; diff = t2 - t1; py = t4 - t3; filter = (cf > ff ? cf : ff)
  printf "review bench: SBOM %.1f MB, page %.1f MB, %d files in the biggest component\n", sbombytes / 1e6, bytes / 1e6, files
  printf "| candor review: page written | %.2f s | goal < 5 s: %s |\n", write, verdict(write < 5)
  printf "| headless Chromium: interactive | %d ms | goal < 2000 ms: %s |\n", ready, verdict(ready < 2000)
  printf "| filter: components %.1f ms, %d files %.1f ms | %.1f ms | goal < 200 ms: %s |\n", cf, files, ff, filter, verdict(filter < 200)
  printf "| candor diff (json) | %.2f s | goal < 3 s: %s |\n", diff, verdict(diff < 3)
  printf "| sbomdiff 0.6.0 on the same two documents | %.2f s | ratio to candor diff: %.1f |\n", t6 - t5, (t6 - t5) / diff
  if (status == 124) printf "| pyspdxtools -i (parse and validate) | did not finish in 300 s | |\n"
  else printf "| pyspdxtools -i (parse and validate) | %.1f s (exit %d) | |\n", py, status
  exit !(write < 5 && ready < 2000 && filter < 200 && diff < 3)
}'
