# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Sourced by the benchmarks that read the Linux kernel source. `kernel_tree NAME` installs
# Debian's linux-source-6.1 if missing, extracts it once into scripts/bench/.work and sets
# `tree` to it; NAME prefixes the progress lines. The tree is the tarball as shipped: it is
# not a git work tree, so candor scans it whole whatever its .gitignore says.

kernel_tree() {
  local name=$1 tarball=/usr/src/linux-source-6.1.tar.xz work=scripts/bench/.work
  tree=$work/linux-source-6.1
  if [ ! -f "$tarball" ]; then
    echo "$name: installing linux-source-6.1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.1 >/dev/null
  fi
  # Earlier benches deleted the last lines ("/*", "!/debian/") of Debian's .gitignore: such a
  # tree is not the tarball any more, so it is extracted again.
  if [ -d "$tree" ] && ! grep -qx '/\*' "$tree/.gitignore"; then
    echo "$name: $tree/.gitignore was edited by an older bench; extracting again"
    rm -rf "$tree"
  fi
  if [ ! -d "$tree" ]; then
    mkdir -p "$work"
    echo "$name: extracting $tarball"
    tar -C "$work" -xJf "$tarball"
  fi
}
