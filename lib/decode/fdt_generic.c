// SPDX-License-Identifier: GPL-2.0-only
/* Any FDT no format claims: every node, properties typed by guess. */
#include "decode/fdt_generic.h"

#include <stdlib.h>

#include "decode/fdt.h"

static void decode(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);

	if (fdt)
		kt_fdt_emit(fdt, NULL, NULL, s, c);
	free(owned);
}

const struct kt_decoder kt_dec_fdt_generic = {"fdt", NULL, NULL, decode};
