// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors

// The shared guest helpers declared in support.h.

#include "support.h"

#define COM1 0x3f8

void uart_init(void) {
    outb(COM1 + 1, 0x00);  // IER: no interrupts
    outb(COM1 + 3, 0x80);  // LCR: divisor latch
    outb(COM1 + 0, 0x01);  // DLL: 115200 baud
    outb(COM1 + 1, 0x00);  // DLM
    outb(COM1 + 3, 0x03);  // LCR: 8N1
    outb(COM1 + 2, 0x07);  // FCR: FIFOs on and cleared
    outb(COM1 + 4, 0x03);  // MCR: DTR, RTS
}

static void put_char(char c) {
    while ((inb(COM1 + 5) & 0x20) == 0) {
    }  // LSR.THRE
    outb(COM1, (u8)c);
}

void put_string(const char *s) {
    for (; *s; s++) {
        if (*s == '\n') put_char('\r');
        put_char(*s);
    }
}

void put_decimal(u32 value) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) put_char(digits[--n]);
}

void put_hex(u32 value) {
    put_string("0x");
    for (int shift = 28; shift >= 0; shift -= 4) put_char("0123456789abcdef"[(value >> shift) & 0xf]);
}

const char *command_line(const struct hvm_start_info *info) {
    if (info->cmdline_paddr == 0 || info->cmdline_paddr >> 32) return "";
    return (const char *)(u32)info->cmdline_paddr;
}

int has_option(const char *line, const char *option) {
    while (*line) {
        while (*line == ' ') line++;
        const char *want = option;
        while (*line && *line != ' ' && *want && *line == *want) {
            line++;
            want++;
        }
        if (*want == 0 && (*line == 0 || *line == ' ')) return 1;
        while (*line && *line != ' ') line++;
    }
    return 0;
}

const char *option_value(const char *line, const char *key, const char **after) {
    while (*line) {
        while (*line == ' ') line++;
        const char *want = key;
        while (*line && *line != ' ' && *want && *line == *want) {
            line++;
            want++;
        }
        const char *value = line;
        while (*line && *line != ' ') line++;
        if (*want == 0) {
            if (after) *after = line;
            return value;
        }
    }
    return 0;
}

int parse_number(const char *text, u32 *value) {
    u32 base = 10, result = 0;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    int digits = 0;
    for (;; text++, digits++) {
        u32 digit;
        if (*text >= '0' && *text <= '9') digit = (u32)(*text - '0');
        else if (base == 16 && *text >= 'a' && *text <= 'f') digit = (u32)(*text - 'a' + 10);
        else if (base == 16 && *text >= 'A' && *text <= 'F') digit = (u32)(*text - 'A' + 10);
        else break;
        if (result > (0xffffffffu - digit) / base) return 0;  // does not fit in 32 bits
        result = result * base + digit;
    }
    if (digits == 0) return 0;
    *value = result;
    return 1;
}
