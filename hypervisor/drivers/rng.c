// SPDX-License-Identifier: GPL-2.0-only
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * candor-rng: virtio-rng (entropy device) backend.
 *
 *   candor-rng --socket PATH | --fd N
 *
 * Fills every device-writable buffer from getrandom(). Serves one
 * vhost-user frontend (on PATH, or on the connected socket N that the
 * frontend handed down) and exits when it disconnects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "candor_protocol.h"
#include "candor_shim.h"

CANDOR_DRIVER_LICENSE("GPL-2.0-only");

#define RNG_QUEUE_SIZE	64
#define RNG_CHUNK	4096

/* Fill the chain's writable bytes; returns how many were filled. */
static uint32_t rng_fill(struct candor_chain *chain)
{
	size_t len = candor_chain_len(chain, CANDOR_WRITABLE);
	uint8_t buf[RNG_CHUNK];
	size_t done = 0;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	while (done < len) {
		size_t want = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t n = getrandom(buf, want, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			candor_log(CANDOR_LOG_ERROR, "getrandom: %s",
				   strerror(errno));
			break;
		}
		candor_chain_write(chain, done, buf, n);
		done += n;
	}
	return done;
}

static void rng_handle_queue(struct candor_device *dev, unsigned int queue,
			     void *opaque)
{
	struct candor_chain *chain;

	(void)opaque;
	while ((chain = candor_queue_pop(dev, queue))) {
		uint32_t filled = rng_fill(chain);

		candor_queue_push(dev, chain, filled);
	}
	candor_queue_notify(dev, queue);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct candor_device_info info = {
		.device_type = VIRTIO_ID_ENTROPY,
		.num_queues = 1,
		.queue_size = RNG_QUEUE_SIZE,
		.handle_queue = rng_handle_queue,
	};
	const char *socket_path = NULL;
	struct candor_device *dev;
	int opt, rc, fd = -1;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 's') {
			socket_path = optarg;
		} else if (opt == 'f' && (fd = candor_parse_fd(optarg)) >= 0) {
			continue;
		} else {
			fprintf(stderr, "usage: candor-rng --socket PATH | --fd N\n");
			return 2;
		}
	}
	if (!socket_path == (fd < 0) || optind != argc) {
		fprintf(stderr, "usage: candor-rng --socket PATH | --fd N\n");
		return 2;
	}
	dev = candor_device_register(&info);
	if (!dev)
		return 1;
	rc = fd >= 0 ? candor_device_serve_fd(dev, fd)
		     : candor_device_serve(dev, socket_path);
	candor_device_unregister(dev);
	return rc < 0 ? 1 : 0;
}
