#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Installs what Candor needs and is missing; safe to run again (each step checks first).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  pkg-config libgit2-dev liblzma-dev libxml2-dev  # CGit2, CLZMA, CXML2 (JUnit XML)
  gcc make cpio xz-utils              # guests and the demo initramfs
  libc6-dev                           # static helpers of the nested lab (scripts/lab/*.c)
  busybox-static                      # bundled into the demo guest's initramfs
  qemu-system-x86 qemu-system-common  # reference VMM and qemu-storage-daemon (bench, interop)
  acpica-tools                        # iasl/acpiexec check the ACPI tables in the tests
  chromium chromium-driver            # the browser tests of the `candor review` page
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian source packages (deb-src) for the source-offer bundle.
src_list=/etc/apt/sources.list.d/candor-deb-src.sources
if [ ! -f "$src_list" ] && ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  echo "setup: adding a deb-src entry for bookworm ($src_list)"
  cat > "$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -q
fi

# Python tools and the license database, pinned, in a venv under the repository.
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.candor-requirements
if ! cmp -s scripts/requirements.txt "$stamp"; then
  echo "setup: installing Python tools into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
  cp scripts/requirements.txt "$stamp"
fi
