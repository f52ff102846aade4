// SPDX-License-Identifier: GPL-2.0-only
/* status: one screen of facts. */
#include "decode/decoders.h"
#include "base/util.h"
#include "view/view.h"

void kt_view_status(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink)
{
	const struct kt_snapshot *s = st->snap;
	int i;

	(void)o;
	kt_node_begin(sink, "status", NULL, NULL);
	kt_field_bool(sink, "kho_enabled", true);
	kt_field_str(sink, "source", kt_src_kind_name[s->kind]);
	kt_field_str(sink, "path", s->origin);
	kt_field_str(sink, "kernel_release", s->release ? s->release : "unknown");
	if (s->taken)
		kt_field_str(sink, "taken", s->taken);
	kt_field_bool(sink, "finalize_control", s->has_finalize);
	if (s->has_finalize && s->finalize >= 0)
		kt_field_bool(sink, "finalized", s->finalize);
	if (!s->has_finalize)
		kt_note(sink, KT_NOTE_INFO,
			"no out/finalize: this kernel finalizes KHO during the kexec reboot");
	for (i = 0; i < KT_NR_DIRS; i++) {
		const struct kt_kho_dir *d = &s->dir[i];

		kt_node_begin(sink, kt_dirn_name[i], NULL, NULL);
		kt_field_bool(sink, "present", d->present);
		if (d->present) {
			kt_field_bool(sink, "fdt", d->has_fdt);
			if (d->has_fdt)
				kt_field_str(sink, "fdt_format", kt_decoder_for(&d->fdt)->format);
			kt_field_u64(sink, "sub_blobs", d->nr_subs);
			if (d->areas.present)
				kt_view_areas_node(&d->areas, sink);
		}
		kt_node_end(sink);
	}
	kt_node_end(sink);
}

static const struct kt_colspec blob_cols[] = {
    {"DIR", "out: for the next kernel; in: from the previous one", 0},
    {"NAME", "sub-blob name (fdt: the root)", 0},
    {"FORMAT", "its format as decoded (kho-v4, luo-v5, memblock-v1, ...)", 0},
    {"SIZE", "bytes debugfs gives", KT_COL_SIZE},
};
const struct kt_table_def kt_blobs_table = {blob_cols, KT_ARRAY_SIZE(blob_cols), "DIR,NAME,FORMAT,SIZE"};

void kt_rows_blobs(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r)
{
	const struct kt_snapshot *s = st->snap;
	size_t i, row;
	int d;

	kt_rows_init(r, &kt_blobs_table);
	for (d = 0; d < KT_NR_DIRS; d++) {
		const struct kt_kho_dir *x = &s->dir[d];

		if (!(o->mask & (1u << d)) || !x->present)
			continue;
		if (x->has_fdt) {
			row = kt_rows_add(r, KT_ROW_NONE);
			kt_rows_str(r, row, "DIR", "%s", kt_dirn_name[d]);
			kt_rows_str(r, row, "NAME", "fdt");
			kt_rows_str(r, row, "FORMAT", "%s", kt_decoder_for(&x->fdt)->format);
			kt_rows_size(r, row, "SIZE", x->fdt.len);
		}
		for (i = 0; i < x->nr_subs; i++) {
			row = kt_rows_add(r, KT_ROW_NONE);
			kt_rows_str(r, row, "DIR", "%s", kt_dirn_name[d]);
			kt_rows_str(r, row, "NAME", "%s", x->subs[i].name);
			kt_rows_str(r, row, "FORMAT", "%s", kt_decoder_for(&x->subs[i])->format);
			kt_rows_size(r, row, "SIZE", x->subs[i].len);
		}
	}
}
