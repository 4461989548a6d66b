/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */
/* Shim internals: guest memory table and split virtqueues. Not for drivers. */
#ifndef CANDOR_SHIM_INTERNAL_H
#define CANDOR_SHIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "candor_protocol.h"
#include "candor_shim.h"

/* Longest indirect table accepted (QEMU and Linux use the same bound). */
#define VIRTQ_MAX_INDIRECT	1024
/* Most buffer pieces one chain may map to. */
#define VIRTQ_MAX_SEGMENTS	2048

struct mem_region {
	uint64_t gpa;		/* guest physical address */
	uint64_t size;
	uint64_t uva;		/* frontend's virtual address (ring addresses) */
	uint8_t *host;		/* our mapping of gpa */
	void *map;		/* what munmap needs */
	size_t map_len;
};

struct mem_table {
	unsigned int count;
	struct mem_region regions[VHOST_USER_MAX_REGIONS];
};

/*
 * Host pointer for guest physical @gpa if at least one byte there is
 * mapped; *@contiguous gets how many of @len bytes follow in the same
 * region. NULL when @gpa is outside guest memory.
 */
uint8_t *mem_from_gpa(const struct mem_table *mem, uint64_t gpa, uint64_t len,
		      uint64_t *contiguous);
/* Host pointer for frontend address [@uva, @uva + @len) in one region, or NULL. */
uint8_t *mem_from_uva(const struct mem_table *mem, uint64_t uva, uint64_t len);
void mem_unmap(struct mem_table *mem);
/* Guest physical address of host pointer @host, if it lies in @mem. */
bool mem_to_gpa(const struct mem_table *mem, const void *host, uint64_t *gpa);

/*
 * The frontend's dirty-page log for live migration (SET_LOG_BASE; on while
 * VHOST_F_LOG_ALL is acked): bit N % 8 of byte N / 8 stands for guest page N
 * (VHOST_LOG_PAGE bytes). The shim marks every page it or a driver wrote
 * through a chain, and the used rings, so the frontend sends them again.
 */
struct write_log {
	uint8_t *bits;
	uint64_t size;		/* bytes of bits */
	void *map;
	size_t map_len;
	bool on;
};

void write_log_mark(const struct write_log *log, uint64_t gpa, uint64_t len);
void write_log_unmap(struct write_log *log);

struct virtq {
	unsigned int index;
	uint16_t num;			/* queue size from SET_VRING_NUM */
	bool event_idx;			/* VIRTIO_RING_F_EVENT_IDX acked */
	bool indirect;			/* VIRTIO_RING_F_INDIRECT_DESC acked */
	bool broken;
	bool enabled;
	bool addr_set;
	struct vhost_user_vring_addr addr;	/* as the frontend sent it */
	struct virtq_desc *desc;	/* host pointers, NULL until mapped */
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail_idx;
	uint16_t used_idx;
	uint16_t signalled_used;
	bool signalled_valid;
	bool pushed;			/* used entries since the last notify */
	unsigned int budget;		/* chains the handler may still pop */
	bool rerun;			/* budget ran out: run again soon */
	int kick_fd;
	int call_fd;
	int err_fd;
	const struct mem_table *mem;	/* the table the rings were mapped with */
	const struct write_log *log;	/* the device's, set at registration */
	/* CANDOR_SHIM_CHECK only (check.c): */
	bool probing;			/* virtq_break only records (probe_failed) */
	bool probe_failed;
	uint64_t written_bytes;		/* into chains since the ring started */
	uint64_t inflight[32768 / 64];	/* heads popped and not yet pushed */
	struct iovec segments[VIRTQ_MAX_SEGMENTS];	/* scratch for pop */
};

struct candor_chain {
	struct virtq *queue;
	uint16_t head;
	unsigned int readable_count;	/* iov[0..readable_count) */
	unsigned int writable_count;	/* then writable_count more */
	size_t readable_len;
	size_t writable_len;
	uint64_t mem_generation;	/* shim_mem_generation at pop */
	struct iovec iov[];
};

void virtq_init(struct virtq *q, unsigned int index);
/*
 * Map the ring addresses through @mem. False if the ring is not fully
 * configured yet, or (and then the queue is broken) if it does not fit.
 */
bool virtq_map(struct virtq *q, const struct mem_table *mem);
/* 1: *@out holds a chain; 0: nothing available; -1: the queue is broken. */
int virtq_pop(struct virtq *q, const struct mem_table *mem,
	      struct candor_chain **out);
void virtq_push(struct virtq *q, struct candor_chain *chain, uint32_t written);
/* Push chains popped from @q (all of them from it) under one used index update. */
void virtq_push_batch(struct virtq *q, struct candor_chain **chains,
		      const uint32_t *written, uint16_t count);
/* Undo the last pop of @q: its head becomes available again. Frees @chain. */
void virtq_unpop(struct virtq *q, struct candor_chain *chain);
/* Whether the guest asked to be interrupted for what was pushed. */
bool virtq_should_notify(struct virtq *q);
/* Mark the queue broken; logs the first reason only. */
void virtq_break(struct virtq *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Serve the vhost-user frontend on the connected socket @conn (closed on
 * return) until it disconnects: 0, or a negative errno value.
 */
int shim_serve_connection(struct candor_device *dev, int conn);

/* False (and logged) if the driver uses GPL-only symbols without a GPL license. */
bool shim_license_allows_start(void);

/*
 * Call @piece for each stretch of guest memory that holds the bytes
 * [@offset, @offset + @len) of @chain in direction @dir, in order.
 * Returns -1 if the range is not inside the chain or @piece fails.
 */
int chain_pieces(const struct candor_chain *chain, enum candor_direction dir,
		 size_t offset, size_t len,
		 int (*piece)(void *base, size_t len, void *ctx), void *ctx);

/*
 * CANDOR_SHIM_CHECK=1 (check.c): every write into a chain is checked and every
 * violation logged (and the write dropped); see check.c for what is checked.
 */
extern bool shim_check_enabled;
extern uint64_t shim_check_violations;
/* Bumped whenever a memory table is unmapped: chains popped before are stale. */
extern uint64_t shim_mem_generation;
void shim_check_init(void);
void shim_check_log(bool violation, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True if writing @len bytes at @base is allowed for @chain; logs it if not. */
bool shim_check_write(const struct candor_chain *chain, const void *base,
		      size_t len);
/* Check mode's bookkeeping at pop and push (virtqueue.c). */
void virtq_check_pop(struct virtq *q, struct candor_chain *chain);
void virtq_check_push(struct virtq *q, struct candor_chain *chain);

#endif
