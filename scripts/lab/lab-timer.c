// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// lab-timer [-t SECONDS] [-m MARKER] -o FILE -- COMMAND [ARG...]
//
// Runs COMMAND (a VMM in the nested lab) with its stdout and stderr copied to FILE and
// prints one line: how long after the start the output first contained MARKER (the
// guest's /init), the VMM's resident memory then and at its peak, and how it ended:
//   marker_ms=N rss_at_marker_kb=N maxrss_kb=N exit=N   (or signal=N, or timeout)
// After SECONDS (default 600) the command's process group is killed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// VmRSS of process pid in KiB, -1 when it cannot be read.
static long rss_kb(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    fclose(f);
    return kb;
}

int main(int argc, char **argv) {
    const char *marker = NULL, *out = NULL;
    long timeout = 600;
    int opt;
    while ((opt = getopt(argc, argv, "+t:m:o:")) != -1) {
        switch (opt) {
        case 't': timeout = strtol(optarg, NULL, 10); break;
        case 'm': marker = optarg; break;
        case 'o': out = optarg; break;
        default: return 2;
        }
    }
    if (!out || optind >= argc || timeout <= 0) {
        fprintf(stderr, "usage: lab-timer [-t SECONDS] [-m MARKER] -o FILE -- COMMAND [ARG...]\n");
        return 2;
    }
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { fprintf(stderr, "lab-timer: %s: %s\n", out, strerror(errno)); return 2; }
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) { perror("lab-timer: pipe"); return 2; }

    long long start = now_ms();
    pid_t child = fork();
    if (child < 0) { perror("lab-timer: fork"); return 2; }
    if (child == 0) {
        setpgid(0, 0);  // its own group, so a timeout also ends the drivers it started
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0); dup2(p[1], 1); dup2(p[1], 2);
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "lab-timer: %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    setpgid(child, child);
    close(p[1]);

    // The marker may straddle two reads: keep the last strlen(marker)-1 bytes in front.
    size_t mlen = marker ? strlen(marker) : 0;
    char buf[65536 + 256];
    size_t kept = 0;
    long long marker_ms = -1;
    long marker_rss = -1;
    int timed_out = 0;
    for (;;) {
        long long left = start + timeout * 1000 - now_ms();
        if (left <= 0) { timed_out = 1; kill(-child, SIGKILL); break; }
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        int r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        ssize_t n = read(p[0], buf + kept, 65536);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (write(fd, buf + kept, (size_t)n) != n) { perror("lab-timer: write"); }
        size_t len = kept + (size_t)n;
        if (marker && marker_ms < 0 && memmem(buf, len, marker, mlen)) {
            marker_ms = now_ms() - start;
            marker_rss = rss_kb(child);
        }
        // A read can be shorter than the marker (the VMM writes the serial as the guest
        // sends it): keep all of it then, not nothing.
        kept = mlen > 1 && mlen <= 256 ? (len < mlen - 1 ? len : mlen - 1) : 0;
        memmove(buf, buf + len - kept, kept);
    }
    int status = 0;
    struct rusage usage;
    while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {}
    kill(-child, SIGKILL);  // drivers the VMM left behind
    close(fd);
    printf("marker_ms=%lld rss_at_marker_kb=%ld maxrss_kb=%ld ", marker_ms, marker_rss, usage.ru_maxrss);
    if (timed_out) printf("timeout\n");
    else if (WIFEXITED(status)) printf("exit=%d\n", WEXITSTATUS(status));
    else printf("signal=%d\n", WTERMSIG(status));
    return 0;
}
