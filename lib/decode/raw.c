// SPDX-License-Identifier: GPL-2.0-only
/* Any blob no decoder claims: its size and bytes. */
#include "decode/raw.h"

#define RAW_SHOWN (64UL << 10)

static void decode(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	(void)c;
	kt_field_bytes(s, "data", b->data, b->len < RAW_SHOWN ? b->len : RAW_SHOWN);
	if (b->len > RAW_SHOWN)
		kt_note(s, KT_NOTE_INFO, "first %lu KiB of %zu bytes shown", RAW_SHOWN >> 10, b->len);
}

const struct kt_decoder kt_dec_raw = {"raw", NULL, NULL, decode};
