// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO root FDT, both layouts, named "fdt" so that a cut-short blob takes the
 * salvage path that rebuilds property names lost past the cut. The root's typed
 * model (kt_kho_root_parse: the tree root and sub-blob table the memory walk and
 * the views read) goes through the same salvage and must hold together.
 */
#include <errno.h>

#include "decode/kho_root.h"
#include "fuzz.h"

static void check_model(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_dup(data, size);
	struct kt_blob b = {"fdt", "out/fdt", copy, size};
	struct kt_kho_root r;
	char why[256] = "";
	size_t i;
	int ret = kt_kho_root_parse(&b, &r, why, sizeof(why));

	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && why[0]);
		FUZZ_CHECK(!r.nr_subs && !r.subs && !r.compat);
		free(copy);
		return;
	}
	FUZZ_CHECK(r.have == size);
	/* Salvaged only up to the blob bound: the padded copy is that large. */
	FUZZ_CHECK(r.total <= size || r.total <= KT_MAX_BLOB_SIZE);
	FUZZ_CHECK(r.version == 0 || r.version == 1 || r.version == 4);
	FUZZ_CHECK((r.version == 4) == (r.compat && !strcmp(r.compat, KHO_V4_COMPATIBLE)));
	FUZZ_CHECK((r.version == 1) == (r.compat && !strcmp(r.compat, KHO_V1_COMPATIBLE)));
	for (i = 0; i < r.nr_subs; i++) {
		/* Looked up among the sub-blobs by name, shown in messages. */
		FUZZ_CHECK(r.subs[i].name && r.subs[i].name[0]);
		FUZZ_CHECK(!(r.version == 1 && r.subs[i].has_size));
	}
	kt_kho_root_free(&r);
	FUZZ_CHECK(!r.subs && !r.nr_subs && !r.compat);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(&kt_dec_kho_v4, "fdt", data, size, KT_OUT);
	fuzz_decode(&kt_dec_kho_v1, "fdt", data, size, KT_IN);
	/* As kho-inspect picks the decoder for out/fdt (kt_decoder_for salvages too). */
	fuzz_decode(NULL, "fdt", data, size, KT_OUT);
	check_model(data, size);
	return 0;
}
