/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memblock's sub-FDT (include/linux/kho/abi/memblock.h): compatible "memblock-v1",
 * one "reserve-mem-v1" child per reserve_mem= region with native u64 start and size.
 */
#ifndef KT_MEMBLOCK_H
#define KT_MEMBLOCK_H

#include <stdint.h>

#include "decode/decoder.h"

/* Each well-formed region, streamed (a host may reserve a great many). -EBADMSG: not a memblock-v1 FDT. */
int kt_memblock_regions(const struct kt_blob *b,
			void (*fn)(void *ctx, const char *name, uint64_t start, uint64_t size), void *ctx);

extern const struct kt_decoder kt_dec_memblock;

#endif
