// SPDX-License-Identifier: GPL-2.0-only
// SPDX-FileCopyrightText: 2026 The Candor Authors
/*
 * virtio-net (virtio 1.2, 5.1) receive and transmit queues for candor-net.
 *
 * Transmit: every chain is a virtio_net_hdr_v1 and one Ethernet frame;
 * the frame goes to the backend as it is (no offloads are offered, so
 * the guest's header carries nothing to act on and is not passed on).
 * Receive: one frame at a time is read from the backend into net->rx and
 * copied into as many receive chains as it needs (one without
 * VIRTIO_NET_F_MRG_RXBUF); while the guest has too few buffers the frame
 * is held and the backend is not read, so frames wait in the kernel
 * rather than being dropped here.
 */
#include "net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define NET_MAX_IOV	64
/* Guest-caused problems are logged this often, then only counted. */
#define NET_LOG_LIMIT	16

/* A guest must not be able to fill the log: the first few lines only. */
static void __attribute__((format(printf, 2, 3)))
guest_error(struct net *net, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (net->logged >= NET_LOG_LIMIT)
		return;
	if (++net->logged == NET_LOG_LIMIT)
		candor_log(CANDOR_LOG_WARNING, "further guest errors are only counted");
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	candor_log(CANDOR_LOG_WARNING, "%s", line);
}

/* --- transmit ------------------------------------------------------ */

/* Send the frame of @chain (after its header) to the backend: 0 or -errno. */
static int net_send(struct net *net, struct candor_chain *chain, size_t frame_len)
{
	static const struct virtio_net_hdr_v1 zero_hdr;
	struct iovec iov[NET_MAX_IOV + 1];
	int first = net->kind == NET_BACKEND_TAP ? 1 : 0;
	int count;
	ssize_t n;

	iov[0] = (struct iovec){ (void *)&zero_hdr, NET_HDR_LEN };
	count = candor_chain_iov(chain, CANDOR_READABLE, NET_HDR_LEN, frame_len,
				 iov + first, NET_MAX_IOV);
	if (count < 0) {
		/* Scattered over more pieces than we map: send a copy. */
		if (candor_chain_read(chain, NET_HDR_LEN, net->tx, frame_len) < 0)
			return -EINVAL;
		iov[first] = (struct iovec){ net->tx, frame_len };
		count = 1;
	}
	if (net->kind == NET_BACKEND_TAP) {
		do
			n = writev(net->fd, iov, count + first);
		while (n < 0 && errno == EINTR);
	} else {
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = count };

		do
			n = sendmsg(net->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
	}
	return n < 0 ? -errno : 0;
}

static void net_tx(struct net *net)
{
	struct candor_chain *chain;

	while ((chain = candor_queue_pop(net->dev, VIRTIO_NET_TX_QUEUE))) {
		size_t len = candor_chain_len(chain, CANDOR_READABLE);
		int rc;

		if (len < NET_HDR_LEN + NET_ETH_HLEN || len - NET_HDR_LEN > NET_MAX_FRAME) {
			guest_error(net, "transmit: dropped a frame of %zu bytes with its header (at least %zu, at most %zu)",
				    len, NET_HDR_LEN + NET_ETH_HLEN,
				    NET_HDR_LEN + NET_MAX_FRAME);
			net->stats.tx_dropped++;
		} else if (net->fd < 0) {
			net->stats.tx_dropped++;	/* cable unplugged */
		} else if ((rc = net_send(net, chain, len - NET_HDR_LEN)) < 0) {
			/* A full backend queue drops, as a NIC's full ring would. */
			if (rc != -EAGAIN && rc != -ENOBUFS)
				guest_error(net, "transmit: backend: %s", strerror(-rc));
			net->stats.tx_dropped++;
			if (rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN)
				net_detach_backend(net);
		} else {
			net->stats.tx_frames++;
		}
		candor_queue_push(net->dev, chain, 0);
	}
	candor_queue_notify(net->dev, VIRTIO_NET_TX_QUEUE);
}

/* --- receive ------------------------------------------------------- */

/*
 * Read the next frame into net->rx: 1 when one is held, 2 when one was
 * dropped (too short or too long), 0 when there is none, -1 when the
 * backend failed or hung up.
 */
static int net_read(struct net *net)
{
	ssize_t n;

	if (net->kind == NET_BACKEND_TAP) {
		do
			n = read(net->fd, net->rx, sizeof(net->rx));
		while (n < 0 && errno == EINTR);
	} else {
		do
			n = recv(net->fd, net->rx + NET_HDR_LEN, NET_MAX_FRAME,
				 MSG_DONTWAIT | MSG_TRUNC);
		while (n < 0 && errno == EINTR);
		if (n == 0)
			return -1;		/* the switch hung up */
		if (n > NET_MAX_FRAME)
			n = 0;			/* truncated: dropped below */
		else if (n > 0)
			n += NET_HDR_LEN;
	}
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if ((size_t)n < NET_HDR_LEN + NET_ETH_HLEN) {
		net->stats.rx_dropped++;
		return 2;
	}
	net->rx_len = n;
	return 1;
}

enum deliver { DELIVERED, NO_BUFFERS, DROPPED };

/* Copy the frame in net->rx into receive chains. */
static enum deliver net_deliver(struct net *net)
{
	bool mergeable = candor_device_features(net->dev) & (1ull << VIRTIO_NET_F_MRG_RXBUF);
	struct virtio_net_hdr_v1 hdr = { 0 };
	struct candor_chain *chains[NET_QUEUE_SIZE];
	uint32_t written[NET_QUEUE_SIZE];
	unsigned int count = 0;
	size_t done = 0;

	while (done < net->rx_len) {
		struct candor_chain *chain;
		size_t room, n;

		if (count == NET_QUEUE_SIZE ||
		    !(chain = candor_queue_pop(net->dev, VIRTIO_NET_RX_QUEUE))) {
			while (count)
				candor_queue_unpop(net->dev, chains[--count]);
			return NO_BUFFERS;
		}
		room = candor_chain_len(chain, CANDOR_WRITABLE);
		if (count == 0 && room < NET_HDR_LEN) {
			/* The header must fit in the first buffer (5.1.6.3.1). */
			guest_error(net, "receive: buffer of %zu bytes cannot hold the %zu-byte header",
				    room, NET_HDR_LEN);
			net->stats.bad_buffers++;
			candor_queue_push(net->dev, chain, 0);
			continue;
		}
		if (!mergeable && room < net->rx_len) {
			/* The next frame may fit; this buffer stays the guest's. */
			candor_queue_unpop(net->dev, chain);
			net->stats.rx_dropped++;
			guest_error(net, "receive: dropped a %zu-byte frame: buffer holds %zu (no mergeable buffers)",
				    net->rx_len - NET_HDR_LEN, room);
			return DROPPED;
		}
		n = room < net->rx_len - done ? room : net->rx_len - done;
		candor_chain_write(chain, 0, net->rx + done, n);
		chains[count] = chain;
		written[count++] = n;
		done += n;
	}
	/* Offloads are not offered: nothing for the guest in the header but the count. */
	hdr.num_buffers = count;
	candor_chain_write(chains[0], 0, &hdr, NET_HDR_LEN);
	candor_queue_push_batch(net->dev, chains, written, count);
	net->stats.rx_frames++;
	return DELIVERED;
}

/* Move frames from the backend to the guest until either side runs dry. */
static void net_rx(struct net *net)
{
	bool pushed = false;

	while (net->fd >= 0) {
		if (!net->rx_len) {
			int rc = net_read(net);

			if (rc < 0) {
				net_detach_backend(net);
				break;
			}
			if (rc == 0)
				break;
			if (rc == 2)
				continue;
		}
		enum deliver d = net_deliver(net);

		if (d == NO_BUFFERS) {
			/* Wait for the guest's next kick on the receive queue. */
			candor_device_watch_enable(net->dev, net->fd, 0);
			break;
		}
		net->rx_len = 0;
		pushed |= d == DELIVERED;
	}
	if (pushed)
		candor_queue_notify(net->dev, VIRTIO_NET_RX_QUEUE);
}

static void net_backend_ready(struct candor_device *dev, int fd, void *opaque)
{
	(void)dev;
	(void)fd;
	net_rx(opaque);
}

static void net_handle_queue(struct candor_device *dev, unsigned int queue,
			     void *opaque)
{
	struct net *net = opaque;

	(void)dev;
	if (queue == VIRTIO_NET_TX_QUEUE) {
		net_tx(net);
		return;
	}
	/* New receive buffers: deliver what is held and read the backend again. */
	if (net->fd >= 0)
		candor_device_watch_enable(net->dev, net->fd, 1);
	net_rx(net);
}

void net_device_info(struct net *net, struct candor_device_info *info)
{
	*info = (struct candor_device_info){
		.device_type = VIRTIO_ID_NET,
		.features = NET_FEATURES,
		.config = &net->config,
		.config_size = sizeof(net->config),
		.num_queues = 2,
		.queue_size = NET_QUEUE_SIZE,
		.handle_queue = net_handle_queue,
		.opaque = net,
	};
}

int net_attach_backend(struct net *net, int fd)
{
	net->fd = fd;
	net->rx_len = 0;
	if (fd >= 0 && candor_device_watch(net->dev, fd, net_backend_ready, net) < 0) {
		net->fd = -1;
		return -1;
	}
	return 0;
}

void net_detach_backend(struct net *net)
{
	if (net->fd < 0)
		return;
	candor_device_unwatch(net->dev, net->fd);
	close(net->fd);
	net->fd = -1;
	net->rx_len = 0;
}
