// SPDX-License-Identifier: GPL-2.0-only
/*
 * KHO block chains (include/linux/kho/abi/block.h): each block is one page, a
 * header {next phys, count} and count packed entries. Walked with the kernel's
 * own bound on blocks, a check of every count, and a visited set against loops.
 */
#include "decode/kho_block.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"

int kt_block_walk(struct kt_physmem *pm, uint64_t head, size_t esize, int (*fn)(void *ctx, const void *entry),
		  void *ctx, struct kt_u64set *seen, char *err, size_t errlen)
{
	size_t per_block = (KT_PAGE_SIZE - sizeof(struct kho_block_header_ser)) / esize;
	uint8_t *page = kt_calloc(1, KT_PAGE_SIZE);
	struct kt_u64set own = {0};
	size_t nblocks = 0, i;
	uint64_t pa = head;
	int ret = 0;

	if (!seen)
		seen = &own;
	while (pa && !ret) {
		struct kho_block_header_ser h;

		if (pa & (KT_PAGE_SIZE - 1)) {
			snprintf(err, errlen, "block 0x%llx is not page aligned", (unsigned long long)pa);
			ret = -EINVAL;
			break;
		}
		if (nblocks == KT_KHO_MAX_BLOCKS) {
			snprintf(err, errlen, "more than %d blocks (the kernel's limit)", KT_KHO_MAX_BLOCKS);
			ret = -E2BIG;
			break;
		}
		if (!kt_u64set_add(seen, pa)) {
			snprintf(err, errlen,
				 "block chain loops back to 0x%llx (or shares it with another chain)",
				 (unsigned long long)pa);
			ret = -ELOOP;
			break;
		}
		nblocks++;
		ret = kt_physmem_read(pm, pa, page, KT_PAGE_SIZE);
		if (ret) {
			snprintf(err, errlen, "block 0x%llx: %s", (unsigned long long)pa,
				 ret == -EFAULT ? "not in readable memory" : strerror(-ret));
			break;
		}
		memcpy(&h, page, sizeof(h));
		if (!h.count || h.count > per_block) {
			snprintf(err, errlen, "block 0x%llx claims %llu entries (at most %zu fit)",
				 (unsigned long long)pa, (unsigned long long)h.count, per_block);
			ret = -EBADMSG;
			break;
		}
		for (i = 0; i < h.count && !ret; i++)
			ret = fn(ctx, page + sizeof(h) + i * esize);
		if (ret)
			snprintf(err, errlen, "block 0x%llx: entry %zu: %s", (unsigned long long)pa, i - 1,
				 strerror(-ret));
		pa = h.next;
	}
	kt_u64set_free(&own);
	free(page);
	return ret;
}
