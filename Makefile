# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# make setup    install what is missing (Debian packages, .venv with pinned tools and data)
# make release  build in release mode, boot the demo guest, write reports/<version>/ with
#               `candor release` (SBOMs, distribution/, source bundle, audit)
# make install  install candor, candor-vm and candor's license index under PREFIX
# make test     build and run every test suite (the nested lab too), then audit this repository
# make bench    run the benchmarks in scripts/bench/
# make fuzz     run every fuzz target for FUZZ_SECONDS each

SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)
# The shipped binaries carry the Swift runtime and Foundation inside (faster start,
# nothing to install on the target); `make bench` measures the same build.
RELEASE_BUILD := $(SWIFT) build -c release --static-swift-stdlib
# The release's own version: the first `version =` (the [release] table's), not a shipped package's.
VERSION := $(shell sed -n 's/^version *= *"\([^"]*\)".*/\1/p' hypervisor/release.toml | head -n 1)
REPORTS := reports/$(VERSION)
DRIVERS := hypervisor/build/candor-blk hypervisor/build/candor-rng hypervisor/build/candor-net
# The audit of this repository: its tree and every binary it builds.
AUDIT = $(1)/candor audit . --trust-build $(addprefix --binary ,$(1)/candor-vm $(1)/candor $(DRIVERS))
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local

.PHONY: all setup guest drivers kernel build release-build release install test bench fuzz clean

all: build

setup:
	@scripts/setup.sh

guest:
	@$(MAKE) --no-print-directory -C hypervisor/guest

drivers:
	@$(MAKE) --no-print-directory -C hypervisor

# The Debian kernel and a busybox initramfs for the Linux boot tests (cached in .cache/).
kernel:
	@scripts/fetch-kernel.sh >/dev/null

build: setup guest drivers
	$(SWIFT) build

# The release binaries, with candor's compiled license index beside them: candor finds it
# relative to its own executable, so .build/release/ works as installed.
release-build: setup
	$(RELEASE_BUILD)
	.build/release/candor license-index -o .build/release/licenses.index

# Each SBOM is validated offline by its own format's validator. The SPDX tag-value file is
# the same document as the SPDX JSON one, rendered twice (Tests/SBOMTests checks that): it is
# not run through pyspdxtools here because its tag-value parser was seen taking >300 s on it.
release: release-build guest drivers kernel
	.build/release/candor-vm run --kernel hypervisor/guest/build/hello.elf --cmdline "candor.demo=1"
	.build/release/candor release --config hypervisor/release.toml -o $(REPORTS)
	.venv/bin/pyspdxtools -i $(REPORTS)/Candor.spdx.json
	.venv/bin/ntia-checker --file $(REPORTS)/Candor.spdx.json
	.venv/bin/python scripts/validate-sbom.py $(REPORTS)/Candor.spdx3.jsonld $(REPORTS)/Candor.cdx.json $(REPORTS)/Candor.cdx.xml
	.build/release/candor bundle verify $(REPORTS)/candor-$(VERSION)-source.tar.xz

install: release-build
	install -D -m 755 .build/release/candor $(DESTDIR)$(PREFIX)/bin/candor
	install -D -m 755 .build/release/candor-vm $(DESTDIR)$(PREFIX)/bin/candor-vm
	install -D -m 644 .build/release/licenses.index $(DESTDIR)$(PREFIX)/share/candor/licenses.index

# After the unit tests, the nested lab (scripts/lab/): the release candor-vm boots the
# Debian kernel inside QEMU's TCG with AMD-V (a few minutes).
test: setup guest drivers kernel
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory -C hypervisor check
	$(RELEASE_BUILD) --product candor-vm
	scripts/lab/test.sh
	$(call AUDIT,.build/debug) --junit .build/audit.junit.xml

bench: setup guest drivers kernel
	$(RELEASE_BUILD)
	@failed=""; for b in scripts/bench/*.sh; do echo "== $$b"; bash "$$b" || failed="$$failed $$b"; done; \
		if [ -n "$$failed" ]; then echo "bench: goals missed or errors in:$$failed"; exit 1; fi

fuzz:
	@for t in Fuzz/*/; do scripts/fuzz.sh "$$(basename $$t)" $(FUZZ_SECONDS) || exit 1; done
	$(MAKE) --no-print-directory -C hypervisor fuzz

clean:
	rm -rf .build hypervisor/guest/build hypervisor/build
