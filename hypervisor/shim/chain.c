// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
// Access to a popped chain's buffers, always within the chain's bounds.
#include <string.h>

#include "shim_internal.h"

int chain_pieces(const struct candor_chain *chain, enum candor_direction dir,
		 size_t offset, size_t len,
		 int (*piece)(void *base, size_t len, void *ctx), void *ctx)
{
	const struct iovec *iov = chain->iov;
	unsigned int count = chain->readable_count;
	size_t total = chain->readable_len;

	if (dir == CANDOR_WRITABLE) {
		iov += chain->readable_count;
		count = chain->writable_count;
		total = chain->writable_len;
	}
	if (offset > total || len > total - offset)
		return -1;
	for (unsigned int i = 0; i < count && len; i++) {
		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		size_t n = iov[i].iov_len - offset;

		if (n > len)
			n = len;
		if (piece((uint8_t *)iov[i].iov_base + offset, n, ctx) < 0)
			return -1;
		offset = 0;
		len -= n;
	}
	return 0;
}

size_t candor_chain_len(const struct candor_chain *chain,
			enum candor_direction dir)
{
	return dir == CANDOR_WRITABLE ? chain->writable_len : chain->readable_len;
}
CANDOR_EXPORT(candor_chain_len);

static int copy_out(void *base, size_t len, void *ctx)
{
	uint8_t **cursor = ctx;

	memcpy(*cursor, base, len);
	*cursor += len;
	return 0;
}

int candor_chain_read(const struct candor_chain *chain, size_t offset,
		      void *buf, size_t len)
{
	uint8_t *cursor = buf;

	return chain_pieces(chain, CANDOR_READABLE, offset, len, copy_out,
			    &cursor);
}
CANDOR_EXPORT(candor_chain_read);

struct copy_in_ctx {
	const struct candor_chain *chain;
	const uint8_t *cursor;
};

static int copy_in(void *base, size_t len, void *ctx)
{
	struct copy_in_ctx *c = ctx;

	if (shim_check_enabled) {
		if (!shim_check_write(c->chain, base, len))
			return -1;	/* logged; the write is dropped */
		c->chain->queue->written_bytes += len;
	}
	memcpy(base, c->cursor, len);
	c->cursor += len;
	return 0;
}

int candor_chain_write(struct candor_chain *chain, size_t offset,
		       const void *buf, size_t len)
{
	struct copy_in_ctx c = { chain, buf };

	return chain_pieces(chain, CANDOR_WRITABLE, offset, len, copy_in, &c);
}
CANDOR_EXPORT(candor_chain_write);
