// SPDX-License-Identifier: GPL-2.0-only
#include "model/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/progress.h"
#include "base/util.h"
#include "source/kcore.h"

void kt_state_init(struct kt_state *st, const struct kt_snapshot *s)
{
	int d;

	memset(st, 0, sizeof(*st));
	st->snap = s;
	for (d = 0; d < KT_NR_DIRS; d++)
		kt_luo_hdr_parse(kt_snapshot_sub(s, d, LUO_SUBTREE_NAME), d, &st->luo_hdr[d]);
}

void kt_state_free(struct kt_state *st)
{
	int d;

	for (d = 0; d < KT_NR_DIRS; d++) {
		kt_kho_root_free(&st->root[d]);
		kt_mem_dir_free(&st->mem[d]);
	}
	free(st->handlers);
	kt_luo_state_free(&st->luo);
	kt_sd_stores_free(&st->sd_stores);
	free(st->sd_stores_why);
	if (st->pm)
		kt_physmem_close(st->pm);
	free(st->pm_note);
	memset(st, 0, sizeof(*st));
}

int kt_physmem_open_for(const struct kt_snapshot *s, struct kt_physmem **pm, char *err, size_t errlen)
{
	const struct kt_file *f;
	char *name;
	int ret;

	*pm = NULL;
	if (s->kind == KT_SRC_LIVE) {
		const char *k = getenv("KHO_TOOLS_KCORE"), *i = getenv("KHO_TOOLS_IOMEM");

		return kt_physmem_open_kcore(k && *k ? k : NULL, i && *i ? i : NULL, pm, err, errlen);
	}
	f = kt_snapshot_file(s, KT_PHYSMEM_FILE);
	if (!f)
		return kt_fail(err, errlen, -ENOENT,
			       "%s: no physical memory in this snapshot (kho-inspect save adds it only when "
			       "it can read %s)",
			       s->origin, KT_KCORE);
	name = kt_asprintf("%s/%s", s->origin, KT_PHYSMEM_FILE);
	ret = kt_physmem_open_saved(f->data, f->len, name, pm, err, errlen);
	free(name);
	return ret;
}

struct kt_physmem *kt_state_physmem(struct kt_state *st)
{
	char err[512];

	if (!st->pm_tried) {
		st->pm_tried = true;
		if (kt_physmem_open_for(st->snap, &st->pm, err, sizeof(err)))
			st->pm_note = kt_strdup(err);
	}
	return st->pm;
}

const struct kt_luo_state *kt_state_luo(struct kt_state *st)
{
	if (!st->luo_loaded) {
		struct kt_physmem *pm = kt_state_physmem(st);

		st->luo_loaded = true;
		kt_luo_gather(st->snap, pm, &st->luo);
		if (!pm && st->pm_note && !st->luo.kernel_note && st->snap->kind == KT_SRC_LIVE)
			st->luo.kernel_note = kt_strdup(st->pm_note);
	}
	return &st->luo;
}

const struct kt_luo_handler *kt_state_handlers(struct kt_state *st, size_t *n)
{
	if (!st->handlers_done) {
		st->handlers_done = true;
		st->handlers = kt_luo_handlers(kt_state_luo(st), &st->nr_handlers);
	}
	*n = st->nr_handlers;
	return st->handlers;
}

const struct kt_kho_root *kt_state_root(struct kt_state *st, enum kt_dirn d, const char **why)
{
	const struct kt_kho_dir *dir = &st->snap->dir[d];

	if (!st->root_done[d]) {
		st->root_done[d] = true;
		if (!dir->has_fdt)
			snprintf(st->root_why[d], sizeof(st->root_why[d]), "no %s/fdt", kt_dirn_name[d]);
		else
			kt_kho_root_parse(&dir->fdt, &st->root[d], st->root_why[d], sizeof(st->root_why[d]));
	}
	if (why)
		*why = st->root_why[d];
	return st->root_why[d][0] ? NULL : &st->root[d];
}

const struct kt_kexec_meta *kt_state_kexec_meta(struct kt_state *st, enum kt_dirn d)
{
	const struct kt_blob *b = kt_snapshot_sub(st->snap, d, KEXEC_METADATA_NAME);

	if (!b)
		return NULL;
	if (!st->meta_done[d]) {
		st->meta_done[d] = true;
		st->meta_ret[d] =
		    kt_kexec_meta_parse(b, &st->meta[d], st->meta_why[d], sizeof(st->meta_why[d]));
	}
	return st->meta_ret[d] ? NULL : &st->meta[d];
}

const struct kt_mem_dir *kt_state_mem(struct kt_state *st, enum kt_dirn d)
{
	if (!st->mem_done[d]) {
		struct kt_physmem *pm = kt_state_physmem(st);
		const char *why;
		const struct kt_kho_root *root = kt_state_root(st, d, &why);

		st->mem_done[d] = true;
		if (pm)
			kt_mem_walk(st->snap, d, pm, root, why, &st->mem[d]);
		else
			st->mem[d].ret = kt_fail(st->mem[d].why, sizeof(st->mem[d].why), -ENODATA, "%s",
						 st->pm_note ? st->pm_note : "no physical memory access");
	}
	return &st->mem[d];
}

static int no_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	(void)ctx, (void)pfn, (void)flags, (void)index;
	return 0;
}

const struct kt_sd_stores *kt_state_sd_stores(struct kt_state *st, const char **why)
{
	const struct kt_file *f;
	char err[512];
	int ret;

	if (!st->sd_stores_done) {
		st->sd_stores_done = true;
		if (st->snap->kind == KT_SRC_LIVE) {
			ret = kt_sd_stores_read(&st->sd_stores, err, sizeof(err));
		} else if ((f = kt_snapshot_file(st->snap, KT_SD_STORES_FILE))) {
			ret = kt_sd_stores_import(f->data, f->len, &st->sd_stores, err, sizeof(err));
		} else {
			ret = -ENOENT;
			snprintf(err, sizeof(err), "%s holds no list of systemd's fd stores",
				 st->snap->origin);
		}
		if (ret)
			st->sd_stores_why = kt_strdup(err);
		st->sd_stores_ret = ret;
	}
	*why = st->sd_stores_why;
	return st->sd_stores_why ? NULL : &st->sd_stores;
}

int kt_state_capture(struct kt_state *st, struct kt_snapshot *s)
{
	struct kt_physmem *pm = kt_state_physmem(st);
	const struct kt_luo_state *luo;
	struct kt_progress pr;
	uint8_t *buf;
	size_t len, i, k, files = 0;
	int ret, d;

	if (pm)
		kt_physmem_record(pm, true);
	luo = kt_state_luo(st);
	for (i = 0; i < luo->nr_sessions; i++)
		files += luo->sessions[i].nr_files;
	kt_progress_begin(&pr, "reading the preserved files", pm ? files : 0, false);
	for (i = 0, files = 0; pm && i < luo->nr_sessions; i++)
		for (k = 0; k < luo->sessions[i].nr_files; k++) {
			char err[256];

			if (luo->sessions[i].files[k].has_memfd)
				kt_memfd_folios(pm, &luo->sessions[i].files[k].memfd, no_folio, NULL, err,
						sizeof(err));
			kt_progress_step(&pr, ++files);
		}
	kt_progress_end(&pr);
	for (d = 0; d < KT_NR_DIRS; d++)
		kt_state_mem(st, d);
	kt_luo_state_export(luo, &buf, &len);
	kt_snapshot_add_file(s, KT_LUO_STATE_FILE, buf, len);
	{
		const char *why;
		const struct kt_sd_stores *stores = kt_state_sd_stores(st, &why);

		if (stores) {
			kt_sd_stores_export(stores, &buf, &len);
			kt_snapshot_add_file(s, KT_SD_STORES_FILE, buf, len);
		}
	}
	if (!pm)
		return -ENODATA;
	kt_physmem_record(pm, false);
	ret = kt_physmem_export(pm, &buf, &len);
	if (!ret)
		kt_snapshot_add_file(s, KT_PHYSMEM_FILE, buf, len);
	return ret;
}
