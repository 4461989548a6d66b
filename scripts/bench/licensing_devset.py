# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
"""The license-detection development set of scripts/bench/licensing.sh.

  licensing_devset.py build WORK      lay out WORK/tree from the fetched sources (see
                                      licensing-devset.txt) and write WORK/expected.tsv
  licensing_devset.py score EXPECTED CANDOR_JSON SCANCODE_JSON
                                      agreement and precision of both tools, and the files
                                      where only candor is wrong

Answers come from curated sources, never from either tool: the DEP-5 debian/copyright of
each Debian package (the last matching Files stanza), the SPDX line removed from each
kernel file, the SPDX tag of each file of a REUSE-compliant tree. Expressions are compared
as parsed by license-expression (ScanCode's own library), deprecated ids replaced.
"""
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TAG = re.compile(r"SPDX-License-" r"Identifier:\s*(.*)")
DEPRECATED = {
    "GPL-1.0": "GPL-1.0-only", "GPL-1.0+": "GPL-1.0-or-later", "GPL-2.0": "GPL-2.0-only",
    "GPL-2.0+": "GPL-2.0-or-later", "GPL-3.0": "GPL-3.0-only", "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.0": "LGPL-2.0-only", "LGPL-2.0+": "LGPL-2.0-or-later", "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-2.1+": "LGPL-2.1-or-later", "LGPL-3.0": "LGPL-3.0-only", "LGPL-3.0+": "LGPL-3.0-or-later",
}
# Debian short names (copyright-format 1.0) used by the packages of the set.
DEBIAN = {"expat": "MIT", "mit": "MIT", "bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause",
          "isc": "ISC", "zlib": "Zlib", "apache-2.0": "Apache-2.0", "permissive": "LicenseRef-Debian-permissive",
          "public-domain": "LicenseRef-scancode-public-domain"}


def debian_name(name):
    name = name.strip()
    if name.lower() in DEBIAN:
        return DEBIAN[name.lower()]
    m = re.fullmatch(r"(A|L)?GPL-(\d(?:\.\d)?)(\+?)", name, re.I)
    if m:
        family = (m.group(1) or "").upper() + "GPL"
        version = m.group(2) if "." in m.group(2) else m.group(2) + ".0"
        return f"{family}-{version}-{'or-later' if m.group(3) else 'only'}"
    return "LicenseRef-Debian-" + re.sub(r"[^A-Za-z0-9.-]", "-", name)


def debian_expression(field):
    parts = re.split(r"\s+(or|and)\s+", field.strip())
    out = []
    for p in parts:
        out.append(p.upper() if p in ("or", "and") else debian_name(p))
    return " ".join(out)


def dep5(path):
    stanzas = []
    for block in re.split(r"\n\s*\n", open(path, encoding="utf-8", errors="replace").read()):
        fields, key = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if "files" in fields and "license" in fields:
            stanzas.append((fields["files"].split(), fields["license"].splitlines()[0]))
    return stanzas


def dep5_license(stanzas, relative):
    found = None
    for patterns, license in stanzas:
        if any(fnmatch.fnmatchcase(relative, p[2:] if p.startswith("./") else p) for p in patterns):
            found = license
    return found


def first_tag(path):
    with open(path, "rb") as f:
        head = f.read(16384).decode("utf-8", "replace")
    for number, line in enumerate(head.splitlines()):
        m = TAG.search(line)
        if m and number < 3:
            value = m.group(1)
            for closer in ("*/", "-->"):
                value = value.split(closer)[0]
            return number, value.strip()
    return None, None


def is_text(path):
    with open(path, "rb") as f:
        return b"\0" not in f.read(8192)


def build(work):
    tree = os.path.join(work, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    rows = []
    for line in open(os.path.join(HERE, "licensing-devset.txt")):
        fields = line.split("#")[0].split()
        if not fields:
            continue
        kind, name = fields[0], fields[1]
        if kind == "debian":
            source = os.path.join(work, "sources", fields[2])
            stanzas = dep5(os.path.join(source, "debian", "copyright"))
            for directory, dirs, files in os.walk(source):
                dirs[:] = sorted(d for d in dirs if not (directory == source and d in ("debian", ".pc")))
                for f in sorted(files):
                    full = os.path.join(directory, f)
                    relative = os.path.relpath(full, source)
                    license = dep5_license(stanzas, relative)
                    if license is None or os.path.islink(full) or not is_text(full):
                        continue
                    target = os.path.join(tree, "debian", name, relative)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copyfile(full, target)
                    rows.append((os.path.relpath(target, tree), debian_expression(license), f"debian:{fields[2]}"))
        elif kind == "kernel":
            source, step = os.path.join(work, fields[2]), int(fields[3])
            candidates = []
            for top in fields[4:]:
                for directory, dirs, files in os.walk(os.path.join(source, top)):
                    dirs.sort()
                    candidates += [os.path.join(directory, f) for f in sorted(files) if f.endswith((".c", ".h"))]
            for full in candidates[::step]:
                number, value = first_tag(full)
                if value is None:
                    continue
                lines = open(full, encoding="utf-8", errors="replace").read().splitlines(keepends=True)
                del lines[number]
                target = os.path.join(tree, "kernel", os.path.relpath(full, source))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "w", encoding="utf-8").write("".join(lines))
                rows.append((os.path.relpath(target, tree), value, "kernel:linux-source-6.1 (SPDX line removed)"))
        elif kind == "reuse":
            commit, paths = fields[2], fields[3:]
            target = os.path.join(tree, "reuse", name)
            os.makedirs(target, exist_ok=True)
            archive = subprocess.run(["git", "archive", commit] + paths, check=True, capture_output=True,
                                     cwd=os.path.join(HERE, "..", "..")).stdout
            subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
            for directory, dirs, files in os.walk(target):
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(directory, f)
                    _, value = first_tag(full) if is_text(full) else (None, None)
                    if value:
                        rows.append((os.path.relpath(full, tree), value, f"reuse:{name}@{commit}"))
    with open(os.path.join(work, "expected.tsv"), "w") as out:
        out.write("# SPDX-License-" "Identifier: Apache-2.0\n# SPDX-FileCopyright" "Text: 2026 The Candor Authors\n")
        out.write("# path\texpected license\tsource of the answer\n")
        for row in sorted(rows):
            out.write("\t".join(row) + "\n")
    print(f"devset: {len(rows)} files in {tree}")


def score(expected_path, candor_path, scancode_path):
    from license_expression import get_spdx_licensing
    licensing = get_spdx_licensing()

    def norm(e):
        if not e:
            return None
        return " ".join(DEPRECATED.get(t, t) for t in re.findall(r"[()]|[^\s()]+", e))

    def same(a, b):
        if a is None or b is None:
            return a == b
        try:
            return licensing.is_equivalent(norm(a), norm(b))
        except Exception:
            return norm(a).lower() == norm(b).lower()

    expected = {}
    for line in open(expected_path):
        if line.startswith("#") or not line.strip():
            continue
        path, license, _ = line.rstrip("\n").split("\t")
        expected[path] = license
    candor = {f["path"]: f.get("detectedLicense") for f in json.load(open(candor_path))["files"]}
    scancode = {}
    for f in json.load(open(scancode_path))["files"]:
        if f.get("type") == "file":
            path = f["path"].split("/", 1)[1] if "/" in f["path"] else f["path"]
            scancode[path] = f.get("detected_license_expression_spdx")
    rows = {}
    for name, answers in (("candor", candor), ("scancode", scancode)):
        said = right = 0
        for path, truth in expected.items():
            answer = answers.get(path)
            if answer:
                said += 1
                right += same(answer, truth)
        rows[name] = (right, said)
        print(f"{name:9s} agreement {100 * right / len(expected):5.1f}% ({right}/{len(expected)})  "
              f"precision {100 * right / max(1, said):5.1f}% ({right}/{said} files with an answer)")
    only = [p for p, t in sorted(expected.items())
            if same(scancode.get(p), t) and not same(candor.get(p), t)]
    print(f"files where only candor is wrong: {len(only)}")
    for p in only:
        print(f"  {p}: expected {expected[p]}, candor {candor.get(p)}")
    only_scancode = [p for p, t in expected.items() if same(candor.get(p), t) and not same(scancode.get(p), t)]
    print(f"files where only scancode is wrong: {len(only_scancode)}")
    (cr, cs), (sr, ss) = rows["candor"], rows["scancode"]
    precision_gap = 100 * cr / max(1, cs) - 100 * sr / max(1, ss)
    print(f"goal: precision >= scancode + 2 points ({precision_gap:+.1f}), agreement >= scancode ({cr - sr:+d} files)")
    return 0 if precision_gap >= 2 and cr >= sr else 1


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2])
    elif sys.argv[1] == "score":
        sys.exit(score(*sys.argv[2:5]))
    else:
        sys.exit(__doc__)
