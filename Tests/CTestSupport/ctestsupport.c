// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#define _GNU_SOURCE
#include "CTestSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

// The child reports through `report`: an int errno (0 on success), then the answer.
ssize_t ctest_exchange_as_user(const char *path, uid_t uid, gid_t gid, const char *request,
                               char *answer, size_t capacity, int *child_errno) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *child_errno = errno;
        return -1;
    }
    pid_t child = fork();
    if (child < 0) {
        *child_errno = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (child == 0) {
        // Only async-signal-safe calls here.
        close(report[0]);
        int failure = 0;
        int fd = -1;
        struct sockaddr_un address;
        memset(&address, 0, sizeof address);
        address.sun_family = AF_UNIX;
        strncpy(address.sun_path, path, sizeof address.sun_path - 1);
        if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
            failure = errno;
        else if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
            failure = errno;
        else if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
            failure = errno;
        // The server may answer and close before reading (it does for another uid): a failed
        // send is not a failure, and MSG_NOSIGNAL keeps SIGPIPE from killing the child.
        else {
            ssize_t sent = send(fd, request, strlen(request), MSG_NOSIGNAL);
            (void)sent;
        }
        ssize_t ignored = write(report[1], &failure, sizeof failure);
        if (failure == 0) {
            char buffer[4096];
            ssize_t count;
            while ((count = read(fd, buffer, sizeof buffer)) > 0)
                ignored = write(report[1], buffer, (size_t)count);
        }
        (void)ignored;
        _exit(0);
    }
    close(report[1]);
    int failure = 0;
    size_t got = 0;
    ssize_t count;
    while (got < sizeof failure && (count = read(report[0], (char *)&failure + got, sizeof failure - got)) != 0) {
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) break;
        got += (size_t)count;
    }
    size_t total = 0;
    while (got == sizeof failure && failure == 0 && total < capacity &&
           (count = read(report[0], answer + total, capacity - total)) != 0) {
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) break;
        total += (size_t)count;
    }
    close(report[0]);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    if (got != sizeof failure) {
        *child_errno = EPIPE;
        return -1;
    }
    if (failure != 0) {
        *child_errno = failure;
        return -1;
    }
    return (ssize_t)total;
}
