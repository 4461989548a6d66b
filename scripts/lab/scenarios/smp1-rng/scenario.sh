# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# One vCPU; virtio-rng through the candor-rng driver (a separate process).
vcpus=1
devices="vhost-user-rng,driver=/lab/bin/candor-rng"
