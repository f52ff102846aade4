/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LUO's serialized sessions and FLBs (include/linux/kho/abi/luo.h) behind the
 * physical pointers of a luo_ser: sessions_pa → block chain of luo_session_ser
 * {name, files, count}; files → block chain of luo_file_ser {compatible, data,
 * token}; flbs_pa → luo_flb_header_ser {pgcnt, count} + count luo_flb_ser.
 */
#ifndef KT_LUO_CHAIN_H
#define KT_LUO_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "decode/luo_rec.h"
#include "source/physmem.h"

/*
 * Every session of the chain at sessions_pa (state KT_SESS_SERIALIZED) and its files.
 * A malformed chain (freed memory once the kernel deserialized it) is -errno with
 * err; the sessions handed over before are then not sessions.
 */
int kt_luo_chain_walk(struct kt_physmem *pm, uint64_t sessions_pa, const struct kt_luo_rec_ops *ops,
		      void *ctx, char *err, size_t errlen);

#endif
