/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */
/*
 * A host-side vhost-user frontend for tests and benchmarks: it plays the
 * VMM. Guest memory is a memfd, one split virtqueue lives at its start,
 * the backend gets the memory and eventfds over the socket, and requests
 * are descriptor chains written straight into that memory.
 */
#ifndef VHOST_FRONTEND_H
#define VHOST_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "candor_protocol.h"

#define VF_GPA_BASE	0x40000000ull	/* guest physical base of the memory */

struct vf_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

struct vf_queue {
	uint16_t num;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t avail_idx;		/* next index we publish */
	uint16_t published;		/* what the backend has seen */
	uint16_t last_used;
	uint16_t free_head;
	uint16_t free_count;
	uint16_t *chain_len;		/* descriptors per head, to free them */
	int kick_fd;
	int call_fd;
	int err_fd;
};

struct vf_conn {
	int sock;
	uint64_t features;		/* offered by the backend */
	uint64_t acked;			/* what we set */
	uint64_t protocol;		/* acked protocol features */
	unsigned int regions;		/* memory table entries, set before vf_setup (default 1) */
	int mem_fd;
	uint8_t *mem;
	uint64_t mem_size;
	uint64_t next_free;		/* bump allocator for buffers */
	struct vf_queue q;
};

/* Start @argv[0] with stderr to @log_path; returns the pid or -1. */
pid_t vf_spawn(char *const argv[], const char *log_path);
/* Connect to @path, retrying until the backend listens or @timeout_ms passes. */
/* Use the connected socket @sock (e.g. one end of a socketpair). */
void vf_attach(struct vf_conn *c, int sock);
int vf_connect(struct vf_conn *c, const char *path, int timeout_ms);
/*
 * Full handshake: owner, features (backend's & @want), protocol features,
 * memory table (@mem_size bytes in c->regions adjacent regions), queue 0
 * of @num entries, eventfds, enable. Returns 0 or a negative errno value.
 */
int vf_setup(struct vf_conn *c, uint64_t want, uint64_t mem_size, uint16_t num);
void vf_close(struct vf_conn *c);
/*
 * Another queue (@index > 0) of @num entries, its rings in fresh guest
 * memory, handed to the backend with its own eventfds and enabled. The
 * vf_*_q calls work on it; vf_close_queue releases it.
 */
int vf_setup_queue(struct vf_conn *c, unsigned int index, struct vf_queue *q,
		   uint16_t num);
void vf_close_queue(struct vf_queue *q);

/*
 * Send one message; with @reply, read the reply (of @reply_size bytes)
 * into it. Sets need_reply when REPLY_ACK is acked and the request has no
 * reply of its own, and fails if the backend acks with non-zero.
 */
int vf_request(struct vf_conn *c, uint32_t request, const void *payload,
	       uint32_t size, const int *fds, int fd_count, void *reply,
	       uint32_t reply_size);
int vf_get_config(struct vf_conn *c, void *buf, uint32_t size);

/* Allocate @size bytes of guest memory (16-byte aligned); returns its gpa. */
uint64_t vf_alloc(struct vf_conn *c, uint64_t size);
void *vf_host(struct vf_conn *c, uint64_t gpa);

/* Put a chain on the available ring (not yet visible); returns its head or -1. */
int vf_add(struct vf_conn *c, const struct vf_buf *bufs, int count);
/* Add one descriptor pointing at an indirect table holding @bufs. */
int vf_add_indirect(struct vf_conn *c, const struct vf_buf *bufs, int count);
/* Publish a head that the caller wrote into the descriptor table itself. */
void vf_add_raw_head(struct vf_conn *c, uint16_t head);
/* Make added chains visible and kick if the backend wants a kick. */
int vf_flush(struct vf_conn *c);
/*
 * Wait for a used entry: 1 (filling @id and @len); 0 on timeout; -ECONNRESET or
 * -EPIPE when the backend went away.
 */
int vf_wait_used(struct vf_conn *c, int timeout_ms, uint32_t *id, uint32_t *len);
/* Take a used entry without waiting: 1, or 0 if there is none. */
int vf_take_used(struct vf_conn *c, uint32_t *id, uint32_t *len);

/* The same on any queue (queue 0 is &c->q). */
int vf_add_q(struct vf_queue *q, const struct vf_buf *bufs, int count);
int vf_flush_q(struct vf_conn *c, struct vf_queue *q);
int vf_take_used_q(struct vf_queue *q, uint32_t *id, uint32_t *len);
int vf_wait_used_q(struct vf_conn *c, struct vf_queue *q, int timeout_ms,
		   uint32_t *id, uint32_t *len);

#endif
