// SPDX-License-Identifier: GPL-2.0-only
#include "snapshot/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/util.h"
#include "source/archive.h"

#define DEBUGFS_MAGIC 0x64626720

const char *const kt_dirn_name[KT_NR_DIRS] = {"out", "in"};
const char *const kt_src_kind_name[KT_NR_SRC_KINDS] = {"live", "dir", "tar"};

/* Explain exactly why live debugfs cannot be read. */
static int live_unavailable(const char *root, int e, char *err, size_t errlen)
{
	struct statfs sf;

	if (e == EACCES || e == EPERM)
		return kt_fail(err, errlen, -EACCES, "%s: permission denied (reading debugfs needs root)",
			       root);
	if (strcmp(root, KT_DEBUGFS_KHO))
		goto kho_off;
	if (access("/sys/kernel/debug", R_OK | X_OK))
		return kt_fail(err, errlen, -EACCES, "%s: permission denied (reading debugfs needs root)",
			       root);
	if (statfs("/sys/kernel/debug", &sf) || (unsigned long)sf.f_type != DEBUGFS_MAGIC)
		return kt_fail(
		    err, errlen, -ENODEV,
		    "debugfs is not mounted at /sys/kernel/debug (mount -t debugfs none /sys/kernel/debug)");
kho_off:
	if (e == ENOENT)
		return kt_fail(err, errlen, -ENOENT,
			       "%s: not found: KHO is not enabled on this kernel (needs "
			       "CONFIG_KEXEC_HANDOVER_DEBUGFS and kho=on)",
			       root);
	return kt_fail(err, errlen, -e, "%s: %s", root, strerror(e));
}

/* The kho/ tree inside a saved directory: DIR itself, or DIR/kho of a capture directory. */
static char *dir_root(const char *dir)
{
	static const char *const inside[] = {"out", "in"};
	struct stat st;
	size_t i;
	char *p;

	for (i = 0; i < KT_ARRAY_SIZE(inside); i++) {
		p = kt_asprintf("%s/%s", dir, inside[i]);
		if (!stat(p, &st)) {
			free(p);
			return kt_strdup(dir);
		}
		free(p);
	}
	p = kt_asprintf("%s/kho", dir);
	if (!stat(p, &st) && S_ISDIR(st.st_mode))
		return p;
	free(p);
	return NULL;
}

const struct kt_file *kt_snapshot_file(const struct kt_snapshot *s, const char *path)
{
	return kt_files_find(&s->files, path);
}

static int index_dirs(struct kt_snapshot *s, char *err, size_t errlen)
{
	const struct kt_file *f;
	int i, ret;

	for (i = 0; i < KT_NR_DIRS; i++) {
		struct kt_kho_dir *d = &s->dir[i];
		const char *dn = kt_dirn_name[i];
		size_t dl = strlen(dn), k, cap = 0;
		char *fp = kt_asprintf("%s/fdt", dn);

		f = kt_snapshot_file(s, fp);
		free(fp);
		if (f) {
			d->has_fdt = true;
			d->fdt = (struct kt_blob){"fdt", f->path, f->data, f->len};
		}
		for (k = 0; k < s->files.n; k++) {
			const struct kt_file *x = &s->files.v[k];
			const char *p = x->path;

			if (strncmp(p, dn, dl) || p[dl] != '/')
				continue;
			d->present = true;
			if (strncmp(p + dl + 1, "sub_fdts/", 9) || strchr(p + dl + 10, '/'))
				continue;
			KT_GROW(d->subs, cap, d->nr_subs + 1);
			d->subs[d->nr_subs++] = (struct kt_blob){p + dl + 10, p, x->data, x->len};
		}
		ret = kt_areas_parse(&s->files, s->origin, dn, &d->areas, err, errlen);
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

static int read_source(const char *spec, struct kt_snapshot *s, char *err, size_t errlen)
{
	struct stat st;
	char *root;
	int ret;

	if (!spec || !strcmp(spec, "live")) {
		const char *env = getenv("KHO_TOOLS_DEBUGFS");
		struct utsname u;

		s->kind = KT_SRC_LIVE;
		s->origin = kt_strdup(env && *env ? env : KT_DEBUGFS_KHO);
		if (stat(s->origin, &st))
			return live_unavailable(s->origin, errno, err, errlen);
		if (!uname(&u))
			s->release = kt_strdup(u.release);
		ret = kt_files_read_dir(&s->files, s->origin, err, errlen);
		return ret == -EACCES ? live_unavailable(s->origin, EACCES, err, errlen) : ret;
	}
	s->origin = kt_strdup(spec);
	if (stat(spec, &st))
		return kt_fail(err, errlen, -errno, "%s: %s", spec, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		s->kind = KT_SRC_TAR;
		return kt_archive_read(spec, &s->files, err, errlen);
	}
	s->kind = KT_SRC_DIR;
	root = dir_root(spec);
	if (!root)
		return kt_fail(err, errlen, -EINVAL,
			       "%s: not a KHO snapshot (no out/ or in/ directory, no MANIFEST)", spec);
	ret = kt_files_read_dir(&s->files, root, err, errlen);
	free(root);
	return ret;
}

int kt_snapshot_load(const char *spec, struct kt_snapshot *s, char *err, size_t errlen)
{
	size_t i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->finalize = -1;
	ret = read_source(spec, s, err, errlen);
	if (ret)
		return ret;
	kt_files_sort(&s->files);
	for (i = 1; i < s->files.n; i++)
		if (!strcmp(s->files.v[i].path, s->files.v[i - 1].path))
			return kt_fail(err, errlen, -EBADMSG, "%s: holds %s twice", s->origin,
				       s->files.v[i].path);
	ret = kt_checksums_verify(&s->files, s->origin, &s->release, &s->taken, err, errlen);
	if (!ret)
		ret = index_dirs(s, err, errlen);
	if (!ret && !s->dir[KT_OUT].present && !s->dir[KT_IN].present)
		ret = kt_fail(err, errlen, -ENODATA, "%s: holds neither out/ nor in/", s->origin);
	return ret;
}

void kt_snapshot_add_file(struct kt_snapshot *s, const char *path, uint8_t *data, size_t len)
{
	size_t i = 0;

	while (i < s->files.n && strcmp(s->files.v[i].path, path) < 0)
		i++;
	if (i < s->files.n && !strcmp(s->files.v[i].path, path)) {
		free(s->files.v[i].data);
		s->files.v[i].data = data;
		s->files.v[i].len = len;
		return;
	}
	KT_GROW(s->files.v, s->files.cap, s->files.n + 1);
	memmove(&s->files.v[i + 1], &s->files.v[i], (s->files.n - i) * sizeof(*s->files.v));
	s->files.v[i] = (struct kt_file){kt_strdup(path), data, len};
	s->files.n++;
}

void kt_snapshot_free(struct kt_snapshot *s)
{
	size_t i;

	for (i = 0; i < KT_NR_DIRS; i++) {
		kt_areas_free(&s->dir[i].areas);
		free(s->dir[i].subs);
	}
	kt_files_free(&s->files);
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

const struct kt_areas *kt_snapshot_areas(const struct kt_snapshot *s)
{
	return s->dir[KT_OUT].areas.present ? &s->dir[KT_OUT].areas : &s->dir[KT_IN].areas;
}
