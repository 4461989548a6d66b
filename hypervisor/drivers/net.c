// SPDX-License-Identifier: GPL-2.0-only
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * candor-net: virtio-net backend, and the switch that joins several.
 *
 *   candor-net (--socket PATH | --fd N) --tap IFNAME [--mac MAC]
 *   candor-net (--socket PATH | --fd N) --switch PATH [--mac MAC]
 *   candor-net --hub PATH [--tap IFNAME]
 *
 * With --tap the guest's frames go to and come from the TAP interface
 * IFNAME (created if missing; /dev/net/tun with IFF_TAP, IFF_NO_PI and
 * IFF_VNET_HDR). With --switch they go to the hub listening at PATH
 * (a SOCK_SEQPACKET Unix socket, one Ethernet frame per message), which
 * a third process runs with --hub: it passes every frame it receives
 * from one member to the member its destination MAC was seen behind (to
 * all others for broadcasts and unknown destinations), like a learning
 * Ethernet switch, and with --tap to and from that TAP interface too, so
 * the host joins. A member that
 * loses its hub keeps serving its guest and reconnects every second.
 *
 * The MAC defaults to a random locally administered address. Serves one
 * vhost-user frontend on the --socket PATH and exits when it disconnects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"

CANDOR_DRIVER_LICENSE("GPL-2.0-only");

#define HUB_MAX_MEMBERS	64
#define SOCKET_BUFFER	(1 << 20)

static void usage(void)
{
	fprintf(stderr, "usage: candor-net (--socket PATH | --fd N) (--tap IFNAME | --switch PATH) [--mac MAC]\n"
			"       candor-net --hub PATH [--tap IFNAME]\n");
	exit(2);
}

static int unix_address(const char *path, struct sockaddr_un *addr)
{
	*addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr->sun_path)) {
		candor_log(CANDOR_LOG_ERROR, "socket path %s: longer than %zu bytes",
			   path, sizeof(addr->sun_path) - 1);
		return -1;
	}
	strcpy(addr->sun_path, path);
	return 0;
}

/* --- TAP ----------------------------------------------------------- */

static int open_tap(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr_len = NET_HDR_LEN;
	int fd;

	if (strlen(name) >= IFNAMSIZ) {
		candor_log(CANDOR_LOG_ERROR, "--tap %s: interface names are at most %d bytes",
			   name, IFNAMSIZ - 1);
		return -1;
	}
	strcpy(ifr.ifr_name, name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		candor_log(CANDOR_LOG_ERROR, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	/* No offloads: the kernel hands us whole frames with full checksums. */
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		candor_log(CANDOR_LOG_ERROR, "--tap %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* --- switch member ------------------------------------------------- */

struct member {
	struct net *net;
	struct sockaddr_un hub;
	int timer;
	bool warned;
};

static int connect_hub(struct member *m)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int size = SOCKET_BUFFER;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* A non-blocking connect on a Unix socket completes or fails at once. */
	if (connect(fd, (struct sockaddr *)&m->hub, sizeof(m->hub)) < 0) {
		if (!m->warned)
			candor_log(CANDOR_LOG_WARNING, "switch %s: %s; retrying every second",
				   m->hub.sun_path, strerror(errno));
		m->warned = true;
		close(fd);
		return -1;
	}
	if (m->warned)
		candor_log(CANDOR_LOG_INFO, "switch %s: connected", m->hub.sun_path);
	m->warned = false;
	return fd;
}

static void member_tick(struct candor_device *dev, int fd, void *opaque)
{
	struct member *m = opaque;
	uint64_t ticks;
	int conn;

	(void)dev;
	if (read(fd, &ticks, sizeof(ticks)) < 0 || m->net->fd >= 0)
		return;
	conn = connect_hub(m);
	if (conn >= 0 && net_attach_backend(m->net, conn) < 0)
		close(conn);
}

static int start_member(struct member *m, const char *hub_path)
{
	struct itimerspec every_second = { { 1, 0 }, { 1, 0 } };
	int conn;

	if (unix_address(hub_path, &m->hub) < 0)
		return -1;
	m->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->timer < 0 || timerfd_settime(m->timer, 0, &every_second, NULL) < 0 ||
	    candor_device_watch(m->net->dev, m->timer, member_tick, m) < 0)
		return -1;
	conn = connect_hub(m);
	if (conn >= 0 && net_attach_backend(m->net, conn) < 0) {
		close(conn);
		return -1;
	}
	return 0;
}

/* --- hub ----------------------------------------------------------- */

static int listen_unix(const char *path, int type)
{
	struct sockaddr_un addr;
	struct stat st;
	int fd;

	if (unix_address(path, &addr) < 0)
		return -1;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, HUB_MAX_MEMBERS) < 0) {
		candor_log(CANDOR_LOG_ERROR, "socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Write one bare frame to a TAP opened with IFF_VNET_HDR (no offloads: a zero header). */
static void tap_write(int fd, const void *frame, size_t len)
{
	static const struct virtio_net_hdr_v1 zero_hdr;
	struct iovec iov[2] = { { (void *)&zero_hdr, NET_HDR_LEN }, { (void *)frame, len } };

	(void)!writev(fd, iov, 2);
}

/*
 * The port (its fd) each source MAC was last seen on, so that a unicast
 * frame goes to that port only and guests do not see each other's
 * traffic. Full: the oldest entries are overwritten.
 */
#define HUB_STATIONS	256

struct station {
	uint8_t mac[6];
	int port;
};

static struct station stations[HUB_STATIONS];
static unsigned int station_count, station_next;

static struct station *find_station(const uint8_t mac[6])
{
	for (unsigned int i = 0; i < station_count; i++)
		if (!memcmp(stations[i].mac, mac, 6))
			return &stations[i];
	return NULL;
}

static void learn(const uint8_t mac[6], int port)
{
	struct station *s = find_station(mac);

	if (mac[0] & 1)
		return;			/* a group address is nobody's */
	if (!s) {
		s = &stations[station_count < HUB_STATIONS ? station_count++
							   : station_next++ % HUB_STATIONS];
		memcpy(s->mac, mac, 6);
	}
	s->port = port;
}

static void forget_port(int port)
{
	for (unsigned int i = 0; i < station_count; i++)
		if (stations[i].port == port)
			stations[i--] = stations[--station_count];
}

/*
 * Pass each frame on like a learning switch: to the port its destination
 * was seen on, else (broadcast, multicast, not yet seen) to every other
 * port. Ports are the members and the TAP interface if there is one (so
 * the host is on the switch too). A member whose queue is full misses
 * the frame (the others still get it), so one slow guest cannot stall
 * the rest.
 */
static int run_hub(const char *path, const char *tap)
{
	static uint8_t buf[NET_HDR_LEN + NET_MAX_FRAME];
	struct pollfd fds[HUB_MAX_MEMBERS + 2];
	unsigned int last = 1;		/* fds[2..last] are members */
	/* poll skips a negative fd: without a TAP, port 1 stays silent. */
	int tap_fd = tap ? open_tap(tap) : -1;
	int listener = tap && tap_fd < 0 ? -1 : listen_unix(path, SOCK_SEQPACKET | SOCK_NONBLOCK);

	if (listener < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	fds[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = tap_fd, .events = POLLIN };
	for (;;) {
		if (poll(fds, last + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			candor_log(CANDOR_LOG_ERROR, "hub: poll: %s", strerror(errno));
			return 1;
		}
		/* Every waiting member joins before anyone's frames are passed on. */
		while (fds[0].revents & POLLIN) {
			int conn = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			int size = SOCKET_BUFFER;

			if (conn < 0)
				break;
			if (last - 1 == HUB_MAX_MEMBERS) {
				candor_log(CANDOR_LOG_WARNING, "hub: full (%d members)", HUB_MAX_MEMBERS);
				close(conn);
				continue;
			}
			setsockopt(conn, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
			fds[++last] = (struct pollfd){ .fd = conn, .events = POLLIN };
		}
		for (unsigned int i = 1; i <= last; i++) {
			uint8_t *frame = buf + NET_HDR_LEN;
			ssize_t n;

			if (!fds[i].revents)
				continue;
			if (i == 1) {
				n = read(fds[i].fd, buf, sizeof(buf)) - (ssize_t)NET_HDR_LEN;
				if (n < 0)
					continue;
			} else {
				n = recv(fds[i].fd, frame, NET_MAX_FRAME, MSG_DONTWAIT | MSG_TRUNC);
				if (n < 0 && (errno == EAGAIN || errno == EINTR))
					continue;
				if (n <= 0) {
					/* Gone: the last member takes its place. */
					forget_port(fds[i].fd);
					close(fds[i].fd);
					fds[i--] = fds[last--];
					continue;
				}
			}
			if (n < NET_ETH_HLEN || n > NET_MAX_FRAME)
				continue;
			learn(frame + 6, fds[i].fd);
			struct station *to = frame[0] & 1 ? NULL : find_station(frame);

			for (unsigned int k = 1; k <= last; k++) {
				if (k == i || fds[k].fd < 0 || (to && to->port != fds[k].fd))
					continue;
				if (k == 1)
					tap_write(fds[k].fd, frame, n);
				else
					(void)!send(fds[k].fd, frame, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			}
		}
	}
}

/* --- main ---------------------------------------------------------- */

static int parse_mac(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 || (b[0] & 1)) {
		fprintf(stderr, "candor-net: --mac %s: not a unicast MAC address like 52:54:00:12:34:56\n",
			text);
		return -1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ "tap", required_argument, NULL, 't' },
		{ "switch", required_argument, NULL, 'w' },
		{ "mac", required_argument, NULL, 'm' },
		{ "hub", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket_path = NULL, *tap = NULL, *hub = NULL, *switch_path = NULL;
	static struct net net;
	struct member member = { .net = &net, .timer = -1 };
	struct candor_device_info info;
	bool have_mac = false;
	int opt, rc, fd = -1;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's': socket_path = optarg; break;
		case 'f':
			fd = candor_parse_fd(optarg);
			if (fd < 0)
				usage();
			break;
		case 't': tap = optarg; break;
		case 'w': switch_path = optarg; break;
		case 'h': hub = optarg; break;
		case 'm':
			if (parse_mac(optarg, net.config.mac) < 0)
				return 2;
			have_mac = true;
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (hub) {
		if (socket_path || fd >= 0 || switch_path || have_mac)
			usage();
		return run_hub(hub, tap);
	}
	if (!socket_path == (fd < 0) || !tap == !switch_path)
		usage();
	if (!have_mac) {
		if (getrandom(net.config.mac, 6, 0) != 6)
			return 1;
		net.config.mac[0] = (net.config.mac[0] & 0xfe) | 0x02;
	}
	net.config.status = VIRTIO_NET_S_LINK_UP;
	net.config.max_virtqueue_pairs = 1;
	net.fd = -1;
	net.kind = tap ? NET_BACKEND_TAP : NET_BACKEND_SWITCH;
	signal(SIGPIPE, SIG_IGN);

	net_device_info(&net, &info);
	net.dev = candor_device_register(&info);
	if (!net.dev)
		return 1;
	if (tap) {
		int fd = open_tap(tap);

		if (fd < 0 || net_attach_backend(&net, fd) < 0)
			return 1;
	} else if (start_member(&member, switch_path) < 0) {
		candor_log(CANDOR_LOG_ERROR, "--switch %s: cannot start", switch_path);
		return 1;
	}
	rc = fd >= 0 ? candor_device_serve_fd(net.dev, fd)
		     : candor_device_serve(net.dev, socket_path);
	candor_log(CANDOR_LOG_INFO, "frames sent %llu (dropped %llu), received %llu (dropped %llu), bad buffers %llu",
		   (unsigned long long)net.stats.tx_frames,
		   (unsigned long long)net.stats.tx_dropped,
		   (unsigned long long)net.stats.rx_frames,
		   (unsigned long long)net.stats.rx_dropped,
		   (unsigned long long)net.stats.bad_buffers);
	net_detach_backend(&net);
	candor_device_unregister(net.dev);
	return rc < 0 ? 1 : 0;
}
