// SPDX-License-Identifier: GPL-2.0-only
/* show: both directions, every blob decoded. */
#include "decode/decoders.h"
#include "view/view.h"

void kt_view_tree(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink)
{
	const struct kt_snapshot *s = st->snap;
	int i;

	for (i = 0; i < KT_NR_DIRS; i++) {
		const struct kt_kho_dir *d = &s->dir[i];
		struct kt_dctx c = {.snap = s, .dirn = i, .raw = o->raw};
		size_t k;

		if (!(o->mask & (1u << i)))
			continue;
		kt_node_begin(sink, kt_dirn_name[i], NULL, NULL);
		kt_field_bool(sink, "present", d->present);
		if (!d->present) {
			kt_note(sink, KT_NOTE_INFO,
				i == KT_IN ? "no incoming state: this kernel was not started by a KHO kexec"
					   : "no outgoing state");
			kt_node_end(sink);
			continue;
		}
		if (d->has_fdt)
			kt_decode_blob(&d->fdt, sink, &c);
		else
			kt_note(sink, KT_NOTE_INFO, "no root fdt%s",
				i == KT_OUT ? " (7.3 removes out/fdt after a KHO kexec)" : "");
		if (d->areas.present)
			kt_view_areas_node(&d->areas, sink);
		kt_node_begin(sink, "sub_fdts", NULL, NULL);
		kt_field_u64(sink, "count", d->nr_subs);
		for (k = 0; k < d->nr_subs; k++)
			kt_decode_blob(&d->subs[k], sink, &c);
		kt_node_end(sink);
		kt_node_end(sink);
	}
}
