// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#include "CKVM.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int ckvm_get_api_version(int kvm_fd) { return ioctl(kvm_fd, KVM_GET_API_VERSION, 0); }
int ckvm_create_vm(int kvm_fd) { return ioctl(kvm_fd, KVM_CREATE_VM, 0); }
int ckvm_check_extension(int fd, int capability) { return ioctl(fd, KVM_CHECK_EXTENSION, capability); }
int ckvm_get_vcpu_mmap_size(int kvm_fd) { return ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0); }

int ckvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid_entry2 *entries, uint32_t *count) {
    size_t size = sizeof(struct kvm_cpuid2) + (size_t)*count * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *table = calloc(1, size);
    if (table == NULL) return -1;
    table->nent = *count;
    int result = ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, table);
    if (result >= 0) {
        *count = table->nent;
        memcpy(entries, table->entries, (size_t)table->nent * sizeof(struct kvm_cpuid_entry2));
    }
    free(table);
    return result;
}

int ckvm_set_user_memory_region(int vm_fd, const struct kvm_userspace_memory_region *region) {
    return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, region);
}
int ckvm_get_dirty_log(int vm_fd, uint32_t slot, uint64_t *bitmap) {
    struct kvm_dirty_log log;
    memset(&log, 0, sizeof log);
    log.slot = slot;
    log.dirty_bitmap = bitmap;
    return ioctl(vm_fd, KVM_GET_DIRTY_LOG, &log);
}
int ckvm_set_tss_addr(int vm_fd, uint64_t address) { return ioctl(vm_fd, KVM_SET_TSS_ADDR, (unsigned long)address); }
int ckvm_set_identity_map_addr(int vm_fd, uint64_t address) {
    return ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &address);
}
int ckvm_create_irqchip(int vm_fd) { return ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0); }
int ckvm_create_pit2(int vm_fd) {
    struct kvm_pit_config config;
    memset(&config, 0, sizeof config);
    return ioctl(vm_fd, KVM_CREATE_PIT2, &config);
}
int ckvm_irq_line(int vm_fd, uint32_t irq, uint32_t level) {
    struct kvm_irq_level line = {.irq = irq, .level = level};
    return ioctl(vm_fd, KVM_IRQ_LINE, &line);
}
int ckvm_irqfd(int vm_fd, int event_fd, uint32_t gsi, int resample_fd, int deassign) {
    struct kvm_irqfd request = {.fd = (uint32_t)event_fd, .gsi = gsi};
    if (deassign)
        request.flags |= KVM_IRQFD_FLAG_DEASSIGN;
    else if (resample_fd >= 0) {
        request.flags |= KVM_IRQFD_FLAG_RESAMPLE;
        request.resamplefd = (uint32_t)resample_fd;
    }
    return ioctl(vm_fd, KVM_IRQFD, &request);
}
int ckvm_ioeventfd(int vm_fd, uint64_t address, uint32_t length, int event_fd, int match, uint64_t datamatch,
                   int deassign) {
    struct kvm_ioeventfd request = {.datamatch = datamatch, .addr = address, .len = length, .fd = event_fd};
    if (match)
        request.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
    if (deassign)
        request.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
    return ioctl(vm_fd, KVM_IOEVENTFD, &request);
}
int ckvm_create_vcpu(int vm_fd, int vcpu_id) { return ioctl(vm_fd, KVM_CREATE_VCPU, vcpu_id); }

int ckvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid_entry2 *entries, uint32_t count) {
    size_t size = sizeof(struct kvm_cpuid2) + (size_t)count * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *table = calloc(1, size);
    if (table == NULL) return -1;
    table->nent = count;
    memcpy(table->entries, entries, (size_t)count * sizeof(struct kvm_cpuid_entry2));
    int result = ioctl(vcpu_fd, KVM_SET_CPUID2, table);
    free(table);
    return result;
}
int ckvm_set_xcr0(int vcpu_fd, uint64_t value) {
    struct kvm_xcrs xcrs;
    memset(&xcrs, 0, sizeof xcrs);
    xcrs.nr_xcrs = 1;
    xcrs.xcrs[0].xcr = 0;
    xcrs.xcrs[0].value = value;
    return ioctl(vcpu_fd, KVM_SET_XCRS, &xcrs);
}
int ckvm_get_regs(int vcpu_fd, struct kvm_regs *regs) { return ioctl(vcpu_fd, KVM_GET_REGS, regs); }
int ckvm_set_regs(int vcpu_fd, const struct kvm_regs *regs) { return ioctl(vcpu_fd, KVM_SET_REGS, regs); }
int ckvm_get_sregs(int vcpu_fd, struct kvm_sregs *sregs) { return ioctl(vcpu_fd, KVM_GET_SREGS, sregs); }
int ckvm_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs) { return ioctl(vcpu_fd, KVM_SET_SREGS, sregs); }
int ckvm_set_fpu(int vcpu_fd, const struct kvm_fpu *fpu) { return ioctl(vcpu_fd, KVM_SET_FPU, fpu); }
int ckvm_run(int vcpu_fd) { return ioctl(vcpu_fd, KVM_RUN, 0); }

uint32_t ckvm_vcpu_state_size(int kind) {
    switch (kind) {
    case CKVM_VCPU_REGS: return sizeof(struct kvm_regs);
    case CKVM_VCPU_SREGS: return sizeof(struct kvm_sregs);
    case CKVM_VCPU_FPU: return sizeof(struct kvm_fpu);
    case CKVM_VCPU_XSAVE: return sizeof(struct kvm_xsave);
    case CKVM_VCPU_XCRS: return sizeof(struct kvm_xcrs);
    case CKVM_VCPU_LAPIC: return sizeof(struct kvm_lapic_state);
    case CKVM_VCPU_EVENTS: return sizeof(struct kvm_vcpu_events);
    case CKVM_VCPU_MP_STATE: return sizeof(struct kvm_mp_state);
    case CKVM_VCPU_DEBUGREGS: return sizeof(struct kvm_debugregs);
    default: return 0;
    }
}

static unsigned long ckvm_vcpu_state_request(int kind, int set) {
    switch (kind) {
    case CKVM_VCPU_REGS: return set ? KVM_SET_REGS : KVM_GET_REGS;
    case CKVM_VCPU_SREGS: return set ? KVM_SET_SREGS : KVM_GET_SREGS;
    case CKVM_VCPU_FPU: return set ? KVM_SET_FPU : KVM_GET_FPU;
    case CKVM_VCPU_XSAVE: return set ? KVM_SET_XSAVE : KVM_GET_XSAVE;
    case CKVM_VCPU_XCRS: return set ? KVM_SET_XCRS : KVM_GET_XCRS;
    case CKVM_VCPU_LAPIC: return set ? KVM_SET_LAPIC : KVM_GET_LAPIC;
    case CKVM_VCPU_EVENTS: return set ? KVM_SET_VCPU_EVENTS : KVM_GET_VCPU_EVENTS;
    case CKVM_VCPU_MP_STATE: return set ? KVM_SET_MP_STATE : KVM_GET_MP_STATE;
    case CKVM_VCPU_DEBUGREGS: return set ? KVM_SET_DEBUGREGS : KVM_GET_DEBUGREGS;
    default: return 0;
    }
}

int ckvm_get_vcpu_state(int vcpu_fd, int kind, void *buffer) {
    unsigned long request = ckvm_vcpu_state_request(kind, 0);
    if (request == 0) { errno = EINVAL; return -1; }
    memset(buffer, 0, ckvm_vcpu_state_size(kind));
    return ioctl(vcpu_fd, request, buffer);
}

int ckvm_set_vcpu_state(int vcpu_fd, int kind, const void *buffer) {
    unsigned long request = ckvm_vcpu_state_request(kind, 1);
    if (request == 0) { errno = EINVAL; return -1; }
    return ioctl(vcpu_fd, request, buffer);
}

uint32_t ckvm_vm_state_size(int kind) {
    switch (kind) {
    case CKVM_VM_PIC_MASTER:
    case CKVM_VM_PIC_SLAVE:
    case CKVM_VM_IOAPIC: return sizeof(struct kvm_irqchip);
    case CKVM_VM_PIT2: return sizeof(struct kvm_pit_state2);
    case CKVM_VM_CLOCK: return sizeof(struct kvm_clock_data);
    default: return 0;
    }
}

int ckvm_get_vm_state(int vm_fd, int kind, void *buffer) {
    memset(buffer, 0, ckvm_vm_state_size(kind));
    switch (kind) {
    case CKVM_VM_PIC_MASTER:
    case CKVM_VM_PIC_SLAVE:
    case CKVM_VM_IOAPIC:
        ((struct kvm_irqchip *)buffer)->chip_id = (uint32_t)kind;
        return ioctl(vm_fd, KVM_GET_IRQCHIP, buffer);
    case CKVM_VM_PIT2: return ioctl(vm_fd, KVM_GET_PIT2, buffer);
    case CKVM_VM_CLOCK: return ioctl(vm_fd, KVM_GET_CLOCK, buffer);
    default: errno = EINVAL; return -1;
    }
}

int ckvm_set_vm_state(int vm_fd, int kind, const void *buffer) {
    switch (kind) {
    case CKVM_VM_PIC_MASTER:
    case CKVM_VM_PIC_SLAVE:
    case CKVM_VM_IOAPIC: {
        struct kvm_irqchip chip;
        memcpy(&chip, buffer, sizeof chip);
        chip.chip_id = (uint32_t)kind;
        return ioctl(vm_fd, KVM_SET_IRQCHIP, &chip);
    }
    case CKVM_VM_PIT2: return ioctl(vm_fd, KVM_SET_PIT2, buffer);
    case CKVM_VM_CLOCK: {
        struct kvm_clock_data clock;
        memset(&clock, 0, sizeof clock);
        clock.clock = ((const struct kvm_clock_data *)buffer)->clock;
        return ioctl(vm_fd, KVM_SET_CLOCK, &clock);
    }
    default: errno = EINVAL; return -1;
    }
}

int ckvm_get_msr_index_list(int kvm_fd, uint32_t *indices, uint32_t *count) {
    struct kvm_msr_list *list = calloc(1, sizeof(struct kvm_msr_list) + (size_t)*count * sizeof(uint32_t));
    if (list == NULL) return -1;
    list->nmsrs = *count;
    int result = ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, list);
    if (result >= 0) memcpy(indices, list->indices, (size_t)list->nmsrs * sizeof(uint32_t));
    *count = list->nmsrs;
    free(list);
    return result;
}

static struct kvm_msrs *ckvm_msr_table(const uint32_t *indices, const uint64_t *values, uint32_t count) {
    struct kvm_msrs *table = calloc(1, sizeof(struct kvm_msrs) + (size_t)count * sizeof(struct kvm_msr_entry));
    if (table == NULL) return NULL;
    table->nmsrs = count;
    for (uint32_t i = 0; i < count; i++) {
        table->entries[i].index = indices[i];
        if (values != NULL) table->entries[i].data = values[i];
    }
    return table;
}

int ckvm_get_msrs(int vcpu_fd, const uint32_t *indices, uint64_t *values, uint32_t count) {
    struct kvm_msrs *table = ckvm_msr_table(indices, NULL, count);
    if (table == NULL) return -1;
    int result = ioctl(vcpu_fd, KVM_GET_MSRS, table);
    for (int i = 0; i < result; i++) values[i] = table->entries[i].data;
    free(table);
    return result;
}

int ckvm_set_msrs(int vcpu_fd, const uint32_t *indices, const uint64_t *values, uint32_t count) {
    struct kvm_msrs *table = ckvm_msr_table(indices, values, count);
    if (table == NULL) return -1;
    int result = ioctl(vcpu_fd, KVM_SET_MSRS, table);
    free(table);
    return result;
}

void ckvm_read_exit(const struct kvm_run *run, struct ckvm_exit *exit) {
    memset(exit, 0, sizeof *exit);
    exit->reason = run->exit_reason;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        exit->io_direction = run->io.direction;
        exit->io_size = run->io.size;
        exit->io_port = run->io.port;
        exit->io_count = run->io.count;
        exit->io_data_offset = run->io.data_offset;
        break;
    case KVM_EXIT_MMIO:
        exit->mmio_address = run->mmio.phys_addr;
        exit->mmio_length = run->mmio.len;
        exit->mmio_is_write = run->mmio.is_write;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        exit->fail_entry_reason = run->fail_entry.hardware_entry_failure_reason;
        exit->fail_entry_cpu = run->fail_entry.cpu;
        break;
    case KVM_EXIT_INTERNAL_ERROR: {
        exit->internal_suberror = run->internal.suberror;
        uint32_t n = run->internal.ndata;
        if (n > 16) n = 16;
        exit->internal_ndata = n;
        memcpy(exit->internal_data, run->internal.data, n * sizeof(uint64_t));
        break;
    }
    case KVM_EXIT_SYSTEM_EVENT:
        exit->system_event_type = run->system_event.type;
        break;
    default:
        break;
    }
}

uint8_t *ckvm_mmio_data(struct kvm_run *run) { return run->mmio.data; }

void ckvm_set_immediate_exit(struct kvm_run *run, uint8_t value) {
    __atomic_store_n(&run->immediate_exit, value, __ATOMIC_SEQ_CST);
}

static void ckvm_kick_handler(int signal_number) { (void)signal_number; }

int ckvm_install_kick_handler(int signal_number) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ckvm_kick_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return EINTR
    return sigaction(signal_number, &action, NULL);
}
