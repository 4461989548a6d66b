# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# Console traffic through printk (the kernel's 8250 console); virtio_net is not loaded.
role=$(arg role)
i=0
while [ $i -lt 400 ]; do
    echo "lab-console $role $i abcdefghijklmnopqrstuvwxyz0123456789" > /dev/kmsg
    i=$((i + 1))
done
check console-lines pass "$role: 400 lines"
