// SPDX-License-Identifier: GPL-2.0-only
/* Blobs no decoder claims: shown as bytes. */
#include "decode/raw.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(&kt_dec_raw, "blob", data, size, KT_OUT);
	return 0;
}
