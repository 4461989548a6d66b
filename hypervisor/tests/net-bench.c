// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * vhost-net-bench BUILD_DIR [SECONDS [FRAME_BYTES]]
 *
 * Frames from one candor-net to another through a candor-net hub, both
 * driven from the host side by the test frontend: the sender keeps its
 * transmit ring full, the receiver keeps 2048-byte receive buffers
 * posted. Prints the frames and bits per second that arrived and how
 * many of the frames sent did (a full queue drops, as on a real switch).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vhost-frontend.h"

#define BIT(n)		(1ull << (n))
#define QUEUE_SIZE	256
#define RX_BUFFER	2048
#define HDR_LEN		sizeof(struct virtio_net_hdr_v1)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static pid_t start(const char *driver, char *a1, char *a2, char *a3, char *a4)
{
	char *argv[] = { (char *)driver, a1, a2, a3, a4, NULL };

	return vf_spawn(argv, "/dev/null");
}

static int connect_nic(struct vf_conn *c, struct vf_queue *tx, const char *sock)
{
	uint64_t want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
			BIT(VIRTIO_RING_F_EVENT_IDX);
	int rc;

	if ((rc = vf_connect(c, sock, 5000)) ||
	    (rc = vf_setup(c, want, 16 << 20, QUEUE_SIZE)) ||
	    (rc = vf_setup_queue(c, VIRTIO_NET_TX_QUEUE, tx, QUEUE_SIZE)))
		return rc;
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 3;
	size_t size = argc > 3 ? strtoul(argv[3], NULL, 10) : 1500;
	char dir[] = "/tmp/candor-net-bench.XXXXXX", hub[128], sa[128], sb[128], *driver;
	struct vf_conn a, b;
	struct vf_queue atx, btx;
	pid_t pids[3];
	uint64_t sent = 0, received = 0, bytes = 0;
	struct stat st;
	uint32_t id, len;

	if (argc < 2 || size < 14 || size > RX_BUFFER - HDR_LEN || seconds <= 0) {
		fprintf(stderr, "usage: vhost-net-bench BUILD_DIR [SECONDS [FRAME_BYTES 14..%zu]]\n",
			RX_BUFFER - HDR_LEN);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir) || asprintf(&driver, "%s/candor-net", argv[1]) < 0)
		return 1;
	snprintf(hub, sizeof(hub), "%s/hub.sock", dir);
	snprintf(sa, sizeof(sa), "%s/a.sock", dir);
	snprintf(sb, sizeof(sb), "%s/b.sock", dir);
	pids[0] = start(driver, "--hub", hub, NULL, NULL);
	for (int i = 0; i < 500 && stat(hub, &st) < 0; i++)
		usleep(10000);
	pids[1] = start(driver, "--socket", sb, "--switch", hub);
	pids[2] = start(driver, "--socket", sa, "--switch", hub);
	if (connect_nic(&b, &btx, sb) || connect_nic(&a, &atx, sa)) {
		fprintf(stderr, "vhost-net-bench: cannot set up the devices\n");
		return 1;
	}
	/* One frame image and one header for every transmit chain; fresh receive buffers. */
	uint64_t hdr = vf_alloc(&a, HDR_LEN), frame = vf_alloc(&a, size);
	uint8_t *f = vf_host(&a, frame);

	memset(vf_host(&a, hdr), 0, HDR_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x52\x54\x00\x00\x00\x0a\x88\xb5", 8);
	uint64_t rx[QUEUE_SIZE];

	for (int i = 0; i < QUEUE_SIZE; i++) {
		rx[i] = vf_alloc(&b, RX_BUFFER);
		vf_add(&b, &(struct vf_buf){ rx[i], RX_BUFFER, true }, 1);
	}
	vf_flush(&b);

	double end = now() + seconds, start_time = now();

	while (now() < end) {
		bool idle = true;

		while (atx.free_count >= 2) {
			struct vf_buf bufs[2] = { { hdr, HDR_LEN, false }, { frame, size, false } };

			vf_add_q(&atx, bufs, 2);
			sent++;
		}
		vf_flush_q(&a, &atx);
		while (vf_take_used_q(&atx, &id, &len))
			idle = false;
		while (vf_take_used(&b, &id, &len)) {
			idle = false;
			received++;
			bytes += len - HDR_LEN;
			vf_add(&b, &(struct vf_buf){ rx[id], RX_BUFFER, true }, 1);
		}
		vf_flush(&b);
		if (idle) {
			/* Both call eventfds: whichever side has news. */
			struct pollfd p[2] = { { atx.call_fd, POLLIN, 0 }, { b.q.call_fd, POLLIN, 0 } };
			uint64_t count;

			poll(p, 2, 1);
			for (int i = 0; i < 2; i++)
				if (p[i].revents)
					(void)!read(p[i].fd, &count, sizeof(count));
		}
	}
	double elapsed = now() - start_time;

	printf("%zu-byte frames through the hub for %.1f s: %.0f frames/s, %.1f Mbit/s, %.1f%% of %llu sent arrived\n",
	       size, elapsed, received / elapsed, bytes * 8 / elapsed / 1e6,
	       sent ? 100.0 * received / sent : 0, (unsigned long long)sent);
	printf("frames_per_second %.0f\n", received / elapsed);
	vf_close_queue(&atx);
	vf_close_queue(&btx);
	vf_close(&a);
	vf_close(&b);
	for (int i = 0; i < 3; i++) {
		kill(pids[i], SIGTERM);
		waitpid(pids[i], NULL, 0);
	}
	unlink(hub);
	rmdir(dir);
	free(driver);
	return received ? 0 : 1;
}
