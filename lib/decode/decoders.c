// SPDX-License-Identifier: GPL-2.0-only
/* The one table of decoders. A new format is one file and one line here. */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "decode/decoders.h"
#include "base/util.h"

static const struct kt_decoder decoders[] = {
	{ "kho-v4", KHO_V4_COMPATIBLE, NULL, kt_decode_kho_v4 },
	{ "kho-v1", KHO_V1_COMPATIBLE, NULL, kt_decode_kho_v1 },
	{ "memblock-v1", MEMBLOCK_COMPATIBLE, NULL, kt_decode_memblock },
	{ "kho-test-v1", KHO_TEST_COMPATIBLE, NULL, kt_decode_kho_test },
	{ "luo-v1", "luo-v1", NULL, kt_decode_luo_v1 },
	{ "luo-v5", NULL, LUO_SUBTREE_NAME, kt_decode_luo_v5 },
	{ "kexec-metadata", NULL, KEXEC_METADATA_NAME, kt_decode_kexec_meta },
};

static const struct kt_decoder fdt_generic = { "fdt", NULL, NULL, kt_decode_fdt_generic };
static const struct kt_decoder raw = { "raw", NULL, NULL, kt_decode_raw };

const struct kt_decoder *kt_decoder_for(const struct kt_blob *b)
{
	size_t i;

	if (kt_fdt_is(b)) {
		void *owned = NULL;
		/*
		 * Only the root FDT is ever seen truncated (debugfs keeps its first size).
		 * A whole blob is fully checked once, by its decoder: the header will do here.
		 */
		const void *fdt = kt_fdt_header_ok(b) ? b->data :
				  kt_fdt_usable(b, &owned, strcmp(b->name, "fdt") ? NULL : kt_kho_root_names, NULL);
		const char *compat = NULL;
		int len = 0;

		if (fdt)
			compat = fdt_getprop(fdt, 0, "compatible", &len);
		for (i = 0; compat && i < KT_ARRAY_SIZE(decoders); i++)
			if (decoders[i].fdt_compat && len > 0 &&
			    !strncmp(compat, decoders[i].fdt_compat, len) &&
			    strlen(decoders[i].fdt_compat) + 1 == (size_t)len) {
				free(owned);
				return &decoders[i];
			}
		free(owned);
		return &fdt_generic;
	}
	for (i = 0; i < KT_ARRAY_SIZE(decoders); i++)
		if (decoders[i].blob_name && !strcmp(b->name, decoders[i].blob_name))
			return &decoders[i];
	return &raw;
}

void kt_decode_blob(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	const struct kt_decoder *d = kt_decoder_for(b);
	uint64_t size = b->len;

	kt_node_begin(s, b->name, d->format, &size);
	d->decode(b, s, c);
	kt_node_end(s);
}
