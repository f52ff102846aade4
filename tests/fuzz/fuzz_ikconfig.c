// SPDX-License-Identifier: GPL-2.0-only
/*
 * The embedded kernel config (decode/ikconfig.c): the input as an image's data section
 * (the markers found, the stream between them decompressed by libarchive, the text
 * parsed), and as the text of a .config itself. Absent only without a start marker;
 * broken with a one-line reason; read with options named CONFIG_..., each looked up again
 * to the value of its last line.
 */
#include <errno.h>

#include "decode/ikconfig.h"
#include "fuzz.h"

/* Look-ups are linear: a few options are enough to check them. */
#define CHECKED 64

static void check(const struct kt_ikconfig *c, int ret)
{
	size_t i, k;

	FUZZ_CHECK(strlen(c->why) < sizeof(c->why) && !strchr(c->why, '\n'));
	if (ret) {
		FUZZ_CHECK(c->state == KT_IKCONFIG_BROKEN && c->why[0]);
		return;
	}
	FUZZ_CHECK(c->state == KT_IKCONFIG_READ && c->n && !c->why[0]);
	for (i = 0; i < c->n && i < CHECKED; i++) {
		const char *name = c->opts[i].name;

		FUZZ_CHECK(!strncmp(name, "CONFIG_", 7) && name[7] && !strpbrk(name, "= \n"));
		FUZZ_CHECK(!c->opts[i].value || !strchr(c->opts[i].value, '\n'));
		for (k = c->n; k-- > i && strcmp(c->opts[k].name, name);)
			;
		FUZZ_CHECK(kt_ikconfig_get(c, name) == c->opts[k].value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_ikconfig c;
	int ret = kt_ikconfig_find(&c, data, size);

	if (ret == -ENOENT)
		FUZZ_CHECK(c.state == KT_IKCONFIG_ABSENT && !memmem(data, size, "IKCFG_ST", 8));
	else
		check(&c, ret);
	kt_ikconfig_free(&c);
	check(&c, kt_ikconfig_parse(&c, (char *)fuzz_dup(data, size), size));
	kt_ikconfig_free(&c);
	return 0;
}
