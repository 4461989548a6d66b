// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
// Host-side vhost-user frontend used by the tests and the benchmark.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost-frontend.h"

#define BIT(n)		(1ull << (n))
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define REPLY_TIMEOUT_MS 5000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

pid_t vf_spawn(char *const argv[], const char *log_path)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

void vf_attach(struct vf_conn *c, int sock)
{
	memset(c, 0, sizeof(*c));
	c->sock = sock;
	c->mem_fd = -1;
	c->q.kick_fd = c->q.call_fd = c->q.err_fd = -1;
}

int vf_connect(struct vf_conn *c, const char *path, int timeout_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int64_t deadline = now_ms() + timeout_ms;

	vf_attach(c, -1);
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			c->sock = fd;
			return 0;
		}
		int err = errno;

		close(fd);
		if ((err != ENOENT && err != ECONNREFUSED) || now_ms() > deadline)
			return -err;
		usleep(10000);
	}
}

static int send_all(int sock, const void *buf, size_t len, const int *fds,
		    int fd_count)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd_count) {
		struct cmsghdr *cm;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * fd_count);
	}
	while (iov.iov_len) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= n;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}

static int recv_all(int sock, void *buf, size_t len)
{
	int64_t deadline = now_ms() + REPLY_TIMEOUT_MS;
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int left = deadline - now_ms();

		if (left <= 0 || poll(&pfd, 1, left) == 0)
			return -ETIMEDOUT;
		ssize_t n = recv(sock, p, len, 0);

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

static bool has_own_reply(uint32_t request)
{
	switch (request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_SET_LOG_BASE:
		return true;
	default:
		return false;
	}
}

int vf_request(struct vf_conn *c, uint32_t request, const void *payload,
	       uint32_t size, const int *fds, int fd_count, void *reply,
	       uint32_t reply_size)
{
	uint8_t buf[sizeof(struct vhost_user_header) + VHOST_USER_MAX_PAYLOAD];
	struct vhost_user_header h = { request, VHOST_USER_VERSION, size };
	bool ack = !has_own_reply(request) &&
		   (c->protocol & BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	struct vhost_user_header rh;
	uint64_t status;
	int rc;

	if (size > VHOST_USER_MAX_PAYLOAD)
		return -EINVAL;
	if (ack)
		h.flags |= VHOST_USER_FLAG_NEED_REPLY;
	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), payload, size);
	rc = send_all(c->sock, buf, sizeof(h) + size, fds, fd_count);
	if (rc < 0 || (!ack && !reply))
		return rc;
	rc = recv_all(c->sock, &rh, sizeof(rh));
	if (rc < 0)
		return rc;
	if (rh.request != request || !(rh.flags & VHOST_USER_FLAG_REPLY) ||
	    rh.size > VHOST_USER_MAX_PAYLOAD)
		return -EPROTO;
	rc = recv_all(c->sock, buf, rh.size);
	if (rc < 0)
		return rc;
	if (ack) {
		if (rh.size != sizeof(status))
			return -EPROTO;
		memcpy(&status, buf, sizeof(status));
		return status ? -EIO : 0;
	}
	if (rh.size != reply_size)
		return -EPROTO;
	memcpy(reply, buf, reply_size);
	return 0;
}

int vf_get_config(struct vf_conn *c, void *out, uint32_t size)
{
	struct vhost_user_config cfg = { .offset = 0, .size = size };
	uint32_t header = offsetof(struct vhost_user_config, payload);
	int rc;

	if (size > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	rc = vf_request(c, VHOST_USER_GET_CONFIG, &cfg, header + size, NULL,
			0, &cfg, header + size);
	if (rc == 0)
		memcpy(out, cfg.payload, size);
	return rc;
}

static int request_u64(struct vf_conn *c, uint32_t request, uint64_t *value)
{
	return vf_request(c, request, NULL, 0, NULL, 0, value, sizeof(*value));
}

static int set_u64(struct vf_conn *c, uint32_t request, uint64_t value)
{
	return vf_request(c, request, &value, sizeof(value), NULL, 0, NULL, 0);
}

static int set_state(struct vf_conn *c, uint32_t request, uint32_t index,
		     uint32_t num)
{
	struct vhost_user_vring_state s = { index, num };

	return vf_request(c, request, &s, sizeof(s), NULL, 0, NULL, 0);
}

static int set_vring_fd(struct vf_conn *c, uint32_t request, uint64_t index,
			int fd)
{
	return vf_request(c, request, &index, sizeof(index), &fd, 1, NULL, 0);
}

static int init_free_list(struct vf_queue *q);

/* Queue 0 at the start of guest memory, buffers after it. */
static int layout_queue(struct vf_conn *c, uint16_t num)
{
	struct vf_queue *q = &c->q;
	uint64_t used_off = (virtq_desc_size(num) + virtq_avail_size(num) + 2 +
			     4095) & ~4095ull;

	q->num = num;
	q->desc = (struct virtq_desc *)c->mem;
	q->avail = (struct virtq_avail *)(c->mem + virtq_desc_size(num));
	q->used = (struct virtq_used *)(c->mem + used_off);
	c->next_free = (used_off + virtq_used_size(num) + 2 + 4095) & ~4095ull;
	return init_free_list(q);
}

/* Hand queue @index, already laid out in @q, to the backend and enable it. */
static int start_queue(struct vf_conn *c, unsigned int index, struct vf_queue *q)
{
	struct vhost_user_vring_addr addr = { .index = index };
	int rc;

	q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick_fd < 0 || q->call_fd < 0 || q->err_fd < 0)
		return -errno;
	addr.descriptor = (uintptr_t)q->desc;
	addr.available = (uintptr_t)q->avail;
	addr.used = (uintptr_t)q->used;
	if ((rc = set_state(c, VHOST_USER_SET_VRING_NUM, index, q->num)) ||
	    (rc = set_state(c, VHOST_USER_SET_VRING_BASE, index, 0)) ||
	    (rc = vf_request(c, VHOST_USER_SET_VRING_ADDR, &addr, sizeof(addr),
			     NULL, 0, NULL, 0)) ||
	    (rc = set_vring_fd(c, VHOST_USER_SET_VRING_KICK, index, q->kick_fd)) ||
	    (rc = set_vring_fd(c, VHOST_USER_SET_VRING_CALL, index, q->call_fd)) ||
	    (rc = set_vring_fd(c, VHOST_USER_SET_VRING_ERR, index, q->err_fd)))
		return rc;
	if (c->acked & BIT(VHOST_USER_F_PROTOCOL_FEATURES))
		rc = set_state(c, VHOST_USER_SET_VRING_ENABLE, index, 1);
	return rc;
}

int vf_setup_queue(struct vf_conn *c, unsigned int index, struct vf_queue *q,
		   uint16_t num)
{
	int rc;

	memset(q, 0, sizeof(*q));
	q->kick_fd = q->call_fd = q->err_fd = -1;
	q->num = num;
	q->desc = vf_host(c, vf_alloc(c, virtq_desc_size(num)));
	q->avail = vf_host(c, vf_alloc(c, virtq_avail_size(num) + 2));
	q->used = vf_host(c, vf_alloc(c, virtq_used_size(num) + 2));
	if ((rc = init_free_list(q)))
		return rc;
	return start_queue(c, index, q);
}

static int init_free_list(struct vf_queue *q)
{
	uint16_t num = q->num;

	q->chain_len = calloc(num, sizeof(*q->chain_len));
	if (!q->chain_len)
		return -ENOMEM;
	for (uint16_t i = 0; i < num; i++)
		q->desc[i].next = i + 1;
	q->free_head = 0;
	q->free_count = num;
	return 0;
}

int vf_setup(struct vf_conn *c, uint64_t want, uint64_t mem_size, uint16_t num)
{
	if (c->regions > VHOST_USER_MAX_REGIONS || mem_size % (c->regions ? c->regions : 1))
		return -EINVAL;
	struct vhost_user_mem_table table = {
		.num_regions = c->regions ? c->regions : 1,
	};
	int fds[VHOST_USER_MAX_REGIONS];
	uint64_t protocol;
	int rc;

	if ((rc = vf_request(c, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL, 0)) ||
	    (rc = request_u64(c, VHOST_USER_GET_FEATURES, &c->features)))
		return rc;
	if (c->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		if ((rc = request_u64(c, VHOST_USER_GET_PROTOCOL_FEATURES, &protocol)))
			return rc;
		protocol &= BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
			    BIT(VHOST_USER_PROTOCOL_F_CONFIG) |
			    BIT(VHOST_USER_PROTOCOL_F_MQ);
		if ((rc = set_u64(c, VHOST_USER_SET_PROTOCOL_FEATURES, protocol)))
			return rc;
		c->protocol = protocol;
		want |= BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	}
	c->acked = c->features & want;
	if ((rc = set_u64(c, VHOST_USER_SET_FEATURES, c->acked)))
		return rc;

	c->mem_fd = memfd_create("guest-memory", MFD_CLOEXEC);
	if (c->mem_fd < 0 || ftruncate(c->mem_fd, mem_size) < 0)
		return -errno;
	c->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->mem_fd, 0);
	if (c->mem == MAP_FAILED) {
		c->mem = NULL;
		return -errno;
	}
	c->mem_size = mem_size;
	/* Adjacent regions, all slices of the one memfd (as QEMU sends RAM). */
	for (unsigned int i = 0; i < table.num_regions; i++) {
		uint64_t slice = mem_size / table.num_regions;

		table.regions[i].guest_phys_addr = VF_GPA_BASE + i * slice;
		table.regions[i].memory_size = slice;
		table.regions[i].userspace_addr = (uintptr_t)c->mem + i * slice;
		table.regions[i].mmap_offset = i * slice;
		fds[i] = c->mem_fd;
	}
	if ((rc = vf_request(c, VHOST_USER_SET_MEM_TABLE, &table,
			     8 + table.num_regions * sizeof(table.regions[0]),
			     fds, table.num_regions, NULL, 0)))
		return rc;

	if ((rc = layout_queue(c, num)))
		return rc;
	return start_queue(c, 0, &c->q);
}

void vf_close(struct vf_conn *c)
{
	int *fds[] = { &c->sock, &c->mem_fd, &c->q.kick_fd, &c->q.call_fd,
		       &c->q.err_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (c->mem)
		munmap(c->mem, c->mem_size);
	c->mem = NULL;
	free(c->q.chain_len);
	c->q.chain_len = NULL;
}

void vf_close_queue(struct vf_queue *q)
{
	int *fds[] = { &q->kick_fd, &q->call_fd, &q->err_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(q->chain_len);
	q->chain_len = NULL;
}

uint64_t vf_alloc(struct vf_conn *c, uint64_t size)
{
	uint64_t at = c->next_free;

	if (size > c->mem_size - at)
		abort();	/* a test asked for more memory than it set up */
	c->next_free = (at + size + 15) & ~15ull;
	return VF_GPA_BASE + at;
}

void *vf_host(struct vf_conn *c, uint64_t gpa)
{
	return c->mem + (gpa - VF_GPA_BASE);
}

static int take_descriptors(struct vf_queue *q, const struct vf_buf *bufs,
			    int count, struct virtq_desc *table)
{
	uint16_t head = q->free_head;
	uint16_t i = head;

	for (int k = 0; k < count; k++) {
		uint16_t next = q->desc[i].next;

		table[i].addr = bufs[k].gpa;
		table[i].len = bufs[k].len;
		table[i].flags = (bufs[k].writable ? VIRTQ_DESC_F_WRITE : 0) |
				 (k + 1 < count ? VIRTQ_DESC_F_NEXT : 0);
		if (k + 1 == count)
			q->free_head = next;
		i = next;
	}
	q->free_count -= count;
	q->chain_len[head] = count;
	return head;
}

static void publish_head(struct vf_queue *q, uint16_t head)
{
	q->avail->ring[q->avail_idx & (q->num - 1)] = head;
	q->avail_idx++;
}

int vf_add(struct vf_conn *c, const struct vf_buf *bufs, int count)
{
	return vf_add_q(&c->q, bufs, count);
}

int vf_add_q(struct vf_queue *q, const struct vf_buf *bufs, int count)
{
	int head;

	if (count < 1 || count > q->free_count)
		return -1;
	head = take_descriptors(q, bufs, count, q->desc);
	publish_head(q, head);
	return head;
}

int vf_add_indirect(struct vf_conn *c, const struct vf_buf *bufs, int count)
{
	struct vf_queue *q = &c->q;
	uint64_t table_gpa = vf_alloc(c, count * sizeof(struct virtq_desc));
	struct virtq_desc *table = vf_host(c, table_gpa);
	uint16_t head = q->free_head;

	if (q->free_count < 1)
		return -1;
	for (int k = 0; k < count; k++) {
		table[k].addr = bufs[k].gpa;
		table[k].len = bufs[k].len;
		table[k].flags = (bufs[k].writable ? VIRTQ_DESC_F_WRITE : 0) |
				 (k + 1 < count ? VIRTQ_DESC_F_NEXT : 0);
		table[k].next = k + 1;
	}
	q->free_head = q->desc[head].next;
	q->desc[head].addr = table_gpa;
	q->desc[head].len = count * sizeof(struct virtq_desc);
	q->desc[head].flags = VIRTQ_DESC_F_INDIRECT;
	q->free_count--;
	q->chain_len[head] = 1;
	publish_head(q, head);
	return head;
}

void vf_add_raw_head(struct vf_conn *c, uint16_t head)
{
	publish_head(&c->q, head);
}

int vf_flush(struct vf_conn *c)
{
	return vf_flush_q(c, &c->q);
}

int vf_flush_q(struct vf_conn *c, struct vf_queue *q)
{
	uint16_t old = q->published;
	uint64_t one = 1;
	bool kick = true;

	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	q->published = q->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (c->acked & BIT(VIRTIO_RING_F_EVENT_IDX)) {
		uint16_t event = LOAD(*virtq_avail_event(q->used, q->num));

		kick = virtq_need_event(event, q->avail_idx, old);
	} else {
		kick = !(LOAD(q->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
	}
	if (kick && write(q->kick_fd, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

int vf_take_used(struct vf_conn *c, uint32_t *id, uint32_t *len)
{
	return vf_take_used_q(&c->q, id, len);
}

int vf_take_used_q(struct vf_queue *q, uint32_t *id, uint32_t *len)
{
	uint16_t used_idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	struct virtq_used_elem *e;

	if (used_idx == q->last_used)
		return 0;
	e = &q->used->ring[q->last_used & (q->num - 1)];
	*id = LOAD(e->id);
	*len = LOAD(e->len);
	q->last_used++;
	if (*id < q->num && q->chain_len[*id]) {
		/* Return the chain's descriptors to the free list. */
		uint16_t last = *id;

		for (uint16_t k = 1; k < q->chain_len[*id]; k++)
			last = q->desc[last].next;
		q->desc[last].next = q->free_head;
		q->free_head = *id;
		q->free_count += q->chain_len[*id];
		q->chain_len[*id] = 0;
	}
	return 1;
}

/* The backend sends nothing unasked, so a readable socket means it closed. */
static int backend_gone(int sock)
{
	char byte;
	ssize_t n = recv(sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n == 0)
		return -ECONNRESET;
	if (n < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int vf_wait_used(struct vf_conn *c, int timeout_ms, uint32_t *id, uint32_t *len)
{
	return vf_wait_used_q(c, &c->q, timeout_ms, id, len);
}

int vf_wait_used_q(struct vf_conn *c, struct vf_queue *q, int timeout_ms,
		   uint32_t *id, uint32_t *len)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = q->call_fd, .events = POLLIN },
			{ .fd = c->sock, .events = POLLIN },
		};
		uint64_t count;
		int left, rc;

		if (vf_take_used_q(q, id, len))
			return 1;
		if (c->acked & BIT(VIRTIO_RING_F_EVENT_IDX)) {
			STORE(*virtq_used_event(q->avail, q->num), q->last_used);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (vf_take_used_q(q, id, len))
				return 1;
		}
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		if (poll(pfd, 2, left) < 0 && errno != EINTR)
			return -errno;
		if (pfd[1].revents) {
			rc = backend_gone(c->sock);
			if (rc < 0)
				return rc;
		}
		if (pfd[0].revents & POLLIN)
			(void)!read(q->call_fd, &count, sizeof(count));
	}
}
