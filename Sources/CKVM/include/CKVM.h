// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// The KVM shim: the only code that includes Linux UAPI headers and the only code that
// calls ioctl. Swift cannot call the variadic ioctl or expand the _IO* macros, so each
// request number is exported as a constant and each request gets a typed wrapper.
// Every wrapper returns what ioctl returns (-1 with errno set on failure).
#pragma once
#include <linux/kvm.h>
#include <stdint.h>

// Request numbers, for diagnostics and tests.
static const unsigned long CKVM_GET_API_VERSION = KVM_GET_API_VERSION;
static const unsigned long CKVM_CREATE_VM = KVM_CREATE_VM;
static const unsigned long CKVM_CHECK_EXTENSION = KVM_CHECK_EXTENSION;
static const unsigned long CKVM_GET_VCPU_MMAP_SIZE = KVM_GET_VCPU_MMAP_SIZE;
static const unsigned long CKVM_GET_SUPPORTED_CPUID = KVM_GET_SUPPORTED_CPUID;
static const unsigned long CKVM_SET_USER_MEMORY_REGION = KVM_SET_USER_MEMORY_REGION;
static const unsigned long CKVM_SET_TSS_ADDR = KVM_SET_TSS_ADDR;
static const unsigned long CKVM_SET_IDENTITY_MAP_ADDR = KVM_SET_IDENTITY_MAP_ADDR;
static const unsigned long CKVM_CREATE_IRQCHIP = KVM_CREATE_IRQCHIP;
static const unsigned long CKVM_CREATE_PIT2 = KVM_CREATE_PIT2;
static const unsigned long CKVM_IRQ_LINE = KVM_IRQ_LINE;
static const unsigned long CKVM_CREATE_VCPU = KVM_CREATE_VCPU;
static const unsigned long CKVM_SET_CPUID2 = KVM_SET_CPUID2;
static const unsigned long CKVM_GET_REGS = KVM_GET_REGS;
static const unsigned long CKVM_SET_REGS = KVM_SET_REGS;
static const unsigned long CKVM_GET_SREGS = KVM_GET_SREGS;
static const unsigned long CKVM_SET_SREGS = KVM_SET_SREGS;
static const unsigned long CKVM_SET_FPU = KVM_SET_FPU;
static const unsigned long CKVM_RUN = KVM_RUN;

// Capabilities Candor relies on.
static const int CKVM_CAP_IRQCHIP = KVM_CAP_IRQCHIP;
static const int CKVM_CAP_PIT2 = KVM_CAP_PIT2;
static const int CKVM_CAP_USER_MEMORY = KVM_CAP_USER_MEMORY;
static const int CKVM_CAP_SET_TSS_ADDR = KVM_CAP_SET_TSS_ADDR;
static const int CKVM_CAP_SET_IDENTITY_MAP_ADDR = KVM_CAP_SET_IDENTITY_MAP_ADDR;
static const int CKVM_CAP_EXT_CPUID = KVM_CAP_EXT_CPUID;
static const int CKVM_CAP_IMMEDIATE_EXIT = KVM_CAP_IMMEDIATE_EXIT;
static const int CKVM_CAP_NR_VCPUS = KVM_CAP_NR_VCPUS;
static const int CKVM_CAP_MAX_VCPUS = KVM_CAP_MAX_VCPUS;
static const int CKVM_CAP_IRQFD = KVM_CAP_IRQFD;
static const int CKVM_CAP_IRQFD_RESAMPLE = KVM_CAP_IRQFD_RESAMPLE;
static const int CKVM_CAP_IOEVENTFD = KVM_CAP_IOEVENTFD;
static const int CKVM_CAP_XSAVE = KVM_CAP_XSAVE;
static const int CKVM_CAP_XCRS = KVM_CAP_XCRS;
static const int CKVM_CAP_DEBUGREGS = KVM_CAP_DEBUGREGS;
static const int CKVM_CAP_VCPU_EVENTS = KVM_CAP_VCPU_EVENTS;
static const int CKVM_CAP_ADJUST_CLOCK = KVM_CAP_ADJUST_CLOCK;
static const int CKVM_API_VERSION = KVM_API_VERSION;

// Exit reasons.
static const uint32_t CKVM_EXIT_UNKNOWN = KVM_EXIT_UNKNOWN;
static const uint32_t CKVM_EXIT_IO = KVM_EXIT_IO;
static const uint32_t CKVM_EXIT_HLT = KVM_EXIT_HLT;
static const uint32_t CKVM_EXIT_MMIO = KVM_EXIT_MMIO;
static const uint32_t CKVM_EXIT_SHUTDOWN = KVM_EXIT_SHUTDOWN;
static const uint32_t CKVM_EXIT_FAIL_ENTRY = KVM_EXIT_FAIL_ENTRY;
static const uint32_t CKVM_EXIT_INTR = KVM_EXIT_INTR;
static const uint32_t CKVM_EXIT_INTERNAL_ERROR = KVM_EXIT_INTERNAL_ERROR;
static const uint32_t CKVM_EXIT_SYSTEM_EVENT = KVM_EXIT_SYSTEM_EVENT;
static const uint8_t CKVM_EXIT_IO_IN = KVM_EXIT_IO_IN;
static const uint32_t CKVM_SYSTEM_EVENT_SHUTDOWN = KVM_SYSTEM_EVENT_SHUTDOWN;
static const uint32_t CKVM_SYSTEM_EVENT_RESET = KVM_SYSTEM_EVENT_RESET;

// The largest CPUID table KVM_GET_SUPPORTED_CPUID is asked for.
#define CKVM_MAX_CPUID_ENTRIES 256

int ckvm_get_api_version(int kvm_fd);
int ckvm_create_vm(int kvm_fd);
int ckvm_check_extension(int fd, int capability);
int ckvm_get_vcpu_mmap_size(int kvm_fd);
// Fills at most *count entries; on return *count holds the number KVM wrote.
int ckvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid_entry2 *entries, uint32_t *count);

int ckvm_set_user_memory_region(int vm_fd, const struct kvm_userspace_memory_region *region);
// The flag of a memory slot that makes KVM record which of its pages the guest writes.
static const uint32_t CKVM_MEM_LOG_DIRTY_PAGES = KVM_MEM_LOG_DIRTY_PAGES;
// KVM_GET_DIRTY_LOG: copies the slot's dirty bitmap (one bit per 4 KiB page, in 64-bit
// words; `bitmap` holds the slot's page count rounded up to 64 bits) and clears it, so
// the next call names only pages written since.
int ckvm_get_dirty_log(int vm_fd, uint32_t slot, uint64_t *bitmap);
int ckvm_set_tss_addr(int vm_fd, uint64_t address);
int ckvm_set_identity_map_addr(int vm_fd, uint64_t address);
int ckvm_create_irqchip(int vm_fd);
int ckvm_create_pit2(int vm_fd);
int ckvm_irq_line(int vm_fd, uint32_t irq, uint32_t level);
/// KVM_IRQFD: a write to `event_fd` raises `gsi`. With `resample_fd` >= 0 the line is
/// level-triggered: KVM lowers it at the guest's EOI and signals `resample_fd`.
/// `deassign` != 0 removes the binding instead.
int ckvm_irqfd(int vm_fd, int event_fd, uint32_t gsi, int resample_fd, int deassign);
/// KVM_IOEVENTFD: a guest MMIO write of `length` bytes at `address` (equal to `datamatch`
/// when `match` != 0) signals `event_fd` in the kernel, without an exit to user space.
int ckvm_ioeventfd(int vm_fd, uint64_t address, uint32_t length, int event_fd, int match, uint64_t datamatch,
                   int deassign);
int ckvm_create_vcpu(int vm_fd, int vcpu_id);

int ckvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid_entry2 *entries, uint32_t count);
int ckvm_get_regs(int vcpu_fd, struct kvm_regs *regs);
int ckvm_set_regs(int vcpu_fd, const struct kvm_regs *regs);
int ckvm_get_sregs(int vcpu_fd, struct kvm_sregs *sregs);
int ckvm_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs);
int ckvm_set_fpu(int vcpu_fd, const struct kvm_fpu *fpu);
// Sets XCR0 alone (KVM_SET_XCRS with one register).
int ckvm_set_xcr0(int vcpu_fd, uint64_t value);
int ckvm_run(int vcpu_fd);

// Snapshot and restore. The state KVM keeps for a vCPU or a VM is moved as the kernel's
// own structures, opaque to Swift: each kind has a fixed size (ckvm_*_state_size) and one
// get and one set wrapper. A snapshot records the sizes, so a restore on a kernel whose
// structures differ is refused instead of misread.
enum ckvm_vcpu_state_kind {
    CKVM_VCPU_REGS = 0,       // KVM_GET/SET_REGS, struct kvm_regs
    CKVM_VCPU_SREGS = 1,      // KVM_GET/SET_SREGS, struct kvm_sregs
    CKVM_VCPU_FPU = 2,        // KVM_GET/SET_FPU, struct kvm_fpu
    CKVM_VCPU_XSAVE = 3,      // KVM_GET/SET_XSAVE, struct kvm_xsave (4 KiB)
    CKVM_VCPU_XCRS = 4,       // KVM_GET/SET_XCRS, struct kvm_xcrs
    CKVM_VCPU_LAPIC = 5,      // KVM_GET/SET_LAPIC, struct kvm_lapic_state
    CKVM_VCPU_EVENTS = 6,     // KVM_GET/SET_VCPU_EVENTS, struct kvm_vcpu_events
    CKVM_VCPU_MP_STATE = 7,   // KVM_GET/SET_MP_STATE, struct kvm_mp_state
    CKVM_VCPU_DEBUGREGS = 8,  // KVM_GET/SET_DEBUGREGS, struct kvm_debugregs
};
// The size of one kind's structure, 0 for an unknown kind.
uint32_t ckvm_vcpu_state_size(int kind);
// Copies the state into / from `buffer`, which holds ckvm_vcpu_state_size(kind) bytes.
int ckvm_get_vcpu_state(int vcpu_fd, int kind, void *buffer);
int ckvm_set_vcpu_state(int vcpu_fd, int kind, const void *buffer);

enum ckvm_vm_state_kind {
    CKVM_VM_PIC_MASTER = 0,  // KVM_GET/SET_IRQCHIP, chip 0 (struct kvm_irqchip)
    CKVM_VM_PIC_SLAVE = 1,   // chip 1
    CKVM_VM_IOAPIC = 2,      // chip 2
    CKVM_VM_PIT2 = 3,        // KVM_GET/SET_PIT2, struct kvm_pit_state2
    CKVM_VM_CLOCK = 4,       // KVM_GET/SET_CLOCK, struct kvm_clock_data
};
uint32_t ckvm_vm_state_size(int kind);
// KVM_SET_CLOCK takes only the clock value: the flags KVM_GET_CLOCK reports are cleared.
int ckvm_get_vm_state(int vm_fd, int kind, void *buffer);
int ckvm_set_vm_state(int vm_fd, int kind, const void *buffer);

// KVM_GET_MSR_INDEX_LIST: fills at most *count indices; on return *count holds how many
// KVM has (E2BIG when that is more than were asked for).
int ckvm_get_msr_index_list(int kvm_fd, uint32_t *indices, uint32_t *count);
// KVM_GET_MSRS / KVM_SET_MSRS of `count` MSRs: return how many were read or written,
// in order; KVM stops at the first one it refuses.
int ckvm_get_msrs(int vcpu_fd, const uint32_t *indices, uint64_t *values, uint32_t count);
int ckvm_set_msrs(int vcpu_fd, const uint32_t *indices, const uint64_t *values, uint32_t count);

// The exit information of a kvm_run area, flattened so Swift need not read C unions.
struct ckvm_exit {
    uint32_t reason;
    // KVM_EXIT_IO
    uint8_t io_direction;  // CKVM_EXIT_IO_IN or KVM_EXIT_IO_OUT
    uint8_t io_size;       // 1, 2 or 4
    uint16_t io_port;
    uint32_t io_count;
    uint64_t io_data_offset;  // from the start of the kvm_run area
    // KVM_EXIT_MMIO
    uint64_t mmio_address;
    uint32_t mmio_length;
    uint8_t mmio_is_write;
    // KVM_EXIT_FAIL_ENTRY
    uint64_t fail_entry_reason;
    uint32_t fail_entry_cpu;
    // KVM_EXIT_INTERNAL_ERROR
    uint32_t internal_suberror;
    uint32_t internal_ndata;
    uint64_t internal_data[16];
    // KVM_EXIT_SYSTEM_EVENT
    uint32_t system_event_type;
};

void ckvm_read_exit(const struct kvm_run *run, struct ckvm_exit *exit);
// Host address of the MMIO data bytes inside the kvm_run area.
uint8_t *ckvm_mmio_data(struct kvm_run *run);
// KVM_RUN returns EINTR at once while this is set (checked on entry).
void ckvm_set_immediate_exit(struct kvm_run *run, uint8_t value);

// Installs a no-op handler (without SA_RESTART) for the signal used to kick vCPU
// threads out of KVM_RUN, so the ioctl returns EINTR instead of restarting.
int ckvm_install_kick_handler(int signal_number);
