/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memfd-v2 handler state (include/linux/kho/abi/memfd.h, mm/memfd_luo.c): a
 * memfd_luo_ser {pos, size, seals, flags, nr_folios, folios} where folios is a
 * preserved vmalloc area (kho_vmalloc: a chain of one-page chunks {next,
 * phys[511], 0-terminated}, each phys a page of order `order`) holding
 * nr_folios packed memfd_luo_folio_ser {pfn:52 flags:12, index}.
 */
#ifndef KT_MEMFD_H
#define KT_MEMFD_H

#include <stddef.h>
#include <stdint.h>

#include "source/physmem.h"

struct kt_memfd {
	uint64_t pos, size, nr_folios;
	uint32_t seals, flags;
	uint64_t folios_first; /* kho_vmalloc.first */
	uint32_t folios_total_pages;
	uint16_t folios_order;
};

/* The state behind a luo_file_ser.data; -errno with err when unreadable or inconsistent. */
int kt_memfd_read(struct kt_physmem *pm, uint64_t pa, struct kt_memfd *m, char *err, size_t errlen);
/* Each preserved folio: fn(ctx, pfn, flags, index), which may stop the walk with a negative errno. */
int kt_memfd_folios(struct kt_physmem *pm, const struct kt_memfd *m,
		    int (*fn)(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index), void *ctx,
		    char *err, size_t errlen);

/*
 * The first len bytes of the memfd's contents (len <= its size) into buf, through its
 * folios, one page each (order 0, shmem's default; the serialized folio has no order);
 * pages no folio holds read as zeros. -errno with err when a folio is unreadable.
 */
int kt_memfd_contents(struct kt_physmem *pm, const struct kt_memfd *m, uint8_t *buf, size_t len, char *err,
		      size_t errlen);

#endif
