// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The Candor Authors
// Guest memory table: translation of guest and frontend addresses, checked.
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

void mem_unmap(struct mem_table *mem)
{
	for (unsigned int i = 0; i < mem->count; i++)
		munmap(mem->regions[i].map, mem->regions[i].map_len);
	mem->count = 0;
	shim_mem_generation++;
}
