// SPDX-License-Identifier: GPL-2.0-only
#include "decode/kho_root.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"

static const struct kt_prop_schema v4_schema[] = {
    {"compatible", KT_P_STR},
    {KHO_PROP_MEM_MAP, KT_P_ADDR},
    {KHO_PROP_SUB_DATA, KT_P_ADDR},
    {KHO_PROP_SUB_SIZE, KT_P_SIZE},
    {NULL, KT_P_AUTO},
};

static const struct kt_prop_schema v1_schema[] = {
    {"compatible", KT_P_STR},
    {KHO_PROP_MEM_MAP, KT_P_ADDR},
    {KHO_V1_PROP_SUB_FDT, KT_P_ADDR},
    {NULL, KT_P_AUTO},
};

const struct kt_prop_schema kt_kho_root_names[] = {
    {"compatible", KT_P_STR},	    {KHO_PROP_MEM_MAP, KT_P_ADDR},    {KHO_PROP_SUB_DATA, KT_P_ADDR},
    {KHO_PROP_SUB_SIZE, KT_P_SIZE}, {KHO_V1_PROP_SUB_FDT, KT_P_ADDR}, {NULL, KT_P_AUTO},
};

int kt_kho_root_parse(const struct kt_blob *b, struct kt_kho_root *r, char *why, size_t whylen)
{
	void *owned = NULL;
	const void *fdt = kt_fdt_usable(b, &owned, kt_kho_root_names, NULL);
	const char *compat;
	size_t cap = 0;
	int node;

	memset(r, 0, sizeof(*r));
	if (!fdt)
		return kt_fail(why, whylen, -EINVAL, "%s: malformed FDT", b->path);
	r->have = b->len;
	r->total = fdt_totalsize(fdt);
	compat = kt_fdt_str(fdt, 0, "compatible");
	r->compat = compat ? kt_strdup(compat) : NULL;
	r->version = !compat				  ? 0
		     : !strcmp(compat, KHO_V4_COMPATIBLE) ? 4
		     : !strcmp(compat, KHO_V1_COMPATIBLE) ? 1
							  : 0;
	r->has_mem_map = kt_fdt_u64(fdt, 0, KHO_PROP_MEM_MAP, &r->mem_map);
	fdt_for_each_subnode (node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		struct kt_kho_sub *sub;

		if (!name || !name[0])
			break;
		KT_GROW(r->subs, cap, r->nr_subs + 1);
		sub = &r->subs[r->nr_subs++];
		sub->name = kt_strdup(name);
		sub->has_data = kt_fdt_u64(
		    fdt, node, r->version == 1 ? KHO_V1_PROP_SUB_FDT : KHO_PROP_SUB_DATA, &sub->data);
		sub->has_size = r->version != 1 && kt_fdt_u64(fdt, node, KHO_PROP_SUB_SIZE, &sub->size);
	}
	free(owned);
	return 0;
}

void kt_kho_root_free(struct kt_kho_root *r)
{
	size_t i;

	for (i = 0; i < r->nr_subs; i++)
		free(r->subs[i].name);
	free(r->subs);
	free(r->compat);
	memset(r, 0, sizeof(*r));
}

struct walk {
	bool v4, cut;
	const struct kt_dctx *c;
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

static void check_root(const void *fdt, uint64_t good, struct kt_sink *s, void *arg)
{
	const struct walk *w = arg;
	uint64_t map;

	(void)good;
	need_u64(fdt, 0, KHO_PROP_MEM_MAP, &map, w->cut, s);
}

/* Each sub-node names a sub-blob: its pointer (and on v4 its size) must be there and agree. */
static void check_sub(const void *fdt, int node, const char *compat, uint64_t good, struct kt_sink *s,
		      void *arg)
{
	const struct walk *w = arg;
	const struct kt_dctx *c = w->c;
	const char *name = fdt_get_name(fdt, node, NULL);
	const struct kt_blob *sub = c && c->snap && name ? kt_snapshot_sub(c->snap, c->dirn, name) : NULL;
	uint64_t addr, size;

	(void)compat, (void)good;
	if (!need_u64(fdt, node, w->v4 ? KHO_PROP_SUB_DATA : KHO_V1_PROP_SUB_FDT, &addr, w->cut, s) ||
	    !w->v4 || !need_u64(fdt, node, KHO_PROP_SUB_SIZE, &size, w->cut, s))
		return;
	if (sub && sub->len != size)
		kt_note(s, KT_NOTE_WARNING, "blob-size is %llu but sub_fdts/%s holds %zu bytes",
			(unsigned long long)size, name, sub->len);
}

static void decode_root(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c, bool v4)
{
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, kt_kho_root_names);
	struct walk w = {.v4 = v4, .c = c};
	const struct kt_fdt_hooks hooks = {check_root, NULL, check_sub, &w};

	if (!fdt)
		return;
	w.cut = fdt_totalsize(fdt) > b->len;
	kt_fdt_emit(fdt, v4 ? v4_schema : v1_schema, &hooks, s, c);
	free(owned);
}

static void decode_v4(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	decode_root(b, s, c, true);
}

static void decode_v1(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	decode_root(b, s, c, false);
}

const struct kt_decoder kt_dec_kho_v4 = {"kho-v4", KHO_V4_COMPATIBLE, NULL, decode_v4};
const struct kt_decoder kt_dec_kho_v1 = {"kho-v1", KHO_V1_COMPATIBLE, NULL, decode_v1};
