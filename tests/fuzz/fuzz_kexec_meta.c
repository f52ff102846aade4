// SPDX-License-Identifier: GPL-2.0-only
/*
 * kexec-metadata: packed version, previous release, kexec count. The decoder
 * shows what the typed model (kt_kexec_meta_parse, which facts and metrics read)
 * makes of the blob; the model must refuse with a reason or hold a release that
 * is a printable string within its field.
 */
#include <errno.h>

#include "base/util.h"
#include "decode/kexec_meta.h"
#include "fuzz.h"

static void check_model(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_dup(data, size);
	struct kt_blob b = {"kexec-metadata", "in/sub_fdts/kexec-metadata", copy, size};
	struct kt_kexec_meta m;
	char why[128] = "";
	int ret = kt_kexec_meta_parse(&b, &m, why, sizeof(why));
	size_t n;

	free(copy);
	if (ret) {
		FUZZ_CHECK(ret == -EBADMSG && why[0]);
		return;
	}
	FUZZ_CHECK(size >= sizeof(struct kho_kexec_metadata));
	FUZZ_CHECK(m.version == KEXEC_METADATA_VERSION);
	n = strnlen(m.previous_release, sizeof(m.previous_release));
	FUZZ_CHECK(n < sizeof(m.previous_release) && kt_printable(m.previous_release, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(&kt_dec_kexec_meta, "kexec-metadata", data, size, KT_IN);
	check_model(data, size);
	return 0;
}
