// SPDX-License-Identifier: GPL-2.0-only
#include "base/size.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

const char *kt_fmt_size(uint64_t v, char buf[32])
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned int u = 0;
	uint64_t scale = 1;

	/* Move up a unit when the value would print as 1024.0 or more in this one. */
	while (u + 1 < KT_ARRAY_SIZE(unit) && (double)v / (double)scale >= 1023.95) {
		scale *= 1024;
		u++;
	}
	if (u == 0 || v % scale == 0) {
		/* The common case, without printf: trees print millions of sizes. */
		size_t n = kt_u64_str(buf, v / scale, 10);

		buf[n] = ' ';
		strcpy(buf + n + 1, unit[u]);
	} else
		snprintf(buf, 32, "%.1f %s", (double)v / (double)scale, unit[u]);
	return buf;
}

int kt_parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGTPE";
	unsigned long long v;
	const char *p;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	/* Decimal, or 0x hex; a leading zero is not octal. */
	v = strtoull(s, &end, strncmp(s, "0x", 2) && strncmp(s, "0X", 2) ? 10 : 16);
	if (errno)
		return -EINVAL;
	if (*end) {
		p = strchr(suffixes, toupper((unsigned char)*end));
		if (!p)
			return -EINVAL;
		shift = 10 * (int)(p - suffixes + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*out = (uint64_t)v << shift;
	return 0;
}
