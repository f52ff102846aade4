/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LUO's serialized FLBs (include/linux/kho/abi/luo.h): flbs_pa → luo_flb_header_ser
 * {pgcnt, count} followed by count luo_flb_ser {name, data, count}: each File-
 * Lifecycle-Bound object handed over, its handle and how many files depend on it.
 */
#ifndef KT_LUO_FLB_H
#define KT_LUO_FLB_H

#include <stddef.h>
#include <stdint.h>

#include "source/physmem.h"

/* Pages of FLB entries at most (kernel/liveupdate/luo_flb.c). */
#define KT_LUO_FLB_MAX_PAGES 16

/* Every FLB of the header at flbs_pa: fn(ctx, name, data, count). -errno with err when malformed. */
int kt_luo_flb_walk(struct kt_physmem *pm, uint64_t flbs_pa,
		    void (*fn)(void *ctx, const char *name, uint64_t data, uint64_t count), void *ctx,
		    char *err, size_t errlen);

#endif
