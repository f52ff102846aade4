// SPDX-License-Identifier: GPL-2.0-only
/* FLBs: every File-Lifecycle-Bound object, registered here or handed over (handlers, global, flbs). */
#include <stdio.h>

#include "base/util.h"
#include "view/view.h"

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

void kt_view_flbs(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *s)
{
	(void)o;
	kt_view_luo_sources(kt_state_luo(st), s);
	kt_view_flbs_node(st, s);
}

static const struct kt_colspec flb_cols[] = {
    {"NAME", "FLB compatible", 0},
    {"DIR", "out: registered in this kernel; in: handed over by the previous one", 0},
    {"STATE", "registered, preserved, serialized, incoming, retrieved, failed, finished, unclaimed", 0},
    {"FILES", "files depending on it", KT_COL_NUM},
    {"HANDED", "files that depended on it at the kexec", KT_COL_NUM},
    {"DATA", "its data handle", 0},
    {"OBJECT", "its live object exists", 0},
    {"HANDLERS", "file handlers it is registered with", KT_COL_TRUNC},
    {"RETRIEVE", "incoming: retrieve status (1 retrieved, <0 failed)", KT_COL_NUM},
};
const struct kt_table_def kt_flbs_table = {flb_cols, KT_ARRAY_SIZE(flb_cols),
					   "NAME,DIR,STATE,FILES,HANDED,DATA,HANDLERS"};

void kt_rows_flbs(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r)
{
	const struct kt_luo_state *luo = kt_state_luo(st);
	size_t i, k;

	kt_rows_init(r, &kt_flbs_table);
	kt_rows_luo_notes(luo, r);
	for (i = 0; i < luo->nr_flbs; i++) {
		const struct kt_luo_flb *f = &luo->flbs[i];
		char handlers[512] = "";
		size_t row;

		if (!(o->mask & (f->incoming ? KT_VIEW_IN : KT_VIEW_OUT)))
			continue;
		row = kt_rows_add(r, KT_ROW_NONE);

		for (k = 0; f->handlers && k < f->handlers_len && k + 1 < sizeof(handlers); k++)
			handlers[k] = f->handlers[k] ? f->handlers[k] : ',';
		kt_rows_str(r, row, "NAME", "%s", f->name);
		kt_rows_str(r, row, "DIR", "%s", f->incoming ? "in" : "out");
		kt_rows_str(r, row, "STATE", "%s", kt_flb_state_name[f->state]);
		kt_rows_u64(r, row, "FILES", f->count);
		if (f->handed_over)
			kt_rows_u64(r, row, "HANDED", f->handed_over_count);
		kt_rows_str(r, row, "DATA", "0x%llx", (unsigned long long)f->data);
		kt_rows_str(r, row, "OBJECT", "%s", f->object ? "yes" : "no");
		if (handlers[0])
			kt_rows_str(r, row, "HANDLERS", "%s", handlers);
		if (f->incoming && f->state != KT_FLB_SERIALIZED && f->state != KT_FLB_UNCLAIMED)
			kt_rows_str(r, row, "RETRIEVE", "%d", f->retrieve_status);
		if (f->state == KT_FLB_UNCLAIMED)
			kt_rows_note(r, false,
				     "FLB %s: no FLB of this name is registered in this kernel: nothing will "
				     "retrieve it",
				     f->name);
	}
}
