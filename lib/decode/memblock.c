// SPDX-License-Identifier: GPL-2.0-only
#include "decode/memblock.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "decode/fdt.h"

enum { P_COMPAT, P_START, P_SIZE };
static const struct kt_prop_schema schema[] = {
    [P_COMPAT] = {"compatible", KT_P_STR},
    [P_START] = {"start", KT_P_ADDR},
    [P_SIZE] = {"size", KT_P_SIZE},
    {NULL, KT_P_AUTO},
};

int kt_memblock_regions(const struct kt_blob *b,
			void (*fn)(void *ctx, const char *name, uint64_t start, uint64_t size), void *ctx)
{
	void *owned = NULL;
	const void *fdt = kt_fdt_is(b) ? kt_fdt_usable(b, &owned, NULL, NULL) : NULL;
	int node;

	if (!fdt || !kt_fdt_compat_is(fdt, 0, MEMBLOCK_COMPATIBLE)) {
		free(owned);
		return -EBADMSG;
	}
	fdt_for_each_subnode (node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		uint64_t start, size;

		if (name && kt_fdt_compat_is(fdt, node, RESERVE_MEM_COMPATIBLE) &&
		    kt_fdt_u64(fdt, node, "start", &start) && kt_fdt_u64(fdt, node, "size", &size))
			fn(ctx, name, start, size);
	}
	free(owned);
	return 0;
}

static const char *region_format(const char *compat, void *arg)
{
	(void)arg;
	return compat && !strcmp(compat, RESERVE_MEM_COMPATIBLE) ? RESERVE_MEM_COMPATIBLE : NULL;
}

static void region_check(const void *fdt, int node, const char *compat, uint64_t good, struct kt_sink *s,
			 void *arg)
{
	const uint64_t both = 1u << P_START | 1u << P_SIZE;

	(void)fdt, (void)node;
	if (!region_format(compat, arg))
		kt_note(s, KT_NOTE_WARNING, "not a %s node", RESERVE_MEM_COMPATIBLE);
	else if ((good & both) != both)
		kt_note(s, KT_NOTE_ERROR, "region without a valid u64 start and size");
}

static void decode(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	static const struct kt_fdt_hooks regions = {NULL, region_format, region_check, NULL};
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);

	if (!fdt)
		return;
	kt_fdt_emit(fdt, schema, &regions, s, c);
	free(owned);
}

const struct kt_decoder kt_dec_memblock = {"memblock-v1", MEMBLOCK_COMPATIBLE, NULL, decode};
