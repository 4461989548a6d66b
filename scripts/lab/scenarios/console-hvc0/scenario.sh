# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# The guest's console on virtio-console (hvc0), written by candor-vm to a file.
vcpus=1
console=/tmp/hvc0.out
devices="virtio-console,output=$console"
cmdline="console=hvc0 console=ttyS0"
setup() { rm -f $console; }
