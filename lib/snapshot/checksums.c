// SPDX-License-Identifier: GPL-2.0-only
#include "snapshot/checksums.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/util.h"

char *kt_checksums_text(const struct kt_files *fs, const char *release, const char *taken, const char *source,
			size_t *len)
{
	char *buf = NULL;
	size_t i;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		kt_oom();
	fprintf(f, "%s 1\n", KT_CHECKSUMS_MAGIC);
	fprintf(f, "release %s\n", release ? release : "unknown");
	fprintf(f, "time %s\n", taken);
	fprintf(f, "source %s\n", source);
	for (i = 0; i < fs->n; i++) {
		const struct kt_file *x = &fs->v[i];
		char sha[KT_SHA256_HEX];

		if (!strcmp(x->path, KT_CHECKSUMS_FILE))
			continue;
		kt_sha256_hex(x->data, x->len, sha);
		fprintf(f, "file %s %zu %s\n", x->path, x->len, sha);
	}
	if (fclose(f))
		kt_oom();
	return buf;
}

int kt_checksums_verify(const struct kt_files *fs, const char *origin, char **release, char **taken,
			char *err, size_t errlen)
{
	const struct kt_file *m = kt_files_find(fs, KT_CHECKSUMS_FILE);
	char *text, *line, *save = NULL;
	bool *listed;
	int ret = 0, lineno = 0;
	size_t i;

	if (!m)
		return 0;
	listed = kt_calloc(fs->n, sizeof(*listed));
	text = kt_strndup((const char *)m->data, m->len);
	for (line = strtok_r(text, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		char key[32], val[256], sha[KT_SHA256_HEX];
		unsigned long long size;

		if (++lineno == 1) {
			if (strncmp(line, KT_CHECKSUMS_MAGIC " ", strlen(KT_CHECKSUMS_MAGIC) + 1))
				ret = kt_fail(err, errlen, -EINVAL, "%s/%s: not a kho-tools manifest", origin,
					      KT_CHECKSUMS_FILE);
			continue;
		}
		if (sscanf(line, "file %255s %llu %64s", val, &size, sha) == 3) {
			const struct kt_file *f = kt_files_find(fs, val);
			char got[KT_SHA256_HEX];

			if (!f) {
				ret = kt_fail(err, errlen, -ENOENT,
					      "%s: %s listed in the manifest is missing", origin, val);
				break;
			}
			listed[f - fs->v] = true;
			kt_sha256_hex(f->data, f->len, got);
			if (f->len != size || strcmp(got, sha))
				ret =
				    kt_fail(err, errlen, -EBADMSG,
					    "%s: %s does not match its manifest checksum (snapshot altered?)",
					    origin, val);
			continue;
		}
		if (sscanf(line, "%31s %255[^\n]", key, val) != 2)
			continue;
		if (!strcmp(key, "release") && !*release)
			*release = kt_strdup(val);
		else if (!strcmp(key, "time") && !*taken)
			*taken = kt_strdup(val);
	}
	for (i = 0; i < fs->n && !ret; i++)
		if (!listed[i] && strcmp(fs->v[i].path, KT_CHECKSUMS_FILE))
			ret = kt_fail(err, errlen, -EBADMSG,
				      "%s: %s is not in the manifest (snapshot altered?)", origin,
				      fs->v[i].path);
	free(listed);
	free(text);
	return ret;
}
