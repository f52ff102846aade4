// SPDX-License-Identifier: GPL-2.0-only
/*
 * The whole decode as kho-inspect runs it: kt_decoder_for picks by FDT compatible
 * or blob name. Input: one byte n, n bytes of blob name (a file name: no NUL, no
 * '/'), then the blob.
 */
#include "fuzz.h"

#define MAX_NAME 31

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[MAX_NAME + 1];
	size_t n, i;

	if (!size)
		return 0;
	n = data[0] % (MAX_NAME + 1);
	if (n >= size)
		return 0;
	for (i = 0; i < n; i++)
		name[i] = data[1 + i] && data[1 + i] != '/' ? data[1 + i] : '_';
	name[n] = '\0';
	fuzz_decode(NULL, name, data + 1 + n, size - 1 - n, data[0] & 0x80 ? KT_IN : KT_OUT);
	return 0;
}
