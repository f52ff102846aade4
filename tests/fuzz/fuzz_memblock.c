// SPDX-License-Identifier: GPL-2.0-only
/*
 * memblock's sub-FDT (memblock-v1 with reserve-mem-v1 children): the decoder, and
 * the typed model (kt_memblock_regions, which the manifest and verify read) that
 * must refuse as a whole or stream named regions.
 */
#include <errno.h>

#include "decode/memblock.h"
#include "fuzz.h"

struct regions {
	size_t n;
};

static void on_region(void *ctx, const char *name, uint64_t start, uint64_t size)
{
	struct regions *r = ctx;

	(void)start, (void)size;
	/* Names go into manifests and messages as C strings. */
	FUZZ_CHECK(name && strlen(name) < 4096);
	r->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct regions r = {0};
	uint8_t *copy = fuzz_dup(data, size);
	struct kt_blob b = {"memblock", "in/sub_fdts/memblock", copy, size};
	int ret;

	fuzz_decode(&kt_dec_memblock, "memblock", data, size, KT_OUT);
	ret = kt_memblock_regions(&b, on_region, &r);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	/* A refused blob streams nothing: the caller reads "malformed", not half a list. */
	FUZZ_CHECK(!ret || !r.n);
	free(copy);
	return 0;
}
