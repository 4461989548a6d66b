// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * Split virtqueues (virtio 1.2, 2.7), device side. Guest memory is shared
 * with a frontend we do not trust: every index, length and address read
 * from it is loaded once and checked before use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim_internal.h"

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

void virtq_init(struct virtq *q, unsigned int index)
{
	memset(q, 0, offsetof(struct virtq, segments));
	q->index = index;
	q->kick_fd = -1;
	q->call_fd = -1;
	q->err_fd = -1;
}

void virtq_break(struct virtq *q, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	if (q->probing) {
		q->probe_failed = true;
		return;
	}
	if (q->broken)
		return;
	q->broken = true;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	candor_log(CANDOR_LOG_ERROR, "queue %u broken: %s", q->index, reason);
	if (q->err_fd >= 0) {
		uint64_t one = 1;

		if (write(q->err_fd, &one, sizeof(one)) < 0)
			candor_log(CANDOR_LOG_WARNING,
				   "queue %u: cannot signal error eventfd",
				   q->index);
	}
}

/* Dirty-log marks, made after the write they cover (see write_log). */
static void log_used_ring(const struct virtq *q)
{
	uint64_t gpa;

	if (q->log && q->log->on && q->used && mem_to_gpa(q->mem, q->used, &gpa))
		write_log_mark(q->log, gpa, virtq_used_size(q->num));
}

/* Every writable buffer of @chain, whatever the driver says it wrote. */
static void log_chain(const struct virtq *q, const struct candor_chain *chain)
{
	uint64_t gpa;

	if (!q->log || !q->log->on)
		return;
	for (unsigned int k = chain->readable_count;
	     k < chain->readable_count + chain->writable_count; k++)
		if (mem_to_gpa(q->mem, chain->iov[k].iov_base, &gpa))
			write_log_mark(q->log, gpa, chain->iov[k].iov_len);
}

static bool overlaps(const void *a, uint64_t a_len, const void *b, uint64_t b_len)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + b_len && y < x + a_len;
}

bool virtq_map(struct virtq *q, const struct mem_table *mem)
{
	unsigned int n = q->num;

	q->desc = NULL;
	q->avail = NULL;
	q->used = NULL;
	q->mem = mem;
	if (!q->addr_set || n == 0 || mem->count == 0)
		return false;
	if ((q->addr.descriptor & 15) || (q->addr.available & 1) ||
	    (q->addr.used & 3)) {
		virtq_break(q, "misaligned ring addresses desc 0x%llx avail 0x%llx used 0x%llx",
			    (unsigned long long)q->addr.descriptor,
			    (unsigned long long)q->addr.available,
			    (unsigned long long)q->addr.used);
		return false;
	}
	q->desc = (struct virtq_desc *)mem_from_uva(mem, q->addr.descriptor,
						    virtq_desc_size(n));
	q->avail = (struct virtq_avail *)mem_from_uva(mem, q->addr.available,
						      virtq_avail_size(n));
	q->used = (struct virtq_used *)mem_from_uva(mem, q->addr.used,
						    virtq_used_size(n));
	if (q->desc && q->avail && q->used &&
	    (overlaps(q->used, virtq_used_size(n), q->desc, virtq_desc_size(n)) ||
	     overlaps(q->used, virtq_used_size(n), q->avail, virtq_avail_size(n)))) {
		/* The device writes the used ring; it must not rewrite its input. */
		virtq_break(q, "used ring 0x%llx overlaps the descriptor table or available ring",
			    (unsigned long long)q->addr.used);
		q->desc = NULL;
		q->avail = NULL;
		q->used = NULL;
		return false;
	}
	if (!q->desc || !q->avail || !q->used) {
		virtq_break(q, "ring (desc 0x%llx avail 0x%llx used 0x%llx, size %u) outside guest memory",
			    (unsigned long long)q->addr.descriptor,
			    (unsigned long long)q->addr.available,
			    (unsigned long long)q->addr.used, n);
		q->desc = NULL;
		q->avail = NULL;
		q->used = NULL;
		return false;
	}
	q->used_idx = LOAD(q->used->idx);
	q->signalled_valid = false;
	return true;
}

/* Add the guest buffer [addr, addr + len) as one or more segments. */
static bool add_buffer(struct virtq *q, const struct mem_table *mem,
		       uint64_t addr, uint32_t len, bool writable,
		       unsigned int *count, unsigned int *writable_count)
{
	if (!writable && *writable_count) {
		virtq_break(q, "device-readable buffer after a device-writable one");
		return false;
	}
	if (addr + len < addr) {
		virtq_break(q, "buffer 0x%llx+%u wraps around",
			    (unsigned long long)addr, len);
		return false;
	}
	while (len) {
		uint64_t piece;
		uint8_t *host = mem_from_gpa(mem, addr, len, &piece);

		if (!host) {
			virtq_break(q, "buffer 0x%llx+%u outside guest memory",
				    (unsigned long long)addr, len);
			return false;
		}
		if (*count == VIRTQ_MAX_SEGMENTS) {
			virtq_break(q, "chain needs more than %u segments",
				    VIRTQ_MAX_SEGMENTS);
			return false;
		}
		q->segments[*count].iov_base = host;
		q->segments[*count].iov_len = piece;
		(*count)++;
		if (writable)
			(*writable_count)++;
		addr += piece;
		len -= piece;
	}
	return true;
}

/* Walk the chain at @head into q->segments; false if the queue broke. */
static bool walk_chain(struct virtq *q, const struct mem_table *mem,
		       uint16_t head, unsigned int *count,
		       unsigned int *writable_count)
{
	const struct virtq_desc *table = q->desc;
	unsigned int table_size = q->num;
	unsigned int seen = 0;
	bool indirect = false;
	uint16_t i = head;

	for (;;) {
		if (seen++ == table_size) {
			virtq_break(q, "chain at head %u longer than %s size %u (loop?)",
				    head, indirect ? "indirect table" : "queue",
				    table_size);
			return false;
		}
		uint64_t addr = LOAD(table[i].addr);
		uint32_t len = LOAD(table[i].len);
		uint16_t flags = LOAD(table[i].flags);
		uint16_t next = LOAD(table[i].next);

		if (flags & VIRTQ_DESC_F_INDIRECT) {
			uint64_t got;

			if (!q->indirect || indirect ||
			    (flags & VIRTQ_DESC_F_NEXT)) {
				virtq_break(q, "descriptor %u: indirect flag not allowed here (flags 0x%x)",
					    i, flags);
				return false;
			}
			if (len == 0 || len % sizeof(struct virtq_desc) ||
			    len / sizeof(struct virtq_desc) > VIRTQ_MAX_INDIRECT) {
				virtq_break(q, "descriptor %u: bad indirect table length %u",
					    i, len);
				return false;
			}
			table = (const struct virtq_desc *)mem_from_gpa(mem, addr, len, &got);
			if (!table || got != len || (addr & 15)) {
				virtq_break(q, "descriptor %u: indirect table 0x%llx+%u outside guest memory or misaligned",
					    i, (unsigned long long)addr, len);
				return false;
			}
			table_size = len / sizeof(struct virtq_desc);
			indirect = true;
			seen = 0;
			i = 0;
			continue;
		}
		if (!add_buffer(q, mem, addr, len, flags & VIRTQ_DESC_F_WRITE,
				count, writable_count))
			return false;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return true;
		if (next >= table_size) {
			virtq_break(q, "descriptor %u: next %u beyond %s size %u",
				    i, next, indirect ? "indirect table" : "queue",
				    table_size);
			return false;
		}
		i = next;
	}
}

/* Has the guest made buffers available? Checks the index it published. */
static int avail_pending(struct virtq *q, uint16_t avail_idx)
{
	uint16_t pending = avail_idx - q->last_avail_idx;

	if (pending > q->num) {
		virtq_break(q, "available index %u is %u ahead of %u (queue size %u)",
			    avail_idx, pending, q->last_avail_idx, q->num);
		return -1;
	}
	return pending != 0;
}

int virtq_pop(struct virtq *q, const struct mem_table *mem,
	      struct candor_chain **out)
{
	unsigned int count = 0, writable_count = 0;

	if (q->broken)
		return -1;
	if (!q->desc)
		return 0;
	int pending = avail_pending(q, LOAD(q->avail->idx));

	if (pending == 0 && q->event_idx) {
		/* Ask for a kick on the next buffer, then look once more. */
		STORE(*virtq_avail_event(q->used, q->num), q->last_avail_idx);
		log_used_ring(q);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		pending = avail_pending(q, LOAD(q->avail->idx));
	}
	if (pending <= 0)
		return pending;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	uint16_t head = LOAD(q->avail->ring[q->last_avail_idx & (q->num - 1)]);

	if (head >= q->num) {
		virtq_break(q, "available ring entry %u: head %u beyond queue size %u",
			    q->last_avail_idx, head, q->num);
		return -1;
	}
	if (!walk_chain(q, mem, head, &count, &writable_count))
		return -1;

	struct candor_chain *c = malloc(sizeof(*c) + count * sizeof(struct iovec));

	if (!c) {
		candor_log(CANDOR_LOG_ERROR, "queue %u: out of memory", q->index);
		return 0;
	}
	c->queue = q;
	c->head = head;
	c->readable_count = count - writable_count;
	c->writable_count = writable_count;
	c->readable_len = 0;
	c->writable_len = 0;
	for (unsigned int k = 0; k < count; k++) {
		c->iov[k] = q->segments[k];
		if (k < c->readable_count)
			c->readable_len += q->segments[k].iov_len;
		else
			c->writable_len += q->segments[k].iov_len;
	}
	c->mem_generation = shim_mem_generation;
	if (shim_check_enabled)
		virtq_check_pop(q, c);
	q->last_avail_idx++;
	*out = c;
	return 1;
}

/* Write @chain's used entry @ahead places past the used index; frees it. */
static void fill_used(struct virtq *q, struct candor_chain *chain,
		      uint32_t written, uint16_t ahead)
{
	struct virtq_used_elem *e =
		&q->used->ring[(uint16_t)(q->used_idx + ahead) & (q->num - 1)];

	if (written > chain->writable_len)
		written = chain->writable_len;
	if (shim_check_enabled)
		virtq_check_push(q, chain);
	log_chain(q, chain);
	STORE(e->id, chain->head);
	STORE(e->len, written);
	free(chain);
}

static void publish_used(struct virtq *q, uint16_t count)
{
	if (shim_check_enabled && LOAD(q->used->idx) != q->used_idx)
		shim_check_log(true, "queue %u: used index in guest memory is %u, the device published %u",
			       q->index, LOAD(q->used->idx), q->used_idx);
	q->used_idx += count;
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
	log_used_ring(q);
	q->pushed = true;
}

void virtq_push(struct virtq *q, struct candor_chain *chain, uint32_t written)
{
	fill_used(q, chain, written, 0);
	publish_used(q, 1);
}

void virtq_push_batch(struct virtq *q, struct candor_chain **chains,
		      const uint32_t *written, uint16_t count)
{
	for (uint16_t i = 0; i < count; i++)
		fill_used(q, chains[i], written[i], i);
	if (count)
		publish_used(q, count);
}

void virtq_unpop(struct virtq *q, struct candor_chain *chain)
{
	if (shim_check_enabled)
		q->inflight[chain->head / 64] &= ~(1ull << (chain->head % 64));
	log_chain(q, chain);
	q->last_avail_idx--;
	free(chain);
}

bool virtq_should_notify(struct virtq *q)
{
	if (!q->pushed || !q->used)
		return false;
	q->pushed = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(LOAD(q->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);

	uint16_t used_event = LOAD(*virtq_used_event(q->avail, q->num));
	bool notify = !q->signalled_valid ||
		      virtq_need_event(used_event, q->used_idx, q->signalled_used);

	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	return notify;
}

/* --- CANDOR_SHIM_CHECK bookkeeping (see check.c) --------------------- */

void virtq_check_pop(struct virtq *q, struct candor_chain *chain)
{
	uint64_t bit = 1ull << (chain->head % 64);

	if (q->inflight[chain->head / 64] & bit)
		shim_check_log(true, "queue %u: head %u made available again (avail entry %u) while the device still owns it",
			       q->index, chain->head, q->last_avail_idx);
	q->inflight[chain->head / 64] |= bit;
}

void virtq_check_push(struct virtq *q, struct candor_chain *chain)
{
	uint64_t bit = 1ull << (chain->head % 64);
	unsigned int count = 0, writable_count = 0;
	bool same;

	if (!(q->inflight[chain->head / 64] & bit))
		shim_check_log(true, "queue %u: head %u pushed but not owned by the device",
			       q->index, chain->head);
	q->inflight[chain->head / 64] &= ~bit;
	if (!q->desc || !q->mem || chain->mem_generation != shim_mem_generation) {
		shim_check_log(true, "queue %u: head %u pushed after the rings or memory table changed",
			       q->index, chain->head);
		return;
	}
	/* The guest's descriptors must still describe the buffers we were given. */
	q->probing = true;
	q->probe_failed = false;
	same = walk_chain(q, q->mem, chain->head, &count, &writable_count) &&
	       !q->probe_failed &&
	       count == chain->readable_count + chain->writable_count &&
	       writable_count == chain->writable_count;
	for (unsigned int k = 0; same && k < count; k++)
		same = q->segments[k].iov_base == chain->iov[k].iov_base &&
		       q->segments[k].iov_len == chain->iov[k].iov_len;
	q->probing = false;
	if (!same)
		shim_check_log(true, "queue %u: head %u: the guest changed its descriptors while the device owned them",
			       q->index, chain->head);
}
