/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LUO's live session lists, read from the running kernel: the address of
 * luo_session_global from /proc/kallsyms, every struct layout from the kernel's
 * own BTF (offsets differ between builds and are never hard-coded), the bytes
 * through kcore. Chosen over a BPF iterator because it needs no program load,
 * works where BPF is refused, and reads exactly the lists LUO itself walks.
 */
#ifndef KT_LUO_KERNEL_H
#define KT_LUO_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/luo_rec.h"
#include "source/physmem.h"

/* The incoming half when its list is empty: what the kernel still keeps of the handover. */
struct kt_luo_kernel_incoming {
	bool listed;	  /* the incoming list held sessions */
	bool known;	  /* active and head_pa were read */
	bool active;	  /* a previous kernel handed sessions over */
	uint64_t head_pa; /* their serialized chain, until the first open of /dev/liveupdate */
};

/*
 * Every outgoing session, then every incoming one (incoming or retrieved), with their
 * files. -errno with err when the lists cannot be read (no BTF, no kallsyms address,
 * a list that runs away).
 */
int kt_luo_kernel_walk(struct kt_physmem *pm, const struct kt_luo_rec_ops *ops, void *ctx,
		       struct kt_luo_kernel_incoming *in, char *err, size_t errlen);

#endif
