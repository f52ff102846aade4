// SPDX-License-Identifier: GPL-2.0-only
/* Pieces several views show. */
#include <stdio.h>

#include "view/view.h"

void kt_view_luo_sources(const struct kt_luo_state *luo, struct kt_sink *s)
{
	if (luo->saved)
		kt_note(s, KT_NOTE_INFO, "LUO state as saved with the snapshot");
	/* Not a snapshot: whatever else is shown, the kernel's lists are missing from it. */
	if (luo->kernel_changing)
		kt_note(s, KT_NOTE_ERROR, "kernel lists: %s", luo->kernel_note);
	else if (luo->kernel_note && luo->unavailable)
		kt_note(s, KT_NOTE_ERROR, "no LUO state: %s", luo->kernel_note);
	else if (luo->kernel_note)
		kt_note(s, luo->kernel_ok || luo->saved ? KT_NOTE_INFO : KT_NOTE_WARNING, "kernel lists: %s",
			luo->kernel_note);
	if (luo->serialized_note)
		kt_note(s, KT_NOTE_INFO, "%s", luo->serialized_note);
	if (luo->procfs_note)
		kt_note(s, KT_NOTE_WARNING, "procfs: %s", luo->procfs_note);
	if (luo->flb_note)
		kt_note(s, KT_NOTE_WARNING, "FLBs: %s", luo->flb_note);
	if (luo->sd.stores_note)
		kt_note(s, KT_NOTE_WARNING, "the units of sessions PID 1 holds: %s", luo->sd.stores_note);
}

/*
 * Whether an outgoing FLB's data handle is a physical address this kernel preserves, and
 * the preserved range around it. Only the outgoing tree is kept by a running kernel: an
 * incoming handle cannot be checked. Walks the tree only when some handle needs it.
 */
static void flb_data_memory(struct kt_state *st, const struct kt_luo_flb *f, struct kt_sink *s)
{
	const struct kt_mem_dir *m;
	const struct kt_range *r;

	if (f->incoming || !f->data)
		return;
	m = kt_state_mem(st, KT_OUT);
	if (m->ret)
		return;
	r = kt_radix_range_of(m->r.ranges, m->r.nr_ranges, f->data);
	kt_field_bool(s, "data_preserved", r != NULL);
	if (r) {
		kt_field_addr(s, "data_range", r->start);
		kt_field_size(s, "data_range_size", r->end - r->start);
	}
}

void kt_view_flbs_node(struct kt_state *st, struct kt_sink *s)
{
	const struct kt_luo_state *luo = kt_state_luo(st);
	size_t i;

	kt_node_begin(s, "flbs", NULL, NULL);
	kt_field_u64(s, "count", luo->nr_flbs);
	for (i = 0; i < luo->nr_flbs; i++) {
		const struct kt_luo_flb *f = &luo->flbs[i];

		kt_node_begin(s, f->name, NULL, NULL);
		kt_field_str(s, "direction", f->incoming ? "incoming" : "outgoing");
		kt_field_str(s, "state", kt_flb_state_name[f->state]);
		kt_field_addr(s, "data", f->data);
		flb_data_memory(st, f, s);
		kt_field_u64(s, "files", f->count);
		if (f->handed_over)
			kt_field_u64(s, "files_handed_over", f->handed_over_count);
		if (f->handlers) {
			struct kt_val v = {.type = KT_V_STRLIST, .s = f->handlers, .n = f->handlers_len};

			kt_field(s, "handlers", &v);
		}
		kt_field_bool(s, "object", f->object);
		if (f->incoming && f->state != KT_FLB_SERIALIZED && f->state != KT_FLB_UNCLAIMED)
			kt_field_i64(s, "retrieve_status", f->retrieve_status);
		if (f->state == KT_FLB_UNCLAIMED)
			kt_note(s, KT_NOTE_WARNING,
				"no FLB of this name is registered in this kernel: nothing will retrieve it");
		kt_node_end(s);
	}
	kt_node_end(s);
}

void kt_view_areas_node(const struct kt_areas *a, struct kt_sink *sink)
{
	size_t i;

	/* The node keeps its name for readers of -J; "word" is the kernel's own (bootmem from 7.4). */
	kt_node_begin(sink, "scratch", NULL, NULL);
	kt_field_str(sink, "word", a->word);
	kt_field_u64(sink, "count", a->n);
	kt_field_size(sink, "total", a->total);
	for (i = 0; i < a->n; i++) {
		char name[24];

		snprintf(name, sizeof(name), "%zu", i);
		kt_node_begin(sink, name, NULL, NULL);
		kt_field_addr(sink, "phys", a->v[i].phys);
		kt_field_size(sink, "size", a->v[i].len);
		kt_node_end(sink);
	}
	kt_node_end(sink);
}
