// SPDX-License-Identifier: GPL-2.0-only
/* Saving a snapshot: a MANIFEST plus every file, written to a temporary name and renamed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snapshot/snapshot.h"
#include "base/util.h"

static char *manifest_text(const struct kt_snapshot *s, size_t *len)
{
	static const char *const kind[] = { "live", "dir", "tar" };
	char now[32], *buf = NULL;
	time_t t = time(NULL);
	size_t i;
	FILE *f;

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "%s 1\n", KT_MANIFEST_MAGIC);
	fprintf(f, "release %s\n", s->release ? s->release : "unknown");
	fprintf(f, "time %s\n", s->kind == KT_SRC_LIVE || !s->taken ? now : s->taken);
	fprintf(f, "source %s:%s\n", kind[s->kind], s->origin);
	for (i = 0; i < s->nr_files; i++) {
		char sha[KT_SHA256_HEX];

		if (!strcmp(s->files[i].path, KT_MANIFEST))
			continue;
		kt_sha256_hex(s->files[i].data, s->files[i].len, sha);
		fprintf(f, "file %s %zu %s\n", s->files[i].path, s->files[i].len, sha);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int mkdirs(const char *root, const char *rel)
{
	char *p = kt_asprintf("%s/%s", root, rel), *slash;
	int ret = 0;

	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			ret = -errno;
		*slash = '/';
	}
	free(p);
	return ret;
}

static int write_dir(const char *tmp, const struct kt_file *files, size_t n)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		char *p = kt_asprintf("%s/%s", tmp, files[i].path);

		ret = mkdirs(tmp, files[i].path);
		if (!ret)
			ret = kt_write_file(p, files[i].data, files[i].len);
		free(p);
	}
	return ret;
}

static void remove_tree(const char *root, const struct kt_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *p = kt_asprintf("%s/%s", root, files[i].path), *slash;

		unlink(p);
		/* Parent directories, deepest first; rmdir fails harmlessly on non-empty ones. */
		while ((slash = strrchr(p, '/')) && slash > p + strlen(root)) {
			*slash = '\0';
			rmdir(p);
		}
		free(p);
	}
	rmdir(root);
}

int kt_snapshot_save(const struct kt_snapshot *s, const char *dest, char *err, size_t errlen)
{
	struct kt_file *files;
	size_t n = 0, i, mlen;
	char *manifest, *tmp;
	struct stat st;
	int ret;

	if (!lstat(dest, &st)) {
		snprintf(err, errlen, "%s: already exists (will not overwrite)", dest);
		return -EEXIST;
	}
	manifest = manifest_text(s, &mlen);
	if (!manifest)
		return -ENOMEM;
	files = kt_calloc(s->nr_files + 1, sizeof(*files));
	files[n++] = (struct kt_file){ KT_MANIFEST, (uint8_t *)manifest, mlen };
	for (i = 0; i < s->nr_files; i++)
		if (strcmp(s->files[i].path, KT_MANIFEST))
			files[n++] = s->files[i];

	tmp = kt_asprintf("%s.tmp.%d", dest, (int)getpid());
	if (kt_is_tar(dest)) {
		ret = kt_tar_write(tmp, files, n);
		if (ret)
			unlink(tmp);
	} else {
		ret = mkdir(tmp, 0755) ? -errno : write_dir(tmp, files, n);
		if (ret)
			remove_tree(tmp, files, n);
	}
	if (!ret && rename(tmp, dest)) {
		ret = -errno;
		kt_is_tar(dest) ? (void)unlink(tmp) : remove_tree(tmp, files, n);
	}
	if (ret)
		snprintf(err, errlen, "%s: %s", dest, strerror(-ret));
	free(tmp);
	free(files);
	free(manifest);
	return ret;
}
