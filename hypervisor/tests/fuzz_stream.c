// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
// What the vhost-user fuzz targets share: a hostile frontend's side of the socket.
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_stream.h"

ssize_t fuzz_send_raw(int fd, const void *data, size_t len, const int *fds,
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

/*
 * Write the frontend's message stream, then end it. Harness convention:
 * bits 28-30 of a message's flags ask for that many file descriptors
 * (64 KiB memfds) to be attached to it, as SET_MEM_TABLE and
 * SET_VRING_* carry them; the shim ignores those flag bits.
 */
void *fuzz_write_stream(void *arg)
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
		ssize_t n = fuzz_send_raw(s->fd, s->data + done, len, fds, count);

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
void *fuzz_drain_replies(void *arg)
{
	int fd = *(int *)arg;
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

void fuzz_send_message(int fd, uint32_t request, const void *payload,
		       uint32_t size, int attached)
{
	uint8_t buf[sizeof(struct vhost_user_header) + 512];
	struct vhost_user_header h = { request, VHOST_USER_VERSION, size };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	if (fuzz_send_raw(fd, buf, sizeof(h) + size, &attached, attached >= 0) !=
	    (ssize_t)(sizeof(h) + size))
		abort();
}

int fuzz_open_fds(void)
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
