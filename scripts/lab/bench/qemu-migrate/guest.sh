# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# An idle guest: L1 migrates it after L2-MIGRATE-NOW (scripts/bench/migration.sh also runs
# this scenario with a guest that dirties memory).
echo L2-MIGRATE-NOW
sleep 20
