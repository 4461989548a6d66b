// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * libFuzzer target for the shim's vhost-user message handling: a hostile
 * frontend's byte stream on the socket.
 *
 * Each input sets up a connection the way a frontend would (a memory
 * table of 64 KiB backed by a memfd, a kick eventfd for queue 0), then
 * sends the input: the first 4096 bytes (if any) become the start of
 * guest memory, the rest is written to the socket as raw messages. The
 * shim serves the connection until the end of the stream; a reader
 * thread drains its replies so it never blocks. A file descriptor left
 * open afterwards counts as a crash.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_stream.h"
#include "shim_internal.h"

#define MEMORY_PREFIX	4096u
#define UVA_BASE	0x7f0000000000ull

static struct candor_device *device;

static void handle(struct candor_device *dev, unsigned int queue, void *opaque)
{
	static const uint8_t fill[64];
	struct candor_chain *chain;

	while ((chain = candor_queue_pop(dev, queue))) {
		size_t len = candor_chain_len(chain, CANDOR_WRITABLE);

		candor_chain_write(chain, 0, fill, len < sizeof(fill) ? len : sizeof(fill));
		candor_queue_push(dev, chain, len);
	}
	candor_queue_notify(dev, queue);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_user_mem_table table = { .num_regions = 1 };
	uint64_t kick = 0;
	size_t prefix = size < MEMORY_PREFIX ? size : MEMORY_PREFIX;
	int sv[2], mem_fd, kick_fd;
	pthread_t writer, reader;
	struct stream stream;
	int fds_before = fuzz_open_fds();
	uint8_t *mem;

	if (!device) {
		struct candor_device_info info = {
			.device_type = VIRTIO_ID_ENTROPY,
			.num_queues = 2,
			.queue_size = 256,
			.config = "candor",
			.config_size = 6,
			.handle_queue = handle,
		};

		device = candor_device_register(&info);
		if (!device)
			abort();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	mem_fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	kick_fd = eventfd(0, EFD_CLOEXEC);
	if (mem_fd < 0 || kick_fd < 0 || ftruncate(mem_fd, MEMORY_SIZE) < 0)
		abort();
	mem = mmap(NULL, MEMORY_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	if (mem == MAP_FAILED)
		abort();
	memcpy(mem, data, prefix);

	table.regions[0].guest_phys_addr = 0;
	table.regions[0].memory_size = MEMORY_SIZE;
	table.regions[0].userspace_addr = UVA_BASE;
	fuzz_send_message(sv[0], VHOST_USER_SET_MEM_TABLE, &table,
		     8 + sizeof(table.regions[0]), mem_fd);
	fuzz_send_message(sv[0], VHOST_USER_SET_VRING_KICK, &kick, sizeof(kick), kick_fd);
	stream = (struct stream){ sv[0], data + prefix, size - prefix };
	if (pthread_create(&writer, NULL, fuzz_write_stream, &stream) ||
	    pthread_create(&reader, NULL, fuzz_drain_replies, &sv[0]))
		abort();
	shim_serve_connection(device, sv[1]);
	pthread_join(writer, NULL);
	pthread_join(reader, NULL);
	close(sv[0]);
	munmap(mem, MEMORY_SIZE);
	close(mem_fd);
	close(kick_fd);
	/* Every fd the frontend attached must be closed by now. */
	if (fuzz_open_fds() != fds_before)
		abort();
	return 0;
}
