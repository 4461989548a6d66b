/* SPDX-License-Identifier: GPL-2.0-only */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */
/*
 * candor-net's device half: the virtio-net receive and transmit queues on
 * top of the shim, moving frames to and from one backend file descriptor
 * (a TAP device or a connection to a candor-net switch). net.c owns the
 * program around it (options, opening the backend, the switch itself).
 */
#ifndef CANDOR_NET_H
#define CANDOR_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candor_protocol.h"
#include "candor_shim.h"

#define NET_QUEUE_SIZE	256
#define NET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)
#define NET_ETH_HLEN	14
/* Largest Ethernet frame without segmentation offloads (Linux's max MTU + header). */
#define NET_MAX_FRAME	65535
/* Device features beyond what the shim adds itself. */
#define NET_FEATURES	((1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) | \
			 (1ull << VIRTIO_NET_F_MRG_RXBUF))

enum net_backend_kind {
	NET_BACKEND_TAP,	/* frames carry a virtio_net_hdr_v1 (IFF_VNET_HDR) */
	NET_BACKEND_SWITCH,	/* SOCK_SEQPACKET: one bare Ethernet frame per message */
};

struct net_stats {
	uint64_t tx_frames, tx_dropped;
	uint64_t rx_frames, rx_dropped;
	uint64_t bad_buffers;		/* guest chains too short to use */
};

struct net {
	struct candor_device *dev;
	enum net_backend_kind kind;
	int fd;				/* backend; -1 while a switch is unreachable */
	struct virtio_net_config config;
	struct net_stats stats;
	unsigned int logged;		/* guest-caused log lines so far (bounded) */
	size_t rx_len;			/* bytes held in rx (header included); 0: none */
	uint8_t rx[NET_HDR_LEN + NET_MAX_FRAME];
	uint8_t tx[NET_MAX_FRAME];	/* a frame too scattered to send in place */
};

/* Fill @info for a virtio-net device served by @net (its config must be set). */
void net_device_info(struct net *net, struct candor_device_info *info);

/*
 * Use @fd as the backend from now on (-1: none) and watch it in the
 * device's loop. Returns 0, or -1 if the shim has no room for the watch.
 */
int net_attach_backend(struct net *net, int fd);

/* The backend failed or hung up (a switch went away): stop using it. */
void net_detach_backend(struct net *net);

#endif
