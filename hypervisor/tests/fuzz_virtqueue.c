// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * libFuzzer target for the shim's split-virtqueue walker. The input is
 * the whole guest memory a hostile frontend controls: the descriptor
 * table, the available ring and every buffer and indirect table.
 *
 * Input: byte 0 = flags (bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bits 2-5
 * log2 of the queue size, at most 256), byte 1 = chains to pop (at most
 * 16), bytes 2-4 = where the descriptor table, available and used rings
 * start (times 0x101 bytes: may be misaligned, outside memory or across
 * the region boundary), then the contents of guest memory: two adjacent
 * 32 KiB regions, so buffers may span both.
 */
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

#define REGION_SIZE	0x8000u
#define GPA_BASE	0x10000u
#define UVA_BASE	0x7f0000000000ull	/* frontend's view differs */
#define HEADER		5
#define RING_STEP	0x101u

static uint8_t memory[2 * REGION_SIZE] __attribute__((aligned(4096)));
static struct virtq queue;
static uint8_t scratch[4096];

static void exercise(struct candor_chain *c)
{
	size_t rlen = candor_chain_len(c, CANDOR_READABLE);
	size_t wlen = candor_chain_len(c, CANDOR_WRITABLE);
	size_t n = rlen < sizeof(scratch) ? rlen : sizeof(scratch);
	struct iovec iov[8];

	/* Whole-range and edge accesses; out-of-range ones must fail. */
	candor_chain_read(c, rlen - n, scratch, n);
	if (candor_chain_read(c, rlen, scratch, 1) == 0)
		abort();
	if (candor_chain_read(c, 1, scratch, SIZE_MAX) == 0)
		abort();
	candor_chain_iov(c, CANDOR_READABLE, 0, rlen, iov, 8);
	n = wlen < sizeof(scratch) ? wlen : sizeof(scratch);
	candor_chain_write(c, wlen - n, scratch, n);
	if (candor_chain_write(c, wlen, scratch, 1) == 0)
		abort();
	candor_chain_iov(c, CANDOR_WRITABLE, wlen / 2, wlen - wlen / 2, iov, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem_table mem = { .count = 2 };
	struct candor_chain *chain;
	unsigned int pops;

	if (size < HEADER)
		return 0;
	memset(memory, 0, sizeof(memory));
	memcpy(memory, data + HEADER,
	       size - HEADER < sizeof(memory) ? size - HEADER : sizeof(memory));
	for (unsigned int i = 0; i < 2; i++) {
		mem.regions[i].gpa = GPA_BASE + i * REGION_SIZE;
		mem.regions[i].uva = UVA_BASE + i * REGION_SIZE;
		mem.regions[i].size = REGION_SIZE;
		mem.regions[i].host = memory + i * REGION_SIZE;
	}
	virtq_init(&queue, 0);
	queue.event_idx = data[0] & 1;
	queue.indirect = data[0] & 2;
	queue.num = 1u << (((data[0] >> 2) & 15) % 9);
	queue.enabled = true;
	queue.addr_set = true;
	queue.addr.descriptor = UVA_BASE + data[2] * RING_STEP;
	queue.addr.available = UVA_BASE + data[3] * RING_STEP;
	queue.addr.used = UVA_BASE + data[4] * RING_STEP;
	if (!virtq_map(&queue, &mem)) {
		if (!queue.broken)
			abort();	/* a ring that does not fit must break */
		return 0;
	}

	pops = data[1] % 17;
	for (unsigned int i = 0; i < pops; i++) {
		int rc = virtq_pop(&queue, &mem, &chain);

		if (rc != 1)
			break;
		exercise(chain);
		virtq_push(&queue, chain, data[1]);
		virtq_should_notify(&queue);
	}
	return 0;
}
