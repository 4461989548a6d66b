// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// lab-qmp [-t SECONDS] SOCKET STEP...
//
// In the lab's L1 (busybox's nc has no Unix sockets): a QMP client for
// qemu-system-x86_64 -qmp unix:SOCKET,server,nowait. Connects (retrying while the socket
// is not there yet), reads the greeting, sends qmp_capabilities, then runs each STEP:
//   JSON                 sends the command and prints its answer (one line)
//   @until:TEXT:JSON     sends the command every 10 ms until its answer contains TEXT,
//                        then prints that answer (e.g. query-migrate until "completed")
// Events ({"event": ...}) are skipped. Exit status 1 with a message when an answer is an
// error, "failed" appears in an @until answer, or SECONDS (default 60) pass in all.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long deadline_ms;
static int fd = -1;
static char buf[1 << 16];
static size_t have;

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "lab-qmp: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

// The next line QEMU sends that is not an event, without its newline, in `line`.
static void next_answer(char *line, size_t size) {
    for (;;) {
        char *end = memchr(buf, '\n', have);
        if (end) {
            size_t len = (size_t)(end - buf);
            int event = memmem(buf, len, "\"event\"", 7) != NULL;
            if (!event) {
                size_t n = len < size - 1 ? len : size - 1;
                memcpy(line, buf, n);
                line[n] = 0;
            }
            have -= len + 1;
            memmove(buf, end + 1, have);
            if (!event) return;
            continue;
        }
        if (have == sizeof buf) fail("an answer longer than 64 KiB", NULL);
        long long left = deadline_ms - now_ms();
        if (left <= 0) fail("no answer in time", NULL);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) fail("no answer in time", NULL);
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) fail("QEMU closed the connection", got < 0 ? strerror(errno) : NULL);
        have += (size_t)got;
    }
}

static void command(const char *json, char *answer, size_t size) {
    size_t len = strlen(json);
    if (write(fd, json, len) != (ssize_t)len || write(fd, "\n", 1) != 1) fail("sending a command", strerror(errno));
    next_answer(answer, size);
    if (strstr(answer, "\"error\"")) fail(json, answer);
}

int main(int argc, char **argv) {
    int seconds = 60, first = 1;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) { seconds = atoi(argv[2]); first = 3; }
    if (argc - first < 1 || seconds <= 0) {
        fprintf(stderr, "usage: lab-qmp [-t SECONDS] SOCKET [JSON | @until:TEXT:JSON]...\n");
        return 2;
    }
    deadline_ms = now_ms() + (long long)seconds * 1000;
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(argv[first]) >= sizeof address.sun_path) fail(argv[first], "path too long");
    strcpy(address.sun_path, argv[first]);
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket", strerror(errno));
        if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) break;
        int err = errno;
        close(fd);
        if (now_ms() >= deadline_ms) fail(argv[first], strerror(err));
        usleep(10000);
    }
    static char answer[1 << 16];
    next_answer(answer, sizeof answer);  // the greeting
    if (!strstr(answer, "\"QMP\"")) fail("not a QMP greeting", answer);
    command("{\"execute\":\"qmp_capabilities\"}", answer, sizeof answer);
    for (int i = first + 1; i < argc; i++) {
        const char *step = argv[i];
        if (strncmp(step, "@until:", 7) == 0) {
            const char *text = step + 7, *colon = strchr(text, ':');
            if (!colon) fail(step, "expected @until:TEXT:JSON");
            char want[256];
            size_t n = (size_t)(colon - text);
            if (n >= sizeof want) fail(step, "TEXT too long");
            memcpy(want, text, n);
            want[n] = 0;
            for (;;) {
                command(colon + 1, answer, sizeof answer);
                if (strstr(answer, want)) break;
                if (strstr(answer, "\"failed\"")) fail(colon + 1, answer);
                if (now_ms() >= deadline_ms) fail(step, answer);
                usleep(10000);
            }
        } else {
            command(step, answer, sizeof answer);
        }
        printf("%s\n", answer);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
