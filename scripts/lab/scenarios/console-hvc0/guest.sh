# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# From here on the guest's output (and every L2-CHECK line) goes to hvc0 only.
if [ -c /dev/hvc0 ]; then
    exec </dev/hvc0 >/dev/hvc0 2>&1
    check hvc0-device pass
else
    check hvc0-device fail "no /dev/hvc0"
fi
if dmesg | grep -qF "printk: console [hvc0] enabled"; then check hvc0-kernel-console pass; else check hvc0-kernel-console fail "the kernel did not enable hvc0 as a console"; fi
