// SPDX-License-Identifier: GPL-2.0-only
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * libFuzzer target for candor-net's device half (drivers/net-device.c,
 * GPL, hence this file's license) behind the shim: hostile rings and
 * buffers on both queues, frames of any size from the backend, and a
 * hostile frontend's vhost-user messages.
 *
 * Input: byte 0 = features (bit 0 MRG_RXBUF, bit 1 EVENT_IDX, bit 2
 * INDIRECT_DESC), bytes 1-2 = length L of the frames part, then L bytes
 * of frames (each a 2-byte length and that many bytes, sent by the
 * backend), then up to 4096 bytes of guest memory, where the receive
 * rings (16 entries, at 0x000/0x100/0x200) and transmit rings (at
 * 0x400/0x500/0x600) live, then raw vhost-user messages (fuzz_stream.h
 * conventions). Both queues are kicked once at the start. A file
 * descriptor left open afterwards counts as a crash.
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
#include "net.h"
#include "shim_internal.h"

CANDOR_DRIVER_LICENSE("GPL-2.0-only");

#define MEMORY_PREFIX	4096u
#define UVA_BASE	0x7f0000000000ull
#define RING_SIZE	16
#define BIT(n)		(1ull << (n))

static struct net net;

static void set_up_queue(int sock, unsigned int index, int kick_fd, int call_fd)
{
	uint64_t base = index * 0x400;
	struct vhost_user_vring_state num = { index, RING_SIZE };
	struct vhost_user_vring_addr addr = {
		.index = index,
		.descriptor = UVA_BASE + base,
		.available = UVA_BASE + base + 0x100,
		.used = UVA_BASE + base + 0x200,
	};
	uint64_t which = index;

	fuzz_send_message(sock, VHOST_USER_SET_VRING_NUM, &num, sizeof(num), -1);
	fuzz_send_message(sock, VHOST_USER_SET_VRING_ADDR, &addr, sizeof(addr), -1);
	fuzz_send_message(sock, VHOST_USER_SET_VRING_CALL, &which, sizeof(which), call_fd);
	fuzz_send_message(sock, VHOST_USER_SET_VRING_KICK, &which, sizeof(which), kick_fd);
}

/* Queue the frames part on the backend socket; returns the bytes it used. */
static size_t send_frames(int backend, const uint8_t *data, size_t size)
{
	size_t len, used;

	if (size < 2)
		return size;
	len = data[0] | data[1] << 8;
	if (len > size - 2)
		len = size - 2;
	used = 2 + len;
	data += 2;
	while (len >= 2) {
		size_t frame = data[0] | data[1] << 8;

		if (frame > len - 2)
			frame = len - 2;
		/* A full socket drops the rest, as the kernel would. */
		(void)!send(backend, data + 2, frame, MSG_DONTWAIT | MSG_NOSIGNAL);
		data += 2 + frame;
		len -= 2 + frame;
	}
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_user_mem_table table = { .num_regions = 1 };
	int fds_before = fuzz_open_fds();
	int sv[2], backend[2], mem_fd, kick_fd[2], call_fd;
	pthread_t writer, reader;
	struct stream stream;
	uint64_t features;
	size_t prefix;
	uint8_t *mem;

	if (size < 1)
		return 0;
	features = BIT(VIRTIO_F_VERSION_1) |
		   (data[0] & 1 ? BIT(VIRTIO_NET_F_MRG_RXBUF) : 0) |
		   (data[0] & 2 ? BIT(VIRTIO_RING_F_EVENT_IDX) : 0) |
		   (data[0] & 4 ? BIT(VIRTIO_RING_F_INDIRECT_DESC) : 0);
	data++;
	size--;
	if (!net.dev) {
		struct candor_device_info info;

		net.kind = NET_BACKEND_SWITCH;
		net.fd = -1;
		net.config.status = VIRTIO_NET_S_LINK_UP;
		net_device_info(&net, &info);
		net.dev = candor_device_register(&info);
		if (!net.dev)
			abort();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, backend) < 0)
		abort();
	if (net_attach_backend(&net, backend[1]) < 0)
		abort();
	{
		size_t used = send_frames(backend[0], data, size);

		data += used;
		size -= used;
	}
	prefix = size < MEMORY_PREFIX ? size : MEMORY_PREFIX;
	mem_fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	kick_fd[0] = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);	/* fire at once */
	kick_fd[1] = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (mem_fd < 0 || kick_fd[0] < 0 || kick_fd[1] < 0 || call_fd < 0 ||
	    ftruncate(mem_fd, MEMORY_SIZE) < 0)
		abort();
	mem = mmap(NULL, MEMORY_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	if (mem == MAP_FAILED)
		abort();
	memcpy(mem, data, prefix);

	fuzz_send_message(sv[0], VHOST_USER_SET_FEATURES, &features, sizeof(features), -1);
	table.regions[0].guest_phys_addr = 0;
	table.regions[0].memory_size = MEMORY_SIZE;
	table.regions[0].userspace_addr = UVA_BASE;
	fuzz_send_message(sv[0], VHOST_USER_SET_MEM_TABLE, &table,
			  8 + sizeof(table.regions[0]), mem_fd);
	set_up_queue(sv[0], VIRTIO_NET_RX_QUEUE, kick_fd[0], call_fd);
	set_up_queue(sv[0], VIRTIO_NET_TX_QUEUE, kick_fd[1], call_fd);
	stream = (struct stream){ sv[0], data + prefix, size - prefix };
	if (pthread_create(&writer, NULL, fuzz_write_stream, &stream) ||
	    pthread_create(&reader, NULL, fuzz_drain_replies, &sv[0]))
		abort();
	shim_serve_connection(net.dev, sv[1]);
	pthread_join(writer, NULL);
	pthread_join(reader, NULL);
	net_detach_backend(&net);
	close(backend[0]);
	close(sv[0]);
	munmap(mem, MEMORY_SIZE);
	close(mem_fd);
	close(kick_fd[0]);
	close(kick_fd[1]);
	close(call_fd);
	/* Every fd the frontend attached must be closed by now. */
	if (fuzz_open_fds() != fds_before)
		abort();
	return 0;
}
