// SPDX-License-Identifier: GPL-2.0-only
/*
 * kho-inspect mem: the preserved-memory radix tree of each direction, read
 * through physical memory: blocks by order, total bytes, coalesced ranges, and
 * the checks the next kernel relies on (nothing preserved inside a scratch area,
 * everything inside System RAM, every sub-blob preserved).
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoders.h"
#include "decode/kho_radix.h"
#include "base/util.h"
#include "view/view.h"

/* Problems shown one by one; the rest are counted in one more note. */
#define MAX_NOTES 16

struct notes {
	char *msg[MAX_NOTES];
	size_t n;
	uint64_t more;
};

static void notes_add(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void notes_add(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (n->n == MAX_NOTES) {
		n->more++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	if (m)
		n->msg[n->n++] = m;
}

/* The first `show` notes one by one, a count of the rest. */
static void notes_emit(struct notes *n, enum kt_note kind, size_t show, const char *what,
		       struct kt_sink *sink)
{
	uint64_t more = n->more;
	size_t i;

	for (i = 0; i < n->n; i++) {
		if (i < show)
			kt_note(sink, kind, "%s", n->msg[i]);
		else
			more++;
		free(n->msg[i]);
	}
	if (more)
		kt_note(sink, kind, "%llu more %s", (unsigned long long)more, what);
	memset(n, 0, sizeof(*n));
}

struct dir_mem {
	int ret; /* of finding the root: 0, -ENOENT (nothing to walk), other: an error */
	char why[256];
	struct kt_radix_result r;
	const struct kt_scratch *scratch;
	size_t nr_scratch;
	const char *scratch_from;
	uint64_t scratch_bytes, outside_bytes;
	struct notes walk, scratch_notes, ram_notes, blob_notes;
};

static void on_walk_error(void *ctx, unsigned int level, uint64_t node, const char *msg)
{
	struct dir_mem *m = ctx;

	(void)level;
	(void)node;
	notes_add(&m->walk, "%s", msg);
}

static void on_scratch(void *ctx, uint64_t start, uint64_t end, const char *what)
{
	struct dir_mem *m = ctx;

	(void)what;
	notes_add(&m->scratch_notes, "preserved 0x%llx-0x%llx lies inside a scratch area (%s)",
		  (unsigned long long)start, (unsigned long long)end, m->scratch_from);
}

static void on_ram(void *ctx, uint64_t start, uint64_t end, const char *what)
{
	struct dir_mem *m = ctx;

	(void)what;
	notes_add(&m->ram_notes, "preserved 0x%llx-0x%llx lies outside System RAM", (unsigned long long)start,
		  (unsigned long long)end);
}

/* kho_add_subtree(): "The pages of @blob must also be preserved by KHO". */
static void check_blobs(const struct kt_snapshot *s, enum kt_dirn d, struct dir_mem *m)
{
	void *owned;
	const void *fdt = kt_fdt_usable(&s->dir[d].fdt, &owned, kt_kho_root_names, NULL);
	int node;

	if (!fdt)
		return;
	fdt_for_each_subnode (node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		uint64_t pa, size;

		if (!name || !name[0])
			break;
		if (!kt_fdt_u64(fdt, node, KHO_PROP_SUB_DATA, &pa) ||
		    !kt_fdt_u64(fdt, node, KHO_PROP_SUB_SIZE, &size))
			continue;
		if (!kt_radix_covers(m->r.ranges, m->r.nr_ranges, pa, pa + (size ? size : 1)))
			notes_add(&m->blob_notes,
				  "sub-blob %s (0x%llx, %llu bytes) is not in preserved memory", name,
				  (unsigned long long)pa, (unsigned long long)size);
	}
	free(owned);
}

/* Walk one direction's tree and run the checks. Returns m->ret. */
static int walk_dir(const struct kt_snapshot *s, enum kt_dirn d, struct kt_physmem *pm, struct dir_mem *m)
{
	static const struct kt_radix_ops ops = {.error = on_walk_error};
	const struct kt_range *ram;
	size_t nram;
	uint64_t root;

	memset(m, 0, sizeof(*m));
	m->ret = kt_radix_root(s, d, &root, m->why, sizeof(m->why));
	if (m->ret)
		return m->ret;
	m->ret = kt_radix_walk(pm, root, &ops, m, &m->r);
	if (m->ret) {
		snprintf(m->why, sizeof(m->why), "walking the tree: %s", strerror(-m->ret));
		return m->ret;
	}
	/*
	 * After a KHO kexec this kernel runs on the scratch areas the previous one
	 * handed over, which out/scratch_* lists again: the incoming tree is checked
	 * against those.
	 */
	if (s->dir[d].has_scratch) {
		m->scratch = s->dir[d].scratch;
		m->nr_scratch = s->dir[d].nr_scratch;
		m->scratch_from = d == KT_OUT ? "out/scratch_phys" : "in/scratch_phys";
	} else if (s->dir[KT_OUT].has_scratch) {
		m->scratch = s->dir[KT_OUT].scratch;
		m->nr_scratch = s->dir[KT_OUT].nr_scratch;
		m->scratch_from = "out/scratch_phys";
	}
	m->scratch_bytes =
	    kt_radix_check_scratch(m->r.ranges, m->r.nr_ranges, m->scratch, m->nr_scratch, on_scratch, m);
	nram = kt_physmem_ram(pm, &ram);
	m->outside_bytes = kt_radix_check_ram(m->r.ranges, m->r.nr_ranges, ram, nram, on_ram, m);
	check_blobs(s, d, m);
	return 0;
}

static void dir_mem_free(struct dir_mem *m)
{
	struct notes *all[] = {&m->walk, &m->scratch_notes, &m->ram_notes, &m->blob_notes};
	size_t i, k;

	for (i = 0; i < KT_ARRAY_SIZE(all); i++)
		for (k = 0; k < all[i]->n; k++)
			free(all[i]->msg[k]);
	kt_radix_result_free(&m->r);
}

static void order_nodes(const struct kt_radix_result *r, struct kt_sink *sink)
{
	unsigned int o;

	kt_node_begin(sink, "orders", NULL, NULL);
	for (o = 0; o < KT_RADIX_NR_ORDERS; o++) {
		char name[16];

		if (!r->order[o].count)
			continue;
		snprintf(name, sizeof(name), "%u", o);
		kt_node_begin(sink, name, NULL, NULL);
		kt_field_u64(sink, "order", o);
		kt_field_size(sink, "block_size", 1ULL << (KT_PAGE_SHIFT + o));
		kt_field_u64(sink, "count", r->order[o].count);
		kt_field_size(sink, "total", r->order[o].bytes);
		kt_node_end(sink);
	}
	kt_node_end(sink);
}

static void range_nodes(const struct kt_radix_result *r, struct kt_sink *sink)
{
	size_t i;

	kt_node_begin(sink, "ranges", NULL, NULL);
	kt_field_u64(sink, "count", r->nr_ranges);
	for (i = 0; i < r->nr_ranges; i++) {
		char name[24];

		snprintf(name, sizeof(name), "%zu", i);
		kt_node_begin(sink, name, NULL, NULL);
		kt_field_addr(sink, "start", r->ranges[i].start);
		kt_field_addr(sink, "end", r->ranges[i].end);
		kt_field_size(sink, "size", r->ranges[i].end - r->ranges[i].start);
		kt_node_end(sink);
	}
	kt_node_end(sink);
}

/*
 * in/ exists only when the kernel walked the incoming tree at boot without a
 * fault (kho_mem_retrieve() else clears the handover), but it does not keep the
 * tree's own pages: a tree that no longer walks, or no longer holds the sub-blobs
 * in/fdt names, has been reused since. (Scratch and RAM checks stay checks: the
 * boot-time walk does not make them.)
 */
static bool stale(enum kt_dirn d, const struct dir_mem *m)
{
	return d == KT_IN && (m->r.errors || m->r.stopped || m->blob_notes.n || m->blob_notes.more);
}

static void mem_dir(struct kt_view_ctx *c, struct kt_physmem *pm, enum kt_dirn d, struct kt_sink *sink)
{
	struct dir_mem m;
	const struct kt_radix_result *r = &m.r;
	enum kt_note bad;
	bool is_stale;
	size_t show;

	walk_dir(c->snap, d, pm, &m);
	kt_node_begin(sink, kt_dirn_name[d], m.ret ? NULL : KHO_V4_COMPATIBLE, NULL);
	if (m.ret == -ENOENT) {
		kt_note(sink, KT_NOTE_INFO, "%s", m.why);
		goto out;
	}
	if (m.ret) {
		kt_note(sink, KT_NOTE_ERROR, "%s", m.why);
		goto out;
	}
	is_stale = stale(d, &m);
	bad = is_stale ? KT_NOTE_WARNING : KT_NOTE_ERROR;
	kt_field_addr(sink, "memory_map", r->root);
	kt_field_u64(sink, "blocks", r->blocks);
	kt_field_u64(sink, "pages", r->pages);
	kt_field_size(sink, "total", r->bytes);
	kt_field_u64(sink, "ranges", r->nr_ranges);
	kt_field_u64(sink, "tree_pages", r->tables + r->leaves);
	kt_field_bool(sink, "complete", !r->errors);
	kt_field_bool(sink, "stale", is_stale);
	kt_field_u64(sink, "scratch_areas", m.nr_scratch);
	kt_field_size(sink, "scratch_overlap", m.scratch_bytes);
	kt_field_size(sink, "outside_ram", m.outside_bytes);
	kt_field_size(sink, "multi_order_overlap", r->overlap_bytes);
	if (is_stale)
		kt_note(
		    sink, KT_NOTE_WARNING,
		    "stale: the kernel walked this tree at boot but does not keep its pages, and has reused "
		    "them since (%u malformed nodes or entries%s); the numbers above are not the handover's",
		    r->errors, m.blob_notes.n ? ", sub-blobs outside it" : "");
	else if (d == KT_IN)
		kt_note(
		    sink, KT_NOTE_INFO,
		    "read after boot: the kernel does not keep the incoming tree's pages and may reuse them "
		    "at any time");
	/* A reused page is all garbage: a few examples say enough. */
	show = is_stale ? 3 : MAX_NOTES;
	notes_emit(&m.walk, bad, show, "malformed nodes or entries", sink);
	if (!m.scratch_from)
		kt_note(sink, KT_NOTE_WARNING, "no scratch areas in this snapshot: overlap not checked");
	notes_emit(&m.scratch_notes, bad, show, "ranges inside scratch areas", sink);
	notes_emit(&m.ram_notes, bad, show, "ranges outside System RAM", sink);
	notes_emit(&m.blob_notes, KT_NOTE_WARNING, show, "sub-blobs outside preserved memory", sink);
	if (r->overlap_bytes)
		kt_note(sink, KT_NOTE_WARNING, "%llu bytes are preserved under more than one order",
			(unsigned long long)r->overlap_bytes);
	order_nodes(r, sink);
	if (c->ranges)
		range_nodes(r, sink);
out:
	kt_node_end(sink);
	dir_mem_free(&m);
}

void kt_view_mem(struct kt_view_ctx *c, struct kt_sink *sink)
{
	struct kt_physmem *pm = kt_view_physmem(c);
	int d;

	if (!pm) {
		kt_node_begin(sink, "mem", NULL, NULL);
		kt_note(sink, KT_NOTE_ERROR, "%s", c->pm_note ? c->pm_note : "no physical memory access");
		kt_node_end(sink);
		return;
	}
	for (d = 0; d < KT_NR_DIRS; d++)
		if (c->mask & (1u << d))
			mem_dir(c, pm, d, sink);
}

void kt_view_mem_totals(struct kt_view_ctx *c, struct kt_sink *sink)
{
	struct kt_physmem *pm = kt_view_physmem(c);
	int d;

	if (!pm) {
		kt_field_str(sink, "preserved_memory", c->pm_note ? c->pm_note : "no physical memory access");
		return;
	}
	for (d = 0; d < KT_NR_DIRS; d++) {
		struct dir_mem m;
		char key[48];

		if (!(c->mask & (1u << d)))
			continue;
		if (!walk_dir(c->snap, d, pm, &m) && stale(d, &m)) {
			snprintf(key, sizeof(key), "preserved_%s_stale", kt_dirn_name[d]);
			kt_field_bool(sink, key, true);
		} else if (!m.ret) {
			snprintf(key, sizeof(key), "preserved_%s", kt_dirn_name[d]);
			kt_field_size(sink, key, m.r.bytes);
			snprintf(key, sizeof(key), "preserved_%s_blocks", kt_dirn_name[d]);
			kt_field_u64(sink, key, m.r.blocks);
			snprintf(key, sizeof(key), "preserved_%s_ranges", kt_dirn_name[d]);
			kt_field_u64(sink, key, m.r.nr_ranges);
			snprintf(key, sizeof(key), "preserved_%s_problems", kt_dirn_name[d]);
			kt_field_u64(sink, key,
				     m.r.errors + (m.scratch_bytes ? 1 : 0) + (m.outside_bytes ? 1 : 0));
		}
		dir_mem_free(&m);
	}
}
