/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LUO's File-Lifecycle-Bound objects in the running kernel (kernel/liveupdate/luo_flb.c):
 * every FLB registered (luo_flb_global.list) with the file handlers it is registered
 * with (luo_file_handler_list, each handler's flb_list), its outgoing and incoming
 * state, and where the serialized FLB pages are: the outgoing one, written at the kexec
 * reboot, and the incoming one the previous kernel wrote, which this kernel keeps for
 * its whole uptime. Layouts from the kernel's BTF, bytes through kcore.
 */
#ifndef KT_LUO_KERNEL_FLB_H
#define KT_LUO_KERNEL_FLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/luo_rec.h"
#include "source/physmem.h"

struct kt_luo_flb_pages {
	uint64_t out_pa; /* the outgoing luo_flb_header_ser (count 0 until the reboot), 0: none */
	uint64_t in_pa;	 /* the incoming one, 0 when nothing was handed over */
};

/* Every registered FLB: fn(ctx, record). -errno with err when the kernel's FLBs cannot be read. */
int kt_luo_kernel_flbs(struct kt_physmem *pm, void (*fn)(void *ctx, const struct kt_luo_flb_rec *r),
		       void *ctx, struct kt_luo_flb_pages *pages, char *err, size_t errlen);

#endif
