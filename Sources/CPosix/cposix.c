// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// pipe2, renameat2
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
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>

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

// Fills `address` for `path`; fails with ENAMETOOLONG when it does not fit (with its NUL).
static int unix_address(const char *path, struct sockaddr_un *address) {
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof address->sun_path) {
        errno = length == 0 ? ENOENT : ENAMETOOLONG;
        return -1;
    }
    memcpy(address->sun_path, path, length + 1);
    return 0;
}

int cposix_listen_unix_private(const char *path, int backlog) {
    struct sockaddr_un final_address;
    if (unix_address(path, &final_address) != 0)
        return -1;
    // A private directory beside `path` (same file system, so the rename cannot cross one).
    char directory[sizeof final_address.sun_path + 32];
    const char *slash = strrchr(path, '/');
    int prefix = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(directory, sizeof directory, "%.*s.candor-api-XXXXXX", prefix, path) >= (int)sizeof directory) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (mkdtemp(directory) == NULL)  // mode 0700
        return -1;
    char staged[sizeof directory + 4];
    snprintf(staged, sizeof staged, "%s/s", directory);
    struct sockaddr_un staged_address;
    int fd = -1, saved = 0;
    if (unix_address(staged, &staged_address) != 0) {
        saved = errno;
        goto fail;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&staged_address, sizeof staged_address) != 0 ||
        chmod(staged, 0600) != 0 || listen(fd, backlog) != 0 ||
        renameat2(AT_FDCWD, staged, AT_FDCWD, path, RENAME_NOREPLACE) != 0) {
        saved = errno;
        goto fail;
    }
    rmdir(directory);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    unlink(staged);
    rmdir(directory);
    errno = saved;
    return -1;
}

int cposix_accept(int socket) {
    return accept4(socket, NULL, NULL, SOCK_CLOEXEC);
}

int cposix_connect_unix(const char *path) {
    struct sockaddr_un address;
    if (unix_address(path, &address) != 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int result;
    do {
        result = connect(fd, (struct sockaddr *)&address, sizeof address);
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int cposix_peer_uid(int socket, uid_t *uid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
        return -1;
    if (length != sizeof credentials) {
        errno = EPROTO;
        return -1;
    }
    *uid = credentials.uid;
    return 0;
}

int cposix_set_socket_timeouts(int socket, unsigned int milliseconds) {
    struct timeval timeout = { .tv_sec = milliseconds / 1000, .tv_usec = (milliseconds % 1000) * 1000 };
    if (setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0)
        return -1;
    return setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}
