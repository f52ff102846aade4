// SPDX-License-Identifier: GPL-2.0-only
/* memblock's sub-FDT (memblock-v1 with reserve-mem-v1 children). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(kt_decode_memblock, "memblock", data, size, KT_OUT);
	return 0;
}
