/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KHO block chains (include/linux/kho/abi/block.h): each block is one page, a
 * header {next phys, count} and count packed entries.
 */
#ifndef KT_KHO_BLOCK_H
#define KT_KHO_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"
#include "source/physmem.h"

#define KT_KHO_MAX_BLOCKS 10000 /* kernel/liveupdate/kho_block.c */

/*
 * Call fn for every entry of the chain at head. seen collects every block read
 * (NULL: this walk's own); a block met twice (a loop, or two chains sharing blocks)
 * is an error, so no page is decoded twice. fn returns 0 or a negative errno that
 * stops the walk. -errno with err on a malformed chain.
 */
int kt_block_walk(struct kt_physmem *pm, uint64_t head, size_t esize, int (*fn)(void *ctx, const void *entry),
		  void *ctx, struct kt_u64set *seen, char *err, size_t errlen);

#endif
