// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * vhost-check BUILD_DIR: vhost-user scenarios against candor-blk,
 * candor-rng, the license test drivers and qemu-storage-daemon. Prints one
 * "PASS name", "FAIL name: why" or "SKIP name: why" line per check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vhost-frontend.h"

#define BIT(n)		(1ull << (n))
#define IMAGE_SIZE	(1024 * 1024)
#define MEM_SIZE	(4 * 1024 * 1024)
#define QUEUE_SIZE	64
#define WAIT_MS		5000
#define QUIET_MS	500

static const char *build_dir;
static char work_dir[] = "/tmp/candor-check.XXXXXX";
static int failures;

static void result(bool ok, const char *label, const char *name,
		   const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: %s", ok ? "PASS" : "FAIL", label, name);
	if (!ok) {
		failures++;
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
}

struct backend {
	pid_t pid;
	char sock[108];
	char log[256];
};

static int start(struct backend *b, const char *tag, char **argv)
{
	snprintf(b->log, sizeof(b->log), "%s/%s.log", work_dir, tag);
	b->pid = vf_spawn(argv, b->log);
	return b->pid > 0 ? 0 : -1;
}

static void set_socket(struct backend *b, const char *tag)
{
	snprintf(b->sock, sizeof(b->sock), "%s/%s.sock", work_dir, tag);
}

/* Wait up to @ms for the backend to exit; -1 if it is still running. */
static int wait_exit(struct backend *b, int ms)
{
	int status;

	for (int i = 0; i < ms / 10; i++) {
		if (waitpid(b->pid, &status, WNOHANG) == b->pid)
			return status;
		usleep(10000);
	}
	return -1;
}

static void stop(struct backend *b)
{
	if (b->pid <= 0)
		return;
	kill(b->pid, SIGTERM);
	if (wait_exit(b, 2000) < 0) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
	}
	b->pid = 0;
}

static bool running(struct backend *b)
{
	return waitpid(b->pid, NULL, WNOHANG) == 0;
}

static int count_in_log(struct backend *b, const char *needle)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(b->log, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static char *binary(const char *name)
{
	char *path;

	if (asprintf(&path, "%s/%s", build_dir, name) < 0)
		abort();
	return path;
}

static int make_image(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int rc = fd >= 0 && ftruncate(fd, IMAGE_SIZE) == 0 ? 0 : -1;

	if (fd >= 0)
		close(fd);
	return rc;
}

/* --- virtio-blk requests ------------------------------------------ */

struct blk_result {
	int rc;			/* 0, or a negative errno (-ETIMEDOUT ...) */
	uint8_t status;
	uint32_t used_len;
};

static struct blk_result blk_io(struct vf_conn *c, uint32_t type,
				uint64_t sector, void *data, uint32_t len,
				bool indirect)
{
	struct blk_result r = { 0 };
	uint64_t hdr_gpa = vf_alloc(c, sizeof(struct virtio_blk_outhdr));
	uint64_t data_gpa = len ? vf_alloc(c, len) : 0;
	uint64_t status_gpa = vf_alloc(c, 1);
	struct virtio_blk_outhdr *hdr = vf_host(c, hdr_gpa);
	uint8_t *status = vf_host(c, status_gpa);
	bool out = type == VIRTIO_BLK_T_OUT;
	struct vf_buf bufs[3];
	int n = 0, head;
	uint32_t id;

	hdr->type = type;
	hdr->ioprio = 0;
	hdr->sector = sector;
	*status = 0xff;
	if (out)
		memcpy(vf_host(c, data_gpa), data, len);
	bufs[n++] = (struct vf_buf){ hdr_gpa, sizeof(*hdr), false };
	if (len)
		bufs[n++] = (struct vf_buf){ data_gpa, len, !out };
	bufs[n++] = (struct vf_buf){ status_gpa, 1, true };
	head = indirect ? vf_add_indirect(c, bufs, n) : vf_add(c, bufs, n);
	if (head < 0 || (r.rc = vf_flush(c)) < 0)
		return (struct blk_result){ .rc = r.rc ? r.rc : -ENOSPC };
	r.rc = vf_wait_used(c, WAIT_MS, &id, &r.used_len);
	if (r.rc == 0)
		r.rc = -ETIMEDOUT;
	else if (r.rc == 1)
		r.rc = id == (uint32_t)head ? 0 : -EPROTO;
	r.status = *status;
	if (r.rc == 0 && !out && len)
		memcpy(data, vf_host(c, data_gpa), len);
	return r;
}

static bool blk_ok(struct blk_result r, const char *label, const char *name,
		   uint8_t want)
{
	bool ok = r.rc == 0 && r.status == want;

	result(ok, label, name, "rc %d (%s), status %u, want status %u", r.rc,
	       strerror(-r.rc), r.status, want);
	return ok;
}

static const uint64_t blk_features =
	BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX) |
	BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_BLK_F_FLUSH) |
	BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
	BIT(VIRTIO_BLK_F_RO);

static int connect_and_setup(struct vf_conn *c, struct backend *b,
			     const char *label, uint64_t features,
			     unsigned int regions)
{
	int rc = vf_connect(c, b->sock, WAIT_MS);

	c->regions = regions;
	if (rc == 0)
		rc = vf_setup(c, features, MEM_SIZE, QUEUE_SIZE);
	result(rc == 0, label, "vhost-user handshake", "%s (log %s)",
	       strerror(-rc), b->log);
	return rc;
}

/* The virtio-blk scenario; run against ours and qemu-storage-daemon. */
static void blk_scenario(const char *label, struct backend *b,
			 const char *image, bool ours)
{
	static uint8_t pattern[8192], back[8192];
	struct virtio_blk_config config = { 0 };
	struct vf_conn c;
	struct blk_result r;
	char id[VIRTIO_BLK_ID_BYTES + 1] = { 0 };
	int fd, rc;

	/* Two memory regions; the pattern's buffer straddles their boundary. */
	if (connect_and_setup(&c, b, label, blk_features, 2) < 0)
		return;
	rc = vf_get_config(&c, &config, sizeof(config));
	result(rc == 0 && config.capacity == IMAGE_SIZE / 512, label,
	       "config capacity in 512-byte sectors", "rc %d, capacity %llu",
	       rc, (unsigned long long)config.capacity);
	result((c.acked & BIT(VIRTIO_RING_F_EVENT_IDX)) &&
	       (c.acked & BIT(VIRTIO_RING_F_INDIRECT_DESC)) &&
	       (c.acked & BIT(VIRTIO_BLK_F_FLUSH)), label,
	       "EVENT_IDX, INDIRECT_DESC and FLUSH negotiated",
	       "features 0x%llx", (unsigned long long)c.features);

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + i / 256 + 1);
	c.next_free = MEM_SIZE / 2 - sizeof(struct virtio_blk_outhdr) - 4096;
	blk_ok(blk_io(&c, VIRTIO_BLK_T_OUT, 8, pattern, sizeof(pattern), false),
	       label, "write 8 KiB pattern at sector 8 (buffer across two memory regions)",
	       VIRTIO_BLK_S_OK);
	blk_ok(blk_io(&c, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false), label,
	       "flush", VIRTIO_BLK_S_OK);
	r = blk_io(&c, VIRTIO_BLK_T_IN, 8, back, sizeof(back), false);
	if (blk_ok(r, label, "read it back", VIRTIO_BLK_S_OK)) {
		result(!memcmp(back, pattern, sizeof(back)), label,
		       "read data equals the pattern", "mismatch");
		if (ours)
			result(r.used_len == sizeof(back) + 1, label,
			       "used length is data + status byte", "got %u",
			       r.used_len);
	}
	memset(back, 0, sizeof(back));
	fd = open(image, O_RDONLY);
	rc = fd >= 0 ? pread(fd, back, sizeof(back), 8 * 512) : -1;
	result(rc == (int)sizeof(back) && !memcmp(back, pattern, sizeof(back)),
	       label, "image file on the host holds the pattern",
	       "pread %d, content differs", rc);
	if (fd >= 0)
		close(fd);

	memset(back, 0, sizeof(back));
	r = blk_io(&c, VIRTIO_BLK_T_IN, 8, back, 4096, true);
	if (blk_ok(r, label, "read through an indirect table", VIRTIO_BLK_S_OK))
		result(!memcmp(back, pattern, 4096), label,
		       "indirect read data equals the pattern", "mismatch");

	r = blk_io(&c, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, false);
	if (blk_ok(r, label, "GET_ID", VIRTIO_BLK_S_OK) && ours)
		result(!strncmp(id, "disk.img", VIRTIO_BLK_ID_BYTES), label,
		       "GET_ID names the image", "got \"%s\"", id);
	blk_ok(blk_io(&c, VIRTIO_BLK_T_IN, IMAGE_SIZE / 512 - 1, back, 1024, false),
	       label, "read across the end of the disk -> IOERR",
	       VIRTIO_BLK_S_IOERR);
	blk_ok(blk_io(&c, VIRTIO_BLK_T_OUT, UINT64_MAX / 256, pattern, 512, false),
	       label, "write at a huge sector -> IOERR", VIRTIO_BLK_S_IOERR);
	blk_ok(blk_io(&c, 99, 0, NULL, 0, false), label,
	       "unknown request type -> UNSUPP", VIRTIO_BLK_S_UNSUPP);

	if (ours) {
		struct vhost_user_vring_state st = { 0, 0 };
		uint64_t queues = 0, bogus = BIT(63);

		rc = vf_request(&c, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0,
				&queues, sizeof(queues));
		result(rc == 0 && queues == 1, label, "GET_QUEUE_NUM is 1",
		       "rc %d, %llu", rc, (unsigned long long)queues);
		rc = vf_request(&c, VHOST_USER_SET_FEATURES, &bogus,
				sizeof(bogus), NULL, 0, NULL, 0);
		result(rc == -EIO, label,
		       "SET_FEATURES with an unoffered bit is refused (REPLY_ACK)",
		       "rc %d", rc);
		rc = vf_request(&c, VHOST_USER_GET_VRING_BASE, &st, sizeof(st),
				NULL, 0, &st, sizeof(st));
		result(rc == 0 && st.num == c.q.avail_idx, label,
		       "GET_VRING_BASE stops the ring at the next index",
		       "rc %d, base %u, want %u", rc, st.num, c.q.avail_idx);
	}
	vf_close(&c);
	if (ours) {
		rc = wait_exit(b, WAIT_MS);
		result(rc >= 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0, label,
		       "backend exits 0 when the frontend disconnects",
		       "wait status %d", rc);
		b->pid = 0;
	}
}

static void blk_ours(void)
{
	struct backend b = { 0 };
	char image[256];
	char *argv[] = { binary("candor-blk"), "--socket", b.sock, "--image",
			 image, NULL };

	snprintf(image, sizeof(image), "%s/disk.img", work_dir);
	set_socket(&b, "blk");
	if (make_image(image) < 0 || start(&b, "candor-blk", argv) < 0) {
		result(false, "candor-blk", "start", "%s", strerror(errno));
		return;
	}
	blk_scenario("candor-blk", &b, image, true);
	stop(&b);
	free(argv[0]);
}

static void blk_qemu(void)
{
	const char *label = "qemu-storage-daemon";
	struct backend b = { 0 };
	char image[256], blockdev[512], export[512];
	char *argv[] = { "qemu-storage-daemon", "--blockdev", blockdev,
			 "--export", export, NULL };

	if (system("command -v qemu-storage-daemon >/dev/null 2>&1") != 0) {
		printf("SKIP %s: not installed (Debian package qemu-system-common)\n",
		       label);
		return;
	}
	snprintf(image, sizeof(image), "%s/qemu-disk.img", work_dir);
	set_socket(&b, "qsd");
	snprintf(blockdev, sizeof(blockdev),
		 "driver=file,node-name=f,filename=%s", image);
	snprintf(export, sizeof(export),
		 "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,writable=on",
		 b.sock);
	if (make_image(image) < 0 || start(&b, "qemu-storage-daemon", argv) < 0) {
		result(false, label, "start", "%s", strerror(errno));
		return;
	}
	blk_scenario(label, &b, image, false);
	stop(&b);
}

static void blk_read_only(void)
{
	const char *label = "candor-blk --read-only";
	static uint8_t data[512];
	struct backend b = { 0 };
	struct vf_conn c;
	char image[256];
	char *argv[] = { binary("candor-blk"), "--socket", b.sock, "--image",
			 image, "--read-only", NULL };

	snprintf(image, sizeof(image), "%s/ro.img", work_dir);
	set_socket(&b, "ro");
	if (make_image(image) < 0 || start(&b, "candor-blk-ro", argv) < 0)
		return;
	if (connect_and_setup(&c, &b, label, blk_features, 1) == 0) {
		result(c.acked & BIT(VIRTIO_BLK_F_RO), label,
		       "VIRTIO_BLK_F_RO offered", "features 0x%llx",
		       (unsigned long long)c.features);
		blk_ok(blk_io(&c, VIRTIO_BLK_T_OUT, 0, data, sizeof(data), false),
		       label, "write -> IOERR", VIRTIO_BLK_S_IOERR);
		blk_ok(blk_io(&c, VIRTIO_BLK_T_IN, 0, data, sizeof(data), false),
		       label, "read -> OK", VIRTIO_BLK_S_OK);
		vf_close(&c);
	}
	stop(&b);
	free(argv[0]);
}

/* --- virtio-rng ----------------------------------------------------- */

static int rng_read(struct vf_conn *c, uint8_t *out, uint32_t len,
		    uint32_t *used_len)
{
	/* Two writable pieces, to exercise scatter-gather. */
	uint64_t a = vf_alloc(c, len / 2), b = vf_alloc(c, len - len / 2);
	struct vf_buf bufs[] = { { a, len / 2, true }, { b, len - len / 2, true } };
	uint32_t id;
	int rc;

	if (vf_add(c, bufs, 2) < 0 || vf_flush(c) < 0)
		return -EIO;
	rc = vf_wait_used(c, WAIT_MS, &id, used_len);
	if (rc != 1)
		return rc ? rc : -ETIMEDOUT;
	memcpy(out, vf_host(c, a), len / 2);
	memcpy(out + len / 2, vf_host(c, b), len - len / 2);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void rng(void)
{
	const char *label = "candor-rng";
	uint8_t one[64], two[64];
	uint32_t len1 = 0, len2 = 0;
	struct backend b = { 0 };
	struct vf_conn c;
	char *argv[] = { binary("candor-rng"), "--socket", b.sock, NULL };
	int rc1, rc2;

	set_socket(&b, "rng");
	if (start(&b, label, argv) < 0)
		return;
	if (connect_and_setup(&c, &b, label, BIT(VIRTIO_F_VERSION_1) |
			      BIT(VIRTIO_RING_F_EVENT_IDX), 1) == 0) {
		rc1 = rng_read(&c, one, sizeof(one), &len1);
		rc2 = rng_read(&c, two, sizeof(two), &len2);
		result(rc1 == 0 && rc2 == 0 && len1 == 64 && len2 == 64, label,
		       "two 64-byte reads complete in full", "rc %d/%d, len %u/%u",
		       rc1, rc2, len1, len2);
		result(!all_zero(one, 64) && !all_zero(two, 64), label,
		       "buffers are filled (not all zero)", "all zero");
		result(memcmp(one, two, 64) != 0, label,
		       "two reads differ", "identical");
		vf_close(&c);
	}
	stop(&b);
	free(argv[0]);
}

/* --- license check --------------------------------------------------- */

/* Start the test driver @argv and check that it answers with zeros. */
static void serves(struct backend *b, char **argv, const char *name)
{
	const char *label = "license";
	struct vf_conn c;
	uint8_t buf[32];
	uint32_t len = 0;

	if (start(b, argv[0] + strlen(build_dir) + 1, argv) < 0)
		return;
	if (connect_and_setup(&c, b, label, BIT(VIRTIO_F_VERSION_1), 1) == 0) {
		int rc = rng_read(&c, buf, sizeof(buf), &len);

		result(rc == 0 && len == sizeof(buf) && all_zero(buf, sizeof(buf)),
		       label, name, "rc %d len %u", rc, len);
		vf_close(&c);
	}
	stop(b);
}

static void license(void)
{
	const char *label = "license";
	struct backend b = { 0 };
	char *gpl_user[] = { binary("license-mit-gpl-symbol"), "--socket",
			     b.sock, NULL };
	char *undeclared[] = { binary("license-none-gpl-symbol"), "--socket",
			       b.sock, NULL };
	char *plain[] = { binary("license-mit-plain"), "--socket", b.sock, NULL };
	char *dual[] = { binary("license-dual-gpl-symbol"), "--socket", b.sock,
			 NULL };
	int status;

	set_socket(&b, "license");
	if (start(&b, "license-mit-gpl-symbol", gpl_user) == 0) {
		status = wait_exit(&b, WAIT_MS);
		result(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
		       count_in_log(&b, "not GPL-compatible") == 1, label,
		       "MIT driver using a GPL-only symbol is refused",
		       "wait status %d, see %s", status, b.log);
		if (status < 0)
			stop(&b);
	}
	b.pid = 0;
	if (start(&b, "license-none-gpl-symbol", undeclared) == 0) {
		status = wait_exit(&b, WAIT_MS);
		result(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
		       count_in_log(&b, "declares no license") == 1, label,
		       "driver without a license using a GPL-only symbol is refused",
		       "wait status %d, see %s", status, b.log);
		if (status < 0)
			stop(&b);
	}
	b.pid = 0;
	serves(&b, plain, "MIT driver without GPL-only symbols serves");
	serves(&b, dual,
	       "\"MIT OR GPL-2.0-or-later\" driver using a GPL-only symbol serves");
	free(gpl_user[0]);
	free(undeclared[0]);
	free(plain[0]);
	free(dual[0]);
}

/* --- hostile rings ----------------------------------------------------- */

struct hostile {
	const char *name;
	void (*build)(struct vf_conn *c);	/* a bad chain, or: */
	void (*rings)(struct vf_conn *c, struct vhost_user_vring_addr *addr);
};

static void put(struct vf_conn *c, uint16_t i, uint64_t addr, uint32_t len,
		uint16_t flags, uint16_t next)
{
	c->q.desc[i] = (struct virtq_desc){ addr, len, flags, next };
}

static uint64_t buffer(struct vf_conn *c)
{
	return vf_alloc(c, 512);
}

static void loop2(struct vf_conn *c)
{
	put(c, 0, buffer(c), 16, VIRTQ_DESC_F_NEXT, 1);
	put(c, 1, buffer(c), 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
	vf_add_raw_head(c, 0);
}

static void longer_than_queue(struct vf_conn *c)
{
	for (uint16_t i = 0; i < QUEUE_SIZE; i++)
		put(c, i, buffer(c), 16, VIRTQ_DESC_F_NEXT, (i + 1) % QUEUE_SIZE);
	vf_add_raw_head(c, 0);
}

static void outside_memory(struct vf_conn *c)
{
	put(c, 0, buffer(c), 16, VIRTQ_DESC_F_NEXT, 1);
	put(c, 1, VF_GPA_BASE + MEM_SIZE, 512, VIRTQ_DESC_F_WRITE, 0);
	vf_add_raw_head(c, 0);
}

static void straddling_end(struct vf_conn *c)
{
	put(c, 0, buffer(c), 16, VIRTQ_DESC_F_NEXT, 1);
	put(c, 1, VF_GPA_BASE + MEM_SIZE - 100, 512, VIRTQ_DESC_F_WRITE, 0);
	vf_add_raw_head(c, 0);
}

static void below_memory(struct vf_conn *c)
{
	put(c, 0, VF_GPA_BASE - 512, 16, 0, 0);
	vf_add_raw_head(c, 0);
}

static void wrapping_buffer(struct vf_conn *c)
{
	put(c, 0, UINT64_MAX - 8, 512, VIRTQ_DESC_F_WRITE, 0);
	vf_add_raw_head(c, 0);
}

static void indirect_bad_length(struct vf_conn *c)
{
	put(c, 0, vf_alloc(c, 64), 24, VIRTQ_DESC_F_INDIRECT, 0);
	vf_add_raw_head(c, 0);
}

static void indirect_outside_memory(struct vf_conn *c)
{
	put(c, 0, VF_GPA_BASE + MEM_SIZE - 16, 64, VIRTQ_DESC_F_INDIRECT, 0);
	vf_add_raw_head(c, 0);
}

static void indirect_loop(struct vf_conn *c)
{
	uint64_t gpa = vf_alloc(c, 32);
	struct virtq_desc *t = vf_host(c, gpa);

	t[0] = (struct virtq_desc){ buffer(c), 16, VIRTQ_DESC_F_NEXT, 1 };
	t[1] = (struct virtq_desc){ buffer(c), 16, VIRTQ_DESC_F_NEXT, 0 };
	put(c, 0, gpa, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vf_add_raw_head(c, 0);
}

static void indirect_nested(struct vf_conn *c)
{
	uint64_t gpa = vf_alloc(c, 16);
	struct virtq_desc *t = vf_host(c, gpa);

	t[0] = (struct virtq_desc){ gpa, 16, VIRTQ_DESC_F_INDIRECT, 0 };
	put(c, 0, gpa, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vf_add_raw_head(c, 0);
}

static void indirect_next_beyond(struct vf_conn *c)
{
	uint64_t gpa = vf_alloc(c, 32);
	struct virtq_desc *t = vf_host(c, gpa);

	t[0] = (struct virtq_desc){ buffer(c), 16, VIRTQ_DESC_F_NEXT, 2 };
	t[1] = (struct virtq_desc){ buffer(c), 16, 0, 0 };
	put(c, 0, gpa, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vf_add_raw_head(c, 0);
}

static void head_beyond_queue(struct vf_conn *c)
{
	vf_add_raw_head(c, QUEUE_SIZE + 5);
}

static void next_beyond_queue(struct vf_conn *c)
{
	put(c, 0, buffer(c), 16, VIRTQ_DESC_F_NEXT, 1000);
	vf_add_raw_head(c, 0);
}

static void readable_after_writable(struct vf_conn *c)
{
	put(c, 0, buffer(c), 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	put(c, 1, buffer(c), 16, 0, 0);
	vf_add_raw_head(c, 0);
}

static void avail_index_jump(struct vf_conn *c)
{
	c->q.avail_idx += QUEUE_SIZE + 3;
}

static void rings_outside_memory(struct vf_conn *c,
				 struct vhost_user_vring_addr *addr)
{
	addr->descriptor = (uintptr_t)c->mem + MEM_SIZE - 16;
}

static void used_overlaps_avail(struct vf_conn *c,
				struct vhost_user_vring_addr *addr)
{
	addr->used = addr->available & ~3ull;
}

static const struct hostile hostile_cases[] = {
	{ "descriptor loop", loop2, NULL },
	{ "chain longer than the queue", longer_than_queue, NULL },
	{ "buffer outside guest memory", outside_memory, NULL },
	{ "buffer straddling the end of memory", straddling_end, NULL },
	{ "buffer below guest memory", below_memory, NULL },
	{ "buffer address wrapping around", wrapping_buffer, NULL },
	{ "indirect table of bad length", indirect_bad_length, NULL },
	{ "indirect table outside memory", indirect_outside_memory, NULL },
	{ "loop inside an indirect table", indirect_loop, NULL },
	{ "nested indirect table", indirect_nested, NULL },
	{ "indirect next beyond the table", indirect_next_beyond, NULL },
	{ "head index beyond the queue", head_beyond_queue, NULL },
	{ "next index beyond the queue", next_beyond_queue, NULL },
	{ "readable buffer after a writable one", readable_after_writable, NULL },
	{ "available index jumps past the queue size", avail_index_jump, NULL },
	{ "ring addresses outside memory", NULL, rings_outside_memory },
	{ "used ring overlapping the available ring", NULL, used_overlaps_avail },
};

static bool err_signalled(struct vf_conn *c)
{
	struct pollfd p = { .fd = c->q.err_fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1;
}

static void hostile_case(const struct hostile *h)
{
	struct backend b = { 0 };
	struct vf_conn c;
	char image[256], label[128];
	char *argv[] = { binary("candor-blk"), "--socket", b.sock, "--image",
			 image, NULL };
	uint64_t features = 0;
	uint32_t id, len;
	int rc, status;

	snprintf(label, sizeof(label), "hostile ring: %s", h->name);
	snprintf(image, sizeof(image), "%s/hostile.img", work_dir);
	set_socket(&b, "hostile");
	snprintf(b.log, sizeof(b.log), "%s/candor-blk-hostile.log", work_dir);
	unlink(b.log);
	if (make_image(image) < 0 || start(&b, "candor-blk-hostile", argv) < 0)
		return;
	if (connect_and_setup(&c, &b, label, blk_features, 1) < 0) {
		stop(&b);
		return;
	}
	if (h->rings) {
		struct vhost_user_vring_addr addr = {
			.descriptor = (uintptr_t)c.q.desc,
			.available = (uintptr_t)c.q.avail,
			.used = (uintptr_t)c.q.used,
		};

		h->rings(&c, &addr);
		rc = vf_request(&c, VHOST_USER_SET_VRING_ADDR, &addr,
				sizeof(addr), NULL, 0, NULL, 0);
		result(rc == -EIO, label, "SET_VRING_ADDR refused", "rc %d", rc);
	} else {
		h->build(&c);
		vf_flush(&c);
		rc = vf_wait_used(&c, QUIET_MS, &id, &len);
		result(rc == 0, label, "no used entry for the bad chain",
		       "wait returned %d", rc);
	}
	result(err_signalled(&c), label, "queue marked broken (error eventfd)",
	       "no signal within %d ms", WAIT_MS);
	/* Kick again: a broken queue is ignored, and logged only once. */
	if (write(c.q.kick_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0)
		result(false, label, "kick again", "%s", strerror(errno));
	rc = vf_request(&c, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0,
			&features, sizeof(features));
	result(rc == 0 && running(&b), label,
	       "backend alive and answering afterwards", "rc %d", rc);
	result(count_in_log(&b, "broken") == 1, label, "logged exactly once",
	       "%d lines with \"broken\" in %s", count_in_log(&b, "broken"),
	       b.log);
	vf_close(&c);
	status = wait_exit(&b, WAIT_MS);
	result(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       label, "exits cleanly on disconnect", "wait status %d", status);
	if (status < 0)
		stop(&b);
	free(argv[0]);
}

/* --- frontend socket handed down as a descriptor ---------------------- */

static void fd_handoff(void)
{
	const char *label = "candor-rng --fd";
	struct backend b = { 0 };
	struct vf_conn c;
	uint8_t buf[64];
	uint32_t len = 0;
	char fd_arg[16];
	char *argv[] = { binary("candor-rng"), "--fd", fd_arg, NULL };
	char *bad[] = { binary("candor-rng"), "--fd", "3x", NULL };
	int pair[2], rc, status;

	/* The child's end is inherited (no CLOEXEC); ours is not. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0 ||
	    fcntl(pair[0], F_SETFD, FD_CLOEXEC) < 0) {
		result(false, label, "socketpair", "%s", strerror(errno));
		return;
	}
	snprintf(fd_arg, sizeof(fd_arg), "%d", pair[1]);
	rc = start(&b, "candor-rng-fd", argv);
	close(pair[1]);
	if (rc < 0)
		return;
	vf_attach(&c, pair[0]);
	rc = vf_setup(&c, BIT(VIRTIO_F_VERSION_1), MEM_SIZE, QUEUE_SIZE);
	result(rc == 0, label, "handshake over the inherited socket", "%s",
	       strerror(-rc));
	if (rc == 0) {
		rc = rng_read(&c, buf, sizeof(buf), &len);
		result(rc == 0 && len == sizeof(buf) && !all_zero(buf, sizeof(buf)),
		       label, "serves a 64-byte read", "rc %d len %u", rc, len);
	}
	vf_close(&c);
	status = wait_exit(&b, WAIT_MS);
	result(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       label, "exits cleanly when the frontend closes", "wait status %d", status);
	if (status < 0)
		stop(&b);

	/* A malformed descriptor number is a usage error, not a crash. */
	if (start(&b, "candor-rng-badfd", bad) == 0) {
		status = wait_exit(&b, WAIT_MS);
		result(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
		       count_in_log(&b, "--fd 3x: not a descriptor number") == 1,
		       label, "--fd 3x refused with a one-line error",
		       "wait status %d (log %s)", status, b.log);
		if (status < 0)
			stop(&b);
	}
	free(argv[0]);
	free(bad[0]);
}

/* --- files shorter than they claim to be ------------------------------- */

/*
 * Starts @argv (candor-rng on @b's socket, named after @tag), connects @c to
 * it and makes a memfd of @size bytes: the fd, or -1 (reported, stopped).
 */
static int connect_with_short_file(struct backend *b, struct vf_conn *c, char **argv,
				   const char *label, const char *tag, off_t size)
{
	int fd;

	set_socket(b, tag);
	if (start(b, label, argv) < 0)
		return -1;
	if (vf_connect(c, b->sock, WAIT_MS) < 0) {
		result(false, label, "connect", "%s", b->log);
		stop(b);
		return -1;
	}
	fd = memfd_create(tag, MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size) < 0) {
		result(false, label, "memfd", "%s", strerror(errno));
		stop(b);
		return -1;
	}
	return fd;
}

/* A memory file shorter than its region. */

static void short_memory_file(void)
{
	const char *label = "hostile frontend: short memory file";
	struct backend b = { 0 };
	struct vf_conn c;
	struct vhost_user_mem_table table = { .num_regions = 1 };
	char *argv[] = { binary("candor-rng"), "--socket", b.sock, NULL };
	uint64_t features = 0, protocol = BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK);
	int fd, rc;

	/* The region claims a MiB; the file holds one page. */
	fd = connect_with_short_file(&b, &c, argv, label, "short", 4096);
	if (fd < 0)
		return;
	table.regions[0].guest_phys_addr = 0;
	table.regions[0].memory_size = 1 << 20;
	table.regions[0].userspace_addr = 0x10000000;
	rc = vf_request(&c, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &features, sizeof(features));
	if (rc == 0)
		rc = vf_request(&c, VHOST_USER_SET_PROTOCOL_FEATURES, &protocol,
				sizeof(protocol), NULL, 0, NULL, 0);
	c.protocol = protocol;
	if (rc == 0)
		rc = vf_request(&c, VHOST_USER_SET_MEM_TABLE, &table,
				8 + sizeof(table.regions[0]), &fd, 1, NULL, 0);
	result(rc == -EIO, label, "SET_MEM_TABLE refused", "rc %d", rc);
	close(fd);
	rc = vf_request(&c, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0,
			&features, sizeof(features));
	result(rc == 0 && running(&b) && count_in_log(&b, "is smaller than") == 1,
	       label, "backend alive, answering, and says why", "rc %d (log %s)", rc, b.log);
	vf_close(&c);
	stop(&b);
	free(argv[0]);
}

/* A dirty log whose file is shorter than it. */

static void short_log_file(void)
{
	const char *label = "hostile frontend: short dirty-log file";
	struct backend b = { 0 };
	struct vf_conn c;
	/* The log claims 4 KiB (128 MiB of guest memory); the file holds 8 bytes. */
	struct vhost_user_log log = { .mmap_size = 4096, .mmap_offset = 0 };
	char *argv[] = { binary("candor-rng"), "--socket", b.sock, NULL };
	uint64_t features = 0, reply = 0;
	int fd, rc;

	fd = connect_with_short_file(&b, &c, argv, label, "shortlog", 8);
	if (fd < 0)
		return;
	rc = vf_request(&c, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &features, sizeof(features));
	result(rc == 0 && (features & BIT(VHOST_F_LOG_ALL)), label, "VHOST_F_LOG_ALL offered",
	       "rc %d features 0x%llx", rc, (unsigned long long)features);
	rc = vf_request(&c, VHOST_USER_SET_LOG_BASE, &log, sizeof(log), &fd, 1, &reply, sizeof(reply));
	close(fd);
	/* Refused by hanging up: the frontend must not go on without the marks. */
	result(rc < 0 && running(&b) && count_in_log(&b, "is smaller than") == 1,
	       label, "hung up, alive, and says why", "rc %d (log %s)", rc, b.log);
	vf_close(&c);
	stop(&b);
	free(argv[0]);
}

/* --- backend killed mid-run ------------------------------------------- */

static void killed_backend(void)
{
	const char *label = "backend killed mid-run";
	static uint8_t data[4096];
	struct backend b = { 0 };
	struct vf_conn c;
	char image[256];
	char *argv[] = { binary("candor-blk"), "--socket", b.sock, "--image",
			 image, NULL };
	struct blk_result r;
	uint64_t features;
	int rc;

	snprintf(image, sizeof(image), "%s/killed.img", work_dir);
	set_socket(&b, "killed");
	if (make_image(image) < 0 || start(&b, "candor-blk-killed", argv) < 0)
		return;
	if (connect_and_setup(&c, &b, label, blk_features, 1) < 0) {
		stop(&b);
		return;
	}
	blk_ok(blk_io(&c, VIRTIO_BLK_T_IN, 0, data, sizeof(data), false),
	       label, "read before the kill", VIRTIO_BLK_S_OK);
	kill(b.pid, SIGKILL);
	waitpid(b.pid, NULL, 0);
	r = blk_io(&c, VIRTIO_BLK_T_IN, 0, data, sizeof(data), false);
	result(r.rc == -ECONNRESET || r.rc == -EPIPE, label,
	       "waiting for a request reports the lost connection",
	       "rc %d (%s)", r.rc, strerror(-r.rc));
	rc = vf_request(&c, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0,
			&features, sizeof(features));
	result(rc == -ECONNRESET || rc == -EPIPE, label,
	       "next vhost-user request fails with EPIPE/ECONNRESET",
	       "rc %d (%s)", rc, strerror(-rc));
	vf_close(&c);
	free(argv[0]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vhost-check BUILD_DIR\n");
		return 2;
	}
	build_dir = argv[1];
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(work_dir)) {
		perror("mkdtemp");
		return 2;
	}
	blk_ours();
	blk_qemu();
	blk_read_only();
	rng();
	license();
	for (size_t i = 0; i < sizeof(hostile_cases) / sizeof(*hostile_cases); i++)
		hostile_case(&hostile_cases[i]);
	killed_backend();
	fd_handoff();
	short_memory_file();
	short_log_file();
	if (failures)
		printf("logs kept in %s\n", work_dir);
	else {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", work_dir);
		if (system(cmd) != 0)
			return 1;
	}
	return failures ? 1 : 0;
}
