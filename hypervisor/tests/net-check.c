// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * vhost-net-check BUILD_DIR: candor-net driven over vhost-user by the test
 * frontend, as a VMM would drive it. Three candor-net members of one
 * candor-net hub exchange frames; a fourth serves a TAP interface in a
 * network namespace made for the test, where a packet socket sees the
 * frames. Prints "PASS name", "FAIL name: why" or "SKIP name: why" lines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netpacket/packet.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vhost-frontend.h"

#define BIT(n)		(1ull << (n))
#define MEM_SIZE	(8 * 1024 * 1024)
#define QUEUE_SIZE	256
#define WAIT_MS		5000
#define QUIET_MS	300
#define HDR_LEN		sizeof(struct virtio_net_hdr_v1)
#define ETHERTYPE_TEST	0x88b5		/* IEEE local experimental */
#define MAX_FRAME	65535

static const char *build_dir;
static char work_dir[] = "/tmp/candor-net-check.XXXXXX";
static int failures;

static void report(const char *status, const char *name, const char *fmt, va_list ap)
{
	printf("%s %s", status, name);
	if (fmt) {
		printf(": ");
		vprintf(fmt, ap);
	}
	printf("\n");
	fflush(stdout);
}

/* PASS when @ok, else FAIL with the reason. */
static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ok ? "PASS" : "FAIL", name, ok ? NULL : fmt, ap);
	va_end(ap);
	failures += !ok;
}

static void skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("SKIP", name, fmt, ap);
	va_end(ap);
}

/* --- processes ----------------------------------------------------- */

struct proc {
	pid_t pid;
	char log[256];
};

static int spawn(struct proc *p, const char *tag, char **argv)
{
	snprintf(p->log, sizeof(p->log), "%s/%s.log", work_dir, tag);
	p->pid = vf_spawn(argv, p->log);
	return p->pid > 0 ? 0 : -1;
}

static void stop(struct proc *p)
{
	if (p->pid <= 0)
		return;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

static bool running(struct proc *p)
{
	return p->pid > 0 && waitpid(p->pid, NULL, WNOHANG) == 0;
}

static bool wait_for_path(const char *path)
{
	struct stat st;

	for (int i = 0; i < WAIT_MS / 10; i++) {
		if (stat(path, &st) == 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* --- one candor-net device ----------------------------------------- */

struct nic {
	struct proc proc;
	struct vf_conn c;		/* c.q is the receive queue (0) */
	struct vf_queue tx;		/* queue 1 */
	uint8_t mac[6];
	uint64_t rx_gpa[QUEUE_SIZE];	/* buffer posted under each head */
};

/*
 * Start candor-net with @backend_args (e.g. "--switch", PATH), then do
 * the handshake acking @want and set up both queues. @netns: run it in
 * that network namespace (NULL: ours).
 */
static int start_nic(struct nic *n, const char *tag, const char *netns,
		     const char *opt, const char *value, uint64_t want)
{
	char sock[160], mac[32];
	int rc;

	memset(n, 0, sizeof(*n));
	n->mac[0] = 0x52;
	n->mac[1] = 0x54;
	n->mac[5] = tag[0];
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
		 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	snprintf(sock, sizeof(sock), "%s/%s.sock", work_dir, tag);
	char *driver = NULL;

	if (asprintf(&driver, "%s/candor-net", build_dir) < 0)
		return -ENOMEM;
	char *plain[] = { driver, "--socket", sock, (char *)opt, (char *)value,
			  "--mac", mac, NULL };
	char *in_ns[] = { "ip", "netns", "exec", (char *)netns, driver, "--socket",
			  sock, (char *)opt, (char *)value, "--mac", mac, NULL };

	rc = spawn(&n->proc, tag, netns ? in_ns : plain);
	free(driver);
	if (rc < 0)
		return -errno;
	n->c.regions = 1;
	if ((rc = vf_connect(&n->c, sock, WAIT_MS)) ||
	    (rc = vf_setup(&n->c, want | BIT(VIRTIO_F_VERSION_1), MEM_SIZE, QUEUE_SIZE)) ||
	    (rc = vf_setup_queue(&n->c, VIRTIO_NET_TX_QUEUE, &n->tx, QUEUE_SIZE)))
		return rc;
	return 0;
}

static void stop_nic(struct nic *n)
{
	vf_close_queue(&n->tx);
	vf_close(&n->c);
	stop(&n->proc);
}

/* Post @count receive buffers of @size bytes. */
static int post_rx(struct nic *n, int count, uint32_t size)
{
	for (int i = 0; i < count; i++) {
		struct vf_buf b = { vf_alloc(&n->c, size), size, true };
		int head = vf_add_q(&n->c.q, &b, 1);

		if (head < 0)
			return -1;
		n->rx_gpa[head] = b.gpa;
	}
	return vf_flush_q(&n->c, &n->c.q);
}

static void make_frame(uint8_t *f, size_t len, const uint8_t src[6], uint8_t seed)
{
	memset(f, 0xff, 6);			/* broadcast */
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	for (size_t i = 14; i < len; i++)
		f[i] = seed + i * 7;
}

/* Send buffers @bufs on the transmit queue; wait for the chain to come back. */
static int transmit_raw(struct nic *n, const struct vf_buf *bufs, int count)
{
	uint32_t id, len;

	if (vf_add_q(&n->tx, bufs, count) < 0 || vf_flush_q(&n->c, &n->tx) < 0)
		return -EIO;
	int rc = vf_wait_used_q(&n->c, &n->tx, WAIT_MS, &id, &len);

	return rc == 1 ? 0 : rc == 0 ? -ETIMEDOUT : rc;
}

/* Send one frame as Linux does with a header descriptor and a data descriptor. */
static int transmit(struct nic *n, const uint8_t *frame, size_t len)
{
	struct vf_buf b[2] = {
		{ vf_alloc(&n->c, HDR_LEN), HDR_LEN, false },
		{ vf_alloc(&n->c, len), len, false },
	};

	memset(vf_host(&n->c, b[0].gpa), 0, HDR_LEN);
	memcpy(vf_host(&n->c, b[1].gpa), frame, len);
	return transmit_raw(n, b, 2);
}

struct received {
	size_t len;			/* frame bytes, header excluded */
	uint16_t num_buffers;
	unsigned int used;		/* used entries it took */
	uint32_t first_len;		/* written into the first buffer */
	uint32_t first_id;		/* head of the first buffer */
	uint8_t frame[MAX_FRAME];
};

/*
 * Wait up to @ms for the next frame on the receive queue: 1 (in @r), 0 on
 * timeout, <0 on error. Buffers of length 0 (refused by the device) are
 * counted in *@zero_len and skipped.
 */
static int receive(struct nic *n, int ms, struct received *r, int *zero_len)
{
	struct virtio_net_hdr_v1 hdr;
	uint32_t id, len;
	size_t done = 0;
	int rc;

	do {
		rc = vf_wait_used_q(&n->c, &n->c.q, ms, &id, &len);
		if (rc <= 0)
			return rc;
		if (len == 0 && zero_len)
			++*zero_len;
	} while (len == 0);
	if (id >= QUEUE_SIZE || len < HDR_LEN)
		return -EPROTO;
	memcpy(&hdr, vf_host(&n->c, n->rx_gpa[id]), HDR_LEN);
	r->num_buffers = hdr.num_buffers;
	r->used = 1;
	r->first_len = len;
	r->first_id = id;
	if (len - HDR_LEN > MAX_FRAME)
		return -EPROTO;
	memcpy(r->frame, (uint8_t *)vf_host(&n->c, n->rx_gpa[id]) + HDR_LEN, len - HDR_LEN);
	done = len - HDR_LEN;
	/* The rest of a merged frame must already be there: it was published at once. */
	while (r->used < hdr.num_buffers) {
		if (vf_take_used_q(&n->c.q, &id, &len) != 1)
			return -EAGAIN;
		if (id >= QUEUE_SIZE || done + len > MAX_FRAME)
			return -EPROTO;
		memcpy(r->frame + done, vf_host(&n->c, n->rx_gpa[id]), len);
		done += len;
		r->used++;
	}
	r->len = done;
	return 1;
}

/* Receive until a frame equal to @want arrives; others are skipped. NULL or why not. */
static const char *expect_frame_within(struct nic *n, const uint8_t *want, size_t len,
				       struct received *r, int ms)
{
	static char why[128];

	for (;;) {
		int rc = receive(n, ms, r, NULL);

		if (rc == 0)
			return "the frame did not arrive";
		if (rc < 0) {
			snprintf(why, sizeof(why), "receive: %s", strerror(-rc));
			return why;
		}
		if (r->len == len && !memcmp(r->frame, want, len))
			return NULL;
	}
}

static const char *expect_frame(struct nic *n, const uint8_t *want, size_t len,
				struct received *r)
{
	return expect_frame_within(n, want, len, r, WAIT_MS);
}

/* Whether any test frame arrives within QUIET_MS. */
static bool quiet(struct nic *n)
{
	static struct received r;

	for (;;) {
		int rc = receive(n, QUIET_MS, &r, NULL);

		if (rc <= 0)
			return rc == 0;
		if (r.len >= 14 && r.frame[12] == ETHERTYPE_TEST >> 8)
			return false;
	}
}

static bool error_signalled(struct vf_queue *q)
{
	struct pollfd p = { .fd = q->err_fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1;
}

/* --- switch scenarios ---------------------------------------------- */

static uint8_t frame[MAX_FRAME];
static struct received got;
static char hub_path[160];

/* Post buffers and take frames until none comes: nothing held, nothing waiting. */
static void settle(struct nic *n)
{
	post_rx(n, 32, 4096);
	while (receive(n, QUIET_MS, &got, NULL) == 1)
		;
}

static void switch_scenarios(void)
{
	const uint64_t basic = BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) |
			       BIT(VIRTIO_RING_F_EVENT_IDX);
	const uint64_t mrg = basic | BIT(VIRTIO_NET_F_MRG_RXBUF);
	struct nic a, b, c, m, d;
	struct proc hub = { 0 };
	struct virtio_net_config cfg;
	const char *why;
	int rc;

	snprintf(hub_path, sizeof(hub_path), "%s/hub.sock", work_dir);
	{
		char *driver;

		if (asprintf(&driver, "%s/candor-net", build_dir) < 0)
			abort();
		char *argv[] = { driver, "--hub", hub_path, NULL };

		spawn(&hub, "hub", argv);
		free(driver);
	}
	if (!wait_for_path(hub_path)) {
		check(false, "switch: hub listens", "no socket at %s (see %s)", hub_path, hub.log);
		stop(&hub);
		return;
	}
	if ((rc = start_nic(&b, "b", NULL, "--switch", hub_path, mrg)) ||
	    (rc = start_nic(&a, "a", NULL, "--switch", hub_path, mrg))) {
		check(false, "switch: two devices set up", "%s", strerror(-rc));
		goto out;
	}

	rc = vf_get_config(&a.c, &cfg, sizeof(cfg));
	check(rc == 0 && !memcmp(cfg.mac, a.mac, 6) && cfg.status == VIRTIO_NET_S_LINK_UP,
	      "config space: MAC from --mac, link up", "rc %d, status %u", rc, cfg.status);
	check((a.c.features & mrg) == mrg, "features: MAC, STATUS, MRG_RXBUF offered",
	      "offered 0x%llx", (unsigned long long)a.c.features);

	/* Receive holds back while the guest has no buffers, and loses nothing. */
	for (uint8_t i = 0; i < 3; i++) {
		make_frame(frame, 100 + i, a.mac, i);
		transmit(&a, frame, 100 + i);
	}
	usleep(200 * 1000);
	post_rx(&b, 16, 2048);
	why = NULL;
	for (uint8_t i = 0; i < 3 && !why; i++) {
		make_frame(frame, 100 + i, a.mac, i);
		if (receive(&b, WAIT_MS, &got, NULL) != 1)
			why = "a frame is missing";
		else if (got.len != 100u + i || memcmp(got.frame, frame, got.len))
			why = "frames out of order or changed";
	}
	check(!why, "switch: frames sent before the peer posted buffers arrive, in order, once it does",
	      "%s", why);

	make_frame(frame, 1400, a.mac, 42);
	rc = transmit(&a, frame, 1400);
	why = rc ? strerror(-rc) : expect_frame(&b, frame, 1400, &got);
	check(!why && got.num_buffers == 1 && got.first_len == HDR_LEN + 1400,
	      "switch: a frame from one device reaches another (header num_buffers 1)",
	      "%s (num_buffers %u, used length %u)", why ? why : "", got.num_buffers,
	      got.first_len);
	post_rx(&a, 4, 2048);
	check(quiet(&a), "switch: the hub does not send a frame back to its sender",
	      "a received a test frame");

	/* Mergeable receive buffers: 512-byte buffers for a 1500-byte frame. */
	if ((rc = start_nic(&m, "m", NULL, "--switch", hub_path, mrg))) {
		check(false, "switch: third device set up", "%s", strerror(-rc));
		goto out_ab;
	}
	/* Two buffers are not enough: they stay the guest's until a third comes. */
	post_rx(&m, 2, 512);
	make_frame(frame, 1500, a.mac, 7);
	rc = transmit(&a, frame, 1500);
	check(rc == 0 && quiet(&m),
	      "receive: a frame waits while the posted buffers cannot hold it all",
	      "rc %d, or something arrived", rc);
	post_rx(&m, 6, 512);
	why = expect_frame(&m, frame, 1500, &got);
	check(!why && got.num_buffers == 3 && got.used == 3 && got.first_id == 0,
	      "receive: mergeable buffers: the 1500-byte frame in three 512-byte buffers, starting with the first posted",
	      "%s (num_buffers %u, used %u, first buffer %u)", why ? why : "",
	      got.num_buffers, got.used, got.first_id);
	stop_nic(&m);

	/* Without MRG_RXBUF a frame larger than the buffer is dropped; the buffer serves the next. */
	if ((rc = start_nic(&c, "c", NULL, "--switch", hub_path, basic))) {
		check(false, "switch: device without mergeable buffers set up", "%s", strerror(-rc));
		goto out_ab;
	}
	post_rx(&c, 1, 2048);
	make_frame(frame, 3000, a.mac, 9);
	transmit(&a, frame, 3000);
	make_frame(frame, 1500, a.mac, 10);
	transmit(&a, frame, 1500);
	rc = receive(&c, WAIT_MS, &got, NULL);
	check(rc == 1 && got.used == 1 && got.num_buffers == 1 && got.len == 1500 &&
	      !memcmp(got.frame, frame, 1500),
	      "receive: without mergeable buffers a 3000-byte frame is dropped, the next 1500 bytes delivered",
	      "rc %d, %zu bytes in %u buffers", rc, got.len, got.used);

	/* A first receive buffer too short for the header is returned with length 0. */
	if ((rc = start_nic(&d, "d", NULL, "--switch", hub_path, mrg))) {
		check(false, "switch: fourth device set up", "%s", strerror(-rc));
		stop_nic(&c);
		goto out_ab;
	}
	{
		struct vf_buf tiny = { vf_alloc(&d.c, 4), 4, true };
		int head = vf_add_q(&d.c.q, &tiny, 1);
		int zero = 0;

		d.rx_gpa[head] = tiny.gpa;
		post_rx(&d, 2, 2048);
		make_frame(frame, 200, a.mac, 77);
		transmit(&a, frame, 200);
		rc = receive(&d, WAIT_MS, &got, &zero);
		check(rc == 1 && zero == 1 && got.len == 200 && !memcmp(got.frame, frame, 200),
		      "receive: a 4-byte first buffer is returned with length 0, the frame goes to the next",
		      "rc %d, zero-length entries %d, frame %zu bytes", rc, zero, got.len);
	}
	stop_nic(&d);

	/* Hostile transmit chains: each is returned and dropped, the device carries on. */
	settle(&b);
	{
		struct vf_buf shortb = { vf_alloc(&a.c, 8), 8, false };
		struct vf_buf big[2] = {
			{ vf_alloc(&a.c, HDR_LEN), HDR_LEN, false },
			{ vf_alloc(&a.c, MAX_FRAME + 100), MAX_FRAME + 100, false },
		};
		struct vf_buf hdr_only = { vf_alloc(&a.c, HDR_LEN + 10), HDR_LEN + 10, false };

		make_frame(vf_host(&a.c, big[1].gpa), MAX_FRAME + 100, a.mac, 1);
		int r1 = transmit_raw(&a, &shortb, 1);
		int r2 = transmit_raw(&a, big, 2);
		int r3 = transmit_raw(&a, &hdr_only, 1);

		check(r1 == 0 && r2 == 0 && r3 == 0 && quiet(&b),
		      "transmit: chains shorter than the headers, and a frame over 65535 bytes, are returned and dropped",
		      "rc %d %d %d, or b received one", r1, r2, r3);
		make_frame(frame, 300, a.mac, 88);
		rc = transmit(&a, frame, 300);
		why = rc ? strerror(-rc) : expect_frame(&b, frame, 300, &got);
		check(!why, "transmit: the device still sends after hostile chains", "%s", why);
	}

	/* A descriptor outside guest memory breaks the transmit queue, not the process. */
	{
		struct vf_buf bad[2] = {
			{ VF_GPA_BASE + MEM_SIZE + 4096, HDR_LEN, false },
			{ VF_GPA_BASE, 100, false },
		};

		vf_add_q(&a.tx, bad, 2);
		vf_flush_q(&a.c, &a.tx);
		check(error_signalled(&a.tx) && running(&a.proc),
		      "transmit: a buffer outside guest memory breaks the queue (error eventfd), candor-net keeps running",
		      "no error signalled or the process exited (see %s)", a.proc.log);
		post_rx(&a, 4, 2048);
		make_frame(frame, 500, b.mac, 3);
		rc = transmit(&b, frame, 500);
		why = rc ? strerror(-rc) : expect_frame(&a, frame, 500, &got);
		check(!why, "receive: still works on a device whose transmit queue broke", "%s", why);
	}

	/* Learning: once b has spoken, a unicast frame from c to b reaches b and not a. */
	make_frame(frame, 90, b.mac, 31);
	transmit(&b, frame, 90);
	expect_frame(&a, frame, 90, &got);
	make_frame(frame, 120, c.mac, 32);
	memcpy(frame, b.mac, 6);
	rc = transmit(&c, frame, 120);
	why = rc ? strerror(-rc) : expect_frame(&b, frame, 120, &got);
	check(!why && quiet(&a), "switch: a unicast frame goes only to the member its MAC was seen behind",
	      "%s", why ? why : "a received it too");

	/* A member that leaves does not disturb the others. */
	stop_nic(&c);
	make_frame(frame, 64, b.mac, 5);
	rc = transmit(&b, frame, 64);
	why = rc ? strerror(-rc) : expect_frame(&a, frame, 64, &got);
	check(!why && running(&hub), "switch: a member leaving does not disturb the others",
	      "%s", why ? why : "hub exited");

	/* The hub restarts: the members notice, reconnect within seconds, and frames flow again. */
	stop(&hub);
	{
		char *driver;

		if (asprintf(&driver, "%s/candor-net", build_dir) < 0)
			abort();
		char *argv[] = { driver, "--hub", hub_path, NULL };

		spawn(&hub, "hub2", argv);
		free(driver);
	}
	why = wait_for_path(hub_path) ? "no frame in 10 tries" : "the hub did not come back";
	settle(&a);
	/* Frames sent before b is back are lost, as on a switch being replugged. */
	for (int tries = 0; tries < 10 && why && running(&hub); tries++) {
		make_frame(frame, 80, b.mac, 60 + tries);
		if ((rc = transmit(&b, frame, 80)) < 0)
			break;
		if (!expect_frame_within(&a, frame, 80, &got, 500))
			why = NULL;
	}
	check(!why && running(&a.proc) && running(&b.proc),
	      "switch: after the hub restarts the members reconnect and frames flow again",
	      "%s", why ? why : "a member exited");
out_ab:
	stop_nic(&a);
	stop_nic(&b);
out:
	stop(&hub);
}

/* --- TAP scenario -------------------------------------------------- */

static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	return system(cmd) == 0 ? 0 : -1;
}

/* A packet socket for our test EtherType on @ifname in namespace @netns. */
static int packet_socket_in(const char *netns, const char *ifname)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int target, fd = -1;

	snprintf(path, sizeof(path), "/var/run/netns/%s", netns);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0)
		goto out;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETHERTYPE_TEST));
	if (fd >= 0) {
		struct sockaddr_ll sll = {
			.sll_family = AF_PACKET,
			.sll_protocol = htons(ETHERTYPE_TEST),
			.sll_ifindex = if_nametoindex(ifname),
		};

		if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (setns(self, CLONE_NEWNET) < 0)
		abort();	/* we must not run the rest in the test namespace */
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return fd;
}

/* candor-net --hub --tap: the namespace's host side is a port of the switch. */
static void hub_tap_scenario(const char *netns)
{
	const uint64_t want = BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_RING_F_EVENT_IDX);
	const char *ifname = "cnet1";
	struct proc hub = { 0 };
	char path[160], *driver;
	struct nic h;
	int pkt = -1, rc;

	snprintf(path, sizeof(path), "%s/tap-hub.sock", work_dir);
	if (asprintf(&driver, "%s/candor-net", build_dir) < 0)
		abort();
	char *argv[] = { "ip", "netns", "exec", (char *)netns, driver, "--hub", path,
			 "--tap", (char *)ifname, NULL };

	spawn(&hub, "tap-hub", argv);
	free(driver);
	if (!wait_for_path(path) || run("ip -n %s link set %s up", netns, ifname) < 0 ||
	    (pkt = packet_socket_in(netns, ifname)) < 0) {
		check(false, "hub with a TAP port: starts", "see %s", hub.log);
		stop(&hub);
		return;
	}
	if ((rc = start_nic(&h, "h", NULL, "--switch", path, want))) {
		check(false, "hub with a TAP port: member set up", "%s", strerror(-rc));
		goto out;
	}
	make_frame(frame, 700, h.mac, 21);
	rc = transmit(&h, frame, 700);
	{
		struct pollfd p = { .fd = pkt, .events = POLLIN };
		uint8_t buf[2048];
		ssize_t n = -1;

		if (rc == 0 && poll(&p, 1, WAIT_MS) == 1)
			n = recv(pkt, buf, sizeof(buf), 0);
		check(n == 700 && !memcmp(buf, frame, 700),
		      "hub with a TAP port: a member's frame appears on the hub's TAP interface",
		      "rc %d, got %zd bytes", rc, n);
	}
	post_rx(&h, 4, 2048);
	{
		const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x98 };
		const char *why;

		make_frame(frame, 900, peer, 22);
		why = send(pkt, frame, 900, 0) != 900 ? strerror(errno)
						      : expect_frame(&h, frame, 900, &got);
		check(!why, "hub with a TAP port: a frame sent to the TAP interface reaches the member",
		      "%s", why);
	}
	stop_nic(&h);
out:
	close(pkt);
	stop(&hub);
}

static void tap_scenario(void)
{
	const uint64_t want = BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_RING_F_EVENT_IDX);
	char netns[64];
	const char *ifname = "cnet0";
	struct nic t;
	int pkt, rc;

	snprintf(netns, sizeof(netns), "candor-net-check-%d", (int)getpid());
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		skip("tap", "/dev/net/tun: %s", strerror(errno));
		return;
	}
	if (run("ip netns add %s", netns) < 0) {
		skip("tap", "cannot create a network namespace (ip netns add: needs root and iproute2)");
		return;
	}
	if ((rc = start_nic(&t, "tap", netns, "--tap", ifname, want))) {
		check(false, "tap: candor-net opens the TAP interface", "%s (see %s)", strerror(-rc), t.proc.log);
		goto out;
	}
	if (run("ip -n %s link set %s up", netns, ifname) < 0 ||
	    (pkt = packet_socket_in(netns, ifname)) < 0) {
		check(false, "tap: interface up with a packet socket", "%s", strerror(errno));
		stop_nic(&t);
		goto out;
	}
	check(true, "tap: candor-net created the TAP interface in the test namespace", NULL);

	make_frame(frame, 1000, t.mac, 33);
	rc = transmit(&t, frame, 1000);
	{
		struct pollfd p = { .fd = pkt, .events = POLLIN };
		uint8_t buf[2048];
		ssize_t n = -1;

		if (rc == 0 && poll(&p, 1, WAIT_MS) == 1)
			n = recv(pkt, buf, sizeof(buf), 0);
		check(n == 1000 && !memcmp(buf, frame, 1000),
		      "tap: a frame sent on the transmit queue appears on the TAP interface",
		      "rc %d, got %zd bytes", rc, n);
	}

	post_rx(&t, 8, 512);
	{
		const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x99 };
		const char *why;

		make_frame(frame, 1200, peer, 44);
		if (send(pkt, frame, 1200, 0) != 1200)
			why = strerror(errno);
		else
			why = expect_frame(&t, frame, 1200, &got);
		check(!why && got.num_buffers == 3,
		      "tap: a frame sent to the TAP interface arrives in mergeable receive buffers",
		      "%s (num_buffers %u)", why ? why : "", got.num_buffers);
	}
	close(pkt);
	stop_nic(&t);
	hub_tap_scenario(netns);
out:
	run("ip netns del %s", netns);
}

/* --- CANDOR_SHIM_CHECK -------------------------------------------- */

/* Whether the file at @path contains @text. */
static bool log_has(const char *path, const char *text)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, text) != NULL;
}

/*
 * The shim's check mode: a guest that plays by the rules causes no
 * violation (and the mode is on: its log has the memory table); a guest
 * that makes a buffer available twice while the device owns it is reported.
 */
static void check_mode_scenario(void)
{
	const uint64_t mrg = BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) |
			     BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_NET_F_MRG_RXBUF);
	struct nic x, y, z;
	struct proc hub = { 0 };
	char path[160];
	const char *why = NULL;
	int rc, head;

	snprintf(path, sizeof(path), "%s/check-hub.sock", work_dir);
	{
		char *driver;

		if (asprintf(&driver, "%s/candor-net", build_dir) < 0)
			abort();
		char *argv[] = { driver, "--hub", path, NULL };

		spawn(&hub, "check-hub", argv);
		free(driver);
	}
	if (!wait_for_path(path)) {
		check(false, "check mode: hub listens", "no socket at %s", path);
		stop(&hub);
		return;
	}
	setenv("CANDOR_SHIM_CHECK", "1", 1);
	rc = start_nic(&x, "x", NULL, "--switch", path, mrg);
	if (!rc)
		rc = start_nic(&y, "y", NULL, "--switch", path, mrg);
	if (!rc)
		rc = start_nic(&z, "z", NULL, "--switch", path, mrg);
	unsetenv("CANDOR_SHIM_CHECK");
	if (rc) {
		check(false, "check mode: three devices set up", "%s", strerror(-rc));
		stop(&hub);
		return;
	}
	/* y: plenty of buffers, single and merged frames. */
	post_rx(&y, 8, 2048);
	post_rx(&y, 8, 512);
	/* z: one 512-byte buffer made available twice. */
	{
		struct vf_buf b = { vf_alloc(&z.c, 512), 512, true };

		head = vf_add_q(&z.c.q, &b, 1);
		z.rx_gpa[head] = b.gpa;
		vf_add_raw_head(&z.c, head);
		vf_flush_q(&z.c, &z.c.q);
	}
	for (uint8_t i = 0; i < 4 && !why; i++) {
		size_t len = i < 2 ? 1000 : 1500;

		make_frame(frame, len, x.mac, i);
		rc = transmit(&x, frame, len);
		why = rc ? strerror(-rc) : expect_frame(&y, frame, len, &got);
	}
	/* z's two pops of one head happened (or not) by now: the frame reached y. */
	usleep(QUIET_MS * 1000);
	stop_nic(&x);
	stop_nic(&y);
	stop_nic(&z);
	stop(&hub);
	check(!why && log_has(y.proc.log, "check") && log_has(y.proc.log, "SET_MEM_TABLE") &&
	      !log_has(y.proc.log, "VIOLATION"),
	      "check mode: frames into single and merged buffers cause no violation",
	      "%s; see %s", why ? why : "log has no check lines or a violation", y.proc.log);
	check(log_has(z.proc.log, "VIOLATION") && log_has(z.proc.log, "made available again"),
	      "check mode: a head made available twice while the device owns it is reported",
	      "no such violation in %s", z.proc.log);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vhost-net-check BUILD_DIR\n");
		return 2;
	}
	build_dir = argv[1];
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(work_dir)) {
		perror("mkdtemp");
		return 1;
	}
	switch_scenarios();
	check_mode_scenario();
	tap_scenario();
	run("rm -rf %s", work_dir);
	return failures ? 1 : 0;
}
