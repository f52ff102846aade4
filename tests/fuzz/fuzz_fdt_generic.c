// SPDX-License-Identifier: GPL-2.0-only
/* Any FDT: validation, salvage and the generic walker with guessed property types. */
#include "decode/fdt_generic.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(&kt_dec_fdt_generic, "blob", data, size, KT_OUT);
	return 0;
}
