// SPDX-License-Identifier: GPL-2.0-only
#include "decode/decoders.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/fdt.h"
#include "decode/fdt_generic.h"
#include "decode/kexec_meta.h"
#include "decode/kho_root.h"
#include "decode/kho_test.h"
#include "decode/luo_hdr.h"
#include "decode/memblock.h"
#include "decode/raw.h"

static const struct kt_decoder *const decoders[] = {
    &kt_dec_kho_v4, &kt_dec_kho_v1, &kt_dec_memblock,	&kt_dec_kho_test,
    &kt_dec_luo_v1, &kt_dec_luo_v5, &kt_dec_kexec_meta,
};

const struct kt_decoder *kt_decoder_for(const struct kt_blob *b)
{
	size_t i;

	if (kt_fdt_is(b)) {
		void *owned = NULL;
		/*
		 * Only the root FDT is ever seen truncated (debugfs keeps its first size).
		 * A whole blob is fully checked once, by its decoder: the header will do here.
		 */
		const void *fdt =
		    kt_fdt_header_ok(b)
			? b->data
			: kt_fdt_usable(b, &owned, strcmp(b->name, "fdt") ? NULL : kt_kho_root_names, NULL);
		const struct kt_decoder *d = &kt_dec_fdt_generic;

		for (i = 0; fdt && i < KT_ARRAY_SIZE(decoders); i++)
			if (decoders[i]->fdt_compat && kt_fdt_compat_is(fdt, 0, decoders[i]->fdt_compat)) {
				d = decoders[i];
				break;
			}
		free(owned);
		return d;
	}
	for (i = 0; i < KT_ARRAY_SIZE(decoders); i++)
		if (decoders[i]->blob_name && !strcmp(b->name, decoders[i]->blob_name))
			return decoders[i];
	return &kt_dec_raw;
}

void kt_decode_blob(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	const struct kt_decoder *d = kt_decoder_for(b);
	uint64_t size = b->len;

	kt_node_begin(s, b->name, d->format, &size);
	d->decode(b, s, c);
	kt_node_end(s);
}
