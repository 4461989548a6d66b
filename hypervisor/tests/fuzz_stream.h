/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */
/* What the vhost-user fuzz targets share: a hostile frontend's side of the socket. */
#ifndef FUZZ_STREAM_H
#define FUZZ_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "candor_protocol.h"

#define MEMORY_SIZE	0x10000u	/* every memfd the harness attaches */

struct stream {
	int fd;
	const uint8_t *data;
	size_t size;
};

/* sendmsg of @len bytes with @count file descriptors attached. */
ssize_t fuzz_send_raw(int fd, const void *data, size_t len, const int *fds,
		      int count);
/* Thread body: write a struct stream's messages, then shut the socket for writing. */
void *fuzz_write_stream(void *stream);
/* Thread body: read and drop the backend's replies on the int fd @arg points at. */
void *fuzz_drain_replies(void *arg);
/* One well-formed message, with the file descriptor @attached unless it is -1. */
void fuzz_send_message(int fd, uint32_t request, const void *payload,
		       uint32_t size, int attached);
/* Open file descriptors of this process (to find leaks). */
int fuzz_open_fds(void);

#endif
