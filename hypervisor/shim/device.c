// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * The backend side of vhost-user (QEMU docs/interop/vhost-user.rst): one
 * frontend connection, its messages, and an epoll loop over the socket and
 * the queues' kick eventfds. Drivers see only the candor_* calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim_internal.h"

#define BIT(n)			(1ull << (n))
#define TRANSPORT_FEATURES	(BIT(VIRTIO_F_VERSION_1) |		\
				 BIT(VIRTIO_RING_F_INDIRECT_DESC) |	\
				 BIT(VIRTIO_RING_F_EVENT_IDX) |		\
				 BIT(VHOST_F_LOG_ALL) |			\
				 BIT(VHOST_USER_F_PROTOCOL_FEATURES))
#define PROTOCOL_FEATURES	(BIT(VHOST_USER_PROTOCOL_F_MQ) |	\
				 BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD) |	\
				 BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |	\
				 BIT(VHOST_USER_PROTOCOL_F_CONFIG))
#define MAX_QUEUES		8
#define MAX_WATCHES		4
#define CONNECTION_EVENT	UINT32_MAX
#define WATCH_EVENT		0x10000u	/* + index into watches */

/* A driver's own input (candor_device_watch). */
struct watch {
	int fd;
	bool enabled;
	void (*handler)(struct candor_device *dev, int fd, void *opaque);
	void *opaque;
};

struct candor_device {
	struct candor_device_info info;
	uint8_t config[VHOST_USER_MAX_CONFIG_SIZE];
	uint64_t features;		/* offered */
	uint64_t acked_features;
	uint64_t protocol_features;	/* acked */
	int conn;
	int epoll;
	struct mem_table mem;
	struct write_log log;
	struct virtq *queues;
	struct watch watches[MAX_WATCHES];
	unsigned int watch_count;
};

struct message {
	struct vhost_user_header hdr;
	union {
		uint64_t u64;
		struct vhost_user_vring_state state;
		struct vhost_user_vring_addr addr;
		struct vhost_user_mem_table mem;
		struct vhost_user_log log;
		struct vhost_user_config config;
		uint8_t bytes[VHOST_USER_MAX_PAYLOAD];
	} payload;
	int fds[VHOST_USER_MAX_REGIONS];
	unsigned int fd_count;
};

struct candor_device *candor_device_register(const struct candor_device_info *info)
{
	struct candor_device *dev;

	if (!shim_license_allows_start())
		return NULL;
	shim_check_init();
	if (!info || !info->device_type || !info->handle_queue ||
	    info->num_queues == 0 || info->num_queues > MAX_QUEUES ||
	    info->queue_size == 0 || info->queue_size > 32768 ||
	    (info->queue_size & (info->queue_size - 1)) ||
	    info->config_size > VHOST_USER_MAX_CONFIG_SIZE ||
	    (info->config_size && !info->config)) {
		candor_log(CANDOR_LOG_ERROR,
			   "candor_device_register: invalid device info (queues 1..%d, queue size a power of 2 up to 32768, config up to %d bytes, handler required)",
			   MAX_QUEUES, VHOST_USER_MAX_CONFIG_SIZE);
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->queues = calloc(info->num_queues, sizeof(*dev->queues));
	if (!dev->queues) {
		free(dev);
		return NULL;
	}
	dev->info = *info;
	memcpy(dev->config, info->config, info->config_size);
	dev->features = info->features | TRANSPORT_FEATURES;
	dev->conn = -1;
	dev->epoll = -1;
	for (unsigned int i = 0; i < info->num_queues; i++) {
		virtq_init(&dev->queues[i], i);
		dev->queues[i].log = &dev->log;
	}
	return dev;
}
CANDOR_EXPORT(candor_device_register);

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void reset_queue(struct candor_device *dev, struct virtq *q)
{
	if (q->kick_fd >= 0)
		epoll_ctl(dev->epoll, EPOLL_CTL_DEL, q->kick_fd, NULL);
	close_fd(&q->kick_fd);
	close_fd(&q->call_fd);
	close_fd(&q->err_fd);
	virtq_init(q, q->index);
	q->log = &dev->log;
}

static void reset_device(struct candor_device *dev)
{
	for (unsigned int i = 0; i < dev->info.num_queues; i++)
		reset_queue(dev, &dev->queues[i]);
	mem_unmap(&dev->mem);
	write_log_unmap(&dev->log);
	dev->acked_features = 0;
	dev->protocol_features = 0;
}

void candor_device_unregister(struct candor_device *dev)
{
	if (!dev)
		return;
	reset_device(dev);
	close_fd(&dev->conn);
	close_fd(&dev->epoll);
	free(dev->queues);
	free(dev);
}
CANDOR_EXPORT(candor_device_unregister);

static bool queue_active(struct candor_device *dev, struct virtq *q)
{
	return q->kick_fd >= 0 && q->enabled && q->desc && !q->broken &&
	       dev->mem.count;
}

/*
 * Call the driver for @q with a budget of one queue's worth of chains, so
 * that a guest which keeps the ring full (or makes the device refill it by
 * pointing buffers at it) cannot keep the shim from its socket; a queue
 * that ran out of budget runs again on the next turn of the loop.
 */
static void run_queue(struct candor_device *dev, struct virtq *q)
{
	q->rerun = false;
	if (!queue_active(dev, q))
		return;
	q->budget = q->num;
	dev->info.handle_queue(dev, q->index, dev->info.opaque);
}

static bool rerun_pending(struct candor_device *dev)
{
	for (unsigned int i = 0; i < dev->info.num_queues; i++)
		if (dev->queues[i].rerun)
			return true;
	return false;
}

struct candor_chain *candor_queue_pop(struct candor_device *dev,
				      unsigned int queue)
{
	struct candor_chain *chain;
	struct virtq *q;

	if (queue >= dev->info.num_queues)
		return NULL;
	q = &dev->queues[queue];
	if (!queue_active(dev, q))
		return NULL;
	if (q->budget == 0) {
		q->rerun = true;
		return NULL;
	}
	if (virtq_pop(q, &dev->mem, &chain) != 1)
		return NULL;
	q->budget--;
	return chain;
}
CANDOR_EXPORT(candor_queue_pop);

void candor_queue_push(struct candor_device *dev, struct candor_chain *chain,
		       uint32_t written)
{
	(void)dev;
	virtq_push(chain->queue, chain, written);
}
CANDOR_EXPORT(candor_queue_push);

void candor_queue_push_batch(struct candor_device *dev,
			     struct candor_chain **chains,
			     const uint32_t *written, unsigned int count)
{
	(void)dev;
	while (count) {
		struct virtq *q = chains[0]->queue;
		unsigned int n = count < q->num ? count : q->num;

		virtq_push_batch(q, chains, written, n);
		chains += n;
		written += n;
		count -= n;
	}
}
CANDOR_EXPORT(candor_queue_push_batch);

void candor_queue_unpop(struct candor_device *dev, struct candor_chain *chain)
{
	(void)dev;
	chain->queue->budget++;
	virtq_unpop(chain->queue, chain);
}
CANDOR_EXPORT(candor_queue_unpop);

uint64_t candor_device_features(const struct candor_device *dev)
{
	return dev->acked_features;
}
CANDOR_EXPORT(candor_device_features);

static void update_watch(struct candor_device *dev, unsigned int i)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = WATCH_EVENT + i };

	if (dev->epoll < 0)
		return;	/* added when a connection is served */
	epoll_ctl(dev->epoll, dev->watches[i].enabled ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		  dev->watches[i].fd, &ev);
}

int candor_device_watch(struct candor_device *dev, int fd,
			void (*handler)(struct candor_device *dev, int fd,
					void *opaque),
			void *opaque)
{
	if (dev->watch_count == MAX_WATCHES || fd < 0 || !handler)
		return -1;
	dev->watches[dev->watch_count] = (struct watch){ fd, true, handler, opaque };
	update_watch(dev, dev->watch_count++);
	return 0;
}
CANDOR_EXPORT(candor_device_watch);

void candor_device_watch_enable(struct candor_device *dev, int fd, int enable)
{
	for (unsigned int i = 0; i < dev->watch_count; i++) {
		if (dev->watches[i].fd != fd || dev->watches[i].enabled == !!enable)
			continue;
		dev->watches[i].enabled = enable;
		update_watch(dev, i);
	}
}
CANDOR_EXPORT(candor_device_watch_enable);

void candor_device_unwatch(struct candor_device *dev, int fd)
{
	unsigned int kept = 0;

	/* Take every watch out of epoll, keep the others, re-add them under their new index. */
	for (unsigned int i = 0; i < dev->watch_count; i++) {
		struct watch w = dev->watches[i];

		if (w.enabled && dev->epoll >= 0)
			epoll_ctl(dev->epoll, EPOLL_CTL_DEL, w.fd, NULL);
		if (w.fd != fd)
			dev->watches[kept++] = w;
	}
	dev->watch_count = kept;
	for (unsigned int i = 0; i < kept; i++)
		if (dev->watches[i].enabled)
			update_watch(dev, i);
}
CANDOR_EXPORT(candor_device_unwatch);

void candor_queue_notify(struct candor_device *dev, unsigned int queue)
{
	struct virtq *q;
	uint64_t one = 1;

	if (queue >= dev->info.num_queues)
		return;
	q = &dev->queues[queue];
	if (virtq_should_notify(q) && q->call_fd >= 0 &&
	    write(q->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		candor_log(CANDOR_LOG_WARNING, "queue %u: call eventfd: %s",
			   queue, strerror(errno));
}
CANDOR_EXPORT(candor_queue_notify);

/* --- messages ------------------------------------------------------ */

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read what follows the first @got bytes of a message; 1 or <0. */
static int read_rest(int conn, struct message *m, size_t got)
{
	int rc;

	if (got < sizeof(m->hdr)) {
		rc = read_full(conn, (uint8_t *)&m->hdr + got, sizeof(m->hdr) - got);
		if (rc < 0)
			return rc;
	}
	if ((m->hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    m->hdr.size > sizeof(m->payload)) {
		candor_log(CANDOR_LOG_ERROR,
			   "vhost-user: bad message header (request %u, flags 0x%x, size %u)",
			   m->hdr.request, m->hdr.flags, m->hdr.size);
		return -EPROTO;
	}
	/* Short payloads read as zeros rather than as the last message. */
	memset(&m->payload, 0, sizeof(m->payload.config));
	rc = read_full(conn, &m->payload, m->hdr.size);
	return rc < 0 ? rc : 1;
}

/* 1: a message; 0: the frontend closed the connection; <0: error. */
static int receive(int conn, struct message *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { &m->hdr, sizeof(m->hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	int rc;

	m->fd_count = 0;
	do
		n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -errno;
	if (n == 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned int count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (unsigned int i = 0; i < count; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (m->fd_count < VHOST_USER_MAX_REGIONS)
				m->fds[m->fd_count++] = fd;
			else
				close(fd);
		}
	}
	rc = read_rest(conn, m, n);
	if (rc < 0) {
		/* The message is dropped; so are the fds that came with it. */
		for (unsigned int i = 0; i < m->fd_count; i++)
			close(m->fds[i]);
		m->fd_count = 0;
	}
	return rc;
}

static int reply(struct candor_device *dev, const struct message *m,
		 const void *payload, uint32_t size)
{
	uint8_t buf[sizeof(struct vhost_user_header) + sizeof(m->payload)];
	struct vhost_user_header h = {
		.request = m->hdr.request,
		.flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
		.size = size,
	};
	size_t len = sizeof(h) + size;
	size_t done = 0;

	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), payload, size);
	while (done < len) {
		ssize_t n = send(dev->conn, buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += n;
	}
	return 0;
}

static int reply_u64(struct candor_device *dev, const struct message *m,
		     uint64_t value)
{
	return reply(dev, m, &value, sizeof(value));
}

/* Queue named by a message, or NULL (logged). */
static struct virtq *message_queue(struct candor_device *dev,
				   const struct message *m, uint32_t index)
{
	if (index < dev->info.num_queues)
		return &dev->queues[index];
	candor_log(CANDOR_LOG_ERROR, "vhost-user request %u: queue %u does not exist (%u queues)",
		   m->hdr.request, index, dev->info.num_queues);
	return NULL;
}

static int take_fd(struct message *m)
{
	int fd;

	if (m->fd_count != 1)
		return -1;
	fd = m->fds[0];
	m->fd_count = 0;
	return fd;
}

static int set_mem_table(struct candor_device *dev, struct message *m)
{
	const struct vhost_user_mem_table *t = &m->payload.mem;
	struct mem_table mem = { 0 };
	struct stat st = { 0 };

	if (m->hdr.size < 8 || t->num_regions == 0 ||
	    t->num_regions > VHOST_USER_MAX_REGIONS ||
	    m->hdr.size < 8 + t->num_regions * sizeof(struct vhost_user_region) ||
	    m->fd_count != t->num_regions) {
		candor_log(CANDOR_LOG_ERROR, "SET_MEM_TABLE: %u regions, %u fds, %u bytes",
			   t->num_regions, m->fd_count, m->hdr.size);
		return -1;
	}
	for (unsigned int i = 0; i < t->num_regions; i++) {
		const struct vhost_user_region *r = &t->regions[i];
		struct mem_region *to = &mem.regions[i];

		if (r->memory_size == 0 || r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
		    r->userspace_addr + r->memory_size < r->userspace_addr ||
		    r->mmap_offset + r->memory_size < r->mmap_offset ||
		    r->mmap_offset + r->memory_size > SIZE_MAX) {
			candor_log(CANDOR_LOG_ERROR, "SET_MEM_TABLE: region %u: bad size 0x%llx or offset 0x%llx",
				   i, (unsigned long long)r->memory_size,
				   (unsigned long long)r->mmap_offset);
			mem_unmap(&mem);
			return -1;
		}
		to->map_len = r->mmap_offset + r->memory_size;
		/* A file shorter than the region would SIGBUS on first touch. */
		if (fstat(m->fds[i], &st) < 0 || !S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_size < to->map_len) {
			candor_log(CANDOR_LOG_ERROR, "SET_MEM_TABLE: region %u: its file (%lld bytes) is smaller than offset 0x%llx + size 0x%llx",
				   i, S_ISREG(st.st_mode) ? (long long)st.st_size : -1LL,
				   (unsigned long long)r->mmap_offset,
				   (unsigned long long)r->memory_size);
			mem_unmap(&mem);
			return -1;
		}
		to->map = mmap(NULL, to->map_len, PROT_READ | PROT_WRITE,
			       MAP_SHARED, m->fds[i], 0);
		if (to->map == MAP_FAILED) {
			candor_log(CANDOR_LOG_ERROR, "SET_MEM_TABLE: region %u: mmap: %s",
				   i, strerror(errno));
			mem_unmap(&mem);
			return -1;
		}
		to->gpa = r->guest_phys_addr;
		to->size = r->memory_size;
		to->uva = r->userspace_addr;
		to->host = (uint8_t *)to->map + r->mmap_offset;
		mem.count = i + 1;
	}
	mem_unmap(&dev->mem);
	dev->mem = mem;
	for (unsigned int i = 0; i < dev->info.num_queues; i++)
		virtq_map(&dev->queues[i], &dev->mem);
	if (shim_check_enabled)
		for (unsigned int i = 0; i < mem.count; i++)
			shim_check_log(false, "SET_MEM_TABLE region %u: gpa 0x%llx size 0x%llx uva 0x%llx mmap_offset 0x%llx",
				       i, (unsigned long long)t->regions[i].guest_phys_addr,
				       (unsigned long long)t->regions[i].memory_size,
				       (unsigned long long)t->regions[i].userspace_addr,
				       (unsigned long long)t->regions[i].mmap_offset);
	return 0;
}

/* Maps the dirty-page log; logging itself follows VHOST_F_LOG_ALL. */
static int set_log_base(struct candor_device *dev, struct message *m)
{
	const struct vhost_user_log *l = &m->payload.log;
	struct stat st = { 0 };
	int fd = take_fd(m);
	void *map;

	/* At most 1 GiB of log: 32 TiB of guest memory. */
	if (fd < 0 || m->hdr.size != sizeof(*l) || l->mmap_size == 0 ||
	    l->mmap_size > (1ull << 30) || l->mmap_offset > (1ull << 30)) {
		candor_log(CANDOR_LOG_ERROR, "SET_LOG_BASE: %u bytes, size 0x%llx, offset 0x%llx, %s",
			   m->hdr.size, (unsigned long long)l->mmap_size,
			   (unsigned long long)l->mmap_offset, fd < 0 ? "no fd" : "fd");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t len = l->mmap_offset + l->mmap_size;

	/* A file shorter than the log would SIGBUS on the first mark. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < len) {
		candor_log(CANDOR_LOG_ERROR, "SET_LOG_BASE: the log's file (%lld bytes) is smaller than offset 0x%llx + size 0x%llx",
			   S_ISREG(st.st_mode) ? (long long)st.st_size : -1LL,
			   (unsigned long long)l->mmap_offset, (unsigned long long)l->mmap_size);
		close(fd);
		return -1;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		candor_log(CANDOR_LOG_ERROR, "SET_LOG_BASE: mmap: %s", strerror(errno));
		return -1;
	}
	bool on = dev->log.on;

	write_log_unmap(&dev->log);
	dev->log = (struct write_log){
		.bits = (uint8_t *)map + l->mmap_offset, .size = l->mmap_size,
		.map = map, .map_len = len, .on = on,
	};
	return 0;
}

static int set_vring_fd(struct candor_device *dev, struct message *m)
{
	uint64_t v = m->payload.u64;
	struct virtq *q = message_queue(dev, m, v & VHOST_USER_VRING_INDEX_MASK);
	int fd;

	/* Attached fds left in the message are closed by handle_message. */
	if (!q || m->hdr.size < sizeof(uint64_t))
		return -1;
	fd = (v & VHOST_USER_VRING_NOFD) ? -1 : take_fd(m);
	if (!(v & VHOST_USER_VRING_NOFD) && fd < 0) {
		candor_log(CANDOR_LOG_ERROR, "vhost-user request %u: no file descriptor attached",
			   m->hdr.request);
		return -1;
	}
	switch (m->hdr.request) {
	case VHOST_USER_SET_VRING_KICK: {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = q->index };

		if (fd < 0) {
			candor_log(CANDOR_LOG_ERROR, "queue %u: polling without a kick eventfd is not supported",
				   q->index);
			return -1;
		}
		if (q->kick_fd >= 0)
			epoll_ctl(dev->epoll, EPOLL_CTL_DEL, q->kick_fd, NULL);
		close_fd(&q->kick_fd);
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (epoll_ctl(dev->epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			return -1;
		}
		q->kick_fd = fd;
		if (shim_check_enabled)
			shim_check_log(false, "SET_VRING_KICK queue %u: ring starts at avail %u used %u (size %u)",
				       q->index, q->last_avail_idx,
				       q->used ? q->used->idx : 0, q->num);
		if (!(dev->acked_features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
			q->enabled = true;
		run_queue(dev, q);
		return 0;
	}
	case VHOST_USER_SET_VRING_CALL:
		close_fd(&q->call_fd);
		q->call_fd = fd;
		return 0;
	default:
		close_fd(&q->err_fd);
		q->err_fd = fd;
		return 0;
	}
}

static int get_config(struct candor_device *dev, struct message *m)
{
	struct vhost_user_config *c = &m->payload.config;
	uint32_t header = offsetof(struct vhost_user_config, payload);

	if (m->hdr.size < header || c->size > VHOST_USER_MAX_CONFIG_SIZE ||
	    c->offset > VHOST_USER_MAX_CONFIG_SIZE - c->size) {
		candor_log(CANDOR_LOG_ERROR, "GET_CONFIG: offset %u size %u out of range",
			   c->offset, c->size);
		return reply(dev, m, NULL, 0);
	}
	/* Bytes past the device's config read as zero, as on real hardware. */
	memcpy(c->payload, dev->config + c->offset, c->size);
	return reply(dev, m, c, header + c->size);
}

/* Returns <0 for a failed request; *replied when it sent its own reply. */
static int dispatch(struct candor_device *dev, struct message *m, bool *replied)
{
	const struct vhost_user_vring_state *s = &m->payload.state;
	struct virtq *q;

	*replied = true;
	switch (m->hdr.request) {
	case VHOST_USER_GET_FEATURES:
		return reply_u64(dev, m, dev->features);
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		return reply_u64(dev, m, PROTOCOL_FEATURES);
	case VHOST_USER_GET_QUEUE_NUM:
		return reply_u64(dev, m, dev->info.num_queues);
	case VHOST_USER_GET_CONFIG:
		return get_config(dev, m);
	case VHOST_USER_GET_VRING_BASE: {
		struct vhost_user_vring_state st;

		q = message_queue(dev, m, s->index);
		if (!q)
			return -1;
		/* The ring stops; it restarts with the next SET_VRING_KICK. */
		if (q->kick_fd >= 0)
			epoll_ctl(dev->epoll, EPOLL_CTL_DEL, q->kick_fd, NULL);
		close_fd(&q->kick_fd);
		st.index = q->index;
		st.num = q->last_avail_idx;
		if (shim_check_enabled) {
			unsigned int owned = 0;

			for (unsigned int i = 0; i < sizeof(q->inflight) / 8; i++)
				owned += __builtin_popcountll(q->inflight[i]);
			shim_check_log(false, "GET_VRING_BASE queue %u: stopped at avail %u used %u, %u heads still owned, %llu bytes written, %llu violations so far",
				       q->index, q->last_avail_idx, q->used_idx, owned,
				       (unsigned long long)q->written_bytes,
				       (unsigned long long)shim_check_violations);
		}
		return reply(dev, m, &st, sizeof(st));
	}
	}
	*replied = false;
	switch (m->hdr.request) {
	case VHOST_USER_SET_OWNER:
		return 0;
	case VHOST_USER_RESET_OWNER:
		reset_device(dev);
		return 0;
	case VHOST_USER_SET_FEATURES:
		if (m->payload.u64 & ~dev->features) {
			candor_log(CANDOR_LOG_ERROR, "SET_FEATURES: 0x%llx not offered (offered 0x%llx)",
				   (unsigned long long)m->payload.u64,
				   (unsigned long long)dev->features);
			return -1;
		}
		dev->acked_features = m->payload.u64;
		dev->log.on = dev->acked_features & BIT(VHOST_F_LOG_ALL);
		for (unsigned int i = 0; i < dev->info.num_queues; i++) {
			q = &dev->queues[i];
			q->event_idx = dev->acked_features & BIT(VIRTIO_RING_F_EVENT_IDX);
			q->indirect = dev->acked_features & BIT(VIRTIO_RING_F_INDIRECT_DESC);
		}
		return 0;
	case VHOST_USER_SET_LOG_BASE:
		/*
		 * The frontend waits for a reply, whose value means nothing (QEMU
		 * ignores it). A log we cannot map would make a migration lose
		 * our writes: hang up instead, so the frontend sees it.
		 */
		if (set_log_base(dev, m) < 0)
			return -ECONNRESET;
		return reply_u64(dev, m, 0);
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if (m->payload.u64 & ~PROTOCOL_FEATURES) {
			candor_log(CANDOR_LOG_ERROR, "SET_PROTOCOL_FEATURES: 0x%llx not offered",
				   (unsigned long long)m->payload.u64);
			return -1;
		}
		dev->protocol_features = m->payload.u64;
		return 0;
	case VHOST_USER_SET_MEM_TABLE:
		return set_mem_table(dev, m);
	case VHOST_USER_SET_VRING_NUM:
		q = message_queue(dev, m, s->index);
		if (!q)
			return -1;
		if (s->num == 0 || s->num > dev->info.queue_size ||
		    (s->num & (s->num - 1))) {
			candor_log(CANDOR_LOG_ERROR, "queue %u: size %u is not a power of 2 up to %u",
				   q->index, s->num, dev->info.queue_size);
			return -1;
		}
		q->num = s->num;
		virtq_map(q, &dev->mem);
		return 0;
	case VHOST_USER_SET_VRING_BASE:
		q = message_queue(dev, m, s->index);
		if (!q || s->num > UINT16_MAX)
			return -1;
		q->last_avail_idx = s->num;
		q->broken = false;
		return 0;
	case VHOST_USER_SET_VRING_ADDR:
		q = message_queue(dev, m, m->payload.addr.index);
		if (!q)
			return -1;
		q->addr = m->payload.addr;
		q->addr_set = true;
		/* Without a memory table yet, SET_MEM_TABLE maps the rings later. */
		return virtq_map(q, &dev->mem) || !dev->mem.count ? 0 : -1;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return set_vring_fd(dev, m);
	case VHOST_USER_SET_VRING_ENABLE:
		q = message_queue(dev, m, s->index);
		if (!q)
			return -1;
		q->enabled = s->num != 0;
		run_queue(dev, q);
		return 0;
	case VHOST_USER_SET_CONFIG:
		candor_log(CANDOR_LOG_ERROR, "SET_CONFIG: the device's config space is read-only");
		return -1;
	default:
		candor_log(CANDOR_LOG_WARNING, "vhost-user request %u not supported",
			   m->hdr.request);
		return -1;
	}
}

static int handle_message(struct candor_device *dev, struct message *m)
{
	bool replied;
	int rc = dispatch(dev, m, &replied);

	for (unsigned int i = 0; i < m->fd_count; i++)
		close(m->fds[i]);
	if (replied)
		return rc;
	if ((m->hdr.flags & VHOST_USER_FLAG_NEED_REPLY) &&
	    (dev->protocol_features & BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK)))
		return reply_u64(dev, m, rc < 0);
	return 0;
}

/* --- socket and loop ----------------------------------------------- */

static int accept_frontend(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int listener, conn;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		candor_log(CANDOR_LOG_ERROR, "socket path %s: longer than %zu bytes",
			   path, sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0)
		return -errno;
	if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listener, 1) < 0) {
		int err = -errno;

		candor_log(CANDOR_LOG_ERROR, "socket %s: %s", path, strerror(errno));
		close(listener);
		return err;
	}
	do
		conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		conn = -errno;
	/* One frontend per driver process: nobody else may connect. */
	close(listener);
	unlink(path);
	return conn;
}

int shim_serve_connection(struct candor_device *dev, int conn)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = CONNECTION_EVENT };
	struct message *m = malloc(sizeof(*m));
	int rc = 0;

	dev->conn = conn;
	dev->epoll = epoll_create1(EPOLL_CLOEXEC);
	if (!m)
		rc = -ENOMEM;
	else if (dev->epoll < 0 ||
		 epoll_ctl(dev->epoll, EPOLL_CTL_ADD, dev->conn, &ev) < 0)
		rc = -errno;
	for (unsigned int i = 0; i < dev->watch_count && rc == 0; i++)
		if (dev->watches[i].enabled)
			update_watch(dev, i);
	while (rc == 0) {
		struct epoll_event events[MAX_QUEUES + MAX_WATCHES + 1];
		int n = epoll_wait(dev->epoll, events, MAX_QUEUES + MAX_WATCHES + 1,
				   rerun_pending(dev) ? 0 : -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		for (int i = 0; i < n && rc == 0; i++) {
			uint32_t which = events[i].data.u32;

			if (which == CONNECTION_EVENT) {
				rc = receive(dev->conn, m);
				if (rc == 0)
					goto disconnected;
				rc = rc < 0 ? rc : handle_message(dev, m);
				if (rc == -EPIPE || rc == -ECONNRESET) {
					rc = 0;
					goto disconnected;
				}
				continue;
			}
			if (which >= WATCH_EVENT) {
				struct watch *w = &dev->watches[which - WATCH_EVENT];

				/* Dropped or disabled by an earlier handler in this batch? */
				if (which - WATCH_EVENT < dev->watch_count && w->enabled)
					w->handler(dev, w->fd, w->opaque);
				continue;
			}
			struct virtq *q = &dev->queues[which];
			uint64_t kicks;

			if (q->kick_fd >= 0 &&
			    read(q->kick_fd, &kicks, sizeof(kicks)) == sizeof(kicks))
				run_queue(dev, q);
		}
		for (unsigned int i = 0; i < dev->info.num_queues && rc == 0; i++)
			if (dev->queues[i].rerun)
				run_queue(dev, &dev->queues[i]);
	}
	candor_log(CANDOR_LOG_ERROR, "vhost-user connection: %s", strerror(-rc));
disconnected:
	if (shim_check_enabled)
		shim_check_log(false, "frontend gone: %llu violations",
			       (unsigned long long)shim_check_violations);
	free(m);
	reset_device(dev);
	close_fd(&dev->conn);
	close_fd(&dev->epoll);
	return rc;
}

int candor_device_serve(struct candor_device *dev, const char *socket_path)
{
	int conn = accept_frontend(socket_path);

	if (conn < 0)
		return conn;
	return shim_serve_connection(dev, conn);
}
CANDOR_EXPORT(candor_device_serve);

int candor_device_serve_fd(struct candor_device *dev, int fd)
{
	struct stat st;
	int type = 0;
	socklen_t len = sizeof(type);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM) {
		candor_log(CANDOR_LOG_ERROR, "descriptor %d: not a connected stream socket", fd);
		return -ENOTSOCK;
	}
	/* Inherited without close-on-exec: a program the driver starts must not get it. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return shim_serve_connection(dev, fd);
}
CANDOR_EXPORT(candor_device_serve_fd);

int candor_parse_fd(const char *arg)
{
	long value = 0;

	for (const char *p = arg; ; p++) {
		if (*p == '\0' && p != arg)
			return (int)value;
		if (*p < '0' || *p > '9' || value > (INT_MAX - 9) / 10)
			break;
		value = value * 10 + (*p - '0');
	}
	candor_log(CANDOR_LOG_ERROR, "--fd %s: not a descriptor number", arg);
	return -1;
}
CANDOR_EXPORT(candor_parse_fd);
