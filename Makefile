# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# make setup    install what is missing (Debian packages, .venv with pinned tools and data)
# make release  build in release mode, boot the demo guest, audit, write reports/
# make test     build and run every test suite
# make bench    run the benchmarks in scripts/bench/

SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all setup build guest release test bench clean

all: build

setup:
	@scripts/setup.sh

guest:
	@$(MAKE) --no-print-directory -C hypervisor/guest

build: setup guest
	$(SWIFT) build

release: setup guest
	$(SWIFT) build -c release
	.build/release/candor-vm run --kernel hypervisor/guest/build/hello.elf --cmdline "candor.demo=1"

test: setup guest
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: setup guest
	$(SWIFT) build -c release
	@for b in scripts/bench/*.sh; do echo "== $$b"; bash "$$b" || exit 1; done

clean:
	rm -rf .build hypervisor/guest/build
