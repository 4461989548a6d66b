// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * CANDOR_SHIM_CHECK=1: a debug mode that re-checks every write the shim makes
 * into guest memory on a driver's behalf and logs each violation, to tell a
 * backend that writes where it should not from other guest memory damage:
 *  - a chain's writable piece lies inside the chain's own buffers and inside
 *    the memory table the chain was popped under (not a replaced or unmapped one);
 *  - a head is not popped while the device still owns it (popped, not pushed);
 *  - on push, the guest's descriptors still say what they said at pop time
 *    (the guest did not take a buffer back while the device owned it);
 *  - the used index in guest memory is the one the device last published.
 * Lifecycle events (memory table, ring start and stop) are logged with a
 * CLOCK_MONOTONIC time stamp so they can be lined up with the guest's log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shim_internal.h"

bool shim_check_enabled;
uint64_t shim_check_violations;
uint64_t shim_mem_generation = 1;

void shim_check_init(void)
{
	const char *v = getenv("CANDOR_SHIM_CHECK");

	shim_check_enabled = v && *v && strcmp(v, "0") != 0;
}

void shim_check_log(bool violation, const char *fmt, ...)
{
	struct timespec ts;
	char line[400];
	va_list ap;

	if (violation)
		shim_check_violations++;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	candor_log(violation ? CANDOR_LOG_ERROR : CANDOR_LOG_INFO,
		   "check %lld.%06ld: %s%s", (long long)ts.tv_sec,
		   ts.tv_nsec / 1000, violation ? "VIOLATION: " : "", line);
}

bool shim_check_write(const struct candor_chain *chain, const void *base,
		      size_t len)
{
	const struct virtq *q = chain->queue;
	const struct iovec *w = chain->iov + chain->readable_count;
	uintptr_t a = (uintptr_t)base;
	bool in_chain = false, in_region = false;

	for (unsigned int i = 0; i < chain->writable_count; i++) {
		uintptr_t b = (uintptr_t)w[i].iov_base;

		if (a >= b && len <= w[i].iov_len && a - b <= w[i].iov_len - len)
			in_chain = true;
	}
	if (q->mem) {
		for (unsigned int i = 0; i < q->mem->count; i++) {
			uintptr_t b = (uintptr_t)q->mem->regions[i].host;

			if (a >= b && len <= q->mem->regions[i].size &&
			    a - b <= q->mem->regions[i].size - len)
				in_region = true;
		}
	}
	if (in_chain && in_region && chain->mem_generation == shim_mem_generation &&
	    !q->broken && q->desc)
		return true;
	shim_check_log(true, "queue %u head %u: write of %zu bytes at %p: %s%s%s%s",
		       q->index, chain->head, len, base,
		       in_chain ? "" : "outside the chain's writable buffers; ",
		       in_region ? "" : "outside guest memory; ",
		       chain->mem_generation == shim_mem_generation ? "" :
		       "memory table replaced since the pop; ",
		       q->desc && !q->broken ? "" : "queue stopped or broken");
	return false;
}
