// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

#include "CKVM.h"

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
