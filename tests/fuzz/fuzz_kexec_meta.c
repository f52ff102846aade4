// SPDX-License-Identifier: GPL-2.0-only
/* kexec-metadata: packed version, previous release, kexec count. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(kt_decode_kexec_meta, "kexec-metadata", data, size, KT_IN);
	return 0;
}
