// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// pipe2
#define _GNU_SOURCE
#include "CPosix.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

int cposix_eventfd(unsigned int initial_value, int nonblocking) {
    return eventfd(initial_value, EFD_CLOEXEC | (nonblocking ? EFD_NONBLOCK : 0));
}

ssize_t cposix_send_with_fds(int socket, const void *bytes, size_t length, const int *fds, size_t fd_count) {
    if (fd_count > CPOSIX_MAX_FDS) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov = { .iov_base = (void *)bytes, .iov_len = length };
    union {
        char buffer[CMSG_SPACE(sizeof(int) * CPOSIX_MAX_FDS)];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (fd_count > 0) {
        message.msg_control = control.buffer;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * fd_count);
    }
    ssize_t sent;
    do {
        sent = sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

// The VMM blocks SIGINT/SIGTERM and ignores SIGPIPE; both would survive exec and keep
// a driver from being stopped (or from seeing a broken pipe) the usual way.
static int reset_signals(void) {
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&none);
    if (sigaction(SIGPIPE, &dfl, NULL) != 0)
        return -1;
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t cposix_spawn_tied(const char *path, char *const argv[], int inherited_fd) {
    // A close-on-exec pipe reports an exec failure's errno to the parent.
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0)
        return -1;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        // Only async-signal-safe calls between fork and exec.
        int failure;
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) {
            failure = errno ? errno : ESRCH;
        } else if (inherited_fd >= 0 && fcntl(inherited_fd, F_SETFD, 0) != 0) {
            failure = errno;
        } else if (reset_signals() != 0) {
            failure = errno;
        } else {
            execv(path, argv);
            failure = errno;
        }
        ssize_t ignored = write(report[1], &failure, sizeof failure);
        (void)ignored;
        _exit(127);
    }
    close(report[1]);
    int failure = 0;
    ssize_t got;
    do {
        got = read(report[0], &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == sizeof failure) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
        }
        errno = failure;
        return -1;
    }
    return child;
}
