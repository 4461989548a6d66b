#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# License detection speed: index compile and load times, then detect() over real trees
# (this repository, /usr/share/doc, and a Linux kernel tree if one is given or found),
# on 1 and 2 threads. Goal: the kernel tree (~78k files) detects in well under 60 s on
# 2 threads, i.e. well under 1 ms per file.
#   scripts/bench/licensing.sh [TREE...]      (default trees: see below)
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

swiftc -O -parse-as-library -module-name LicensingBench -o "$work/licensing-bench" \
  "$work/main.swift" Sources/Licensing/*.swift

data=$(ls -d .venv/lib/python3*/site-packages/licensedcode/data | head -1)
trees=("$@")
if [ ${#trees[@]} -eq 0 ]; then
  trees=(Sources /usr/share/doc)
  for k in scripts/bench/.work/linux-source-6.1 /usr/src/linux-source-6.1; do  # scan.sh extracts the first
    if [ -d "$k" ]; then trees+=("$k"); break; fi
  done
fi
# A fresh cache directory measures the compile; the second load measures the cached load.
rm -rf "$work/cache"
start=$(date +%s.%N)
"$work/licensing-bench" "$data" "$work/cache" "${trees[@]}"
echo "total: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
