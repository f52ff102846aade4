// SPDX-License-Identifier: GPL-2.0-only
/*
 * memblock's sub-FDT (include/linux/kho/abi/memblock.h): compatible "memblock-v1",
 * one "reserve-mem-v1" child per reserve_mem= region with native u64 start and size.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "decode/decoders.h"

enum { P_COMPAT, P_START, P_SIZE };
static const struct kt_prop_schema schema[] = {
	[P_COMPAT] = { "compatible", KT_P_STR },
	[P_START] = { "start", KT_P_ADDR },
	[P_SIZE] = { "size", KT_P_SIZE },
	{ NULL, KT_P_AUTO },
};

static const char *region_format(const void *fdt, int node, void *arg)
{
	const char *compat = kt_fdt_str(fdt, node, "compatible");

	(void)arg;
	return compat && !strcmp(compat, RESERVE_MEM_COMPATIBLE) ? RESERVE_MEM_COMPATIBLE : NULL;
}

static void region_check(const void *fdt, int node, uint64_t good, struct kt_sink *s, void *arg)
{
	const uint64_t both = 1u << P_START | 1u << P_SIZE;

	if (!region_format(fdt, node, arg))
		kt_note(s, KT_NOTE_WARNING, "not a %s node", RESERVE_MEM_COMPATIBLE);
	else if ((good & both) != both)
		kt_note(s, KT_NOTE_ERROR, "region without a valid u64 start and size");
}

void kt_decode_memblock(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	static const struct kt_fdt_hooks regions = { region_format, region_check, NULL };
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);

	if (!fdt)
		return;
	kt_fdt_emit_props(fdt, 0, schema, s, c);
	kt_fdt_emit_tree(fdt, schema, &regions, s, c);
	free(owned);
}
