// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO test module's sub-FDT (lib/test_kho.c): compatible "kho-test-v1", u32 magic
 * "KHO!", node "data" with nr_folios, folios_info (a struct kho_vmalloc) and csum.
 */
#include <libfdt.h>
#include <stdlib.h>

#include "base/abi.h"
#include "decode/decoders.h"
#include "base/util.h"

static const struct kt_prop_schema schema[] = {
	{ "compatible", KT_P_STR },
	{ "magic", KT_P_U32 },
	{ "nr_folios", KT_P_AUTO },
	{ "folios_info", KT_P_KHO_VMALLOC },
	{ "csum", KT_P_U32 },
	{ NULL, KT_P_AUTO },
};

void kt_decode_kho_test(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);
	const void *magic;
	int len;

	if (!fdt)
		return;
	kt_fdt_emit_props(fdt, 0, schema, s, c);
	magic = fdt_getprop(fdt, 0, "magic", &len);
	if (!magic || len != 4 || kt_le32(magic) != KHO_TEST_MAGIC)
		kt_note(s, KT_NOTE_ERROR, "magic is not 0x%08x (\"KHO!\")", KHO_TEST_MAGIC);
	kt_fdt_emit_tree(fdt, schema, NULL, s, c);
	free(owned);
}
