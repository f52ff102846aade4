// SPDX-License-Identifier: GPL-2.0-only
#include "snapshot/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/util.h"

#define DEBUGFS_MAGIC 0x64626720
#define MAX_DEPTH 8

const char *const kt_dirn_name[KT_NR_DIRS] = { "out", "in" };

struct loader {
	struct kt_snapshot *s;
	size_t cap;
	uint64_t total;
	char *err;
	size_t errlen;
};

static int add_file(struct loader *l, const char *rel, uint8_t *data, size_t len)
{
	if (l->s->nr_files >= KT_MAX_FILES || l->total + len > KT_MAX_TOTAL) {
		free(data);
		return kt_fail(l->err, l->errlen, -E2BIG, "%s/%s: snapshot holds more than %d files or %llu bytes",
			    l->s->origin, rel, KT_MAX_FILES, (unsigned long long)KT_MAX_TOTAL);
	}
	if (l->s->nr_files == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 64;
		struct kt_file *nf = realloc(l->s->files, ncap * sizeof(*nf));

		if (!nf) {
			free(data);
			return -ENOMEM;
		}
		l->s->files = nf;
		l->cap = ncap;
	}
	l->s->files[l->s->nr_files++] = (struct kt_file){ kt_strdup(rel), data, len };
	l->total += len;
	return 0;
}

static int read_tree(struct loader *l, const char *root, const char *rel, int depth)
{
	char *dpath = rel[0] ? kt_asprintf("%s/%s", root, rel) : kt_strdup(root);
	struct dirent *de;
	DIR *dir;
	int err = 0;

	if (depth > MAX_DEPTH) {
		err = kt_fail(l->err, l->errlen, -ELOOP, "%s: directories nested too deep", dpath);
		goto out;
	}
	dir = opendir(dpath);
	if (!dir) {
		err = kt_fail(l->err, l->errlen, -errno, "%s: %s", dpath, strerror(errno));
		goto out;
	}
	while (!err && (de = readdir(dir))) {
		char *r, *full;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = rel[0] ? kt_asprintf("%s/%s", rel, de->d_name) : kt_strdup(de->d_name);
		full = kt_asprintf("%s/%s", root, r);
		if (lstat(full, &st)) {
			err = kt_fail(l->err, l->errlen, -errno, "%s: %s", full, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			err = read_tree(l, root, r, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			uint8_t *buf;
			size_t len;

			err = kt_read_file(full, KT_MAX_BLOB_SIZE, &buf, &len);
			if (err == -EFBIG)
				err = kt_fail(l->err, l->errlen, err, "%s: larger than %lu MiB", full,
					   KT_MAX_BLOB_SIZE >> 20);
			else if (err)
				err = kt_fail(l->err, l->errlen, err, "%s: %s", full, strerror(-err));
			else
				err = add_file(l, r, buf, len);
		}
		free(full);
		free(r);
	}
	closedir(dir);
out:
	free(dpath);
	return err;
}

/* Explain exactly why live debugfs cannot be read. */
static int live_unavailable(const char *root, int e, char *err, size_t errlen)
{
	struct statfs sf;

	if (e == EACCES || e == EPERM)
		return kt_fail(err, errlen, -EACCES, "%s: permission denied (reading debugfs needs root)", root);
	if (strcmp(root, KT_DEBUGFS_KHO))
		goto kho_off;
	if (access("/sys/kernel/debug", R_OK | X_OK))
		return kt_fail(err, errlen, -EACCES, "%s: permission denied (reading debugfs needs root)", root);
	if (statfs("/sys/kernel/debug", &sf) || (unsigned long)sf.f_type != DEBUGFS_MAGIC)
		return kt_fail(err, errlen, -ENODEV,
			    "debugfs is not mounted at /sys/kernel/debug (mount -t debugfs none /sys/kernel/debug)");
kho_off:
	if (e == ENOENT)
		return kt_fail(err, errlen, -ENOENT,
			    "%s: not found: KHO is not enabled on this kernel (needs CONFIG_KEXEC_HANDOVER_DEBUGFS and kho=on)",
			    root);
	return kt_fail(err, errlen, -e, "%s: %s", root, strerror(e));
}

static const char *dir_root(const char *dir, char **owned)
{
	struct stat st;
	char *p;

	*owned = NULL;
	p = kt_asprintf("%s/out", dir);
	if (!stat(p, &st))
		goto found;
	free(p);
	p = kt_asprintf("%s/in", dir);
	if (!stat(p, &st))
		goto found;
	free(p);
	/* A capture directory that holds kho/ one level down. */
	p = kt_asprintf("%s/kho", dir);
	if (!stat(p, &st) && S_ISDIR(st.st_mode)) {
		*owned = p;
		return p;
	}
	free(p);
	return NULL;
found:
	free(p);
	return dir;
}

static int parse_manifest(struct kt_snapshot *s, char *err, size_t errlen)
{
	const struct kt_file *m = kt_snapshot_file(s, KT_MANIFEST);
	char *text, *line, *save = NULL;
	bool *listed;
	int ret = 0, lineno = 0;
	size_t i;

	if (!m)
		return 0;
	listed = kt_calloc(s->nr_files, sizeof(*listed));
	text = kt_calloc(1, m->len + 1);
	memcpy(text, m->data, m->len);
	for (line = strtok_r(text, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		char key[32], val[256], sha[KT_SHA256_HEX];
		unsigned long long size;

		lineno++;
		if (lineno == 1) {
			if (strncmp(line, KT_MANIFEST_MAGIC " ", strlen(KT_MANIFEST_MAGIC) + 1))
				ret = kt_fail(err, errlen, -EINVAL, "%s/%s: not a kho-tools manifest", s->origin,
					   KT_MANIFEST);
			continue;
		}
		if (sscanf(line, "file %255s %llu %64s", val, &size, sha) == 3) {
			const struct kt_file *f = kt_snapshot_file(s, val);
			char got[KT_SHA256_HEX];

			if (!f) {
				ret = kt_fail(err, errlen, -ENOENT, "%s: %s listed in the manifest is missing",
					   s->origin, val);
				break;
			}
			listed[f - s->files] = true;
			kt_sha256_hex(f->data, f->len, got);
			if (f->len != size || strcmp(got, sha))
				ret = kt_fail(err, errlen, -EBADMSG,
					   "%s: %s does not match its manifest checksum (snapshot altered?)",
					   s->origin, val);
			continue;
		}
		if (sscanf(line, "%31s %255[^\n]", key, val) != 2)
			continue;
		if (!strcmp(key, "release") && !s->release)
			s->release = kt_strdup(val);
		else if (!strcmp(key, "time") && !s->taken)
			s->taken = kt_strdup(val);
	}
	for (i = 0; i < s->nr_files && !ret; i++)
		if (!listed[i] && strcmp(s->files[i].path, KT_MANIFEST))
			ret = kt_fail(err, errlen, -EBADMSG, "%s: %s is not in the manifest (snapshot altered?)", s->origin,
				   s->files[i].path);
	free(listed);
	free(text);
	return ret;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct kt_file *)a)->path, ((const struct kt_file *)b)->path);
}

const struct kt_file *kt_snapshot_file(const struct kt_snapshot *s, const char *path)
{
	struct kt_file key = { .path = (char *)path };

	return s->nr_files ? bsearch(&key, s->files, s->nr_files, sizeof(key), cmp_file) : NULL;
}

/* "0x%llx\n" per scratch area, in the same order in scratch_phys and scratch_len. */
static int parse_u64_lines(const struct kt_file *f, uint64_t **vals, size_t *n)
{
	char *text = kt_calloc(1, f->len + 1), *line, *save = NULL;
	size_t cap = 0;

	memcpy(text, f->data, f->len);
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
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*vals = realloc(*vals, cap * sizeof(**vals));
			if (!*vals) {
				free(text);
				return -ENOMEM;
			}
		}
		(*vals)[(*n)++] = v;
	}
	free(text);
	return 0;
}

static int parse_scratch(struct kt_snapshot *s, struct kt_kho_dir *d, const char *dn, char *err,
			 size_t errlen)
{
	char *pp = kt_asprintf("%s/scratch_phys", dn), *lp = kt_asprintf("%s/scratch_len", dn);
	const struct kt_file *pf = kt_snapshot_file(s, pp), *lf = kt_snapshot_file(s, lp);
	uint64_t *phys = NULL, *len = NULL;
	size_t np = 0, nl = 0, i;
	int ret = 0;

	if (!pf || !lf)
		goto out;
	if (parse_u64_lines(pf, &phys, &np)) {
		ret = kt_fail(err, errlen, -EINVAL, "%s/%s: malformed (expected one hex address a line)", s->origin, pp);
		goto out;
	}
	if (parse_u64_lines(lf, &len, &nl) || nl != np) {
		ret = kt_fail(err, errlen, -EINVAL, "%s/%s: malformed or not matching scratch_phys", s->origin, lp);
		goto out;
	}
	d->has_scratch = true;
	d->nr_scratch = np;
	d->scratch = kt_calloc(np, sizeof(*d->scratch));
	for (i = 0; i < np; i++)
		d->scratch[i] = (struct kt_scratch){ phys[i], len[i] };
out:
	free(phys);
	free(len);
	free(pp);
	free(lp);
	return ret;
}

static int index_dirs(struct kt_snapshot *s, char *err, size_t errlen)
{
	const struct kt_file *f;
	int i, ret;

	for (i = 0; i < KT_NR_DIRS; i++) {
		struct kt_kho_dir *d = &s->dir[i];
		const char *dn = kt_dirn_name[i];
		size_t dl = strlen(dn), k;
		char *fp = kt_asprintf("%s/fdt", dn);

		f = kt_snapshot_file(s, fp);
		free(fp);
		if (f) {
			d->has_fdt = true;
			d->fdt = (struct kt_blob){ "fdt", f->path, f->data, f->len };
		}
		for (k = 0; k < s->nr_files; k++) {
			const char *p = s->files[k].path;

			if (strncmp(p, dn, dl) || p[dl] != '/')
				continue;
			d->present = true;
			if (strncmp(p + dl + 1, "sub_fdts/", 9) || strchr(p + dl + 10, '/'))
				continue;
			d->subs = realloc(d->subs, (d->nr_subs + 1) * sizeof(*d->subs));
			if (!d->subs)
				return -ENOMEM;
			d->subs[d->nr_subs++] = (struct kt_blob){ p + dl + 10, p, s->files[k].data,
								  s->files[k].len };
		}
		ret = parse_scratch(s, d, dn, err, errlen);
		if (ret)
			return ret;
	}
	f = kt_snapshot_file(s, "out/finalize");
	if (f) {
		s->has_finalize = true;
		s->finalize = (f->len && (f->data[0] == '0' || f->data[0] == '1')) ? f->data[0] - '0' : -1;
	}
	return 0;
}

int kt_snapshot_load(const char *spec, struct kt_snapshot *s, char *err, size_t errlen)
{
	struct loader l = { .s = s, .err = err, .errlen = errlen };
	const char *root;
	char *owned = NULL;
	struct stat st;
	int ret;

	memset(s, 0, sizeof(*s));
	s->finalize = -1;
	if (!spec || !strcmp(spec, "live")) {
		const char *env = getenv("KHO_TOOLS_DEBUGFS");
		struct utsname u;

		root = env && *env ? env : KT_DEBUGFS_KHO;
		s->kind = KT_SRC_LIVE;
		s->origin = kt_strdup(root);
		if (stat(root, &st))
			return live_unavailable(root, errno, err, errlen);
		if (!uname(&u))
			s->release = kt_strdup(u.release);
		ret = read_tree(&l, root, "", 0);
		if (ret == -EACCES)
			return live_unavailable(root, EACCES, err, errlen);
	} else if (stat(spec, &st)) {
		return kt_fail(err, errlen, -errno, "%s: %s", spec, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		s->kind = KT_SRC_DIR;
		s->origin = kt_strdup(spec);
		root = dir_root(spec, &owned);
		if (!root)
			return kt_fail(err, errlen, -EINVAL,
				    "%s: not a KHO snapshot (no out/ or in/ directory, no MANIFEST)", spec);
		ret = read_tree(&l, root, "", 0);
		free(owned);
	} else {
		s->kind = KT_SRC_TAR;
		s->origin = kt_strdup(spec);
		ret = kt_tar_read(spec, &s->files, &s->nr_files, err, errlen);
	}
	if (ret)
		return ret;
	if (s->nr_files)
		qsort(s->files, s->nr_files, sizeof(*s->files), cmp_file);
	for (size_t i = 1; i < s->nr_files; i++)
		if (!strcmp(s->files[i].path, s->files[i - 1].path))
			return kt_fail(err, errlen, -EBADMSG, "%s: holds %s twice", s->origin, s->files[i].path);
	ret = parse_manifest(s, err, errlen);
	if (!ret)
		ret = index_dirs(s, err, errlen);
	if (!ret && !s->dir[KT_OUT].present && !s->dir[KT_IN].present)
		ret = kt_fail(err, errlen, -ENODATA, "%s: holds neither out/ nor in/", s->origin);
	return ret;
}

int kt_snapshot_add_file(struct kt_snapshot *s, const char *path, uint8_t *data, size_t len)
{
	struct kt_file *nf;
	size_t i = 0;

	while (i < s->nr_files && strcmp(s->files[i].path, path) < 0)
		i++;
	if (i < s->nr_files && !strcmp(s->files[i].path, path)) {
		free(s->files[i].data);
		s->files[i].data = data;
		s->files[i].len = len;
		return 0;
	}
	nf = realloc(s->files, (s->nr_files + 1) * sizeof(*nf));
	if (!nf) {
		free(data);
		return -ENOMEM;
	}
	s->files = nf;
	memmove(&s->files[i + 1], &s->files[i], (s->nr_files - i) * sizeof(*nf));
	s->files[i] = (struct kt_file){ kt_strdup(path), data, len };
	s->nr_files++;
	return 0;
}

void kt_snapshot_free(struct kt_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nr_files; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
	}
	for (i = 0; i < KT_NR_DIRS; i++) {
		free(s->dir[i].scratch);
		free(s->dir[i].subs);
	}
	free(s->files);
	free(s->origin);
	free(s->release);
	free(s->taken);
	memset(s, 0, sizeof(*s));
}

const struct kt_blob *kt_snapshot_sub(const struct kt_snapshot *s, enum kt_dirn d, const char *name)
{
	size_t i;

	for (i = 0; i < s->dir[d].nr_subs; i++)
		if (!strcmp(s->dir[d].subs[i].name, name))
			return &s->dir[d].subs[i];
	return NULL;
}
