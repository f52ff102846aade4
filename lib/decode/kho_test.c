// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO test module's sub-FDT (lib/test_kho.c): compatible "kho-test-v1", u32 magic
 * "KHO!", node "data" with nr_folios, folios_info (a struct kho_vmalloc) and csum.
 */
#include "decode/kho_test.h"

#include <libfdt.h>
#include <stdlib.h>

#include "base/abi.h"
#include "base/util.h"
#include "decode/fdt.h"

static const struct kt_prop_schema schema[] = {
    {"compatible", KT_P_STR},	       {"magic", KT_P_U32}, {"nr_folios", KT_P_AUTO},
    {"folios_info", KT_P_KHO_VMALLOC}, {"csum", KT_P_U32},  {NULL, KT_P_AUTO},
};

static void check_magic(const void *fdt, uint64_t good, struct kt_sink *s, void *arg)
{
	const void *magic;
	int len;

	(void)good, (void)arg;
	magic = fdt_getprop(fdt, 0, "magic", &len);
	if (!magic || len != 4 || kt_le32(magic) != KHO_TEST_MAGIC)
		kt_note(s, KT_NOTE_ERROR, "magic is not 0x%08x (\"KHO!\")", KHO_TEST_MAGIC);
}

static void decode(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	static const struct kt_fdt_hooks hooks = {check_magic, NULL, NULL, NULL};
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);

	if (!fdt)
		return;
	kt_fdt_emit(fdt, schema, &hooks, s, c);
	free(owned);
}

const struct kt_decoder kt_dec_kho_test = {"kho-test-v1", KHO_TEST_COMPATIBLE, NULL, decode};
