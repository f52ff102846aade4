// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO: the raw luo_ser (luo-v5) as outgoing and as incoming blob (where a stale
 * copy is reported differently), and the older luo-v1 FDT. The header's typed
 * model (kt_luo_hdr_parse), which facts and the LUO gatherer trust before they
 * follow its addresses, is checked in both directions too.
 */
#include "decode/luo_hdr.h"
#include "fuzz.h"

static void check_hdr(const uint8_t *data, size_t size, enum kt_dirn d)
{
	uint8_t *copy = fuzz_dup(data, size);
	struct kt_blob b = {LUO_SUBTREE_NAME, "sub_fdts/LUO", copy, size};
	struct kt_luo_hdr h;

	kt_luo_hdr_parse(&b, d, &h);
	free(copy);
	FUZZ_CHECK(h.fmt > KT_LUO_ABSENT && h.fmt <= KT_LUO_MALFORMED);
	FUZZ_CHECK(h.len == size);
	FUZZ_CHECK(strnlen(h.compat, sizeof(h.compat)) < sizeof(h.compat));
	switch (h.fmt) {
	case KT_LUO_STALE:
	case KT_LUO_MALFORMED:
		FUZZ_CHECK(h.why && h.why[0]);
		break;
	case KT_LUO_UNSUPPORTED:
		FUZZ_CHECK(!strncmp(h.compat, "luo-v", 5) && strcmp(h.compat, LUO_V5_COMPATIBLE));
		break;
	case KT_LUO_V5:
		/* The gatherer walks these: page addresses within 52 bits, or 0 (not serialized yet). */
		FUZZ_CHECK(!strcmp(h.compat, LUO_V5_COMPATIBLE) && size >= sizeof(struct luo_ser));
		FUZZ_CHECK(!(h.sessions_pa % KT_PAGE_SIZE) && h.sessions_pa < 1ULL << 52);
		FUZZ_CHECK(!(h.flbs_pa % KT_PAGE_SIZE) && h.flbs_pa < 1ULL << 52);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(&kt_dec_luo_v5, "LUO", data, size, KT_OUT);
	fuzz_decode(&kt_dec_luo_v5, "LUO", data, size, KT_IN);
	fuzz_decode(&kt_dec_luo_v1, "LUO", data, size, KT_IN);
	check_hdr(data, size, KT_OUT);
	check_hdr(data, size, KT_IN);
	return 0;
}
