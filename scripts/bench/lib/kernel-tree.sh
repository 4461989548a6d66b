# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Sourced by the benchmarks that read the Linux kernel source. `kernel_tree NAME` installs
# Debian's linux-source-6.1 if missing, extracts it once into scripts/bench/.work and sets
# `tree` to it; NAME prefixes the progress lines.

kernel_tree() {
  local name=$1 tarball=/usr/src/linux-source-6.1.tar.xz work=scripts/bench/.work
  tree=$work/linux-source-6.1
  if [ ! -f "$tarball" ]; then
    echo "$name: installing linux-source-6.1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.1 >/dev/null
  fi
  if [ ! -d "$tree" ]; then
    mkdir -p "$work"
    echo "$name: extracting $tarball"
    tar -C "$work" -xJf "$tarball"
    # Debian's tarball ends its .gitignore with "/*" and "!/debian/" (everything but debian/
    # ignored); drop them so a scan sees the kernel's own files, as in a kernel checkout.
    sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' "$tree/.gitignore"
  fi
}
