// SPDX-License-Identifier: GPL-2.0-only
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * candor-blk: virtio-blk backend on a raw image file.
 *
 *   candor-blk (--socket PATH | --fd N) --image FILE [--read-only]
 *
 * Serves one vhost-user frontend (on PATH, or on the connected socket N
 * that the frontend handed down) and exits when it disconnects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "candor_protocol.h"
#include "candor_shim.h"

CANDOR_DRIVER_LICENSE("GPL-2.0-only");

#define BLK_QUEUE_SIZE	256
#define BLK_MAX_IOV	(BLK_QUEUE_SIZE + 2)

struct blk {
	int fd;
	bool read_only;
	uint64_t size;			/* bytes, a multiple of the sector size */
	char id[VIRTIO_BLK_ID_BYTES];
	struct virtio_blk_config config;
};

/* Bytes [offset, offset + len) must lie inside the image. */
static bool blk_range_ok(const struct blk *blk, uint64_t sector, size_t len)
{
	if (len % VIRTIO_BLK_SECTOR_SIZE)
		return false;
	if (sector > blk->size / VIRTIO_BLK_SECTOR_SIZE)
		return false;
	return len <= blk->size - sector * VIRTIO_BLK_SECTOR_SIZE;
}

static uint8_t blk_rw(struct blk *blk, struct candor_chain *chain,
		      const struct virtio_blk_outhdr *hdr, size_t len,
		      bool write, uint32_t *written)
{
	struct iovec iov[BLK_MAX_IOV];
	off_t offset;
	int count;
	ssize_t done;

	if (write && blk->read_only)
		return VIRTIO_BLK_S_IOERR;
	/* The guest chooses the sector: range-check it before multiplying. */
	if (!blk_range_ok(blk, hdr->sector, len))
		return VIRTIO_BLK_S_IOERR;
	offset = (off_t)(hdr->sector * VIRTIO_BLK_SECTOR_SIZE);
	if (len == 0)
		return VIRTIO_BLK_S_OK;
	if (write)
		count = candor_chain_iov(chain, CANDOR_READABLE, sizeof(*hdr),
					 len, iov, BLK_MAX_IOV);
	else
		count = candor_chain_iov(chain, CANDOR_WRITABLE, 0, len, iov,
					 BLK_MAX_IOV);
	if (count < 0)
		return VIRTIO_BLK_S_IOERR;
	while (len) {
		done = write ? pwritev(blk->fd, iov, count, offset)
			     : preadv(blk->fd, iov, count, offset);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0) {
			candor_log(CANDOR_LOG_ERROR, "%s at sector %llu: %s",
				   write ? "write" : "read",
				   (unsigned long long)hdr->sector,
				   done < 0 ? strerror(errno) : "end of file");
			return VIRTIO_BLK_S_IOERR;
		}
		if (!write)
			*written += done;
		offset += done;
		len -= done;
		/* Short transfer: skip what was done and go on. */
		while (done && done >= (ssize_t)iov[0].iov_len) {
			done -= iov[0].iov_len;
			memmove(iov, iov + 1, --count * sizeof(*iov));
		}
		if (done) {
			iov[0].iov_base = (char *)iov[0].iov_base + done;
			iov[0].iov_len -= done;
		}
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_request(struct blk *blk, struct candor_chain *chain,
			   size_t writable, uint32_t *written)
{
	struct virtio_blk_outhdr hdr;
	size_t readable = candor_chain_len(chain, CANDOR_READABLE);

	if (candor_chain_read(chain, 0, &hdr, sizeof(hdr)) < 0)
		return VIRTIO_BLK_S_IOERR;

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		return blk_rw(blk, chain, &hdr, writable - 1, false, written);
	case VIRTIO_BLK_T_OUT:
		return blk_rw(blk, chain, &hdr, readable - sizeof(hdr), true,
			      written);
	case VIRTIO_BLK_T_FLUSH:
		if (fdatasync(blk->fd) < 0) {
			candor_log(CANDOR_LOG_ERROR, "flush: %s", strerror(errno));
			return VIRTIO_BLK_S_IOERR;
		}
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		size_t n = writable - 1 < sizeof(blk->id) ? writable - 1
							  : sizeof(blk->id);

		if (candor_chain_write(chain, 0, blk->id, n) < 0)
			return VIRTIO_BLK_S_IOERR;
		*written += n;
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static void blk_handle_queue(struct candor_device *dev, unsigned int queue,
			     void *opaque)
{
	struct blk *blk = opaque;
	struct candor_chain *chain;

	while ((chain = candor_queue_pop(dev, queue))) {
		size_t writable = candor_chain_len(chain, CANDOR_WRITABLE);
		uint32_t written = 0;
		uint8_t status;

		if (writable == 0) {
			/* No room for a status byte: nothing to answer with. */
			candor_log(CANDOR_LOG_WARNING,
				   "request without a status byte dropped");
			candor_queue_push(dev, chain, 0);
			continue;
		}
		status = blk_request(blk, chain, writable, &written);
		candor_chain_write(chain, writable - 1, &status, 1);
		candor_queue_push(dev, chain, written + 1);
	}
	candor_queue_notify(dev, queue);
}

static int blk_open(struct blk *blk, const char *image, bool read_only)
{
	struct stat st;
	const char *name;
	char *copy;

	blk->read_only = read_only;
	blk->fd = open(image, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (blk->fd < 0 || fstat(blk->fd, &st) < 0) {
		fprintf(stderr, "candor-blk: %s: %s\n", image, strerror(errno));
		return -1;
	}
	blk->size = (uint64_t)st.st_size / VIRTIO_BLK_SECTOR_SIZE *
		    VIRTIO_BLK_SECTOR_SIZE;
	/* The device id is the image's file name, cut to 20 bytes. */
	copy = strdup(image);
	if (!copy)
		return -1;
	name = basename(copy);
	memcpy(blk->id, name, strnlen(name, sizeof(blk->id)));
	free(copy);

	blk->config.capacity = blk->size / VIRTIO_BLK_SECTOR_SIZE;
	blk->config.seg_max = BLK_QUEUE_SIZE - 2;
	blk->config.blk_size = VIRTIO_BLK_SECTOR_SIZE;
	blk->config.num_queues = 1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: candor-blk (--socket PATH | --fd N) --image FILE [--read-only]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ "image", required_argument, NULL, 'i' },
		{ "read-only", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket_path = NULL, *image = NULL;
	struct candor_device_info info = { 0 };
	struct candor_device *dev;
	struct blk blk = { 0 };
	bool read_only = false;
	int opt, rc, fd = -1;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			socket_path = optarg;
			break;
		case 'f':
			fd = candor_parse_fd(optarg);
			if (fd < 0)
				usage();
			break;
		case 'i':
			image = optarg;
			break;
		case 'r':
			read_only = true;
			break;
		default:
			usage();
		}
	}
	if (!socket_path == (fd < 0) || !image || optind != argc)
		usage();
	if (blk_open(&blk, image, read_only) < 0)
		return 1;

	info.device_type = VIRTIO_ID_BLOCK;
	info.features = (1ull << VIRTIO_BLK_F_SEG_MAX) |
			(1ull << VIRTIO_BLK_F_BLK_SIZE) |
			(1ull << VIRTIO_BLK_F_FLUSH);
	if (read_only)
		info.features |= 1ull << VIRTIO_BLK_F_RO;
	info.config = &blk.config;
	info.config_size = sizeof(blk.config);
	info.num_queues = 1;
	info.queue_size = BLK_QUEUE_SIZE;
	info.handle_queue = blk_handle_queue;
	info.opaque = &blk;

	dev = candor_device_register(&info);
	if (!dev)
		return 1;
	rc = fd >= 0 ? candor_device_serve_fd(dev, fd)
		     : candor_device_serve(dev, socket_path);
	candor_device_unregister(dev);
	close(blk.fd);
	return rc < 0 ? 1 : 0;
}
