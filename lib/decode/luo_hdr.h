/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LUO's sub-blob (include/linux/kho/abi/luo.h).
 * luo-v5 (7.3): a packed struct luo_ser, not an FDT. After boot the incoming copy
 * in debugfs can hold freed memory (LUO reads and frees it early), so it is
 * validated before anything in it is used.
 * luo-v1 (6.19): an FDT with liveupdate-number and a luo-session node.
 */
#ifndef KT_LUO_HDR_H
#define KT_LUO_HDR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/abi.h"
#include "decode/decoder.h"

enum kt_luo_fmt {
	KT_LUO_ABSENT,	    /* no LUO sub-blob */
	KT_LUO_V5,	    /* a valid luo_ser */
	KT_LUO_V1,	    /* a valid luo-v1 FDT */
	KT_LUO_UNSUPPORTED, /* a LUO compatible this tool does not read (compat says which) */
	KT_LUO_STALE,	    /* not a LUO header at all: freed memory, or too short (why says which) */
	KT_LUO_MALFORMED,   /* an outgoing header too short to be one */
};

struct kt_luo_hdr {
	enum kt_luo_fmt fmt;
	char compat[LUO_COMPAT_LEN + 1];
	uint64_t liveupdate_num; /* v5, v1 */
	uint64_t sessions_pa;	 /* v5: 0 until the kexec reboot serializes them */
	uint64_t flbs_pa;	 /* v5 */
	size_t len;		 /* the blob's size */
	const char *why;	 /* STALE, MALFORMED: a static reason */
};

/* Read the LUO sub-blob of direction d (b may be NULL: absent). */
void kt_luo_hdr_parse(const struct kt_blob *b, enum kt_dirn d, struct kt_luo_hdr *h);

extern const struct kt_decoder kt_dec_luo_v5, kt_dec_luo_v1;

#endif
