// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// Module SourceOffer: filled in by its own issue work.
