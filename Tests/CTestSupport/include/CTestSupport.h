// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// C helpers for tests that need what Swift cannot do safely in a multithreaded process.
#ifndef CTESTSUPPORT_H
#define CTESTSUPPORT_H

#include <stddef.h>
#include <sys/types.h>

/// Forks a child that drops to `uid`/`gid` (setgroups, setgid, setuid: needs root),
/// connects to the Unix socket at `path`, sends `request`, and reads the answer into
/// `answer` (at most `capacity` bytes). Returns the bytes read (0 when the server closed
/// without answering), or -1 with `*child_errno` set to the errno of the step that failed
/// in the child (EACCES from connect when the socket's mode keeps the user out).
ssize_t ctest_exchange_as_user(const char *path, uid_t uid, gid_t gid, const char *request,
                               char *answer, size_t capacity, int *child_errno);

#endif
