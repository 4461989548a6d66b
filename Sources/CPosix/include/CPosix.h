// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Typed wrappers for the POSIX calls Swift's Glibc module does not export: eventfd, and
// sendmsg carrying file descriptors (SCM_RIGHTS needs the CMSG_* macros).
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

/// The most descriptors one message may carry (the vhost-user limit, VHOST_MEMORY_BASELINE_NREGIONS).
#define CPOSIX_MAX_FDS 8

#endif
