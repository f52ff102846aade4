// SPDX-License-Identifier: GPL-2.0-only
/*
 * mem: the preserved-memory radix tree of each direction (model/mem.h): blocks by
 * order, total bytes, coalesced ranges, and the checks the next kernel relies on.
 */
#include <errno.h>
#include <stdio.h>

#include "base/abi.h"
#include "base/util.h"
#include "view/view.h"

/* The first `show` messages one by one, a count of the rest. */
static void notes_emit(const struct kt_notes *n, enum kt_note kind, size_t show, const char *what,
		       struct kt_sink *sink)
{
	uint64_t more = n->more;
	size_t i;

	for (i = 0; i < n->n; i++) {
		if (i < show)
			kt_note(sink, kind, "%s", n->msg[i]);
		else
			more++;
	}
	if (more)
		kt_note(sink, kind, "%llu more %s", (unsigned long long)more, what);
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

static void mem_dir(struct kt_state *st, const struct kt_view_opts *o, enum kt_dirn d, struct kt_sink *sink)
{
	const struct kt_mem_dir *m = kt_state_mem(st, d);
	const struct kt_radix_result *r = &m->r;
	enum kt_note bad = m->stale ? KT_NOTE_WARNING : KT_NOTE_ERROR;
	char what[64];
	/* A reused page is all garbage: a few examples say enough. */
	size_t show = m->stale ? 3 : KT_MEM_MAX_NOTES;

	kt_node_begin(sink, kt_dirn_name[d], m->ret ? NULL : KHO_V4_COMPATIBLE, NULL);
	if (m->ret) {
		kt_note(sink, m->ret == -ENOENT ? KT_NOTE_INFO : KT_NOTE_ERROR, "%s", m->why);
		kt_node_end(sink);
		return;
	}
	kt_field_addr(sink, "memory_map", r->root);
	kt_field_u64(sink, "blocks", r->blocks);
	kt_field_u64(sink, "pages", r->pages);
	kt_field_size(sink, "total", r->bytes);
	kt_field_u64(sink, "ranges", r->nr_ranges);
	kt_field_u64(sink, "tree_pages", r->tables + r->leaves);
	kt_field_bool(sink, "complete", !r->errors);
	kt_field_bool(sink, "stale", m->stale);
	kt_field_u64(sink, "scratch_areas", m->areas ? m->areas->n : 0);
	kt_field_size(sink, "scratch_overlap", m->area_bytes);
	kt_field_size(sink, "outside_ram", m->outside_bytes);
	kt_field_size(sink, "multi_order_overlap", r->overlap_bytes);
	if (m->stale)
		kt_note(
		    sink, KT_NOTE_WARNING,
		    "stale: the kernel walked this tree at boot but does not keep its pages, and has reused "
		    "them since (%u malformed nodes or entries%s); the numbers above are not the handover's",
		    r->errors, m->blob_notes.n ? ", sub-blobs outside it" : "");
	else if (d == KT_IN)
		kt_note(
		    sink, KT_NOTE_INFO,
		    "read after boot: the kernel does not keep the incoming tree's pages and may reuse them "
		    "at any time");
	notes_emit(&m->walk, bad, show, "malformed nodes or entries", sink);
	if (!m->areas)
		kt_note(sink, KT_NOTE_WARNING,
			"no boot areas (scratch, bootmem from 7.4) in this snapshot: overlap not checked");
	snprintf(what, sizeof(what), "ranges inside %s areas", m->areas ? m->areas->word : "scratch");
	notes_emit(&m->area_notes, bad, show, what, sink);
	notes_emit(&m->ram_notes, bad, show, "ranges outside System RAM", sink);
	notes_emit(&m->blob_notes, KT_NOTE_WARNING, show, "sub-blobs outside preserved memory", sink);
	if (r->overlap_bytes)
		kt_note(sink, KT_NOTE_WARNING, "%llu bytes are preserved under more than one order",
			(unsigned long long)r->overlap_bytes);
	order_nodes(r, sink);
	if (o->ranges)
		range_nodes(r, sink);
	kt_node_end(sink);
}

void kt_view_mem(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink)
{
	int d;

	if (!kt_state_physmem(st)) {
		kt_node_begin(sink, "mem", NULL, NULL);
		kt_note(sink, KT_NOTE_ERROR, "%s", st->pm_note ? st->pm_note : "no physical memory access");
		kt_node_end(sink);
		return;
	}
	for (d = 0; d < KT_NR_DIRS; d++)
		if (o->mask & (1u << d))
			mem_dir(st, o, d, sink);
}

void kt_view_mem_totals(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink)
{
	int d;

	if (!kt_state_physmem(st)) {
		kt_field_str(sink, "preserved_memory",
			     st->pm_note ? st->pm_note : "no physical memory access");
		return;
	}
	for (d = 0; d < KT_NR_DIRS; d++) {
		const struct kt_mem_dir *m;
		char key[48];

		if (!(o->mask & (1u << d)))
			continue;
		m = kt_state_mem(st, d);
		if (!m->ret && m->stale) {
			snprintf(key, sizeof(key), "preserved_%s_stale", kt_dirn_name[d]);
			kt_field_bool(sink, key, true);
		} else if (!m->ret) {
			snprintf(key, sizeof(key), "preserved_%s", kt_dirn_name[d]);
			kt_field_size(sink, key, m->r.bytes);
			snprintf(key, sizeof(key), "preserved_%s_blocks", kt_dirn_name[d]);
			kt_field_u64(sink, key, m->r.blocks);
			snprintf(key, sizeof(key), "preserved_%s_ranges", kt_dirn_name[d]);
			kt_field_u64(sink, key, m->r.nr_ranges);
			snprintf(key, sizeof(key), "preserved_%s_problems", kt_dirn_name[d]);
			kt_field_u64(sink, key,
				     m->r.errors + (m->area_bytes ? 1 : 0) + (m->outside_bytes ? 1 : 0));
		}
	}
}
