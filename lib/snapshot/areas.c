// SPDX-License-Identifier: GPL-2.0-only
/*
 * The boot areas of a direction: DIR/<word>_phys and DIR/<word>_len, one "0x%llx\n"
 * line per area in the same order. 7.4 renamed the files from scratch_* to bootmem_*
 * (include/linux/kexec_handover.h, kernel/liveupdate/kexec_handover_debugfs.c); the
 * areas are the same, so both layouts read into one model that keeps the word.
 */
#include "snapshot/areas.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"

static const char *const words[] = {"scratch", "bootmem"};

static int parse_lines(const struct kt_file *f, uint64_t **vals, size_t *n)
{
	char *text = kt_strndup((const char *)f->data, f->len), *line, *save = NULL;
	size_t cap = 0;

	*vals = NULL;
	*n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(line, &end, 0);
		if (errno || end == line || *end || *n >= KT_MAX_SCRATCH) {
			free(text);
			free(*vals);
			*vals = NULL;
			return -EINVAL;
		}
		KT_GROW(*vals, cap, *n + 1);
		(*vals)[(*n)++] = v;
	}
	free(text);
	return 0;
}

int kt_areas_parse(const struct kt_files *fs, const char *origin, const char *dn, struct kt_areas *a,
		   char *err, size_t errlen)
{
	uint64_t *phys = NULL, *len = NULL;
	size_t np = 0, nl = 0, i, w;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	for (w = 0; w < KT_ARRAY_SIZE(words); w++) {
		char *pp = kt_asprintf("%s/%s_phys", dn, words[w]),
		     *lp = kt_asprintf("%s/%s_len", dn, words[w]);
		const struct kt_file *pf = kt_files_find(fs, pp), *lf = kt_files_find(fs, lp);

		if (pf && lf && parse_lines(pf, &phys, &np))
			ret = kt_fail(err, errlen, -EINVAL,
				      "%s/%s: malformed (expected one hex address a line)", origin, pp);
		else if (pf && lf && (parse_lines(lf, &len, &nl) || nl != np))
			ret = kt_fail(err, errlen, -EINVAL, "%s/%s: malformed or not matching %s_phys",
				      origin, lp, words[w]);
		free(pp);
		free(lp);
		if (ret)
			break;
		if (!pf || !lf)
			continue;
		a->present = true;
		a->word = words[w];
		a->n = np;
		a->v = kt_calloc(np, sizeof(*a->v));
		for (i = 0; i < np; i++) {
			a->v[i] = (struct kt_area){phys[i], len[i]};
			a->total += len[i];
		}
		break;
	}
	free(phys);
	free(len);
	return ret;
}

void kt_areas_free(struct kt_areas *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}
