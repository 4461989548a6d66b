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
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim_internal.h"

#define MEMORY_SIZE	0x10000u
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

static ssize_t send_raw(int fd, const void *data, size_t len, const int *fds,
			int count)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (count) {
		struct cmsghdr *cm;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * count);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * count);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * count);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL);
}

struct stream {
	int fd;
	const uint8_t *data;
	size_t size;
};

/*
 * Write the frontend's message stream, then end it. Harness convention:
 * bits 28-30 of a message's flags ask for that many file descriptors
 * (64 KiB memfds) to be attached to it, as SET_MEM_TABLE and
 * SET_VRING_* carry them; the shim ignores those flag bits.
 */
static void *write_stream(void *arg)
{
	struct stream *s = arg;
	size_t done = 0;

	while (done < s->size) {
		struct vhost_user_header h = { 0 };
		size_t len = s->size - done;
		int fds[8], count = 0;

		if (len >= sizeof(h)) {
			memcpy(&h, s->data + done, sizeof(h));
			if (h.size <= len - sizeof(h))
				len = sizeof(h) + h.size;
			count = (h.flags >> 28) & 7;
		}
		for (int i = 0; i < count; i++) {
			fds[i] = memfd_create("fuzz-fd", MFD_CLOEXEC);
			if (fds[i] < 0 || ftruncate(fds[i], MEMORY_SIZE) < 0)
				abort();
		}
		ssize_t n = send_raw(s->fd, s->data + done, len, fds, count);

		for (int i = 0; i < count; i++)
			close(fds[i]);
		if (n <= 0)
			break;
		done += n;
	}
	shutdown(s->fd, SHUT_WR);
	return NULL;
}

/* Read and drop the shim's replies so that it never blocks. */
static void *drain_replies(void *arg)
{
	int fd = *(int *)arg;
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void send_message(int fd, uint32_t request, const void *payload,
			 uint32_t size, int attached)
{
	uint8_t buf[sizeof(struct vhost_user_header) + 512];
	struct vhost_user_header h = { request, VHOST_USER_VERSION, size };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	if (send_raw(fd, buf, sizeof(h) + size, &attached, 1) !=
	    (ssize_t)(sizeof(h) + size))
		abort();
}

static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int count = 0;

	if (!dir)
		abort();
	while (readdir(dir))
		count++;
	closedir(dir);
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_user_mem_table table = { .num_regions = 1 };
	uint64_t kick = 0;
	size_t prefix = size < MEMORY_PREFIX ? size : MEMORY_PREFIX;
	int sv[2], mem_fd, kick_fd;
	pthread_t writer, reader;
	struct stream stream;
	int fds_before = open_fds();
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
	send_message(sv[0], VHOST_USER_SET_MEM_TABLE, &table,
		     8 + sizeof(table.regions[0]), mem_fd);
	send_message(sv[0], VHOST_USER_SET_VRING_KICK, &kick, sizeof(kick), kick_fd);
	stream = (struct stream){ sv[0], data + prefix, size - prefix };
	if (pthread_create(&writer, NULL, write_stream, &stream) ||
	    pthread_create(&reader, NULL, drain_replies, &sv[0]))
		abort();
	shim_serve_connection(device, sv[1]);
	pthread_join(writer, NULL);
	pthread_join(reader, NULL);
	close(sv[0]);
	munmap(mem, MEMORY_SIZE);
	close(mem_fd);
	close(kick_fd);
	/* Every fd the frontend attached must be closed by now. */
	if (open_fds() != fds_before)
		abort();
	return 0;
}
