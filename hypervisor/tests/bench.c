// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * vhost-bench --socket PATH --image-size BYTES --depth N --seconds S
 *
 * 4 KiB random reads through a vhost-user-blk backend, driven from the
 * host side: requests are written into the ring in shared memory and the
 * backend is kicked via eventfd; DEPTH requests stay in flight. Prints
 * "iops VALUE" after a human-readable line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vhost-frontend.h"

#define BIT(n)		(1ull << (n))
#define BLOCK		4096
#define QUEUE_SIZE	256

struct slot {
	uint64_t hdr;
	uint64_t data;
	uint64_t status;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static int submit(struct vf_conn *c, struct slot *s, uint64_t blocks,
		  uint64_t *rng)
{
	struct virtio_blk_outhdr *hdr = vf_host(c, s->hdr);
	struct vf_buf bufs[] = {
		{ s->hdr, sizeof(*hdr), false },
		{ s->data, BLOCK, true },
		{ s->status, 1, true },
	};

	hdr->type = VIRTIO_BLK_T_IN;
	hdr->ioprio = 0;
	hdr->sector = next_random(rng) % blocks * (BLOCK / 512);
	*(uint8_t *)vf_host(c, s->status) = 0xff;
	return vf_add(c, bufs, 3);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "image-size", required_argument, NULL, 'i' },
		{ "depth", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL;
	uint64_t image_size = 0, rng = 0x9e3779b97f4a7c15ull, done = 0;
	int depth = 32, opt, rc;
	double seconds = 5, start, elapsed;
	struct slot *slots, *by_head[QUEUE_SIZE] = { 0 };
	struct vf_conn c;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'i': image_size = strtoull(optarg, NULL, 0); break;
		case 'd': depth = atoi(optarg); break;
		case 't': seconds = atof(optarg); break;
		default: return 2;
		}
	}
	if (!sock || image_size < BLOCK || depth < 1 || depth > QUEUE_SIZE / 3) {
		fprintf(stderr, "usage: vhost-bench --socket PATH --image-size BYTES [--depth 1..%d] [--seconds S]\n",
			QUEUE_SIZE / 3);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = vf_connect(&c, sock, 10000);
	if (rc == 0)
		rc = vf_setup(&c, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX),
			      8 << 20, QUEUE_SIZE);
	if (rc < 0) {
		fprintf(stderr, "vhost-bench: %s: %s\n", sock, strerror(-rc));
		return 1;
	}
	slots = calloc(depth, sizeof(*slots));
	if (!slots)
		return 1;
	for (int i = 0; i < depth; i++) {
		slots[i].hdr = vf_alloc(&c, sizeof(struct virtio_blk_outhdr));
		slots[i].data = vf_alloc(&c, BLOCK);
		slots[i].status = vf_alloc(&c, 1);
	}
	start = now();
	for (int i = 0; i < depth; i++)
		by_head[submit(&c, &slots[i], image_size / BLOCK, &rng)] = &slots[i];
	vf_flush(&c);
	while ((elapsed = now() - start) < seconds) {
		uint32_t id, len;

		rc = vf_wait_used(&c, 5000, &id, &len);
		if (rc <= 0) {
			fprintf(stderr, "vhost-bench: no completion: %s\n",
				rc ? strerror(-rc) : "timeout");
			return 1;
		}
		do {
			struct slot *s = id < QUEUE_SIZE ? by_head[id] : NULL;

			if (!s || *(uint8_t *)vf_host(&c, s->status) != VIRTIO_BLK_S_OK) {
				fprintf(stderr, "vhost-bench: bad completion (head %u)\n", id);
				return 1;
			}
			by_head[id] = NULL;
			done++;
			by_head[submit(&c, s, image_size / BLOCK, &rng)] = s;
		} while (vf_take_used(&c, &id, &len));
		vf_flush(&c);
	}
	printf("%llu reads of 4 KiB in %.2f s, queue depth %d: %.0f IOPS\n",
	       (unsigned long long)done, elapsed, depth, done / elapsed);
	printf("iops %.0f\n", done / elapsed);
	vf_close(&c);
	return 0;
}
