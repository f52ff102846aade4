// SPDX-License-Identifier: GPL-2.0-only
/*
 * systemd's fd stores as a snapshot carries them (model/luo_systemd.c, KT_SD_STORES_FILE),
 * from arbitrary bytes. Import either refuses with a message or gives stores that save
 * to a form which reads back and saves to the same bytes, and whose fds each have a fate.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "model/luo_systemd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_sd_stores st, back;
	uint8_t *a, *b;
	size_t alen, blen, i, k;
	char err[256] = "";

	if (kt_sd_stores_import(data, size, &st, err, sizeof(err))) {
		FUZZ_CHECK(err[0] && !st.n && !st.v);
		return 0;
	}
	for (i = 0; i < st.n; i++)
		for (k = 0; k < st.v[i].nr_fds; k++)
			FUZZ_CHECK(kt_sd_fate(&st.v[i].fds[k]) <= KT_SD_LOST);
	kt_sd_stores_export(&st, &a, &alen);
	if (kt_sd_stores_import(a, alen, &back, err, sizeof(err))) {
		fprintf(stderr, "fuzz: the saved stores do not read back: %s\n", err);
		abort();
	}
	kt_sd_stores_export(&back, &b, &blen);
	FUZZ_CHECK(alen == blen && !memcmp(a, b, alen));
	free(a);
	free(b);
	kt_sd_stores_free(&back);
	kt_sd_stores_free(&st);
	return 0;
}
