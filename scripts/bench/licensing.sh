#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# License detection, in three parts:
# 1. Speed: index compile and load times, then detect() over real trees (this repository,
#    /usr/share/doc, and a Linux kernel tree if one is given or found), on 1 and 2 threads.
# 2. Accuracy: candor and ScanCode 32.5 side by side on the development set
#    (licensing-devset.txt: Debian packages' DEP-5 answers, kernel files with their SPDX
#    line removed, a REUSE-compliant tree; answers in licensing-devset.expected.tsv):
#    agreement, precision, the files where only candor is wrong. ScanCode runs in its own
#    venv under .work and its results are cached. Goal: precision >= ScanCode's + 2
#    points, agreement >= ScanCode's.
# 3. `candor scan` of the extracted, unmodified linux-source-6.1 tarball (a source drop:
#    scanned whole): files, cold and warm time, peak RSS. Goal: 78,000+ files, cold < 30 s,
#    warm < 1 s, < 1 GB.
#   scripts/bench/licensing.sh [TREE...]      (default trees: see below)
#   LICENSING_PARTS="accuracy kernel" scripts/bench/licensing.sh   (a subset of speed accuracy kernel)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
work=scripts/bench/.work/licensing
mkdir -p "$work"

cat > "$work/main.swift" <<'SWIFT'
import Foundation

@main
enum LicensingBench {
    static func files(under root: String) -> [String] {
        var out: [String] = []
        guard let e = FileManager.default.enumerator(atPath: root) else { return out }
        while let p = e.nextObject() as? String {
            let full = root + "/" + p
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
               let type = e.fileAttributes?[.type] as? FileAttributeType, type == .typeRegular {
                out.append(full)
            }
        }
        return out.sorted()
    }

    static func main() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let args = CommandLine.arguments
        let data = args[1], cache = args[2]
        var t = Date()
        let db = try LicenseDatabase.load(dataDirectory: data, cacheDirectory: cache)
        print(String(format: "load (cache present or compiled): %.3f s, %d rules", Date().timeIntervalSince(t), db.index.ruleCount))
        t = Date()
        _ = try LicenseDatabase.load(dataDirectory: data, cacheDirectory: cache)
        print(String(format: "load from cache: %.3f s", Date().timeIntervalSince(t)))
        let detector = LicenseDetector(database: db)
        for root in args.dropFirst(3) {
            let paths = files(under: root)
            // Read first, so that the numbers are detection only (text files up to 1 MiB).
            let texts: [String] = paths.compactMap { p in
                guard let d = FileManager.default.contents(atPath: p), d.count <= 1 << 20, !d.contains(0) else { return nil }
                return String(decoding: d, as: UTF8.self)
            }
            let bytes = texts.reduce(0) { $0 + $1.utf8.count }
            for threads in [1, 2] {
                let counts = UnsafeMutableBufferPointer<(Int, Int, Int)>.allocate(capacity: threads)
                counts.initialize(repeating: (0, 0, 0))
                t = Date()
                DispatchQueue.concurrentPerform(iterations: threads) { k in
                    var tags = 0, texts_ = 0, others = 0
                    var i = k
                    while i < texts.count {
                        for m in detector.detect(in: texts[i]) {
                            switch m.kind { case .tag: tags += 1; case .text: texts_ += 1; default: others += 1 }
                        }
                        i += threads
                    }
                    counts[k] = (tags, texts_, others)
                }
                let s = Date().timeIntervalSince(t)
                let total = counts.reduce((0, 0, 0)) { ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2) }
                counts.deallocate()
                print(String(format: "%@: %d files, %.0f MB, %d thread(s): %.2f s, %.0f files/s, %.3f ms/file; matches: %d tags, %d texts, %d notices/references",
                             root, texts.count, Double(bytes) / 1e6, threads, s, Double(texts.count) / s,
                             s * 1000 / Double(max(1, texts.count)), total.0, total.1, total.2))
            }
        }
    }
}
SWIFT

# Licensing's own dependency (AtomicFile) as a module and a static library, then the
# bench with Licensing's sources compiled in (whole-module, as the release build does).
mkdir -p "$work/modules"
swiftc -O -parse-as-library -package-name candor -module-name AtomicFile -emit-module -emit-module-path "$work/modules/AtomicFile.swiftmodule" \
  -emit-library -static -o "$work/modules/libAtomicFile.a" Sources/AtomicFile/*.swift
swiftc -O -parse-as-library -package-name candor -module-name LicensingBench -o "$work/licensing-bench" -I "$work/modules" -L "$work/modules" -lAtomicFile \
  "$work/main.swift" Sources/Licensing/*.swift

data=$(ls -d .venv/lib/python3*/site-packages/licensedcode/data | head -1)
trees=("$@")
if [ ${#trees[@]} -eq 0 ]; then
  trees=(Sources /usr/share/doc)
  for k in scripts/bench/.work/linux-source-6.1 /usr/src/linux-source-6.1; do  # scan.sh extracts the first
    if [ -d "$k" ]; then trees+=("$k"); break; fi
  done
fi
parts=${LICENSING_PARTS:-speed accuracy kernel}
if [[ " $parts " == *" speed "* ]]; then
  # A fresh cache directory measures the compile; the second load measures the cached load.
  rm -rf "$work/cache"
  start=$(date +%s.%N)
  "$work/licensing-bench" "$data" "$work/cache" "${trees[@]}"
  echo "total: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
fi

swift build -c release --product candor >/dev/null
candor=.build/release/candor
devset=scripts/bench/.work/devset
kernel=scripts/bench/.work/kernel-unmodified/linux-source-6.1
if [[ " $parts " == *" accuracy "* || " $parts " == *" kernel "* ]] && [ ! -d "$kernel" ]; then
  [ -f /usr/src/linux-source-6.1.tar.xz ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.1 >/dev/null
  mkdir -p "$(dirname "$kernel")"
  tar -C "$(dirname "$kernel")" -xJf /usr/src/linux-source-6.1.tar.xz
fi

if [[ " $parts " == *" accuracy "* ]]; then
  mkdir -p "$devset/sources"
  ln -sfn ../../kernel-unmodified/linux-source-6.1 "$devset/sources/linux-source-6.1"
  while read -r kind name dir _; do
    [ "$kind" = debian ] || continue
    [ -d "$devset/sources/$dir" ] || (cd "$devset/sources" && apt-get source -q "$name" >/dev/null)
  done < <(grep -v '^#' scripts/bench/licensing-devset.txt)
  python3 scripts/bench/licensing_devset.py build "$devset"
  if ! diff -q <(grep -v '^#' scripts/bench/licensing-devset.expected.tsv) <(grep -v '^#' "$devset/expected.tsv") >/dev/null; then
    echo "licensing: warning: the fetched sources give other answers than licensing-devset.expected.tsv (newer packages?)"
  fi
  "$candor" scan "$devset/tree" --format json > "$devset/candor.json" 2>/dev/null || true
  venv=scripts/bench/.work/scancode-venv
  if [ ! -x "$venv/bin/scancode" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q scancode-toolkit==32.5.0 pluggy==1.5.0
  fi
  # ScanCode takes about 0.5 s a file: its results are kept until the set changes.
  key=$(sha256sum "$devset/expected.tsv" | cut -c1-16)
  if [ ! -f "$devset/scancode-$key.json" ]; then
    echo "licensing: running ScanCode on $(grep -vc '^#' "$devset/expected.tsv") files (minutes)"
    "$venv/bin/scancode" -l --only-findings --json "$devset/scancode-$key.json.tmp" -n 2 --timeout 120 --quiet \
      "$devset/tree" && mv "$devset/scancode-$key.json.tmp" "$devset/scancode-$key.json"
  fi
  .venv/bin/python scripts/bench/licensing_devset.py score "$devset/expected.tsv" "$devset/candor.json" \
    "$devset/scancode-$key.json" || echo "licensing: accuracy goal missed"
fi

if [[ " $parts " == *" kernel "* ]]; then
  # Cold: no scan cache (the compiled license index is kept); warm: the same scan again.
  cache=scripts/bench/.work/kernel-scan-cache
  rm -rf "$cache" && mkdir -p "$cache" && cp .cache/candor/licenses-*.index "$cache/" 2>/dev/null || true
  for run in cold warm; do
    /usr/bin/time -v "$candor" scan "$kernel" --jobs 2 --cache "$cache" --format json \
      > "$work/kernel-$run.json" 2> "$work/kernel-$run.time" || true
    files=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['files']))" "$work/kernel-$run.json")
    wall=$(grep 'Elapsed (wall clock)' "$work/kernel-$run.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident' "$work/kernel-$run.time" | awk '{printf "%.0f", $NF / 1024}')
    echo "kernel scan ($run): $files files, $wall wall, ${rss} MB peak RSS"
  done
fi
