/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The Candor Authors */

/*
 * PVH entry: 32-bit protected mode, paging off, flat segments, EBX = physical address
 * of struct hvm_start_info. Sets up a stack, calls guest_main, and reports its status
 * on the debug-exit port; halts if nothing ends the VM there.
 */

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define DEBUG_EXIT_PORT 0xf4

    .section .note.Xen, "a", @note
    .balign 4
    .long 4f - 3f           /* name size */
    .long 6f - 5f           /* descriptor size */
    .long XEN_ELFNOTE_PHYS32_ENTRY
3:  .asciz "Xen"
4:  .balign 4
5:  .long pvh_start
6:  .balign 4

    .section .text.entry, "ax"
    .code32
    .globl pvh_start
pvh_start:
    cli
    cld
    movl $stack_top, %esp
    pushl %ebx
    call guest_main
    movw $DEBUG_EXIT_PORT, %dx
    outb %al, %dx
1:  hlt
    jmp 1b

    .section .bss
    .balign 16
stack:
    .skip 4096
stack_top:
