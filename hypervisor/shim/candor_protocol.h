/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */
/*
 * Wire formats that cross the boundary between the core and a driver:
 * vhost-user messages (QEMU docs/interop/vhost-user.rst) and the split
 * virtqueue layout in shared guest memory (virtio 1.2, section 2.7).
 * Both sides include this file; it holds layouts and numbers only.
 */
#ifndef CANDOR_PROTOCOL_H
#define CANDOR_PROTOCOL_H

#include <stdint.h>

/* vhost-user message header: request, flags, payload size. */
struct vhost_user_header {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

#define VHOST_USER_VERSION		0x1u
#define VHOST_USER_VERSION_MASK		0x3u
#define VHOST_USER_FLAG_REPLY		(1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY	(1u << 3)

enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
};

/* Virtio feature bits the transport layer cares about. */
#define VHOST_F_LOG_ALL			26	/* log writes for live migration */
#define VIRTIO_RING_F_INDIRECT_DESC	28
#define VIRTIO_RING_F_EVENT_IDX		29
#define VHOST_USER_F_PROTOCOL_FEATURES	30
#define VIRTIO_F_VERSION_1		32

/* vhost-user protocol feature bits. */
#define VHOST_USER_PROTOCOL_F_MQ	0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD	1
#define VHOST_USER_PROTOCOL_F_REPLY_ACK	3
#define VHOST_USER_PROTOCOL_F_CONFIG	9

#define VHOST_USER_MAX_REGIONS		8
#define VHOST_USER_MAX_CONFIG_SIZE	256
#define VHOST_USER_MAX_PAYLOAD		4096

/* SET_VRING_KICK/CALL/ERR payload: ring index plus "no fd attached". */
#define VHOST_USER_VRING_INDEX_MASK	0xffu
#define VHOST_USER_VRING_NOFD		(1u << 8)

struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
} __attribute__((packed));

struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t descriptor;	/* frontend virtual addresses */
	uint64_t used;
	uint64_t available;
	uint64_t log;
} __attribute__((packed));

/* SET_LOG_BASE payload; the log's fd comes with it. */
struct vhost_user_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
} __attribute__((packed));

/* Dirty log granularity: one bit per 4 KiB guest page. */
#define VHOST_LOG_PAGE			4096

struct vhost_user_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
} __attribute__((packed));

struct vhost_user_mem_table {
	uint32_t num_regions;
	uint32_t padding;
	struct vhost_user_region regions[VHOST_USER_MAX_REGIONS];
} __attribute__((packed));

struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t payload[VHOST_USER_MAX_CONFIG_SIZE];
} __attribute__((packed));

/* Split virtqueue (virtio 1.2, 2.7). All fields little-endian = native here. */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_DESC_F_INDIRECT		4
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then: uint16_t used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* then: uint16_t avail_event */
};

static inline uint64_t virtq_desc_size(unsigned int num)
{
	return 16ull * num;
}

static inline uint64_t virtq_avail_size(unsigned int num)
{
	return 6ull + 2ull * num;
}

static inline uint64_t virtq_used_size(unsigned int num)
{
	return 6ull + 8ull * num;
}

/* The event index fields (VIRTIO_RING_F_EVENT_IDX) after each ring. */
static inline uint16_t *virtq_used_event(struct virtq_avail *avail,
					 unsigned int num)
{
	return &avail->ring[num];
}

static inline uint16_t *virtq_avail_event(struct virtq_used *used,
					  unsigned int num)
{
	return (uint16_t *)((uint8_t *)used + 4 + 8ull * num);
}

/* virtio 1.2, 2.7.10: notify when new_idx passed event since old_idx. */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx,
				   uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* Device types and virtio-blk request layout (virtio 1.2, 5.2). */
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_ENTROPY		4

#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9

#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8

#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#define VIRTIO_BLK_SECTOR_SIZE		512
#define VIRTIO_BLK_ID_BYTES		20

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	struct {
		uint16_t cylinders;
		uint8_t heads;
		uint8_t sectors;
	} geometry;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
} __attribute__((packed));

/* virtio-net (virtio 1.2, 5.1): feature bits, the header before every frame, config. */
#define VIRTIO_ID_NET			1

#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16

#define VIRTIO_NET_S_LINK_UP		1
#define VIRTIO_NET_RX_QUEUE		0
#define VIRTIO_NET_TX_QUEUE		1

/* With VIRTIO_F_VERSION_1 the header always has num_buffers (12 bytes). */
struct virtio_net_hdr_v1 {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

struct virtio_net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));

#endif
