// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * The GPL-only exports, in an archive member of their own: the linker
 * pulls this file into a driver only if the driver calls one of them, and
 * then candor_gpl_symbols_linked tells candor_device_register to check
 * the driver's license.
 */
#include "shim_internal.h"

const char candor_gpl_symbols_linked = 1;

struct iov_fill {
	struct iovec *iov;
	int count;
	int max;
};

static int fill_iov(void *base, size_t len, void *ctx)
{
	struct iov_fill *f = ctx;

	if (f->count == f->max)
		return -1;
	f->iov[f->count].iov_base = base;
	f->iov[f->count].iov_len = len;
	f->count++;
	return 0;
}

int candor_chain_iov(const struct candor_chain *chain,
		     enum candor_direction dir, size_t offset, size_t len,
		     struct iovec *iov, int max_iov)
{
	struct iov_fill f = { .iov = iov, .count = 0, .max = max_iov };

	if (chain_pieces(chain, dir, offset, len, fill_iov, &f) < 0)
		return -1;
	return f.count;
}
CANDOR_EXPORT_GPL(candor_chain_iov);
