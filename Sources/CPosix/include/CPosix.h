// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Typed wrappers for the POSIX calls Swift's Glibc module does not export: eventfd,
// sendmsg carrying file descriptors (SCM_RIGHTS needs the CMSG_* macros), the Unix
// socket calls of the management API (sockaddr_un, SO_PEERCRED, renameat2), and atomic
// operations on memory another process shares (Swift's atomics cannot address it).
#ifndef CPOSIX_H
#define CPOSIX_H

#include <stddef.h>
#include <sys/types.h>

/// eventfd(2) with EFD_CLOEXEC, optionally EFD_NONBLOCK. Returns the descriptor or -1 (errno set).
int cposix_eventfd(unsigned int initial_value, int nonblocking);

/// Sends `length` bytes and `fd_count` descriptors (SCM_RIGHTS) in one sendmsg(2) with
/// MSG_NOSIGNAL, so a peer that went away gives EPIPE instead of killing the process.
/// Returns the bytes sent or -1 (errno set). `fd_count` is at most CPOSIX_MAX_FDS.
ssize_t cposix_send_with_fds(int socket, const void *bytes, size_t length, const int *fds, size_t fd_count);

/// Starts `path` with `argv` (NULL-terminated; the environment is inherited) in a child
/// that receives SIGTERM when the calling thread's process goes away, even by SIGKILL
/// (PR_SET_PDEATHSIG), so a driver never outlives the VMM. Returns the child's pid, or
/// -1 (errno set) when fork or exec fails. `inherited_fd`, unless -1, is the one
/// close-on-exec descriptor the child keeps (its close-on-exec flag is cleared in the child).
pid_t cposix_spawn_tied(const char *path, char *const argv[], int inherited_fd);

/// Creates a listening Unix stream socket (close-on-exec) at `path` that only the calling
/// user can reach: it is bound inside a fresh 0700 directory beside `path`, made 0600,
/// and then moved to `path` with renameat2(RENAME_NOREPLACE), so it is never reachable by
/// anyone else, and an existing file at `path` is never replaced (EEXIST). The process
/// umask is not touched (other threads may be creating files). Returns the descriptor or
/// -1 (errno set; ENAMETOOLONG when `path` does not fit a sockaddr_un).
int cposix_listen_unix_private(const char *path, int backlog);

/// accept4(2) with SOCK_CLOEXEC (Glibc's Swift module does not export accept4).
/// Returns the connection's descriptor or -1 (errno set).
int cposix_accept(int socket);

/// Connects a Unix stream socket (close-on-exec) to `path`. Returns the descriptor or -1 (errno set).
int cposix_connect_unix(const char *path);

/// The user id of the process at the other end of a connected Unix socket (SO_PEERCRED),
/// as it was when it connected. Returns 0, or -1 (errno set).
int cposix_peer_uid(int socket, uid_t *uid);

/// Bounds every later read and write on `socket` to `milliseconds` (SO_RCVTIMEO,
/// SO_SNDTIMEO): a blocked call then fails with EAGAIN. Returns 0 or -1 (errno set).
int cposix_set_socket_timeouts(int socket, unsigned int milliseconds);

/// Atomically ORs `bits` into the 64-bit word at `address` (dirty-log marks).
static inline void cposix_atomic_or_u64(unsigned long long *address, unsigned long long bits) {
    __atomic_fetch_or(address, bits, __ATOMIC_SEQ_CST);
}

/// Atomically replaces the 64-bit word at `address` with `value`; returns what it held.
static inline unsigned long long cposix_atomic_exchange_u64(unsigned long long *address, unsigned long long value) {
    return __atomic_exchange_n(address, value, __ATOMIC_SEQ_CST);
}

/// The most descriptors one message may carry (the vhost-user limit, VHOST_MEMORY_BASELINE_NREGIONS).
#define CPOSIX_MAX_FDS 8

#endif
