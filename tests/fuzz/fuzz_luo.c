// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO: the raw luo_ser (luo-v5) as outgoing and as incoming blob (where a stale
 * copy is reported differently), and the older luo-v1 FDT.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(kt_decode_luo_v5, "LUO", data, size, KT_OUT);
	fuzz_decode(kt_decode_luo_v5, "LUO", data, size, KT_IN);
	fuzz_decode(kt_decode_luo_v1, "LUO", data, size, KT_IN);
	return 0;
}
