/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */
/*
 * candor_shim.h: the whole interface a Candor device driver may use.
 *
 * A driver is its own program. It registers one virtio device, hands the
 * shim a socket path, and gets called back when the guest kicks a queue.
 * The shim speaks vhost-user (backend side) to the core; the driver never
 * sees the core, the socket or the memory table, only descriptor chains
 * that the shim has checked against guest memory.
 *
 * Every function below is declared either CANDOR_API (any driver) or
 * CANDOR_API_GPL (only drivers whose CANDOR_DRIVER_LICENSE is
 * GPL-compatible, like Linux's EXPORT_SYMBOL_GPL). The definitions carry
 * CANDOR_EXPORT / CANDOR_EXPORT_GPL, which record the symbol name in the
 * ELF sections .candor_exports / .candor_exports_gpl (NUL-terminated
 * names), so a checker can read the split from the library or a driver
 * binary. CANDOR_DRIVER_LICENSE puts the driver's SPDX expression into
 * the section .candor_license.
 */
#ifndef CANDOR_SHIM_H
#define CANDOR_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declaration markers: which drivers may call a function. */
#define CANDOR_API	__attribute__((visibility("default")))
#define CANDOR_API_GPL	__attribute__((visibility("default")))

/* Definition markers: emit the symbol's name into an export section. */
#define CANDOR__EXPORT(sym, sec)					\
	static const char candor__export_##sym[]			\
	__attribute__((section(sec), used, aligned(1))) = #sym
#define CANDOR_EXPORT(sym)	CANDOR__EXPORT(sym, ".candor_exports")
#define CANDOR_EXPORT_GPL(sym)	CANDOR__EXPORT(sym, ".candor_exports_gpl")

/* A driver states its license once, as an SPDX expression. */
#define CANDOR_DRIVER_LICENSE(spdx)					\
	const char candor_driver_license[]				\
	__attribute__((section(".candor_license"), used)) = spdx

struct candor_device;
/* One descriptor chain popped from a queue; valid until pushed. */
struct candor_chain;

/* Direction of buffers, seen from the device. */
enum candor_direction {
	CANDOR_READABLE,	/* driver -> device (request headers, data out) */
	CANDOR_WRITABLE,	/* device -> driver (data in, status) */
};

enum candor_log_level {
	CANDOR_LOG_ERROR,
	CANDOR_LOG_WARNING,
	CANDOR_LOG_INFO,
};

struct candor_device_info {
	uint32_t device_type;		/* VIRTIO_ID_* */
	uint64_t features;		/* device feature bits (the shim adds
					 * VERSION_1, INDIRECT_DESC, EVENT_IDX
					 * and PROTOCOL_FEATURES) */
	const void *config;		/* device config space, read-only */
	uint32_t config_size;		/* at most 256 bytes */
	uint16_t num_queues;		/* 1..8 */
	uint16_t queue_size;		/* largest queue size, power of 2, <= 32768 */
	/*
	 * Called when the guest kicked @queue (or the queue was started with
	 * buffers waiting). Pop every chain, push each one back, then notify.
	 * Chains must be pushed before the handler returns.
	 */
	void (*handle_queue)(struct candor_device *dev, unsigned int queue,
			     void *opaque);
	void *opaque;
};

/*
 * Check the driver's license against the GPL-only symbols it links and
 * create the device. Returns NULL (and logs why) if the driver declares
 * a license that is not GPL-compatible (or none) but uses GPL-only
 * symbols, or if @info is invalid.
 */
CANDOR_API struct candor_device *
candor_device_register(const struct candor_device_info *info);

/*
 * Listen on the Unix socket @socket_path (a stale socket file is
 * replaced), accept one frontend and serve it until it disconnects.
 * Returns 0 when the frontend disconnected, a negative errno value on a
 * socket error or a vhost-user protocol violation.
 */
CANDOR_API int candor_device_serve(struct candor_device *dev,
				   const char *socket_path);

/*
 * Serve the frontend already connected on stream socket @fd (one end of a
 * socketpair the frontend made and handed down, so no socket path exists
 * that another local user could bind first) until it disconnects. @fd is
 * closed on return. Returns like candor_device_serve; -ENOTSOCK if @fd
 * is not a stream socket.
 */
CANDOR_API int candor_device_serve_fd(struct candor_device *dev, int fd);

/*
 * The driver's command line names its frontend either by --socket PATH
 * or by --fd N: parse @arg as such a descriptor number. Returns it, or -1
 * (and logs why) when @arg is not a plain non-negative decimal number.
 */
CANDOR_API int candor_parse_fd(const char *arg);

CANDOR_API void candor_device_unregister(struct candor_device *dev);

/*
 * Next available chain of @queue, or NULL when the queue is empty or
 * broken. A chain that breaks the rules (loop, longer than the queue,
 * buffer outside guest memory, bad indirect table, writable before
 * readable) marks the queue broken: it is logged once and not served
 * again until the frontend resets the ring.
 */
CANDOR_API struct candor_chain *candor_queue_pop(struct candor_device *dev,
						 unsigned int queue);

/* Return @chain to the guest with @written bytes written; frees it. */
CANDOR_API void candor_queue_push(struct candor_device *dev,
				  struct candor_chain *chain,
				  uint32_t written);

/*
 * Push @count chains at once: the guest sees the used index move only
 * after all of them are in the used ring (virtio-net's mergeable receive
 * buffers must appear together). Frees the chains.
 */
CANDOR_API void candor_queue_push_batch(struct candor_device *dev,
					struct candor_chain **chains,
					const uint32_t *written,
					unsigned int count);

/*
 * Give back the chain popped last from its queue, unused: the guest's
 * buffer stays available for the next pop. Chains popped in one handler
 * call may be given back in the reverse order of popping. Frees @chain.
 */
CANDOR_API void candor_queue_unpop(struct candor_device *dev,
				   struct candor_chain *chain);

/* Signal the queue's call eventfd if the guest wants an interrupt. */
CANDOR_API void candor_queue_notify(struct candor_device *dev,
				    unsigned int queue);

/* Feature bits the frontend acked with SET_FEATURES (0 before it did). */
CANDOR_API uint64_t candor_device_features(const struct candor_device *dev);

/*
 * Watch @fd for input in the device's event loop and call @handler when
 * it is readable (level-triggered), for drivers with a source of their
 * own (a network backend). At most 4 watches; a watch starts enabled.
 * Returns 0, or -1 when there is no room. The handler may pop and push
 * like handle_queue, with the same rules.
 */
CANDOR_API int candor_device_watch(struct candor_device *dev, int fd,
				   void (*handler)(struct candor_device *dev,
						   int fd, void *opaque),
				   void *opaque);

/* Stop or resume calling the watch on @fd (e.g. while no buffer is free). */
CANDOR_API void candor_device_watch_enable(struct candor_device *dev, int fd,
					   int enable);

/* Forget the watch on @fd (before closing it). */
CANDOR_API void candor_device_unwatch(struct candor_device *dev, int fd);

/* Total bytes of the chain's buffers in direction @dir. */
CANDOR_API size_t candor_chain_len(const struct candor_chain *chain,
				   enum candor_direction dir);

/* Copy @len device-readable bytes at @offset; -1 if out of range. */
CANDOR_API int candor_chain_read(const struct candor_chain *chain,
				 size_t offset, void *buf, size_t len);

/* Copy @len bytes into the device-writable part at @offset; -1 if out of range. */
CANDOR_API int candor_chain_write(struct candor_chain *chain, size_t offset,
				  const void *buf, size_t len);

/*
 * Map the bytes [@offset, @offset + @len) of direction @dir to at most
 * @max_iov iovecs pointing straight into guest memory (for preadv and
 * pwritev without a copy). Returns the number of iovecs, or -1 if the
 * range is outside the chain or needs more than @max_iov entries.
 */
CANDOR_API_GPL int candor_chain_iov(const struct candor_chain *chain,
				    enum candor_direction dir, size_t offset,
				    size_t len, struct iovec *iov, int max_iov);

/* Log one line to stderr, prefixed with the program name and level. */
CANDOR_API void candor_log(enum candor_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif
