// SPDX-License-Identifier: GPL-2.0-only
/* Saving a snapshot: its checksum list plus every file, written to a temporary name and renamed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "snapshot/snapshot.h"
#include "source/archive.h"

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
	bool archive = kt_archive_name(dest);
	struct kt_file *files;
	size_t n = 0, i, len;
	char *sums, *tmp, *source, now[32];
	time_t t = time(NULL);
	struct stat st;
	int ret;

	if (!lstat(dest, &st))
		return kt_fail(err, errlen, -EEXIST, "%s: already exists (will not overwrite)", dest);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	source = kt_asprintf("%s:%s", kt_src_kind_name[s->kind], s->origin);
	sums = kt_checksums_text(&s->files, s->release, s->kind == KT_SRC_LIVE || !s->taken ? now : s->taken,
				 source, &len);
	free(source);
	files = kt_calloc(s->files.n + 1, sizeof(*files));
	files[n++] = (struct kt_file){KT_CHECKSUMS_FILE, (uint8_t *)sums, len};
	for (i = 0; i < s->files.n; i++)
		if (strcmp(s->files.v[i].path, KT_CHECKSUMS_FILE))
			files[n++] = s->files.v[i];

	tmp = kt_asprintf("%s.tmp.%d", dest, (int)getpid());
	if (archive) {
		ret = kt_archive_write(tmp, dest, files, n, err, errlen);
		if (ret)
			unlink(tmp);
	} else {
		ret = mkdir(tmp, 0755) ? -errno : write_dir(tmp, files, n);
		if (ret)
			remove_tree(tmp, files, n);
	}
	if (!ret && rename(tmp, dest)) {
		ret = -errno;
		archive ? (void)unlink(tmp) : remove_tree(tmp, files, n);
	}
	if (ret && (!archive || ret != -EIO))
		kt_fail(err, errlen, ret, "%s: %s", dest, strerror(-ret));
	free(tmp);
	free(files);
	free(sums);
	return ret;
}
