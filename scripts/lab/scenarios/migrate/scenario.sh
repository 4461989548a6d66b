# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Live migration of a Linux guest between two candor-vm processes in L1 (run_migration in
# l1-init): at the guest's count 100 L1 sends `ctl migrate`. The guest must go on at the
# destination with every count once and in order (no gap, no repeat), no second boot, its
# uptime going on, its memory intact; the source must exit 0 after the destination took
# over.
vcpus=2
memory=256
# The console line at which L1 migrates (scripts/bench/migration.sh sets its own).
migrate_at="L2-COUNT 100 "

run_vmm() { run_migration; }
verify() { verify_migration 400; }
