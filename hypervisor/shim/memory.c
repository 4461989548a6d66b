// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
// Guest memory table: translation of guest and frontend addresses, checked;
// the dirty-page log that live migration reads.
#include <sys/mman.h>

#include "shim_internal.h"

uint8_t *mem_from_gpa(const struct mem_table *mem, uint64_t gpa, uint64_t len,
		      uint64_t *contiguous)
{
	for (unsigned int i = 0; i < mem->count; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		uint64_t off = gpa - r->gpa;
		uint64_t left = r->size - off;

		*contiguous = len < left ? len : left;
		return r->host + off;
	}
	return NULL;
}

uint8_t *mem_from_uva(const struct mem_table *mem, uint64_t uva, uint64_t len)
{
	for (unsigned int i = 0; i < mem->count; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (uva < r->uva || uva - r->uva >= r->size)
			continue;
		if (len > r->size - (uva - r->uva))
			return NULL;
		return r->host + (uva - r->uva);
	}
	return NULL;
}

bool mem_to_gpa(const struct mem_table *mem, const void *host, uint64_t *gpa)
{
	uintptr_t h = (uintptr_t)host;

	for (unsigned int i = 0; i < mem->count; i++) {
		const struct mem_region *r = &mem->regions[i];
		uintptr_t start = (uintptr_t)r->host;

		if (h >= start && h - start < r->size) {
			*gpa = r->gpa + (h - start);
			return true;
		}
	}
	return false;
}

void write_log_mark(const struct write_log *log, uint64_t gpa, uint64_t len)
{
	if (!log->on || !log->bits || len == 0)
		return;
	uint64_t last = (gpa + len - 1) / VHOST_LOG_PAGE;

	/* The frontend clears bits as it reads them: set each one atomically. */
	for (uint64_t page = gpa / VHOST_LOG_PAGE; page <= last && page / 8 < log->size; page++)
		__atomic_fetch_or(&log->bits[page / 8], (uint8_t)(1u << (page % 8)),
				  __ATOMIC_SEQ_CST);
}

void write_log_unmap(struct write_log *log)
{
	if (log->map)
		munmap(log->map, log->map_len);
	*log = (struct write_log){ 0 };
}

void mem_unmap(struct mem_table *mem)
{
	for (unsigned int i = 0; i < mem->count; i++)
		munmap(mem->regions[i].map, mem->regions[i].map_len);
	mem->count = 0;
	shim_mem_generation++;
}
