// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors

// The hello guest: entered through PVH in 32-bit protected mode, it prints a banner on
// the 16550 UART (polling; it takes no interrupts), checks the memory map and the
// command line it was given, verifies a checksum, and returns a status that start.S
// writes to the debug-exit port. Kept to a few thousand instructions: ring-0 code is
// emulated on the development machines.

#include "support.h"

enum status {
    STATUS_OK = 0,
    STATUS_BAD_START_INFO = 1,
    STATUS_NO_MEMORY_MAP = 2,
    STATUS_TOO_LITTLE_MEMORY = 3,
    STATUS_WRONG_COMMAND_LINE = 4,
    STATUS_BAD_CHECKSUM = 5,
};

#define E820_RAM 1u
#define MINIMUM_MEMORY_MIB 32u
#define EXPECTED_OPTION "candor.demo=1"

struct hvm_memmap_table_entry {
    u64 addr;
    u64 size;
    u32 type;
    u32 reserved;
};

// CRC-32 (IEEE 802.3, reflected, bitwise: no table to keep the image small).
static u32 crc32(const u8 *data, u32 length) {
    u32 crc = 0xffffffffu;
    for (u32 i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

// The standard check input and value of CRC-32.
static const u8 check_input[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
#define CHECK_VALUE 0xcbf43926u

u32 guest_main(const struct hvm_start_info *info) {
    uart_init();
    put_string("Candor hello guest: PVH entry, 32-bit protected mode\n");

    if (info->magic != HVM_START_MAGIC) {
        put_string("FAIL: hvm_start_info magic is ");
        put_hex(info->magic);
        put_string("\n");
        return STATUS_BAD_START_INFO;
    }

    if (info->version < 1 || info->memmap_entries == 0 || info->memmap_paddr >> 32) {
        put_string("FAIL: no memory map in hvm_start_info\n");
        return STATUS_NO_MEMORY_MAP;
    }
    const struct hvm_memmap_table_entry *map = (const void *)(u32)info->memmap_paddr;
    u64 ram = 0;
    for (u32 i = 0; i < info->memmap_entries; i++)
        if (map[i].type == E820_RAM) ram += map[i].size;
    u32 ram_mib = (u32)(ram >> 20);
    put_string("memory: ");
    put_decimal(ram_mib);
    put_string(" MiB of RAM in ");
    put_decimal(info->memmap_entries);
    put_string(" memory map entries\n");
    if (ram_mib < MINIMUM_MEMORY_MIB) {
        put_string("FAIL: need at least ");
        put_decimal(MINIMUM_MEMORY_MIB);
        put_string(" MiB\n");
        return STATUS_TOO_LITTLE_MEMORY;
    }

    const char *cmdline = command_line(info);
    put_string("command line: \"");
    put_string(cmdline);
    put_string("\"\n");
    if (!has_option(cmdline, EXPECTED_OPTION)) {
        put_string("FAIL: expected " EXPECTED_OPTION " on the command line\n");
        return STATUS_WRONG_COMMAND_LINE;
    }

    u32 checksum = crc32(check_input, sizeof check_input);
    put_string("checksum: crc32(\"123456789\") = ");
    put_hex(checksum);
    put_string("\n");
    if (checksum != CHECK_VALUE) {
        put_string("FAIL: expected 0xcbf43926\n");
        return STATUS_BAD_CHECKSUM;
    }

    put_string("hello guest: all checks passed\n");
    return STATUS_OK;
}
