// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors

// What every Candor test guest shares: fixed-size types, the PVH start info, port I/O,
// the polled 16550 UART at 0x3f8, and command-line lookups. start.S calls
// guest_main(start_info) and writes its return value to the debug-exit port.

#ifndef CANDOR_GUEST_SUPPORT_H
#define CANDOR_GUEST_SUPPORT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
    u32 magic;
    u32 version;
    u32 flags;
    u32 nr_modules;
    u64 modlist_paddr;
    u64 cmdline_paddr;
    u64 rsdp_paddr;
    u64 memmap_paddr;  // version 1 and later
    u32 memmap_entries;
    u32 reserved;
};

static inline void outb(u16 port, u8 value) { __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
static inline u8 inb(u16 port) {
    u8 value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

u32 guest_main(const struct hvm_start_info *info);

void uart_init(void);
void put_string(const char *s);
void put_decimal(u32 value);
void put_hex(u32 value);

// The command line of the start info, or "" when there is none below 4 GiB.
const char *command_line(const struct hvm_start_info *info);
// Whether `option` appears as a whole space-separated word of `line`.
int has_option(const char *line, const char *option);
// The text after `key` (e.g. "candor.blk.sector=") in the first word of `line` that
// starts with it, or 0. `*after` moves past that word so callers can look for the next.
const char *option_value(const char *line, const char *key, const char **after);
// Parses a decimal or 0x-prefixed hexadecimal number; returns 0 (and leaves *value)
// when `text` does not start with one.
int parse_number(const char *text, u32 *value);

#endif
