// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// `candor audit`: scan, license policy and boundaries in one CI gate.

import Boundaries
import CXML2
