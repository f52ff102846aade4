// SPDX-License-Identifier: GPL-2.0-only
#include "source/files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

#define MAX_DEPTH 8

int kt_files_add(struct kt_files *fs, const char *origin, const char *rel, uint8_t *data, size_t len,
		 char *err, size_t errlen)
{
	if (fs->n >= KT_MAX_FILES || len > KT_MAX_BLOB_SIZE || fs->total + len > KT_MAX_TOTAL) {
		free(data);
		return kt_fail(err, errlen, -E2BIG, "%s/%s: snapshot holds more than %d files or %llu bytes",
			       origin, rel, KT_MAX_FILES, (unsigned long long)KT_MAX_TOTAL);
	}
	KT_GROW(fs->v, fs->cap, fs->n + 1);
	fs->v[fs->n++] = (struct kt_file){kt_strdup(rel), data, len};
	fs->total += len;
	return 0;
}

static int read_tree(struct kt_files *fs, const char *root, const char *rel, int depth, char *err,
		     size_t errlen)
{
	char *dpath = rel[0] ? kt_asprintf("%s/%s", root, rel) : kt_strdup(root);
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (depth > MAX_DEPTH) {
		ret = kt_fail(err, errlen, -ELOOP, "%s: directories nested too deep", dpath);
		goto out;
	}
	dir = opendir(dpath);
	if (!dir) {
		ret = kt_fail(err, errlen, -errno, "%s: %s", dpath, strerror(errno));
		goto out;
	}
	while (!ret && (de = readdir(dir))) {
		char *r, *full;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = rel[0] ? kt_asprintf("%s/%s", rel, de->d_name) : kt_strdup(de->d_name);
		full = kt_asprintf("%s/%s", root, r);
		if (lstat(full, &st)) {
			ret = kt_fail(err, errlen, -errno, "%s: %s", full, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			ret = read_tree(fs, root, r, depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode)) {
			uint8_t *buf;
			size_t len;

			ret = kt_read_file(full, KT_MAX_BLOB_SIZE, &buf, &len);
			if (ret == -EFBIG)
				ret = kt_fail(err, errlen, ret, "%s: larger than %lu MiB", full,
					      KT_MAX_BLOB_SIZE >> 20);
			else if (ret)
				ret = kt_fail(err, errlen, ret, "%s: %s", full, strerror(-ret));
			else
				ret = kt_files_add(fs, root, r, buf, len, err, errlen);
		}
		free(full);
		free(r);
	}
	closedir(dir);
out:
	free(dpath);
	return ret;
}

int kt_files_read_dir(struct kt_files *fs, const char *root, char *err, size_t errlen)
{
	return read_tree(fs, root, "", 0, err, errlen);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct kt_file *)a)->path, ((const struct kt_file *)b)->path);
}

void kt_files_sort(struct kt_files *fs)
{
	if (fs->n)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_file);
}

const struct kt_file *kt_files_find(const struct kt_files *fs, const char *path)
{
	struct kt_file key = {.path = (char *)path};

	return fs->n ? bsearch(&key, fs->v, fs->n, sizeof(key), cmp_file) : NULL;
}

bool kt_path_safe(const char *p)
{
	const char *c = p;

	if (!*p || *p == '/')
		return false;
	for (;;) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 2 && !strncmp(c, "..", 2)))
			return false;
		if (!c[n])
			return true;
		c += n + 1;
	}
}

void kt_files_free(struct kt_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].data);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}
