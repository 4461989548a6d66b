# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# make setup    install what is missing (Debian packages, .venv with pinned tools and data)
# make release  build in release mode, boot the demo guest, audit, write reports/<version>/
# make test     build and run every test suite, then audit this repository
# make bench    run the benchmarks in scripts/bench/
# make fuzz     run every fuzz target for FUZZ_SECONDS each

SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)
# The shipped binaries carry the Swift runtime and Foundation inside (faster start,
# nothing to install on the target); `make bench` measures the same build.
RELEASE_BUILD := $(SWIFT) build -c release --static-swift-stdlib
VERSION := $(shell sed -n 's/^version *= *"\([^"]*\)".*/\1/p' hypervisor/release.toml)
REPORTS := reports/$(VERSION)
DRIVERS := hypervisor/build/candor-blk hypervisor/build/candor-rng
# The audit of this repository: its tree and every binary it builds.
AUDIT = $(1)/candor audit . --trust-build $(addprefix --binary ,$(1)/candor-vm $(1)/candor $(DRIVERS))
FUZZ_SECONDS ?= 60

.PHONY: all setup guest drivers kernel build release test bench fuzz clean

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

release: setup guest drivers
	$(RELEASE_BUILD)
	.build/release/candor-vm run --kernel hypervisor/guest/build/hello.elf --cmdline "candor.demo=1"
	.build/release/candor sbom . --binary .build/release/candor-vm --binary .build/release/candor \
		$(addprefix --binary ,$(DRIVERS)) --organization "The Candor Authors" -o $(REPORTS)
	.venv/bin/pyspdxtools -i $(REPORTS)/Candor.spdx.json
	.venv/bin/pyspdxtools -i $(REPORTS)/Candor.spdx
	.venv/bin/ntia-checker --file $(REPORTS)/Candor.spdx.json
	.build/release/candor bundle -o $(REPORTS) $(addprefix --binary ,$(DRIVERS))
	.build/release/candor bundle verify $(REPORTS)/candor-$(VERSION)-source.tar.xz
	$(call AUDIT,.build/release) --junit $(REPORTS)/audit.junit.xml --sarif $(REPORTS)/boundaries.sarif

test: setup guest drivers kernel
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory -C hypervisor check
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
