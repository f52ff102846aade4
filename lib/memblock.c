// SPDX-License-Identifier: GPL-2.0-only
/*
 * memblock's sub-FDT (include/linux/kho/abi/memblock.h): compatible "memblock-v1",
 * one "reserve-mem-v1" child per reserve_mem= region with native u64 start and size.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "decoders.h"

enum { P_COMPAT, P_START, P_SIZE };
static const struct kt_prop_schema schema[] = {
	[P_COMPAT] = { "compatible", KT_P_STR },
	[P_START] = { "start", KT_P_ADDR },
	[P_SIZE] = { "size", KT_P_SIZE },
	{ NULL, KT_P_AUTO },
};

void kt_decode_memblock(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);
	int node;

	if (!fdt)
		return;
	kt_fdt_emit_props(fdt, 0, schema, s, c);
	fdt_for_each_subnode(node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		const char *compat = kt_fdt_str(fdt, node, "compatible");
		bool region = compat && !strcmp(compat, RESERVE_MEM_COMPATIBLE);
		uint64_t good;

		kt_node_begin(s, name && name[0] ? name : "?", region ? RESERVE_MEM_COMPATIBLE : NULL, NULL);
		good = kt_fdt_emit_props(fdt, node, schema, s, c);
		if (!region)
			kt_note(s, KT_NOTE_WARNING, "not a %s node", RESERVE_MEM_COMPATIBLE);
		else if ((good & (1u << P_START | 1u << P_SIZE)) != (1u << P_START | 1u << P_SIZE))
			kt_note(s, KT_NOTE_ERROR, "region without a valid u64 start and size");
		kt_fdt_emit_tree(fdt, node, schema, s, c, 1);
		kt_node_end(s);
	}
	free(owned);
}
