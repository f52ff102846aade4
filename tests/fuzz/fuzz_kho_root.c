// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO root FDT, both layouts, named "fdt" so that a cut-short blob takes the
 * salvage path that rebuilds property names lost past the cut.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(kt_decode_kho_v4, "fdt", data, size, KT_OUT);
	fuzz_decode(kt_decode_kho_v1, "fdt", data, size, KT_IN);
	/* As kho-inspect picks the decoder for out/fdt (kt_decoder_for salvages too). */
	fuzz_decode(NULL, "fdt", data, size, KT_OUT);
	return 0;
}
