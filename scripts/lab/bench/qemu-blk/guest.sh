# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# 4 KiB random reads (O_DIRECT, one at a time) for 10 s.
echo "L2-RESULT $(lab-randread /dev/vda 10)"
