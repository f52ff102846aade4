// SPDX-License-Identifier: GPL-2.0-only
/* The KHO test module's sub-FDT (kho-test-v1). */
#include "decode/kho_test.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(&kt_dec_kho_test, "kho_test", data, size, KT_OUT);
	return 0;
}
