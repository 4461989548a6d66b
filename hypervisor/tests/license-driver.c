// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * A tiny MIT-licensed driver for the license check: built calling the
 * GPL-only candor_chain_iov while declaring MIT or no license at all (the
 * shim must refuse to start it), and built without it (it must start).
 * It answers every buffer with zeros.
 *
 *   license-mit-gpl-symbol|license-none-gpl-symbol|license-mit-plain --socket PATH
 */
#include <stdio.h>
#include <string.h>

#include "candor_protocol.h"
#include "candor_shim.h"

#ifndef NO_LICENSE
CANDOR_DRIVER_LICENSE("MIT");
#endif

static void zero_fill(struct candor_chain *chain, size_t len)
{
#ifdef USE_GPL_SYMBOL
	struct iovec iov[16];
	int count = candor_chain_iov(chain, CANDOR_WRITABLE, 0, len, iov, 16);

	for (int i = 0; i < count; i++)
		memset(iov[i].iov_base, 0, iov[i].iov_len);
#else
	static const char zeros[64];

	for (size_t done = 0; done < len; done += sizeof(zeros)) {
		size_t n = len - done < sizeof(zeros) ? len - done : sizeof(zeros);

		candor_chain_write(chain, done, zeros, n);
	}
#endif
}

static void handle(struct candor_device *dev, unsigned int queue, void *opaque)
{
	struct candor_chain *chain;

	while ((chain = candor_queue_pop(dev, queue))) {
		size_t len = candor_chain_len(chain, CANDOR_WRITABLE);

		zero_fill(chain, len);
		candor_queue_push(dev, chain, len);
	}
	candor_queue_notify(dev, queue);
}

int main(int argc, char **argv)
{
	struct candor_device_info info = {
		.device_type = VIRTIO_ID_ENTROPY,
		.num_queues = 1,
		.queue_size = 64,
		.handle_queue = handle,
	};
	struct candor_device *dev;
	int rc;

	if (argc != 3 || strcmp(argv[1], "--socket")) {
		fprintf(stderr, "usage: %s --socket PATH\n", argv[0]);
		return 2;
	}
	dev = candor_device_register(&info);
	if (!dev)
		return 1;
	rc = candor_device_serve(dev, argv[2]);
	candor_device_unregister(dev);
	return rc < 0 ? 1 : 0;
}
