// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// The KVM shim: the only code that includes Linux UAPI headers.
#pragma once
#include <linux/kvm.h>
