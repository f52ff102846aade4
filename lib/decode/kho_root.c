// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO root FDT (include/linux/kho/abi/kexec_handover.h).
 * kho-v4 (7.x): "preserved-memory-map" is the radix tree root; each sub-node names
 * a sub-blob by "preserved-data" (phys) and "blob-size".
 * kho-v1 (6.16-6.19): sub-nodes carry "fdt" (phys of a sub-FDT).
 */
#include <libfdt.h>
#include <stdlib.h>

#include "base/abi.h"
#include "decode/decoders.h"

static const struct kt_prop_schema v4_schema[] = {
	{ "compatible", KT_P_STR },
	{ KHO_PROP_MEM_MAP, KT_P_ADDR },
	{ KHO_PROP_SUB_DATA, KT_P_ADDR },
	{ KHO_PROP_SUB_SIZE, KT_P_SIZE },
	{ NULL, KT_P_AUTO },
};

static const struct kt_prop_schema v1_schema[] = {
	{ "compatible", KT_P_STR },
	{ KHO_PROP_MEM_MAP, KT_P_ADDR },
	{ KHO_V1_PROP_SUB_FDT, KT_P_ADDR },
	{ NULL, KT_P_AUTO },
};

const struct kt_prop_schema kt_kho_root_names[] = {
	{ "compatible", KT_P_STR },	       { KHO_PROP_MEM_MAP, KT_P_ADDR }, { KHO_PROP_SUB_DATA, KT_P_ADDR },
	{ KHO_PROP_SUB_SIZE, KT_P_SIZE }, { KHO_V1_PROP_SUB_FDT, KT_P_ADDR }, { NULL, KT_P_AUTO },
};

static bool need_u64(const void *fdt, int node, const char *prop, uint64_t *v, bool cut, struct kt_sink *s)
{
	if (kt_fdt_u64(fdt, node, prop, v))
		return true;
	if (cut)
		kt_note(s, KT_NOTE_INFO, "'%s' lies past the truncation", prop);
	else
		kt_note(s, KT_NOTE_ERROR, "no valid '%s' property", prop);
	return false;
}

struct sub_ctx {
	bool v4, cut;
	const struct kt_dctx *c;
};

/* Each sub-node names a sub-blob: its pointer (and on v4 its size) must be there and agree. */
static void check_sub(const void *fdt, int node, uint64_t good, struct kt_sink *s, void *arg)
{
	const struct sub_ctx *x = arg;
	const struct kt_dctx *c = x->c;
	const char *name = fdt_get_name(fdt, node, NULL);
	const struct kt_blob *sub = c && c->snap && name ? kt_snapshot_sub(c->snap, c->dirn, name) : NULL;
	bool v4 = x->v4, cut = x->cut;
	uint64_t addr, size;

	(void)good;
	if (!need_u64(fdt, node, v4 ? KHO_PROP_SUB_DATA : KHO_V1_PROP_SUB_FDT, &addr, cut, s) || !v4 ||
	    !need_u64(fdt, node, KHO_PROP_SUB_SIZE, &size, cut, s))
		return;
	if (sub && sub->len != size)
		kt_note(s, KT_NOTE_WARNING, "blob-size is %llu but sub_fdts/%s holds %zu bytes",
			(unsigned long long)size, name, sub->len);
}

static void decode_root(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c, bool v4)
{
	const struct kt_prop_schema *schema = v4 ? v4_schema : v1_schema;
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, kt_kho_root_names);
	struct sub_ctx sub = { .v4 = v4, .c = c };
	const struct kt_fdt_hooks hooks = { NULL, check_sub, &sub };
	uint64_t map;

	if (!fdt)
		return;
	sub.cut = fdt_totalsize(fdt) > b->len;
	kt_fdt_emit_props(fdt, 0, schema, s, c);
	need_u64(fdt, 0, KHO_PROP_MEM_MAP, &map, sub.cut, s);
	kt_fdt_emit_tree(fdt, schema, &hooks, s, c);
	free(owned);
}

void kt_decode_kho_v4(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	decode_root(b, s, c, true);
}

void kt_decode_kho_v1(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	decode_root(b, s, c, false);
}
