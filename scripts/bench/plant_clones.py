# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# scripts/bench/plant_clones.py plant KERNEL REPO OUT COUNT SEED [SUBDIR]
# Copies this repository's non-GPL code into OUT/tree and plants COUNT disguised copies of
# kernel functions (20+ lines after comments are stripped) into its C files: every
# identifier renamed, comments stripped, whitespace reflowed. Writes OUT/planted.json:
# [{"file", "line", "endLine", "source", "sourceLine", "sourceEndLine"}]. With SUBDIR the
# functions come from that kernel subdirectory only.
#
# scripts/bench/plant_clones.py score OUT MATCHES [TOOL]
# Reads MATCHES (lines "query-path:line-end: reference-path:line-end (...)", query paths
# relative to OUT/tree, as `candor clones` prints them) and prints how many planted clones
# were found and which matches fall outside every planted region (false matches); exits 1
# when a clone was missed or a false match reported.
#
# scripts/bench/plant_clones.py copydetect TREE REFERENCE MATCHES
# Runs copydetect (imported: run this with the Python that has it) on TREE against
# REFERENCE and writes its copied regions of 10 or more lines (candor's minimum) in the format above.
import json
import os
import random
import re
import shutil
import sys

C_KEYWORDS = set("""auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof static struct switch
typedef union unsigned void volatile while _Bool asm typeof""".split())

QUERY_ROOTS = ["Sources", "Tests", "hypervisor/shim", "hypervisor/guest", "hypervisor/tests"]
SOURCE_EXTENSIONS = (".swift", ".c", ".h")

TOKEN = re.compile(r'''
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
''', re.S | re.X)


def strip_and_rename(text, rng):
    """Comments dropped, identifiers renamed consistently, whitespace reflowed."""
    names = {}
    out = []
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "comment":
            out.append("\n" * value.count("\n") if value.startswith("/*") else "")
        elif kind == "ident" and value not in C_KEYWORDS:
            if value not in names:
                names[value] = "%s_%d" % (rng.choice(["val", "obj", "tmp", "ctx", "item", "aux"]), len(names))
            out.append(names[value])
        else:
            out.append(value)
    lines = []
    for line in "".join(out).split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        # Reflow: four-space indents instead of tabs, runs of blanks collapsed, and a
        # space added after commas and removed before semicolons.
        depth = len(line) - len(line.lstrip("\t"))
        stripped = re.sub(r"[ \t]+", " ", stripped)
        stripped = re.sub(r",(?=\S)", ", ", stripped)
        stripped = re.sub(r" ;", ";", stripped)
        lines.append("    " * depth + stripped)
    return lines


def shape(line):
    """A line with names and literals abstracted: what is left when identifiers are renamed."""
    out = []
    for m in TOKEN.finditer(line):
        kind = m.lastgroup
        if kind == "string" or (kind == "other" and m.group(kind).isdigit()):
            out.append("L")
        elif kind == "ident":
            out.append(m.group(kind) if m.group(kind) in C_KEYWORDS else "I")
        elif not m.group(kind).isspace():
            out.append(m.group(kind))
    return "".join(out)


def degenerate(lines):
    """Mostly repeats of one line shape (tables, case-label runs, like assignments): with
    names abstracted no detector can tell such a copy from code written independently."""
    return 2 * len(set(shape(l) for l in lines)) < len(lines)


SKIPPED = [0]


def kernel_functions(kernel, rng, count, subdir):
    files = []
    base = os.path.join(kernel, subdir) if subdir else kernel
    for root, dirs, names in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(".c"))
    rng.shuffle(files)
    found = []
    for path in files:
        if len(found) >= count:
            break
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except (UnicodeDecodeError, OSError):
            continue
        # A function: a line "{" at column 0 after a signature line, up to "}" at column 0.
        starts = [i for i, l in enumerate(lines) if l == "{" and i > 0 and "(" in "".join(lines[max(0, i - 3):i])]
        rng.shuffle(starts)
        for start in starts:
            end = next((j for j in range(start + 1, len(lines)) if lines[j] == "}"), None)
            if end is None:
                continue
            head = start - 1
            while head > 0 and lines[head - 1].strip() and not lines[head - 1].rstrip().endswith((";", "}", "*/")) \
                    and not lines[head - 1].startswith("#"):
                head -= 1
            body = "\n".join(lines[head:end + 1])
            if "#" in body or len(body) > 6000:
                continue  # no preprocessor lines inside: they would not survive reflowing
            planted = strip_and_rename(body, rng)
            if 20 <= len(planted) <= 60 and degenerate(planted):
                SKIPPED[0] += 1
            elif 20 <= len(planted) <= 60:
                found.append((os.path.relpath(path, kernel), head + 1, end + 1, planted))
                break
    return found


MATCH = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?:-(?P<end>\d+))?: (?P<ref>.+?):(?P<rline>\d+)(?:-(?P<rend>\d+))? \(")


def score(out, matches_path, tool):
    with open(os.path.join(out, "planted.json")) as f:
        planted = json.load(f)
    found = set()
    false = []
    seen = set()
    with open(matches_path, encoding="utf-8", errors="replace") as f:
        for text in f:
            m = MATCH.match(text.strip())
            if not m:
                continue
            path = m.group("path")
            marker = "/tree/"
            if marker in path:
                path = path.split(marker, 1)[1]
            line = int(m.group("line"))
            end = int(m.group("end") or line)
            hit = [i for i, p in enumerate(planted)
                   if p["file"] == path and line <= p["endLine"] and end >= p["line"]]
            if hit:
                found.update(hit)
            elif (path, line, end) not in seen:
                seen.add((path, line, end))  # a region matching several reference files counts once
                false.append(text.strip())
    missed = [p for i, p in enumerate(planted) if i not in found]
    print("%s: planted clones found %d/%d, false matches %d" % (tool, len(found), len(planted), len(false)))
    for p in missed:
        print("  missed: %s:%d-%d (from %s:%d-%d)" % (p["file"], p["line"], p["endLine"], p["source"],
                                                   p["sourceLine"], p["sourceEndLine"]))
    for text in false[:5]:
        print("  false match: " + text)
    if len(false) > 5:
        print("  ... and %d more false matches" % (len(false) - 5))
    return 0 if not missed and not false else 1


def run_copydetect(tree, reference, matches_path):
    from copydetect import CopyDetector
    detector = CopyDetector(test_dirs=[tree], ref_dirs=[reference], extensions=["c", "h", "swift"],
                            display_t=0.0, autoopen=False, silent=True)
    detector.run()

    def line(code, offset):
        return code.count("\n", 0, int(offset)) + 1

    regions = []
    for (test, ref), (test_slices, ref_slices) in detector.slice_matrix.items():
        code = detector.file_data[test].raw_code
        ref_code = detector.file_data[ref].raw_code
        ref_first = line(ref_code, ref_slices[0].min()) if ref_slices.shape[1] else 0
        ref_last = line(ref_code, ref_slices[1].max()) if ref_slices.shape[1] else 0
        for start, end in zip(test_slices[0], test_slices[1]):
            first, last = line(code, start), line(code, end)
            if last - first + 1 >= 10:
                regions.append("%s:%d-%d: %s:%d-%d (%d characters, %d lines)"
                               % (test, first, last, ref, ref_first, ref_last, end - start, last - first + 1))
    with open(matches_path, "w") as f:
        for text in sorted(regions):
            f.write(text + "\n")
        f.write("%d matches\n" % len(regions))


def main():
    if sys.argv[1] == "copydetect":
        run_copydetect(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    if sys.argv[1] == "score":
        sys.exit(score(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "candor"))
    kernel, repo, out, count, seed = sys.argv[2:7]
    subdir = sys.argv[7] if len(sys.argv) > 7 else ""
    rng = random.Random(int(seed))
    tree = os.path.join(out, "tree")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(tree)
    for root in QUERY_ROOTS:
        for dirpath, dirs, names in os.walk(os.path.join(repo, root)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.endswith(SOURCE_EXTENSIONS):
                    source = os.path.join(dirpath, name)
                    target = os.path.join(tree, os.path.relpath(source, repo))
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copyfile(source, target)
    c_files = sorted(os.path.relpath(os.path.join(d, n), tree)
                     for d, _, ns in os.walk(tree) for n in ns if n.endswith(".c"))
    functions = kernel_functions(kernel, rng, int(count), subdir)
    planted = []
    for number, (source, line, end_line, lines) in enumerate(functions):
        target = c_files[number % len(c_files)]
        path = os.path.join(tree, target)
        with open(path, encoding="utf-8") as f:
            existing = f.read().rstrip("\n").split("\n")
        # Pasted at the end of the file, after a blank line, among the file's own code.
        first = len(existing) + 2
        existing += [""] + lines
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(existing) + "\n")
        planted.append({"file": target, "line": first, "endLine": first + len(lines) - 1,
                        "source": source, "sourceLine": line, "sourceEndLine": end_line})
    with open(os.path.join(out, "planted.json"), "w") as f:
        json.dump(planted, f, indent=1)
    print("planted %d functions into %d files under %s (%d degenerate functions skipped: over half"
          " their lines repeat one shape, like tables and case-label runs)"
          % (len(planted), len(set(p["file"] for p in planted)), tree, SKIPPED[0]))


if __name__ == "__main__":
    main()
