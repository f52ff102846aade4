// SPDX-License-Identifier: GPL-2.0-only
#include "model/preserved.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"

static void notes_add(struct kt_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void notes_add(struct kt_notes *n, const char *fmt, ...)
{
	va_list ap;

	if (n->n == KT_MEM_MAX_NOTES) {
		n->more++;
		return;
	}
	va_start(ap, fmt);
	n->msg[n->n++] = kt_vasprintf(fmt, ap);
	va_end(ap);
}

static void on_walk_error(void *ctx, unsigned int level, uint64_t node, const char *msg)
{
	struct kt_mem_dir *m = ctx;

	(void)level;
	(void)node;
	notes_add(&m->walk, "%s", msg);
}

static void on_area(void *ctx, uint64_t start, uint64_t end, const char *what)
{
	struct kt_mem_dir *m = ctx;

	(void)what;
	notes_add(&m->area_notes, "preserved 0x%llx-0x%llx lies inside a %s area (%s)",
		  (unsigned long long)start, (unsigned long long)end, m->areas->word, m->areas_from);
}

static void on_ram(void *ctx, uint64_t start, uint64_t end, const char *what)
{
	struct kt_mem_dir *m = ctx;

	(void)what;
	notes_add(&m->ram_notes, "preserved 0x%llx-0x%llx lies outside System RAM", (unsigned long long)start,
		  (unsigned long long)end);
}

/* kho_add_subtree(): "The pages of @blob must also be preserved by KHO". */
static void check_blobs(const struct kt_kho_root *root, struct kt_mem_dir *m)
{
	size_t i;

	for (i = 0; i < root->nr_subs; i++) {
		const struct kt_kho_sub *sub = &root->subs[i];

		if (!sub->has_data || !sub->has_size)
			continue;
		if (!kt_radix_covers(m->r.ranges, m->r.nr_ranges, sub->data,
				     sub->data + (sub->size ? sub->size : 1)))
			notes_add(&m->blob_notes,
				  "sub-blob %s (0x%llx, %llu bytes) is not in preserved memory", sub->name,
				  (unsigned long long)sub->data, (unsigned long long)sub->size);
	}
}

/* The tree's root: the root FDT's preserved-memory-map (kho-v4). */
static int find_map(const struct kt_snapshot *s, enum kt_dirn d, const struct kt_kho_root *root,
		    const char *root_why, uint64_t *map, struct kt_mem_dir *m)
{
	const struct kt_kho_dir *dir = &s->dir[d];

	if (!dir->present)
		return kt_fail(m->why, sizeof(m->why), -ENOENT, "no %s/%s", kt_dirn_name[d],
			       d == KT_IN ? ": this kernel was not started by a KHO kexec" : "");
	if (!dir->has_fdt)
		return kt_fail(m->why, sizeof(m->why), -ENOENT, "no %s/fdt%s", kt_dirn_name[d],
			       d == KT_OUT ? " (7.3 removes out/fdt after a KHO kexec)" : "");
	if (!root)
		return kt_fail(m->why, sizeof(m->why), -EINVAL, "%s", root_why);
	if (!root->compat)
		return kt_fail(m->why, sizeof(m->why), -EINVAL, "%s: no compatible string", dir->fdt.path);
	if (root->version != 4)
		return kt_fail(m->why, sizeof(m->why), -EOPNOTSUPP,
			       "%s: %s has no radix-tree memory map that this tool knows", dir->fdt.path,
			       root->compat);
	if (!root->has_mem_map)
		return kt_fail(m->why, sizeof(m->why), -EINVAL, "%s: no valid %s property", dir->fdt.path,
			       KHO_PROP_MEM_MAP);
	*map = root->mem_map;
	return 0;
}

void kt_mem_walk(const struct kt_snapshot *s, enum kt_dirn d, struct kt_physmem *pm,
		 const struct kt_kho_root *root, const char *root_why, struct kt_mem_dir *m)
{
	static const struct kt_radix_ops ops = {.error = on_walk_error};
	const struct kt_range *ram;
	size_t nram;
	uint64_t map = 0;

	memset(m, 0, sizeof(*m));
	m->ret = find_map(s, d, root, root_why, &map, m);
	if (m->ret)
		return;
	m->ret = kt_radix_walk(pm, map, &ops, m, &m->r);
	if (m->ret) {
		snprintf(m->why, sizeof(m->why), "walking the tree: %s", strerror(-m->ret));
		return;
	}
	/*
	 * After a KHO kexec this kernel runs on the areas the previous one handed over,
	 * which out/ lists again: the incoming tree is checked against those.
	 */
	m->areas = s->dir[d].areas.present	  ? &s->dir[d].areas
		   : s->dir[KT_OUT].areas.present ? &s->dir[KT_OUT].areas
						  : NULL;
	if (m->areas) {
		snprintf(m->areas_from, sizeof(m->areas_from), "%s/%s_phys",
			 m->areas == &s->dir[d].areas ? kt_dirn_name[d] : "out", m->areas->word);
		m->area_bytes =
		    kt_radix_check_areas(m->r.ranges, m->r.nr_ranges, m->areas->v, m->areas->n, on_area, m);
	}
	nram = kt_physmem_ram(pm, &ram);
	m->outside_bytes = kt_radix_check_ram(m->r.ranges, m->r.nr_ranges, ram, nram, on_ram, m);
	check_blobs(root, m);
	m->stale = d == KT_IN && (m->r.errors || m->r.stopped || m->blob_notes.n || m->blob_notes.more);
}

void kt_mem_dir_free(struct kt_mem_dir *m)
{
	struct kt_notes *all[] = {&m->walk, &m->area_notes, &m->ram_notes, &m->blob_notes};
	size_t i, k;

	for (i = 0; i < KT_ARRAY_SIZE(all); i++)
		for (k = 0; k < all[i]->n; k++)
			free(all[i]->msg[k]);
	kt_radix_result_free(&m->r);
	memset(m, 0, sizeof(*m));
}
