// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// lab-randread DEVICE SECONDS
//
// In a lab guest: reads 4 KiB blocks at random aligned offsets of DEVICE with O_DIRECT
// (so every read reaches the virtio-blk backend, not the page cache), one at a time, for
// SECONDS, and prints "iops=N reads=N ms=N". The offsets come from a fixed-seed generator,
// so two runs read the same blocks in the same order.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: lab-randread DEVICE SECONDS\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0) { fprintf(stderr, "lab-randread: %s: %s\n", argv[1], strerror(errno)); return 1; }
    off_t end_offset = lseek(fd, 0, SEEK_END);  // a block device's size, or a file's
    uint64_t size = end_offset > 0 ? (uint64_t)end_offset : 0;
    if (size < 4096) {
        fprintf(stderr, "lab-randread: %s: cannot read its size or smaller than 4 KiB\n", argv[1]);
        return 1;
    }
    uint64_t blocks = size / 4096;
    void *buf;
    if (posix_memalign(&buf, 4096, 4096) != 0) { fprintf(stderr, "lab-randread: out of memory\n"); return 1; }
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    long long start = now_ms(), end = start + atoll(argv[2]) * 1000, t;
    long reads = 0;
    while ((t = now_ms()) < end) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;  // xorshift64
        if (pread(fd, buf, 4096, (off_t)((x % blocks) * 4096)) != 4096) {
            fprintf(stderr, "lab-randread: %s: read failed: %s\n", argv[1], strerror(errno));
            return 1;
        }
        reads++;
    }
    long long ms = t - start;
    printf("iops=%lld reads=%ld ms=%lld\n", ms > 0 ? reads * 1000 / ms : 0, reads, ms);
    return 0;
}
