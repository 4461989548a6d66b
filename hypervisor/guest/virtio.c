// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors

// The virtio guest: finds virtio-mmio devices (from the `virtio_mmio.device=` entries of
// its command line, else by probing the windows at 0xd0000000), brings each one up as a
// virtio 1.x driver would, and exercises it: virtio-blk writes a 4 KiB pattern, flushes,
// reads it back and compares; virtio-rng fetches two 64-byte blocks; virtio-console
// writes a marker line. No interrupts: every request polls the used ring, for a bounded
// number of iterations. The status written to the debug-exit port is 0 when every
// device found passed, else the code of the first failure (see README.md).

#include "support.h"

// Status codes: a device's base plus a failure kind.
enum status {
    STATUS_OK = 0,
    STATUS_BAD_START_INFO = 1,
    STATUS_NO_DEVICES = 2,
    STATUS_BAD_OPTION = 3,
    STATUS_BLOCK = 10,
    STATUS_ENTROPY = 20,
    STATUS_CONSOLE = 30,
};
enum failure {
    FAILURE_INIT = 1,        // features refused, queue missing or too small
    FAILURE_TIMEOUT = 2,     // no used buffer within the poll bound
    FAILURE_IO_ERROR = 3,    // VIRTIO_BLK_S_IOERR
    FAILURE_UNSUPPORTED = 4, // VIRTIO_BLK_S_UNSUPP, or a bad status byte
    FAILURE_DATA = 5,        // read-back mismatch, capacity too small, entropy all zero or repeated
    FAILURE_RESET = 6,       // the device needs a reset while a request is outstanding
};

// virtio-mmio registers (virtio 1.2 §4.2.2).
enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_CONFIG = 0x100,
};

#define VIRTIO_MAGIC 0x74726976u  // "virt"
#define WINDOWS_START 0xd0000000u
#define WINDOW_SIZE 0x1000u
#define MAXIMUM_DEVICES 6

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u
#define STATUS_NEEDS_RESET 0x40u

#define FEATURE_VERSION_1_HIGH 1u  // bit 32: VIRTIO_F_VERSION_1
#define BLK_F_FLUSH (1u << 9)

#define DEVICE_BLOCK 2u
#define DEVICE_CONSOLE 3u
#define DEVICE_ENTROPY 4u

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u

// About 10 s of polling (1M polls took 2.7 s with ring 0 emulated on the dev machines):
// far more than a request takes, even a flush on a busy disk.
#define POLL_LIMIT 4000000u
#define QUEUE_SIZE 8u

#define BLK_T_IN 0u
#define BLK_T_OUT 1u
#define BLK_T_FLUSH 4u
#define BLK_S_OK 0u
#define BLK_S_IOERR 1u
#define BLOCK_BYTES 4096u
#define SECTOR_BYTES 512u
#define DEFAULT_SECTOR 8u

#define ENTROPY_BYTES 64u
#define CONSOLE_MARKER "candor virtio-console: hello from the virtio guest\n"

static inline u32 mmio_read(u32 base, u32 offset) { return *(volatile u32 *)(base + offset); }
static inline void mmio_write(u32 base, u32 offset, u32 value) { *(volatile u32 *)(base + offset) = value; }
// Orders ring writes against each other and the notify write (no reordering by the compiler;
// x86 keeps stores in order).
static inline void barrier(void) { __asm__ volatile("" : : : "memory"); }

struct descriptor {
    u64 address;
    u32 length;
    u16 flags;
    u16 next;
};
struct available {
    u16 flags;
    u16 index;
    u16 ring[QUEUE_SIZE];
    u16 used_event;  // unused (no VIRTIO_F_EVENT_IDX) but part of the ring's size
};
struct used_element {
    u32 id;
    u32 length;
};
struct used {
    u16 flags;
    u16 index;
    struct used_element ring[QUEUE_SIZE];
    u16 available_event;
};
// One queue's rings in a page of their own: descriptors (16-byte aligned), then the
// driver area (2-byte aligned), then the device area (4-byte aligned).
struct queue_memory {
    struct descriptor descriptors[QUEUE_SIZE];
    struct available available;
    struct used used;
} __attribute__((aligned(4096)));

struct queue {
    u32 base;  // the device's window
    u16 index;
    volatile struct queue_memory *rings;
    u16 next_available;
};

struct buffer {
    const void *address;
    u32 length;
    int device_writes;
};

static struct queue_memory queue_pages[MAXIMUM_DEVICES];
static u8 block_pattern[BLOCK_BYTES] __attribute__((aligned(16)));
static u8 block_readback[BLOCK_BYTES] __attribute__((aligned(16)));
static u8 entropy[2][ENTROPY_BYTES];
static const char console_marker[] = CONSOLE_MARKER;

// The rings of the device in the window at `base` (test_device checks it is one of ours).
static volatile struct queue_memory *queue_page(u32 base) { return &queue_pages[(base - WINDOWS_START) / WINDOW_SIZE]; }

static void fail_line(const char *device, const char *message) {
    put_string(device);
    put_string(": FAIL: ");
    put_string(message);
    put_string("\n");
}

// virtio 1.2 §3.1.1 up to FEATURES_OK, accepting VERSION_1 and `wanted` (low 32 bits).
static int negotiate(u32 base, u32 wanted) {
    mmio_write(base, REG_STATUS, 0);
    mmio_write(base, REG_STATUS, STATUS_ACKNOWLEDGE);
    mmio_write(base, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    mmio_write(base, REG_DEVICE_FEATURES_SEL, 1);
    if ((mmio_read(base, REG_DEVICE_FEATURES) & FEATURE_VERSION_1_HIGH) == 0) return 0;
    mmio_write(base, REG_DEVICE_FEATURES_SEL, 0);
    u32 low = mmio_read(base, REG_DEVICE_FEATURES) & wanted;
    mmio_write(base, REG_DRIVER_FEATURES_SEL, 0);
    mmio_write(base, REG_DRIVER_FEATURES, low);
    mmio_write(base, REG_DRIVER_FEATURES_SEL, 1);
    mmio_write(base, REG_DRIVER_FEATURES, FEATURE_VERSION_1_HIGH);
    mmio_write(base, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    return (mmio_read(base, REG_STATUS) & STATUS_FEATURES_OK) != 0;
}

// Sets up queue `index` on the rings in `page`; the device is not live until driver_ok.
static int setup_queue(struct queue *queue, u32 base, u16 index, volatile struct queue_memory *page) {
    mmio_write(base, REG_QUEUE_SEL, index);
    if (mmio_read(base, REG_QUEUE_READY) != 0) return 0;
    u32 maximum = mmio_read(base, REG_QUEUE_NUM_MAX);
    if (maximum < QUEUE_SIZE) return 0;
    u8 *bytes = (u8 *)page;
    for (u32 i = 0; i < sizeof *page; i++) bytes[i] = 0;
    mmio_write(base, REG_QUEUE_NUM, QUEUE_SIZE);
    mmio_write(base, REG_QUEUE_DESC_LOW, (u32)&page->descriptors);
    mmio_write(base, REG_QUEUE_DESC_HIGH, 0);
    mmio_write(base, REG_QUEUE_DRIVER_LOW, (u32)&page->available);
    mmio_write(base, REG_QUEUE_DRIVER_HIGH, 0);
    mmio_write(base, REG_QUEUE_DEVICE_LOW, (u32)&page->used);
    mmio_write(base, REG_QUEUE_DEVICE_HIGH, 0);
    mmio_write(base, REG_QUEUE_READY, 1);
    queue->base = base;
    queue->index = index;
    queue->rings = page;
    queue->next_available = 0;
    return mmio_read(base, REG_QUEUE_READY) == 1;
}

static int driver_ok(u32 base) {
    mmio_write(base, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    return (mmio_read(base, REG_STATUS) & STATUS_NEEDS_RESET) == 0;
}

// Offers one chain (at most QUEUE_SIZE buffers; one request at a time, so it always
// starts at descriptor 0), notifies, and polls for its used element. Returns 0 and the
// length the device wrote, or FAILURE_TIMEOUT, or FAILURE_RESET when the device gave up
// (e.g. its backend died) and will never answer.
static u32 transfer(struct queue *queue, const struct buffer *buffers, u32 count, u32 *written) {
    volatile struct queue_memory *rings = queue->rings;
    for (u32 i = 0; i < count; i++) {
        rings->descriptors[i].address = (u32)buffers[i].address;
        rings->descriptors[i].length = buffers[i].length;
        rings->descriptors[i].flags = (u16)((i + 1 < count ? DESC_F_NEXT : 0) | (buffers[i].device_writes ? DESC_F_WRITE : 0));
        rings->descriptors[i].next = (u16)(i + 1 < count ? i + 1 : 0);
    }
    u16 expected = (u16)(queue->next_available + 1);
    rings->available.ring[queue->next_available % QUEUE_SIZE] = 0;
    barrier();
    rings->available.index = expected;
    queue->next_available = expected;
    barrier();
    mmio_write(queue->base, REG_QUEUE_NOTIFY, queue->index);
    for (u32 polls = 0; polls < POLL_LIMIT; polls++) {
        if (rings->used.index == expected) {
            barrier();
            *written = rings->used.ring[(u16)(expected - 1) % QUEUE_SIZE].length;
            return 0;
        }
        // A status read exits to the VMM: only now and then.
        if (polls % 1024 == 1023 && (mmio_read(queue->base, REG_STATUS) & STATUS_NEEDS_RESET)) return FAILURE_RESET;
    }
    return FAILURE_TIMEOUT;
}

static const char *transfer_failure(u32 failure) {
    return failure == FAILURE_RESET ? "the device needs a reset; request lost" : "no answer (timeout)";
}

// Waits up to `polls` reads of the status register, less if the device needs a reset
// (its backend went away): lets a test act between two block requests.
static void pause_between_requests(u32 base, u32 polls) {
    for (u32 i = 0; i < polls; i++)
        if (mmio_read(base, REG_STATUS) & STATUS_NEEDS_RESET) {
            put_string("blk: device needs reset\n");
            return;
        }
}

struct block_header {
    u32 type;
    u32 reserved;
    u64 sector;
};

// One virtio-blk request: header, optional data, status byte. Returns 0 or a failure kind.
static u32 block_request(struct queue *queue, u32 type, u32 sector, void *data, u32 length, const char *what) {
    static struct block_header header;
    static volatile u8 status;
    header.type = type;
    header.reserved = 0;
    header.sector = sector;
    status = 0xff;
    struct buffer buffers[3] = {{&header, sizeof header, 0}, {data, length, type == BLK_T_IN}, {(const void *)&status, 1, 1}};
    if (data == 0) buffers[1] = buffers[2];
    u32 written, failure = transfer(queue, buffers, data ? 3 : 2, &written);
    if (failure) {
        put_string("blk: FAIL: ");
        put_string(what);
        put_string(": ");
        put_string(transfer_failure(failure));
        put_string("\n");
        return failure;
    }
    if (status == BLK_S_OK) return 0;
    put_string("blk: FAIL: ");
    put_string(what);
    if (status == BLK_S_IOERR) {
        put_string(": I/O error\n");
        return FAILURE_IO_ERROR;
    }
    put_string(": status ");
    put_decimal(status);
    put_string("\n");
    return FAILURE_UNSUPPORTED;
}

// The byte the pattern holds at `offset`; README.md states it for the host-side check.
static u8 pattern_byte(u32 offset) { return (u8)((offset * 7 + (offset >> 8)) ^ 0x5a); }

static u32 test_block(u32 base, const char *cmdline) {
    u32 sector = DEFAULT_SECTOR, pause = 0;
    const char *value = option_value(cmdline, "candor.blk.sector=", 0);
    if (value && !parse_number(value, &sector)) return STATUS_BAD_OPTION;
    value = option_value(cmdline, "candor.blk.pause=", 0);
    if (value && !parse_number(value, &pause)) return STATUS_BAD_OPTION;

    struct queue queue;
    if (!negotiate(base, BLK_F_FLUSH) || !setup_queue(&queue, base, 0, queue_page(base)) ||
        !driver_ok(base)) {
        fail_line("blk", "device initialisation");
        return STATUS_BLOCK + FAILURE_INIT;
    }
    mmio_write(base, REG_DEVICE_FEATURES_SEL, 0);
    int can_flush = (mmio_read(base, REG_DEVICE_FEATURES) & BLK_F_FLUSH) != 0;
    u32 capacity_low = mmio_read(base, REG_CONFIG), capacity_high = mmio_read(base, REG_CONFIG + 4);
    put_string("blk: capacity ");
    put_decimal(capacity_low);
    put_string(" sectors\n");
    if (capacity_high == 0 && (capacity_low < BLOCK_BYTES / SECTOR_BYTES || sector > capacity_low - BLOCK_BYTES / SECTOR_BYTES)) {
        fail_line("blk", "the image is too small for the test sector");
        return STATUS_BLOCK + FAILURE_DATA;
    }

    for (u32 i = 0; i < BLOCK_BYTES; i++) {
        block_pattern[i] = pattern_byte(i);
        block_readback[i] = 0;
    }
    u32 failure = block_request(&queue, BLK_T_OUT, sector, block_pattern, BLOCK_BYTES, "write");
    if (failure) return STATUS_BLOCK + failure;
    put_string("blk: wrote 4096 bytes at sector ");
    put_decimal(sector);
    put_string("\n");
    pause_between_requests(base, pause);
    if (can_flush) {
        failure = block_request(&queue, BLK_T_FLUSH, 0, 0, 0, "flush");
        if (failure) return STATUS_BLOCK + failure;
        put_string("blk: flushed\n");
    }
    failure = block_request(&queue, BLK_T_IN, sector, block_readback, BLOCK_BYTES, "read");
    if (failure) return STATUS_BLOCK + failure;
    for (u32 i = 0; i < BLOCK_BYTES; i++)
        if (block_readback[i] != block_pattern[i]) {
            put_string("blk: FAIL: read back differs at byte ");
            put_decimal(i);
            put_string("\n");
            return STATUS_BLOCK + FAILURE_DATA;
        }
    put_string("blk: read back 4096 bytes: pattern matches\n");
    return STATUS_OK;
}

static u32 test_entropy(u32 base) {
    struct queue queue;
    if (!negotiate(base, 0) || !setup_queue(&queue, base, 0, queue_page(base)) ||
        !driver_ok(base)) {
        fail_line("rng", "device initialisation");
        return STATUS_ENTROPY + FAILURE_INIT;
    }
    for (u32 request = 0; request < 2; request++) {
        struct buffer buffer = {entropy[request], ENTROPY_BYTES, 1};
        u32 written, failure = transfer(&queue, &buffer, 1, &written);
        if (failure) {
            fail_line("rng", transfer_failure(failure));
            return STATUS_ENTROPY + failure;
        }
        if (written != ENTROPY_BYTES) {
            put_string("rng: FAIL: got ");
            put_decimal(written);
            put_string(" bytes, asked for 64\n");
            return STATUS_ENTROPY + FAILURE_DATA;
        }
    }
    u8 any = 0, differ = 0;
    for (u32 i = 0; i < ENTROPY_BYTES; i++) {
        any |= entropy[0][i] | entropy[1][i];
        differ |= entropy[0][i] ^ entropy[1][i];
    }
    if (!any || !differ) {
        fail_line("rng", any ? "two requests gave the same bytes" : "all bytes are zero");
        return STATUS_ENTROPY + FAILURE_DATA;
    }
    put_string("rng: two 64-byte requests, nonzero and different\n");
    return STATUS_OK;
}

static u32 test_console(u32 base) {
    struct queue transmit;
    // Queue 1 is port 0's transmitq; the receiveq stays unused.
    if (!negotiate(base, 0) || !setup_queue(&transmit, base, 1, queue_page(base)) ||
        !driver_ok(base)) {
        fail_line("console", "device initialisation");
        return STATUS_CONSOLE + FAILURE_INIT;
    }
    struct buffer buffer = {console_marker, sizeof console_marker - 1, 0};
    u32 written, failure = transfer(&transmit, &buffer, 1, &written);
    if (failure) {
        fail_line("console", transfer_failure(failure));
        return STATUS_CONSOLE + failure;
    }
    put_string("console: wrote the marker line\n");
    return STATUS_OK;
}

// Tests the device in the window at `base` if it is one this guest knows.
static u32 test_device(u32 base, const char *cmdline, u32 *found) {
    if (base < WINDOWS_START || (base - WINDOWS_START) % WINDOW_SIZE || (base - WINDOWS_START) / WINDOW_SIZE >= MAXIMUM_DEVICES) {
        put_string("skipping virtio-mmio device at ");
        put_hex(base);
        put_string(": outside the windows this guest has queue pages for\n");
        return STATUS_OK;
    }
    if (mmio_read(base, REG_MAGIC) != VIRTIO_MAGIC || mmio_read(base, REG_VERSION) != 2) return STATUS_OK;
    u32 id = mmio_read(base, REG_DEVICE_ID);
    if (id != DEVICE_BLOCK && id != DEVICE_ENTROPY && id != DEVICE_CONSOLE) return STATUS_OK;
    put_string("virtio device ");
    put_decimal(id);
    put_string(" at ");
    put_hex(base);
    put_string("\n");
    (*found)++;
    if (id == DEVICE_BLOCK) return test_block(base, cmdline);
    if (id == DEVICE_ENTROPY) return test_entropy(base);
    return test_console(base);
}

u32 guest_main(const struct hvm_start_info *info) {
    uart_init();
    put_string("Candor virtio guest\n");
    if (info->magic != HVM_START_MAGIC) {
        put_string("FAIL: bad hvm_start_info magic\n");
        return STATUS_BAD_START_INFO;
    }
    const char *cmdline = command_line(info);
    u32 found = 0, first_failure = STATUS_OK;
    // `virtio_mmio.device=<size>@<base>:<irq>` entries, as Linux reads them.
    const char *rest = cmdline, *value;
    int listed = 0;
    while ((value = option_value(rest, "virtio_mmio.device=", &rest)) != 0) {
        listed = 1;
        while (*value && *value != '@' && *value != ' ') value++;
        u32 base;
        if (*value != '@' || !parse_number(value + 1, &base)) {
            put_string("FAIL: cannot read a virtio_mmio.device= entry\n");
            return STATUS_BAD_OPTION;
        }
        u32 status = test_device(base, cmdline, &found);
        if (first_failure == STATUS_OK) first_failure = status;
    }
    for (u32 i = 0; !listed && i < MAXIMUM_DEVICES; i++) {
        u32 status = test_device(WINDOWS_START + i * WINDOW_SIZE, cmdline, &found);
        if (first_failure == STATUS_OK) first_failure = status;
    }
    if (found == 0) {
        put_string("FAIL: no virtio-blk, virtio-rng or virtio-console device\n");
        return STATUS_NO_DEVICES;
    }
    if (first_failure == STATUS_OK) put_string("virtio guest: all devices passed\n");
    return first_failure;
}
